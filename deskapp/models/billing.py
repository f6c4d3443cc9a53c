"""Billing (SPEC §7, issue 9): payment notices and their lines, payments and what they
paid, reminder letters, the GM's deferrals and waivers, closed months, temporary parking
and its shift takings, the postal agency.

Money is whole fen (``money.py``); quantities are exact thousandths (``QUANTITY_SCALE``).
Nothing here is edited once it moves money: a notice is issued once per tenant and month,
a payment once; a correction is a new row (a reversal, a credit), and a closed month
takes no new row dated inside it.
"""

from __future__ import annotations

from peewee import BigIntegerField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, UTCField
from .prices import Charge
from .records import Tenant

# what a notice line is for (labels: i18n ``billing.kind.*``)
NOTICE_LINE_KINDS = ("rent", "electricity", "service", "parking", "late_fee")
PAYMENT_METHODS = ("cash", "transfer", "card", "wechat", "alipay", "cheque")
ADJUSTMENT_KINDS = ("waiver", "deferral")
ADJUSTMENT_STATES = ("pending", "approved", "refused", "withdrawn")
POSTAL_KINDS = ("letter_local", "letter", "printed", "registered", "parcel")


class Notice(BaseModel):
    """A payment notice (缴费通知书, R-7.2): one per tenant and month, numbered in the
    order issued (``2026-12-0001``); its lines are fixed when it is issued."""

    number = CharField(unique=True)
    tenant = ForeignKeyField(Tenant, backref="notices", on_delete="RESTRICT")
    month = CharField()  # "YYYY-MM": the month whose rent it carries
    due_date = DateField()
    total_fen = BigIntegerField()
    issued_at = UTCField()
    issued_by = CharField()


Notice.add_index(Notice.tenant, Notice.month, unique=True)
Notice.add_index(Notice.month)


class NoticeLine(BaseModel):
    """One line of a notice: rent for the days held, a meter's consumption, a
    monthly-account charge from the ledger, or the late fee on an earlier notice."""

    notice = ForeignKeyField(Notice, backref="lines", on_delete="CASCADE")
    position = IntegerField()
    kind = CharField()
    description = TextField(default="")
    quantity_milli = BigIntegerField()
    unit_price_fen = BigIntegerField()
    amount_fen = BigIntegerField()
    charge = ForeignKeyField(Charge, null=True, on_delete="RESTRICT")  # a ledger line billed
    late_notice = ForeignKeyField(Notice, null=True, backref="late_fee_lines",
                                  on_delete="RESTRICT")  # the overdue notice a late fee is on
    late_from = DateField(null=True)  # the days a late fee line covers, inclusive
    late_through = DateField(null=True)


# a ledger line is billed on one notice only
NoticeLine.add_index(NoticeLine.index(NoticeLine.charge, unique=True,
                                      where=NoticeLine.charge.is_null(False)))
NoticeLine.add_index(NoticeLine.notice, NoticeLine.position)


class Payment(BaseModel):
    """Money received from a tenant, with its numbered receipt (收据)."""

    receipt_no = CharField(unique=True)
    tenant = ForeignKeyField(Tenant, backref="payments", on_delete="RESTRICT")
    amount_fen = BigIntegerField()
    method = CharField()
    reference = CharField(default="")  # a transfer's bank reference, a cheque number
    received_on = DateField()  # the building day the money arrived (late fees stop here)
    note = TextField(default="")
    recorded_at = UTCField()
    recorded_by = CharField()


Payment.add_index(Payment.tenant, Payment.received_on)


class Allocation(BaseModel):
    """What part of a payment paid which notice: oldest notice first."""

    payment = ForeignKeyField(Payment, backref="allocations", on_delete="CASCADE")
    notice = ForeignKeyField(Notice, backref="allocations", on_delete="RESTRICT")
    amount_fen = BigIntegerField()


Allocation.add_index(Allocation.notice)


