"""The published price list (明码实价，公榜告示; R-1.3, R-6.4), the notices of its changes
(R-4.1) and the charges ledger every paid service and rental posts to (R-7.7).

A price is never edited: each change is a new row of the item's history with the day it
takes effect, so the price in force on any day stays answerable (a charge for last
month uses last month's price). A charge is never edited or deleted either: a mistake
is corrected by a reversal line (negative, with its reason) pointing at it.
"""

from __future__ import annotations

from peewee import BigIntegerField, BooleanField, CharField, DateField, ForeignKeyField, TextField

from .base import BaseModel, UTCField
from .records import Tenant

# the units a price is quoted per (labels: i18n ``unit.*``)
PRICE_UNITS = ("hour", "day", "month", "quarter", "page", "kwh", "item", "letter", "kg")
SETTLEMENTS = ("monthly", "paid")  # booked to the monthly account | paid at once
PAID_METHODS = ("cash", "transfer", "card", "wechat", "alipay")
FREE_REASONS = ("original_defect",)  # a defect of the building's original equipment
# quantities are exact thousandths (1.5 hours = 1500): never a float
QUANTITY_SCALE = 1000


class PriceItem(BaseModel):
    """One item of the published list: what it is and what it is priced per."""

    code = CharField(unique=True)
    name_zh = CharField()
    name_en = CharField()
    unit = CharField()
    created_at = UTCField()
    created_by = CharField()


class PriceEntry(BaseModel):
    """One row of an item's history: from ``effective_from`` on, the item costs
    ``price_fen`` per unit — or, with ``active`` false, is no longer offered."""

    item = ForeignKeyField(PriceItem, backref="entries", on_delete="CASCADE")
    price_fen = BigIntegerField(null=True)  # None when the row withdraws the item
    active = BooleanField(default=True)
    effective_from = DateField()
    reason = TextField(default="")
    set_at = UTCField()
    set_by = CharField()


PriceEntry.add_index(PriceEntry.item, PriceEntry.effective_from, unique=True)


class PriceNotice(BaseModel):
    """The notice to tenants of a price change (R-4.1: announced in advance, with the
    reason): old and new price (None: the item is new, or withdrawn)."""

    item = ForeignKeyField(PriceItem, backref="notices", on_delete="CASCADE")
    entry = ForeignKeyField(PriceEntry, on_delete="CASCADE")
    old_fen = BigIntegerField(null=True)
    new_fen = BigIntegerField(null=True)
    effective_from = DateField()
    reason = TextField(default="")
    issued_at = UTCField()
    issued_by = CharField()


class Charge(BaseModel):
    """One line of the charges ledger: what billing puts on a tenant's payment notice
    (``settle`` monthly) or what was paid at once at the desk (``paid``)."""

    tenant = ForeignKeyField(Tenant, backref="charges", on_delete="RESTRICT")
    item = ForeignKeyField(PriceItem, on_delete="RESTRICT")
    description = TextField(default="")
    quantity_milli = BigIntegerField()  # thousandths of the unit; negative on a reversal
    unit_price_fen = BigIntegerField()  # what was charged per unit (≤ the list price)
    list_price_fen = BigIntegerField()  # the price in force on the service date
    amount_fen = BigIntegerField()  # round half up (money.multiply); 0 when free
    service_date = DateField()
    month = CharField()  # "YYYY-MM" of the service date: the account it belongs to
    settle = CharField()
    signed_by = CharField(null=True)
    paid_method = CharField(null=True)
    receipt_no = CharField(null=True)
    free_reason = CharField(null=True)
    source = CharField()
    source_id = CharField(null=True)
    reverses = ForeignKeyField("self", null=True, backref="reversals", on_delete="RESTRICT")
    reason = TextField(default="")
    posted_at = UTCField()
    posted_by = CharField()


# a retry of the same source posts nothing twice (NULL source ids never clash)
Charge.add_index(Charge.source, Charge.source_id, unique=True)
Charge.add_index(Charge.tenant, Charge.month)
