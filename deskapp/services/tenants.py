"""The tenant registry: companies, their units, contacts, lease, status and the people
allowed to sign for monthly settlement (R-4.2); ``tenant import`` (SPEC §9).

Every write: check the role, validate everything first, then one transaction that
changes the tenant and its rows, bumps ``tenant.version`` (a stale version is a
Conflict: someone else changed it meanwhile) and appends the audit row. The columns
the queue reads (``tenant.units``, ``contact``, ``phone``) and the ``search`` text are
kept in step with the registry's rows here, and only here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

from peewee import SQL, NodeList

from ..models import Audit, Tenant, TenantContact, TenantSignatory, TenantUnit
from ..models.records import TENANT_STATUSES
from . import validate
from .context import Desk
from .errors import Conflict, InvalidInput

MAX_NAME = 200
MAX_UNIT = 50
MAX_CONTACT = 100
MAX_PHONE = 50
MAX_ROLE = 50
MAX_FRAGMENT = 100

# the one order a tenant's life goes in; "gone" frees its units
NEXT_STATUS = {"incoming": "active", "active": "moving_out", "moving_out": "gone"}

# floor and room: "12F-1201", "B1F-03", a whole floor "20F"
_UNIT = re.compile(r"^(B?[0-9]{1,3}F)(?:-([0-9A-Z]{1,8}))?$")
# a phone number as the desk writes it: digits, spaces, + - ( ) and an extension
_PHONE = re.compile(r"^[0-9 +\-()#*/,转]*$")


@dataclass(frozen=True)
class TenantData:
    """What the registry holds about a tenant apart from its status and people."""

    name: str
    units: tuple[str, ...] = ()
    contact: str = ""
    phone: str = ""
    monthly_rent_fen: int = 0
    due_day: int = 1
    lease_start: dt.date | None = None
    lease_end: dt.date | None = None
    deposit_fen: int = 0


# --- values, one at a time (the CSV reports each by its column) -------------------------

def split_unit(unit: str) -> tuple[str, str]:
    """``12F-1201`` -> ("12F", "1201"); a unit written before the registry that does not
    read as floor and room is its own floor."""
    match = _UNIT.match(unit)
    return (match.group(1), match.group(2) or "") if match else (unit, "")


def unit(value: str, field: str = "units") -> str:
    raw = validate.text(value, field, limit=MAX_UNIT, required=True).upper()
    if not _UNIT.match(raw):
        raise InvalidInput("error.bad_unit", field=field, value=raw)
    return raw


def units(value: str | list[str] | tuple[str, ...], field: str = "units") -> tuple[str, ...]:
    """``12F-1201;12F-1202`` (or a list): each a unit, once, in the order given."""
    parts = value.split(";") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(unit(part, field) for part in parts
                               if not isinstance(part, str) or part.strip()))


def phone(value: str | None, field: str = "phone") -> str:
    raw = validate.text(value, field, limit=MAX_PHONE)
    if not _PHONE.match(raw):
        raise InvalidInput("error.bad_phone", field=field, value=raw)
    return raw


def checked(data: TenantData, today: dt.date) -> TenantData:
    """Every value of ``data`` through the validation layer (raises the first refusal)."""
    values = {
        "name": validate.text(data.name, "name", limit=MAX_NAME, required=True),
        "units": units(data.units),
        "contact": validate.text(data.contact, "contact", limit=MAX_CONTACT),
        "phone": phone(data.phone),
        "monthly_rent_fen": validate.fen(data.monthly_rent_fen, "monthly_rent"),
        "due_day": validate.number(data.due_day, "due_day", low=1, high=28),
        "lease_start": validate.day(data.lease_start, "lease_start", today, "lease"),
        "lease_end": validate.day(data.lease_end, "lease_end", today, "lease"),
        "deposit_fen": validate.fen(data.deposit_fen, "deposit"),
    }
    _lease_order(values["lease_start"], values["lease_end"])
    return TenantData(**values)


def _lease_order(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput("error.lease_end_before_start", start=start.isoformat(),
                           end=end.isoformat())


def today(desk: Desk) -> dt.date:
    """The building's date now (the injected clock, in the building's zone)."""
    local = desk.clock.now().in_tz(desk.profile().timezone)
    return dt.date(local.year, local.month, local.day)  # a plain date: drivers bind it


# --- reading and keeping the mirror columns in step -------------------------------------

def current_units(tenant_id: int) -> list[str]:
    return [u for (u,) in TenantUnit.select(TenantUnit.unit)
            .where(TenantUnit.tenant == tenant_id, TenantUnit.released_at.is_null())
            .order_by(TenantUnit.position, TenantUnit.id).tuples()]


def contacts_of(tenant_id: int) -> list[TenantContact]:
    return list(TenantContact.select().where(TenantContact.tenant == tenant_id)
                .order_by(TenantContact.id))


def signatories_of(tenant_id: int, *, withdrawn: bool = False) -> list[TenantSignatory]:
    query = TenantSignatory.select().where(TenantSignatory.tenant == tenant_id)
    if not withdrawn:
        query = query.where(TenantSignatory.removed_at.is_null())
    return list(query.order_by(TenantSignatory.id))


def search_text(name: str, unit_names, people) -> str:
    """What ``find_tenants`` looks in: name, units, contacts' names and phones."""
    words = [name, *unit_names]
    for person_name, person_phone in people:
        words += [person_name, person_phone]
    return "\n".join(w for w in words if w).casefold()


