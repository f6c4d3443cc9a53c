"""The building's shared things and who has them when (SPEC R-6.3, §9): resources,
bookings of them (a rental, or a borrowing the general manager approves) and the series
a repeated booking belongs to."""

from __future__ import annotations

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, UTCField
from .records import Tenant, Ticket

RESOURCE_KINDS = ("meeting_room", "reception_room", "notice_board", "parking_space", "ad_space")
BOOKING_KINDS = ("rental", "borrowing")
BOOKING_STATES = ("pending", "confirmed", "bumped", "cancelled")
# the states that hold their slot (a pending borrowing never blocks a rental, §9)
HOLDING_STATES = ("confirmed",)


class Resource(BaseModel):
    name = CharField(unique=True)
    kind = CharField(index=True)
    capacity = IntegerField(null=True)  # people (rooms)
    size = CharField(default="")  # "2 m × 1 m" (boards, ad spaces), "B1-017" (parking)
    price_item = CharField(null=True)  # the price-list code it is rented at
    buffer_minutes = IntegerField(default=0)  # setup / cleaning between two bookings
    opens = CharField(default="08:00")  # bookable hours, building time (HH:MM)
    closes = CharField(default="22:00")
    active = BooleanField(default=True)
    version = IntegerField(default=1)


class BookingSeries(BaseModel):
    """A daily or weekly repeat (a count, or until a day); its bookings point here."""

    resource = ForeignKeyField(Resource, backref="series", on_delete="RESTRICT")
    rule = CharField()  # daily | weekly
    count = IntegerField(null=True)
    until = CharField(null=True)  # YYYY-MM-DD, building time
    made_at = UTCField()
    made_by = CharField()


class Booking(BaseModel):
    """One resource from ``starts_at`` to ``ends_at`` (UTC; the end exclusive: back to
    back is no clash). ``applied_at`` orders who keeps a slot: the earlier application."""

    resource = ForeignKeyField(Resource, backref="bookings", on_delete="RESTRICT")
    tenant = ForeignKeyField(Tenant, null=True, backref="bookings", on_delete="RESTRICT")
    applicant = CharField(default="")  # who asked (a person at the tenant, or a visitor)
    starts_at = UTCField()
    ends_at = UTCField()
    # ends_at + the resource's buffer when booked: what the slot keeps from others (the
    # clash test and PostgreSQL's exclusion constraint compare [starts_at, block_until))
    block_until = UTCField()
    kind = CharField(default="rental")
    state = CharField(default="confirmed", index=True)
    applied_at = UTCField()
    applied_by = CharField()
    series = ForeignKeyField(BookingSeries, null=True, backref="bookings", on_delete="SET NULL")
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    note = TextField(default="")
    decided_at = UTCField(null=True)  # the GM's approval of a borrowing, or a refusal
    decided_by = CharField(default="")
    cancelled_at = UTCField(null=True)
    cancelled_by = CharField(default="")
    reason = TextField(default="")  # why cancelled, refused or bumped
    plate = CharField(default="")  # a parking rental: the vehicle's plate
    period = CharField(default="")  # a parking rental: "2026-12" (a month) or "2026Q4"
    version = IntegerField(default=1)


# the day grid and the clash check read a resource's bookings over a window
Booking.add_index(Booking.resource, Booking.starts_at)
Booking.add_index(Booking.starts_at, Booking.ends_at)
Booking.add_index(Booking.resource, Booking.state, Booking.starts_at)
