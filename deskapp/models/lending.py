"""What the desk lends and registers beside the bookings (SPEC §2.2, R-6.3): the
umbrella stock and its loans (借用雨伞), recycling pickups (收购废品) and damage done
to a booked resource during its use (charged to the user)."""

from __future__ import annotations

from peewee import (BigIntegerField, BooleanField, CharField, ForeignKeyField, IntegerField,
                    TextField)

from .base import BaseModel, UTCField
from .bookings import Booking
from .records import Tenant, Ticket

PICKUP_STATES = ("booked", "done", "cancelled")


class Umbrella(BaseModel):
    """One numbered umbrella of the stock ("U-01"). ``on_loan`` is the one flag a lend
    claims with a conditional UPDATE (two desks lending the same one: one wins);
    a lost one is retired, never deleted (its loans stay on record)."""

    number = CharField(unique=True)
    on_loan = BooleanField(default=False)
    added_at = UTCField()
    added_by = CharField()
    retired_at = UTCField(null=True)
    retired_by = CharField(default="")
    retire_reason = TextField(default="")
    version = IntegerField(default=1)


class UmbrellaLoan(BaseModel):
    """An umbrella lent to a person (of a tenant, or a visitor) until it comes back;
    ``lost``: it never came back and was retired."""

    umbrella = ForeignKeyField(Umbrella, backref="loans", on_delete="RESTRICT")
    tenant = ForeignKeyField(Tenant, null=True, backref="+", on_delete="RESTRICT")
    borrower = CharField()
    phone = CharField(default="")
    lent_at = UTCField(index=True)
    lent_by = CharField()
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    returned_at = UTCField(null=True)
    returned_by = CharField(default="")
    lost = BooleanField(default=False)


UmbrellaLoan.add_index(UmbrellaLoan.umbrella, UmbrellaLoan.returned_at)


class RecyclingPickup(BaseModel):
    """A waste buy-back pickup booked for a time: its ``recycling`` ticket is due then."""

    tenant = ForeignKeyField(Tenant, backref="+", on_delete="RESTRICT")
    at = UTCField(index=True)  # the booked time
    what = TextField()
    contact = CharField(default="")
    state = CharField(default="booked")
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    booked_at = UTCField()
    booked_by = CharField()
    closed_at = UTCField(null=True)
    closed_by = CharField(default="")
    reason = TextField(default="")


class BookingDamage(BaseModel):
    """Damage found after a booking's use (R-6.3: charged to the user), in fen."""

    booking = ForeignKeyField(Booking, backref="damages", on_delete="RESTRICT")
    what = TextField()
    amount_fen = BigIntegerField()
    recorded_at = UTCField()
    recorded_by = CharField()
    charge_ref = CharField(null=True)  # what billing made of it, once the lead wires it