def refresh_mirror(tenant: Tenant) -> None:
    """tenant.units, contact, phone and search from the registry's rows (saves)."""
    held = current_units(tenant.id)
    people = [(c.name, c.phone) for c in contacts_of(tenant.id)]
    first = people[0] if people else ("", "")
    tenant.units = ";".join(held)
    tenant.contact, tenant.phone = first
    tenant.search = search_text(tenant.name, held, people)
    tenant.save()


# --- writing ------------------------------------------------------------------------------

def _for_change(desk: Desk, tenant_id: int, version: int | None) -> Tenant:
    """The tenant inside the write transaction, locked against other sessions (R-8.1);
    a stale ``version`` is a Conflict naming who changed it."""
    query = Tenant.select().where(Tenant.id == validate.record_id(tenant_id, "tenant"))
    if desk.db.for_update:
        query = query.for_update()
    tenant = query.first()
    if tenant is None:
        raise InvalidInput("error.no_tenant_id", id=tenant_id)
    if version is not None and tenant.version != version:
        last = (Audit.select(Audit.actor, Audit.action)
                .where(Audit.entity == "tenant", Audit.entity_id == str(tenant.id))
                .order_by(Audit.id.desc()).first())
        raise Conflict("error.tenant_changed", name=tenant.name,
                       who=last.actor if last else "?", what=last.action if last else "?")
    return tenant


def _claim(desk: Desk, tenant: Tenant, wanted: tuple[str, ...]) -> None:
    """Give ``tenant`` exactly the units ``wanted`` (in that order): a unit another
    current tenant holds is a Conflict; a unit it no longer lists is released."""
    now = desk.clock.now()
    if wanted:
        holders = (TenantUnit.select(TenantUnit.unit, Tenant.name).join(Tenant)
                   .where(TenantUnit.unit.in_(list(wanted)), TenantUnit.released_at.is_null(),
                          TenantUnit.tenant != tenant.id).tuples())
        for held, holder in holders:
            raise Conflict("error.unit_taken", unit=held, holder=holder)
    rows = {row.unit: row for row in TenantUnit.select().where(
        TenantUnit.tenant == tenant.id, TenantUnit.released_at.is_null())}
    for held, row in rows.items():
        if held not in wanted:
            row.released_at = now
            row.save()
    for position, name in enumerate(wanted):
        row = rows.get(name)
        if row is None:
            floor, room = split_unit(name)
            TenantUnit.create(tenant=tenant, unit=name, floor=floor, room=room,
                              position=position, since=now)
        elif row.position != position:
            row.position = position
            row.save()


