"""Passes and permits at the desk: access passes (出入证), vehicle insurance records,
parking permits (停车证) and the large-item release log (大件物品放行)."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import BaseModel, UTCField
from .fitout import Fitout
from .records import Tenant, Ticket

PASS_KINDS = ("staff", "fitout_worker", "visitor")
VEHICLES = ("car", "motorcycle")


class AccessPass(BaseModel):
    """One person's pass. Valid from ``valid_from`` (inclusive) until ``valid_until``
    (exclusive: a pass "to 30 Nov" runs until 1 Dec 00:00), unless revoked."""

    tenant = ForeignKeyField(Tenant, backref="passes", on_delete="CASCADE")
    kind = CharField()
    person = CharField()
    id_number = CharField(default="")
    valid_from = UTCField(index=True)
    valid_until = UTCField(index=True)
    fitout = ForeignKeyField(Fitout, null=True, backref="passes", on_delete="SET NULL")
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    issued_at = UTCField()
    issued_by = CharField()
    revoked_at = UTCField(null=True)
    revoked_by = CharField(default="")
    revoke_reason = TextField(default="")


class VehicleInsurance(BaseModel):
    """A vehicle's insurance policy as shown at the desk (R-6.3): covers the days
    ``valid_from`` .. ``valid_to``, both inclusive."""

    plate = CharField(index=True)
    insurer = CharField()
    policy = CharField()
    valid_from = DateField()
    valid_to = DateField()
    recorded_at = UTCField()
    recorded_by = CharField()


class ParkingPermit(BaseModel):
    """A parking permit for the days ``valid_from`` .. ``valid_to`` (inclusive)."""

    tenant = ForeignKeyField(Tenant, backref="permits", on_delete="CASCADE")
    plate = CharField(index=True)
    vehicle = CharField()
    holder = CharField()
    valid_from = DateField()
    valid_to = DateField()
    insurance = ForeignKeyField(VehicleInsurance, backref="permits", on_delete="RESTRICT")
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    issued_at = UTCField()
    issued_by = CharField()


class ItemRelease(BaseModel):
    """A large item let out of the building: what, for whom, carried by whom, which of
    the tenant's signatories confirmed it, and the guard who let it out."""

    tenant = ForeignKeyField(Tenant, backref="releases", on_delete="CASCADE")
    items = TextField()
    carrier = CharField()
    confirmed_by = CharField()
    guard = CharField()
    ticket = ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    released_at = UTCField(index=True)
    recorded_by = CharField()
