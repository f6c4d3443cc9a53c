"""The tables of the desk."""

from __future__ import annotations

import json

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, UTCField

ROLES = ("desk", "engineering", "finance", "security", "manager", "gm")

OPEN_STATES = ("accepted", "dispatched", "on_site", "resolved", "on_hold")
CLOSED_STATES = ("closed", "cancelled")
TICKET_STATES = OPEN_STATES + CLOSED_STATES


class Meta(BaseModel):
    """Key/value facts about the database itself (schema version)."""

    key = CharField(primary_key=True)
    value = TextField()


class Setting(BaseModel):
    """The building profile: editable values with defaults in code (R-1.1)."""

    key = CharField(primary_key=True)
    value = TextField()  # JSON


class Staff(BaseModel):
    login = CharField(unique=True)
    name = CharField()
    role = CharField(default="desk")
    active = BooleanField(default=True)


# A tenant company's life in the building, in the one order it may go (services/tenants)
TENANT_STATUSES = ("incoming", "active", "moving_out", "gone")


class Tenant(BaseModel):
    """A tenant company (the registry, R-4.2 and SPEC §3–5).

    ``units``, ``contact`` and ``phone`` are kept as they were before the registry
    (schema 4): the queue, the new-ticket form and the demo read them. They mirror the
    registry's own rows — the tenant's current units and its first contact — and only
    services/tenants.py writes either. ``search`` is the casefolded text the ``/``
    filter and ``ctrl+p`` look in (name, units, contacts' names and phones).
    """

    name = CharField(unique=True)
    units = TextField(default="")  # ';'-separated current units, as in the CSV
    contact = CharField(default="")
    phone = CharField(default="")
    monthly_rent_fen = BigIntegerField(default=0)
    due_day = IntegerField(default=1)
    lease_start = DateField(null=True)
    lease_end = DateField(null=True)
    version = IntegerField(default=1)
    status = CharField(default="active", index=True)
    deposit_fen = BigIntegerField(default=0)
    search = TextField(default="")

    @property
    def unit_list(self) -> list[str]:
        return [u for u in self.units.split(";") if u]


class TenantUnit(BaseModel):
    """A unit (floor + room: ``12F-1201``; a whole floor: ``20F``) a tenant holds or
    held. At most one current holder per unit (a unique index on the rows not released);
    released rows are the unit's history."""

    tenant = ForeignKeyField(Tenant, backref="unit_rows", on_delete="CASCADE")
    unit = CharField()
    floor = CharField()
    room = CharField(default="")
    position = IntegerField(default=0)  # the order the tenant's units are listed in
    since = UTCField(null=True)  # None: held since before the registry (schema 4)
    released_at = UTCField(null=True)


TenantUnit.add_index(TenantUnit.index(TenantUnit.unit, unique=True,
                                      where=TenantUnit.released_at.is_null()))
TenantUnit.add_index(TenantUnit.tenant, TenantUnit.released_at)


class TenantContact(BaseModel):
    """Someone at the tenant the desk may call; the first is the lease's contact."""

    tenant = ForeignKeyField(Tenant, backref="contacts", on_delete="CASCADE")
    name = CharField()
    phone = CharField(default="")
    role = CharField(default="")


class TenantSignatory(BaseModel):
    """A person the tenant named in writing to sign for monthly settlement (R-4.2):
    the date of that written application, and of the one that withdrew it."""

    tenant = ForeignKeyField(Tenant, backref="signatories", on_delete="CASCADE")
    name = CharField()
    applied_on = DateField()
    added_at = UTCField()
    added_by = CharField()
    withdrawn_on = DateField(null=True)
    removed_at = UTCField(null=True)
    removed_by = CharField(null=True)


class Service(BaseModel):
    """One row of the service catalogue (R-2.3); targets are JSON rules (see sla)."""

    code = CharField(unique=True)
    name_zh = CharField()
    name_en = CharField()
    tier = CharField()
    targets = TextField()
    tier_chosen = BooleanField(default=False)
    uses_people = BooleanField(default=False)
    uses_scope = BooleanField(default=False)
    # the tenant is standing at the desk: keeps its targets, never rings as "new"
    counter = BooleanField(default=False)
    # whose staff go when it is dispatched (engineering, security, or the desk itself)
    department = CharField(default="desk")
    active = BooleanField(default=True)
    version = IntegerField(default=1)

    def target_rules(self) -> list[dict]:
        return json.loads(self.targets)