def _set_main_contact(tenant: Tenant, name: str, number: str) -> None:
    """The lease's contact (the first contact row): changed, or added if there is none."""
    if not name and not number:
        return
    first = TenantContact.select().where(TenantContact.tenant == tenant.id) \
        .order_by(TenantContact.id).first()
    if first is None:
        TenantContact.create(tenant=tenant, name=name, phone=number)
    elif (first.name, first.phone) != (name, number):
        first.name, first.phone = name, number
        first.save()


LEASE_FIELDS = ("monthly_rent_fen", "due_day", "lease_start", "lease_end", "deposit_fen")


def _facts(tenant: Tenant) -> dict:
    """The tenant's values as TenantData names (what a change is compared on)."""
    return {"name": tenant.name, "units": tuple(tenant.unit_list), "contact": tenant.contact,
            "phone": tenant.phone, **{f: getattr(tenant, f) for f in LEASE_FIELDS}}


def _changes(before: dict, after: TenantData) -> dict:
    """field -> [old, new] for what differs (JSON-able, for the audit)."""
    out = {}
    for field in fields(TenantData):
        old, new = before[field.name], getattr(after, field.name)
        if field.name in ("contact", "phone") and not (after.contact or after.phone):
            continue  # no contact given: the contact rows stay as they are
        if old != new:
            out[field.name] = [_plain(old), _plain(new)]
    return out


def _plain(value):
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _write(desk: Desk, tenant: Tenant, data: TenantData) -> None:
    tenant.name = data.name
    for field in LEASE_FIELDS:
        setattr(tenant, field, getattr(data, field))
    _claim(desk, tenant, data.units)
    _set_main_contact(tenant, data.contact, data.phone)
    tenant.version += 1
    refresh_mirror(tenant)


def _refuse_gone_units(tenant: Tenant, data: TenantData) -> None:
    if tenant.status == "gone" and data.units:
        raise Conflict("error.gone_holds_no_units", name=tenant.name)


def add_tenant(desk: Desk, data: TenantData, status: str = "incoming") -> Tenant:
    """A new tenant company (Conflict if the name is taken or a unit is held)."""
    desk.require("tenant.edit")
    data = checked(data, today(desk))
    if status not in TENANT_STATUSES or status == "gone":
        raise InvalidInput("error.bad_tenant_status", status=status,
                           known=", ".join(TENANT_STATUSES[:-1]))
    with desk.db.atomic():
        if Tenant.get_or_none(Tenant.name == data.name) is not None:
            raise Conflict("error.tenant_exists", name=data.name)
        tenant = Tenant.create(name=data.name, status=status, version=0)
        _write(desk, tenant, data)
        desk.audit("tenant.add", "tenant", tenant.id, status=status,
                   **{k: v[1] for k, v in _changes(_empty(data.name), data).items()})
    return tenant


def _empty(name: str) -> dict:
    return {"name": name, "units": (), "contact": "", "phone": "", "monthly_rent_fen": 0,
            "due_day": 1, "lease_start": None, "lease_end": None, "deposit_fen": 0}


def update_tenant(desk: Desk, tenant_id: int, data: TenantData,
                  version: int | None = None) -> Tenant:
    """Change a tenant's name, units, lease or lease contact (audited with before/after)."""
    desk.require("tenant.edit")
    data = checked(data, today(desk))
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        _refuse_gone_units(tenant, data)
        if data.name != tenant.name and Tenant.get_or_none(Tenant.name == data.name):
            raise Conflict("error.tenant_exists", name=data.name)
        changed = _changes(_facts(tenant), data)
        if changed:
            _write(desk, tenant, data)
            desk.audit("tenant.update", "tenant", tenant.id, **{"name": tenant.name, **changed})
            if "name" in changed:  # its directory entries show the new name
                from . import signage

                signage.tenant_renamed(desk, tenant, changed["name"][0])
    return tenant


