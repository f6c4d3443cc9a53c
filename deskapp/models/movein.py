"""Move-in and move-out (issue 7 items 2–3; R-5.1, R-5.3, R-7.2): the checklist of each
move, the key register, the room-by-room inspection, the welcome gift, and the
electricity meters and their readings (the billing baseline).

A move is one row (``kind`` in/out) tied to its queue ticket; the state of its checklist
is read from the rows below (a key handed, a reading taken, a gift given), each of which
records who and when, so the list can never claim an item the records do not show.
"""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, UTCField
from .records import Tenant, Ticket

MOVE_KINDS = ("in", "out")
CONDITIONS = ("ok", "defect")
# baseline: a meter's first reading (move-in or installation); monthly: engineering's
# round; final: the move-out; replacement: the last reading of a meter swapped out
READING_KINDS = ("baseline", "monthly", "final", "replacement")


class Move(BaseModel):
    """One move-in or move-out of a tenant, booked for a moment, done once."""

    tenant = ForeignKeyField(Tenant, backref="moves", on_delete="CASCADE")
    kind = CharField()  # in | out
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    booked_at = UTCField()
    booked_by = CharField()
    # single steps of the checklist that leave no row of their own (None: not yet)
    data_checked_at = UTCField(null=True)
    data_checked_by = CharField(default="")
    notice_at = UTCField(null=True)  # the notice to the cashier (入住情况通知书) produced
    notice_by = CharField(default="")
    visit_at = UTCField(null=True)  # the first-month visit scheduled
    visit_by = CharField(default="")
    fees_checked_at = UTCField(null=True)  # move-out: no open balance
    fees_checked_by = CharField(default="")
    # move-out: the deposit outcome, in fen (refund = deposit − deductions, ≥ 0)
    deposit_fen = BigIntegerField(null=True)
    deductions_fen = BigIntegerField(null=True)
    refund_fen = BigIntegerField(null=True)
    deposit_at = UTCField(null=True)
    deposit_by = CharField(default="")
    done_at = UTCField(null=True)
    done_by = CharField(default="")


Move.add_index(Move.tenant, Move.kind, Move.done_at)


class WelcomeGift(BaseModel):
    """The welcome gift (R-5.1): at most one per tenant, ever (the unique index says so
    even if two sessions try at once)."""

    tenant = ForeignKeyField(Tenant, unique=True, backref="gift", on_delete="CASCADE")
    move = ForeignKeyField(Move, null=True, on_delete="SET NULL")
    given_at = UTCField()
    given_by = CharField()


class KeyRecord(BaseModel):
    """The key register: a key handed over at move-in and returned at move-out."""

    tenant = ForeignKeyField(Tenant, backref="keys", on_delete="CASCADE")
    move_in = ForeignKeyField(Move, null=True, backref="keys_handed", on_delete="SET NULL")
    label = CharField()  # "1201 main door"
    count = IntegerField()
    holder = CharField()  # the person at the tenant who received them
    signed = BooleanField(default=False)  # the holder signed the register
    handed_at = UTCField()
    handed_by = CharField()
    returned_count = IntegerField(null=True)  # None: not returned yet
    returned_at = UTCField(null=True)
    returned_by = CharField(default="")
    move_out = ForeignKeyField(Move, null=True, backref="keys_returned",
                               on_delete="SET NULL")


KeyRecord.add_index(KeyRecord.tenant, KeyRecord.label)
# one line per key of a move-in (the service corrects a line rather than adding one)
KeyRecord.add_index(KeyRecord.index(KeyRecord.move_in, KeyRecord.label, unique=True))


class Inspection(BaseModel):
    """One line of an inspection with the tenant, room by room: the move-in's record,
    and at move-out the same unit/item compared with it."""

    move = ForeignKeyField(Move, backref="inspections", on_delete="CASCADE")
    unit = CharField()
    item = CharField()
    condition = CharField()  # ok | defect
    note = TextField(default="")
    at = UTCField()
    by = CharField()
    repair_ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")  # move-in defect
    # move-out: a condition worse than at move-in → a proposed deduction from the deposit
    deduction_fen = BigIntegerField(null=True)
    deduction_reason = TextField(default="")


Inspection.add_index(Inspection.index(Inspection.move, Inspection.unit, Inspection.item,
                                      unique=True))


class Meter(BaseModel):
    """A tenant's electricity meter (R-7.5): ``code`` as written on it ("E-1201"). The same
    physical meter under a later tenant is a new row; readings belong to one row."""

    tenant = ForeignKeyField(Tenant, backref="meters", on_delete="CASCADE")
    code = CharField()
    unit = CharField(default="")
    installed_at = UTCField(null=True)
    removed_at = UTCField(null=True)  # the final or replacement reading


# a physical meter is on one tenant's record at a time (removed rows are its history)
Meter.add_index(Meter.index(Meter.code, unique=True, where=Meter.removed_at.is_null()))
Meter.add_index(Meter.tenant)


class MeterReading(BaseModel):
    """A reading in exact hundredths of a kWh (1450.50 kWh = 145050); never a float.
    A meter's readings only go up and are never in the future (services.movein)."""

    meter = ForeignKeyField(Meter, backref="readings", on_delete="CASCADE")
    read_at = UTCField()
    reading = BigIntegerField()  # hundredths of a kWh
    kind = CharField()  # baseline | monthly | final | replacement
    by = CharField()
    recorded_at = UTCField()
    move = ForeignKeyField(Move, null=True, on_delete="SET NULL")
    # schema 7: a reading far off the meter's usual consumption is kept but flagged
    # ("high" | "low") with why, for engineering to confirm before billing uses it
    flag = CharField(null=True)
    note = TextField(default="")


MeterReading.add_index(MeterReading.meter, MeterReading.read_at)

MODELS = [Move, WelcomeGift, KeyRecord, Inspection, Meter, MeterReading]

__all__ = ["CONDITIONS", "Inspection", "KeyRecord", "MODELS", "MOVE_KINDS",
           "Meter", "MeterReading", "Move", "READING_KINDS", "WelcomeGift"]