class CalendarOverride(BaseModel):
    """The building's own closures or extra working days (R-2.4)."""

    day = DateField(unique=True)
    working = BooleanField()
    note = CharField(default="")


class Audit(BaseModel):
    """Append-only: every change to tickets, money and approvals (R-8.3).

    Its id doubles as the database's change counter: every write appends here, in the
    same transaction, so ``max(id)`` moves whenever anything changed.
    """

    id = AutoField()
    at = UTCField()
    actor = CharField()
    action = CharField()
    entity = CharField()
    entity_id = CharField(null=True)
    detail = TextField(default="{}")
    # sha256 of the previous row's hash and this row (services/audit.py): a forged or
    # deleted row breaks the chain
    hash = CharField(null=True)
    # PostgreSQL: the session's database role, stamped by a trigger (not by the app)
    db_role = CharField(null=True)


class Ticket(BaseModel):
    id = AutoField()
    service = CharField(index=True)
    tier = CharField()
    tier_rank = IntegerField()
    state = CharField()
    resume_state = CharField(null=True)  # where "resume" returns to after a hold
    is_open = BooleanField(default=True)
    tenant = ForeignKeyField(Tenant, null=True, backref="tickets", on_delete="RESTRICT")
    location = CharField(default="")
    people = IntegerField(default=1)
    scope = CharField(null=True)
    written = BooleanField(default=False)
    agreed_at = UTCField(null=True)
    note = TextField(default="")
    opened_at = UTCField()
    opened_by = CharField()
    # who took the last step (the Who column before anyone is dispatched)
    last_actor = CharField(default="", column_name="assignee")
    assigned_to = CharField(null=True)  # the login the work was dispatched to
    cycle = IntegerField(default=1)
    # the earliest open target: the queue's sort key (NULL when nothing is due)
    next_due_at = UTCField(null=True)
    next_start_at = UTCField(null=True)
    next_target = CharField(null=True)
    late = BooleanField(default=False)  # a target of this cycle was met after its due time
    provisional = BooleanField(default=False)
    moved_up_at = UTCField(null=True)
    closed_at = UTCField(null=True)
    version = IntegerField(default=1)
    change_seq = BigIntegerField(default=0, index=True)  # the audit id of the last change
    # a client's own key (ticket add --ref): adding the same ref again returns this ticket
    ref = CharField(null=True, unique=True)

    class Meta:
        indexes = ((("is_open", "tier_rank", "next_due_at"), False),)


class Target(BaseModel):
    ticket = ForeignKeyField(Ticket, backref="targets", on_delete="CASCADE")
    cycle = IntegerField(default=1)
    name = CharField()
    met_by = CharField()
    start_at = UTCField()
    due_at = UTCField(null=True)
    met_at = UTCField(null=True)
    paused_at = UTCField(null=True)
    paused_seconds = IntegerField(default=0)
    provisional = BooleanField(default=False)
    # how a hold moves it: "wall" (minutes targets) or "service" (working-day targets
    # pause in service hours, so the due time stays on the building's hours)
    clock = CharField(default="wall")


class TicketEvent(BaseModel):
    """The timeline of a ticket: who did which step when, and why."""

    ticket = ForeignKeyField(Ticket, backref="events", on_delete="CASCADE")
    at = UTCField()
    actor = CharField()
    action = CharField()
    from_state = CharField(null=True)
    to_state = CharField(null=True)
    reason = TextField(default="")  # why (hold, cancel…), or what the tenant was told (reply)
    to_login = CharField(null=True)  # dispatch: who was sent


CORE_MODELS = [Meta, Setting, Staff, Tenant, Service, CalendarOverride, Audit, Ticket,
              Target, TicketEvent, TenantUnit, TenantContact, TenantSignatory]
