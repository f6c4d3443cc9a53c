"""Secondary fit-out (二次装修): the application, its documents, its inspections.

A fit-out's timed steps are tickets on the one queue (``fitout_approval`` from
"documents complete", ``fitout_acceptance`` at the agreed time and for the refund):
these rows hold what the tickets do not — the scope, the documents, the deposit, the
rectification notices — and point at the tickets.
"""

from __future__ import annotations

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, UTCField
from .records import Tenant, Ticket

FITOUT_STATES = ("collecting", "reviewing", "refused", "approved", "inspection_booked",
                 "rectifying", "passed", "refunded")


class Fitout(BaseModel):
    """One fit-out application of a tenant.

    collecting (documents outstanding) → reviewing (documents complete: the approval
    clock runs) → approved | refused → inspection_booked → rectifying →
    inspection_booked … → passed → refunded (the deposit refund handed to finance).
    """

    tenant = ForeignKeyField(Tenant, backref="fitouts", on_delete="CASCADE")
    scope = CharField()  # simple | systems (touches central AC / fire systems)
    units = TextField(default="")  # ';'-separated, as the tenant registry writes them
    period_from = DateField(null=True)  # the fit-out period (workers' passes)
    period_to = DateField(null=True)
    state = CharField(default="collecting", index=True)
    applied_at = UTCField()
    applied_by = CharField()
    documents_complete_at = UTCField(null=True)
    approval_ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    decided_at = UTCField(null=True)
    decided_by = CharField(default="")
    decision_reason = TextField(default="")
    deposit_fen = BigIntegerField(null=True)  # None: no deposit taken yet
    deposit_at = UTCField(null=True)
    deposit_by = CharField(default="")
    passed_at = UTCField(null=True)
    refund_ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    refund_handed_at = UTCField(null=True)
    refund_handed_by = CharField(default="")
    version = IntegerField(default=1)


class FitoutDocument(BaseModel):
    """A document the application needs; ``received_at`` None: still outstanding."""

    fitout = ForeignKeyField(Fitout, backref="documents", on_delete="CASCADE")
    name = CharField()  # a code of DEFAULT_DOCUMENTS, or the name as typed
    position = IntegerField(default=0)
    received_at = UTCField(null=True)
    received_by = CharField(default="")


class FitoutInspection(BaseModel):
    """One acceptance inspection booked at an agreed time, and its outcome: ``passed``
    (the report) or ``rectify`` (a notice: items and a deadline for re-inspection)."""

    fitout = ForeignKeyField(Fitout, backref="inspections", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    agreed_at = UTCField()
    booked_at = UTCField()
    booked_by = CharField()
    outcome = CharField(default="")  # "" (not yet) | passed | rectify
    inspected_at = UTCField(null=True)
    inspected_by = CharField(default="")
    items = TextField(default="")  # what to rectify
    deadline = DateField(null=True)


FitoutDocument.add_index(FitoutDocument.fitout, FitoutDocument.name, unique=True)
