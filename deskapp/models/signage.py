"""Tenant signage (SPEC §3): the suppliers who make signs, and the orders for them.

An order is one sign to make, change, correct or take down: a directory-board entry
(水牌) or a name plate (名牌). Each step of an order keeps who took it and when, in
its own pair of columns, so the timeline and the register read one row.
"""

from __future__ import annotations

from peewee import (BigIntegerField, BooleanField, CharField, DateField, ForeignKeyField,
                    IntegerField, TextField)

from .base import BaseModel, UTCField
from .records import Tenant, Ticket

SIGN_KINDS = ("directory", "name_plate")
# new: from the tenant's application; correction: a wrong or missing character;
# change / removal: the tenant renamed or left, opened by the registry itself
SIGN_PURPOSES = ("new", "correction", "change", "removal")
SIGN_STATES = ("applied", "sent_to_supplier", "draft_signed", "made", "installed",
               "registered", "cancelled")


class SignSupplier(BaseModel):
    """A supplier (供方) the desk sends copies of applications to."""

    name = CharField(unique=True)
    contact = CharField(default="")
    phone = CharField(default="")
    active = BooleanField(default=True)
    added_at = UTCField()
    added_by = CharField()


class SignOrder(BaseModel):
    tenant = ForeignKeyField(Tenant, backref="sign_orders", on_delete="RESTRICT")
    kind = CharField()
    purpose = CharField(default="new")
    text = CharField()  # exactly as on the application
    position = CharField()  # the unit or floor of a plate; board and line of an entry
    supplier = ForeignKeyField(SignSupplier, null=True, backref="orders",
                               on_delete="RESTRICT")
    price_fen = BigIntegerField(null=True)  # the price agreed with the supplier, if any
    # the application on file (R-3.5: no order without one)
    applied_on = DateField()
    applicant = CharField()
    application_ref = CharField()
    # the sign this one corrects, changes or takes down
    corrects = ForeignKeyField("self", null=True, backref="followups", on_delete="RESTRICT")
    # the queue ticket timing it (a name plate's opens when its draft is signed)
    ticket = ForeignKeyField(Ticket, null=True, backref="sign_orders", on_delete="RESTRICT")
    state = CharField(default="applied", index=True)
    applied_at = UTCField()
    applied_by = CharField()
    sent_at = UTCField(null=True)
    sent_by = CharField(null=True)
    draft_at = UTCField(null=True)
    draft_by = CharField(null=True)
    made_at = UTCField(null=True)
    made_by = CharField(null=True)
    installed_at = UTCField(null=True)
    installed_by = CharField(null=True)
    registered_at = UTCField(null=True, index=True)
    registered_by = CharField(null=True)
    cancelled_at = UTCField(null=True)
    cancelled_by = CharField(null=True)
    cancel_reason = TextField(default="")  # up to 500 characters: more than a varchar(255)
    version = IntegerField(default=1)


SignOrder.add_index(SignOrder.tenant, SignOrder.kind)


class SignFinding(BaseModel):
    """A lost or loose sign found on the daily patrol (R-3.5): the same-day patrol
    ticket that follows it up until it is fixed."""

    order = ForeignKeyField(SignOrder, backref="findings", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, backref="sign_findings", on_delete="RESTRICT")
    note = TextField()
    found_at = UTCField()
    found_by = CharField()