class Adjustment(BaseModel):
    """A deferral or waiver of a notice (R-7.3): asked by finance or the desk, decided by
    the general manager, never by whoever asked (maker ≠ checker)."""

    kind = CharField()  # waiver | deferral
    tenant = ForeignKeyField(Tenant, backref="adjustments", on_delete="RESTRICT")
    notice = ForeignKeyField(Notice, backref="adjustments", on_delete="RESTRICT")
    amount_fen = BigIntegerField(null=True)  # a waiver: how much of the notice is forgiven
    defer_to = DateField(null=True)  # a deferral: the new due date
    reason = TextField()
    state = CharField(default="pending", index=True)
    asked_at = UTCField()
    asked_by = CharField()
    decided_at = UTCField(null=True)
    decided_by = CharField(null=True)
    decision_note = TextField(default="")


class Reminder(BaseModel):
    """A reminder letter (催缴函, R-7.4) for an overdue notice: what was owed on the day
    it was written and from which day late fees run."""

    number = CharField(unique=True)
    notice = ForeignKeyField(Notice, backref="reminders", on_delete="RESTRICT")
    owed_fen = BigIntegerField()
    fees_from = DateField()
    issued_at = UTCField()
    issued_by = CharField()


class MonthClose(BaseModel):
    """A closed month (R-7.8): nothing posts into it afterwards; ``figures`` is the JSON
    of the month-end report as it stood when closed."""

    month = CharField(unique=True)
    closed_at = UTCField()
    closed_by = CharField()
    figures = TextField()


class ParkingHandover(BaseModel):
    """A security shift's temporary-parking takings handed to finance (R-7.6)."""

    number = CharField(unique=True)
    handed_at = UTCField()
    handed_by = CharField()
    count = IntegerField()
    total_fen = BigIntegerField()
    received_at = UTCField(null=True)
    received_by = CharField(null=True)


class ParkingVisit(BaseModel):
    """A car parked by the hour: entered and left as security records it, charged under
    the tariff in force when it left (free minutes, per hour, daily cap)."""

    plate = CharField()
    entered_at = UTCField()
    entered_by = CharField()
    left_at = UTCField(null=True)
    left_by = CharField(null=True)
    minutes = IntegerField(null=True)
    amount_fen = BigIntegerField(null=True)
    tariff = TextField(default="")  # the tariff applied, as JSON, so the fee stays explained
    method = CharField(null=True)  # how the fee was paid (cash is handed over, WeChat is not)
    handover = ForeignKeyField(ParkingHandover, null=True, backref="visits",
                               on_delete="RESTRICT")


ParkingVisit.add_index(ParkingVisit.plate, ParkingVisit.left_at)
# one car inside at a time per plate, even when two gates record it at once
ParkingVisit.add_index(ParkingVisit.index(ParkingVisit.plate, unique=True,
                                          where=ParkingVisit.left_at.is_null()))
ParkingVisit.add_index(ParkingVisit.handover)


class PostalDispatch(BaseModel):
    """The two-part dispatch list (邮件交寄清单, R-6.1) of a day's posted items: one part
    for the post office, one kept."""

    number = CharField(unique=True)
    day = DateField()
    made_at = UTCField()
    made_by = CharField()


class PostalItem(BaseModel):
    """An item the postal agency took: weighed, priced by weight and kind, its charge on
    the ledger (paid at once or on the monthly account)."""

    tenant = ForeignKeyField(Tenant, backref="postal_items", on_delete="RESTRICT")
    kind = CharField()
    weight_g = IntegerField()
    destination = TextField(default="")
    serial = CharField(null=True)  # printed matter's official serial (刊号/书号), if it has one
    amount_fen = BigIntegerField()
    charge = ForeignKeyField(Charge, null=True, on_delete="RESTRICT")
    dispatch = ForeignKeyField(PostalDispatch, null=True, backref="items", on_delete="RESTRICT")
    accepted_at = UTCField()
    accepted_by = CharField()


MODELS = [Notice, NoticeLine, Payment, Allocation, Adjustment, Reminder, MonthClose,
          ParkingHandover, ParkingVisit, PostalDispatch, PostalItem]

__all__ = ["ADJUSTMENT_KINDS", "ADJUSTMENT_STATES", "Adjustment", "Allocation", "MODELS",
           "MonthClose", "NOTICE_LINE_KINDS", "Notice", "NoticeLine", "PAYMENT_METHODS",
           "POSTAL_KINDS", "ParkingHandover", "ParkingVisit", "Payment", "PostalDispatch",
           "PostalItem", "Reminder"]