def upsert_tenant(desk: Desk, name: str, *, units: list[str] | None = None, contact: str = "",
                  phone: str = "", monthly_rent_fen: int = 0, due_day: int = 1,
                  lease_start: dt.date | None = None, lease_end: dt.date | None = None,
                  deposit_fen: int = 0, status: str = "active") -> Tenant:
    """Add the tenant, or bring the one of that name up to these values (the demo and
    the tests' shorthand; ``tenant import`` does the same for a whole file)."""
    data = TenantData(name=name, units=tuple(units or ()), contact=contact, phone=phone,
                      monthly_rent_fen=monthly_rent_fen, due_day=due_day,
                      lease_start=lease_start, lease_end=lease_end, deposit_fen=deposit_fen)
    existing = Tenant.get_or_none(Tenant.name == validate.text(name, "name", limit=MAX_NAME))
    if existing is None:
        return add_tenant(desk, data, status=status)
    return update_tenant(desk, existing.id, data)


def set_status(desk: Desk, tenant_id: int, status: str, version: int | None = None) -> Tenant:
    """incoming → active → moving_out → gone, one step at a time; gone frees the units."""
    desk.require("tenant.edit")
    if status not in TENANT_STATUSES:
        raise InvalidInput("error.bad_tenant_status", status=status,
                           known=", ".join(TENANT_STATUSES))
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        if NEXT_STATUS.get(tenant.status) != status:
            raise Conflict("error.tenant_status_step", name=tenant.name,
                           status=tenant.status, to=status)
        before = tenant.status
        released = tenant.unit_list if status == "gone" else []
        if status == "gone":
            _claim(desk, tenant, ())
        tenant.status = status
        tenant.version += 1
        refresh_mirror(tenant)
        desk.audit("tenant.status", "tenant", tenant.id, name=tenant.name,
                   status=[before, status], released=released)
        if status == "gone":  # its directory entries come down
            from . import signage

            signage.tenant_gone(desk, tenant)
    return tenant


def add_contact(desk: Desk, tenant_id: int, name: str, phone_: str = "", role: str = "",
                version: int | None = None) -> TenantContact:
    desk.require("tenant.edit")
    name = validate.text(name, "contact", limit=MAX_CONTACT, required=True)
    phone_ = phone(phone_)
    role = validate.text(role, "role", limit=MAX_ROLE)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        contact = TenantContact.create(tenant=tenant, name=name, phone=phone_, role=role)
        tenant.version += 1
        refresh_mirror(tenant)
        desk.audit("tenant.contact_add", "tenant", tenant.id, name=tenant.name,
                   contact=name, phone=phone_, role=role)
    return contact


def remove_contact(desk: Desk, tenant_id: int, contact_id: int,
                   version: int | None = None) -> Tenant:
    desk.require("tenant.edit")
    contact_id = validate.record_id(contact_id, "contact")
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        contact = TenantContact.get_or_none(TenantContact.id == contact_id,
                                            TenantContact.tenant == tenant.id)
        if contact is None:
            raise InvalidInput("error.no_contact", id=contact_id, name=tenant.name)
        contact.delete_instance()
        tenant.version += 1
        refresh_mirror(tenant)
        desk.audit("tenant.contact_remove", "tenant", tenant.id, name=tenant.name,
                   contact=contact.name, phone=contact.phone, role=contact.role)
    return tenant


def add_signatory(desk: Desk, tenant_id: int, name: str, applied_on: dt.date | str,
                  version: int | None = None) -> TenantSignatory:
    """Someone the tenant named in a written application (dated ``applied_on``) to sign
    for monthly settlement (R-4.2)."""
    desk.require("tenant.edit")
    name = validate.text(name, "signatory", limit=MAX_CONTACT, required=True)
    applied_on = validate.day(applied_on, "applied_on", today(desk), "applied", required=True)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        if tenant.status == "gone":
            raise Conflict("error.tenant_gone", name=tenant.name)
        if any(s.name == name for s in signatories_of(tenant.id)):
            raise Conflict("error.signatory_exists", name=name, tenant=tenant.name)
        signatory = TenantSignatory.create(tenant=tenant, name=name, applied_on=applied_on,
                                           added_at=desk.clock.now(), added_by=desk.user)
        tenant.version += 1
        tenant.save()
        desk.audit("tenant.signatory_add", "tenant", tenant.id, name=tenant.name,
                   signatory=name, applied_on=applied_on.isoformat())
    return signatory


