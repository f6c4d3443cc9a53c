"""Tenant communication (SPEC §5): visits to tenants (R-5.3), the letters log (R-5.2),
the mail log (express, registered, official letters: the catalogue's ``mail`` row),
suggestions (R-5.4) and rubbish bags (R-1.1)."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, UTCField
from .records import Ticket, Tenant

VISIT_KINDS = ("first_month", "regular")
MAIL_KINDS = ("express", "registered", "official")


class Visit(BaseModel):
    """A visit to a tenant for feedback (R-5.3): the first-month visit is scheduled by
    the move-in (due within one month of it); regular visits are logged as they happen.
    ``done_at`` None: still due."""

    tenant = ForeignKeyField(Tenant, backref="visits", on_delete="CASCADE")
    kind = CharField(default="regular")
    due_on = DateField(null=True)  # the last day it may happen (first_month)
    moved_in_on = DateField(null=True)  # first_month: the move-in day it follows
    scheduled_at = UTCField()
    scheduled_by = CharField()
    done_at = UTCField(null=True)
    visitor = CharField(default="")  # the manager or supervisor who went
    feedback = TextField(default="")
    issues = TextField(default="")  # what the tenant raised, to follow up
    recorded_by = CharField(default="")  # who logged it (the desk, for the visitor)


Visit.add_index(Visit.tenant, Visit.kind)
Visit.add_index(Visit.done_at)


class Letter(BaseModel):
    """A letter to a tenant that customer service distributes (R-5.2): what, from whom,
    when it came in, and when and to whom it was handed. Government circulars have no
    line here (the service refuses them: R-5.2 says they need none)."""

    tenant = ForeignKeyField(Tenant, backref="letters", on_delete="CASCADE")
    what = CharField()
    sender = CharField()
    received_at = UTCField(index=True)
    logged_by = CharField()
    delivered_at = UTCField(null=True)
    delivered_to = CharField(null=True)  # the person at the tenant who took it
    delivered_by = CharField(null=True)


class Mail(BaseModel):
    """Express, registered mail or an official letter for a tenant: its arrival opens a
    ``mail`` ticket (delivered to the room within 1 hour, on the queue); the delivery
    records who signed for it."""

    tenant = ForeignKeyField(Tenant, backref="mail", on_delete="CASCADE")
    kind = CharField()
    carrier = CharField(default="")
    tracking = CharField(default="")
    count = IntegerField(default=1)
    arrived_at = UTCField(index=True)
    logged_by = CharField()
    ticket = ForeignKeyField(Ticket, null=True, backref="mail", on_delete="SET NULL")
    delivered_at = UTCField(null=True)
    signed_by = CharField(null=True)  # the name of who signed for it at the tenant
    delivered_by = CharField(null=True)


Mail.add_index(Mail.delivered_at)


class Suggestion(BaseModel):
    """A tenant's suggestion (R-5.4 reports them), told on a visit or at the desk."""

    tenant = ForeignKeyField(Tenant, backref="suggestions", on_delete="CASCADE")
    text = TextField()
    received_at = UTCField(index=True)
    recorded_by = CharField()
    visit = ForeignKeyField(Visit, null=True, backref="suggestions", on_delete="SET NULL")


class BagHandout(BaseModel):
    """Rubbish bags handed to a tenant (R-1.1: a monthly allowance). ``month`` is the
    building's month of the hand-out (``2026-10``), fixed when it is written, so a bag
    handed at 23:30 on 31 Oct in Shanghai (15:30 UTC) counts in October everywhere."""

    tenant = ForeignKeyField(Tenant, backref="bag_handouts", on_delete="CASCADE")
    month = CharField()
    count = IntegerField()
    handed_at = UTCField()
    handed_by = CharField()
    received_by = CharField(default="")


BagHandout.add_index(BagHandout.tenant, BagHandout.month)
BagHandout.add_index(BagHandout.month)