def remove_signatory(desk: Desk, tenant_id: int, signatory_id: int,
                     withdrawn_on: dt.date | str, version: int | None = None) -> TenantSignatory:
    """The tenant withdrew someone's right to sign, in writing dated ``withdrawn_on``
    (kept as history: who could sign on a given day stays answerable)."""
    desk.require("tenant.edit")
    signatory_id = validate.record_id(signatory_id, "signatory")
    withdrawn_on = validate.day(withdrawn_on, "withdrawn_on", today(desk), "applied",
                                required=True)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id, version)
        signatory = TenantSignatory.get_or_none(
            TenantSignatory.id == signatory_id, TenantSignatory.tenant == tenant.id,
            TenantSignatory.removed_at.is_null())
        if signatory is None:
            raise InvalidInput("error.no_signatory", id=signatory_id, name=tenant.name)
        if withdrawn_on < signatory.applied_on:
            raise InvalidInput("error.withdrawn_before_applied",
                               applied=signatory.applied_on.isoformat())
        signatory.withdrawn_on = withdrawn_on
        signatory.removed_at, signatory.removed_by = desk.clock.now(), desk.user
        signatory.save()
        tenant.version += 1
        tenant.save()
        desk.audit("tenant.signatory_remove", "tenant", tenant.id, name=tenant.name,
                   signatory=signatory.name, withdrawn_on=withdrawn_on.isoformat())
    return signatory


def may_sign(tenant_id: int, name: str) -> bool:
    """Whether ``name`` may sign for the tenant's monthly settlement now (R-4.2)."""
    return any(s.name == name for s in signatories_of(tenant_id))


def may_sign_on(tenant_id: int, name: str, day: dt.date) -> bool:
    """Whether ``name`` could sign for the tenant's monthly settlement on ``day``: named
    in a written application dated on or before it, and not withdrawn by then (a
    withdrawal dated ``day`` ends the right that day)."""
    return any(s.name == name and s.applied_on <= day
               and (s.withdrawn_on is None or day < s.withdrawn_on)
               for s in signatories_of(tenant_id, withdrawn=True))


# --- reading ------------------------------------------------------------------------------

def find_tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == validate.record_id(tenant_id, "tenant"))
    if tenant is None:
        raise InvalidInput("error.no_tenant_id", id=tenant_id)
    return tenant


def by_name():
    """Tenants by name, code point by code point on both databases (PostgreSQL's
    default collation would otherwise order them differently from SQLite)."""
    from ..db import is_sqlite

    if is_sqlite(Tenant._meta.database.obj):
        return Tenant.name
    return NodeList((Tenant.name, SQL('COLLATE "C"')))  # peewee's collate() leaves C bare


def _like(fragment: str) -> str:
    escaped = fragment.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def find_tenants(fragment: str, limit: int = 50) -> list[Tenant]:
    """Tenants whose name, unit, contact or phone holds ``fragment`` (any case), by
    name; at most ``limit``. One query on ``tenant.search`` (a scan of one narrow
    column: bench/bench_tenants.py measures it at 5,000 tenants)."""
    fragment = validate.text(fragment, "filter", limit=MAX_FRAGMENT).casefold()
    query = Tenant.select()
    if fragment:
        query = query.where(NodeList((Tenant.search, SQL("LIKE"), _like(fragment),
                                      SQL("ESCAPE '!'"))))
    return list(query.order_by(by_name()).limit(limit))


def tenant_names() -> list[str]:
    """The tenants a ticket may name (the form's type-ahead): not those gone."""
    return [name for (name,) in Tenant.select(Tenant.name)
            .where(Tenant.status != "gone").order_by(by_name()).tuples()]


__all__ = ["NEXT_STATUS", "TenantData", "add_contact", "add_signatory", "add_tenant",
           "checked", "contacts_of", "current_units", "find_tenant", "find_tenants",
           "may_sign", "may_sign_on", "phone", "refresh_mirror", "remove_contact",
           "remove_signatory",
           "set_status", "signatories_of", "split_unit", "tenant_names", "today",
           "unit", "units", "update_tenant", "upsert_tenant"]
