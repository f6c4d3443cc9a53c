"""Tickets as the JSON documents of SPEC §9 (shared by the CLI and tests).

One builder works on raw facts (times as integer microseconds, UTC): ``ticket list``
reads its rows straight from the cursor, and a single ticket (``add``, ``step``) is
turned into the same facts first, so the two can never disagree. Profiled at 10,000
open tickets, pendulum conversions were 3.7 of 6.5 s (models built, then ``in_tz`` for
every time): the builder formats with the standard library's zoneinfo instead.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..models import Staff, Target, Tenant, Ticket
from ..models.base import to_micros
from ..sla import Profile, state_at
from .context import Desk
from .tickets import current_targets, list_where, queue_order, queue_positions

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

# the columns a document is made of, in this order (raw rows and models alike)
TICKET_COLUMNS = (Ticket.id, Ticket.service, Ticket.tier, Ticket.state, Tenant.name,
                  Ticket.location, Ticket.opened_at, Ticket.next_due_at, Ticket.late,
                  Ticket.is_open, Ticket.assigned_to, Ticket.people, Ticket.agreed_at,
                  Ticket.note, Ticket.version, Ticket.cycle, Ticket.moved_up_at,
                  Ticket.closed_at, Ticket.ref)
TARGET_COLUMNS = (Target.ticket, Target.name, Target.due_at, Target.met_at,
                  Target.start_at, Target.paused_seconds, Target.paused_at,
                  Target.provisional)


def iso(moment, tz: str) -> str | None:
    """A pendulum moment as ISO 8601 in the building's zone."""
    return None if moment is None else moment.in_tz(tz).isoformat()


@lru_cache(maxsize=8)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def iso_us(micros: int | None, tz: str) -> str | None:
    """Integer microseconds since the epoch as ISO 8601 with the building's offset."""
    if micros is None:
        return None
    return (_EPOCH + dt.timedelta(microseconds=micros)).astimezone(_zone(tz)).isoformat()


def _raw(query) -> list[tuple]:
    sql, params = query.sql()
    return Ticket._meta.database.execute_sql(sql, params).fetchall()


def tickets_json(desk: Desk, include_closed: bool = False) -> list[dict]:
    """``ticket list``: open tickets in queue order, then the closed by id; four queries
    however many (one per ticket was 4.9 s and 145 MiB at 10,000 open)."""
    base = (Ticket.select(*TICKET_COLUMNS)
            .join(Tenant, on=(Ticket.tenant == Tenant.id), join_type="LEFT OUTER JOIN"))
    rows = _raw(base.where(Ticket.is_open == True).order_by(*queue_order()))  # noqa: E712
    if include_closed:
        rows += _raw(base.where(Ticket.is_open == False).order_by(Ticket.id))  # noqa: E712
    targets: dict[int, list[tuple]] = {}
    for target in _raw(Target.select(*TARGET_COLUMNS)
                       .join(Ticket, on=(Target.ticket == Ticket.id))
                       .where((Target.cycle == Ticket.cycle) & list_where(include_closed))
                       .order_by(Target.ticket, Target.id)):
        targets.setdefault(target[0], []).append(target)
    build = _builder(desk)
    positions = queue_positions()
    return [build(row, targets.get(row[0], ()), positions) for row in rows]


def ticket_json(desk: Desk, ticket: Ticket, positions: dict[int, int] | None = None) -> dict:
    """One ticket's document (after ``add`` or ``step``)."""
    def micros(moment):
        return None if moment is None else to_micros(moment)

    row = (ticket.id, ticket.service, ticket.tier, ticket.state,
           ticket.tenant.name if ticket.tenant_id else None, ticket.location,
           micros(ticket.opened_at), micros(ticket.next_due_at), ticket.late, ticket.is_open,
           ticket.assigned_to, ticket.people, micros(ticket.agreed_at), ticket.note,
           ticket.version, ticket.cycle, micros(ticket.moved_up_at), micros(ticket.closed_at),
           ticket.ref)
    targets = [(ticket.id, t.name, micros(t.due_at), micros(t.met_at), micros(t.start_at),
                t.paused_seconds, micros(t.paused_at), t.provisional)
               for t in current_targets(ticket)]
    return _builder(desk)(row, targets, queue_positions() if positions is None else positions)


def _builder(desk: Desk):
    profile = desk.profile()
    tz = profile.timezone
    rules: Profile = profile.rules()
    now = desk.clock.now().timestamp()

    def build(row: tuple, targets, positions: dict[int, int]) -> dict:
        (ticket_id, service, tier, state, tenant, location, opened, next_due, late,
         is_open, assigned_to, people, agreed, note, version, cycle, moved_up,
         closed, ref) = row
        # a closed ticket's targets are frozen at the moment it closed
        at = now if is_open else (closed / 1e6 if closed is not None else now)
        floor = rules.near_floor(tier) if is_open else 0
        documents = []
        for (_, name, due, met, start, paused_seconds, paused_at, provisional) in targets:
            documents.append({
                "name": name,
                "due_at": iso_us(due, tz),
                "met_at": iso_us(met, tz),
                "state": state_at(
                    due=None if due is None else due / 1e6,
                    start=start / 1e6 + paused_seconds, met=None if met is None else met / 1e6,
                    paused=bool(is_open) and paused_at is not None, now=at,
                    near_percent=rules.near_percent, near_floor=floor),
                "provisional": bool(provisional),
            })
        return {
            "id": ticket_id,
            "service": service,
            "tier": tier,
            "state": state,
            "tenant": tenant,
            "location": location,
            "opened_at": iso_us(opened, tz),
            "targets": documents,
            "next_due_at": iso_us(next_due, tz),
            "breached": bool(late or (is_open and next_due is not None
                                      and now >= next_due / 1e6)),
            "position": positions.get(ticket_id) if is_open else None,
            "assignee": assigned_to,
            "people": people,
            "agreed_at": iso_us(agreed, tz),
            "note": note,
            "version": version,
            "cycle": cycle,
            "moved_up": moved_up is not None,
            "ref": ref,
        }

    return build


def staff_json(staff: Staff) -> dict:
    return {"login": staff.login, "name": staff.name, "role": staff.role,
            "active": bool(staff.active)}


def tenants_json(tenant_ids: list[int] | None = None) -> list[dict]:
    """``tenant list``: every tenant by name, with the CSV's columns (``units`` a list,
    ``monthly_rent`` yuan with two decimals, dates ISO), ``status``, and the registry's
    contacts and signatories. Four queries however many tenants."""
    from ..models import TenantContact, TenantSignatory, TenantUnit
    from .tenants import by_name

    tenants = Tenant.select().order_by(by_name())
    if tenant_ids is not None:
        tenants = tenants.where(Tenant.id.in_(tenant_ids))
    tenants = list(tenants)

    def of(model):  # the rows of the tenants asked for (a screen's few, or all)
        query = model.select()
        return query if tenant_ids is None else query.where(model.tenant.in_(tenant_ids))

    units: dict[int, list[str]] = {}
    for row in (of(TenantUnit).where(TenantUnit.released_at.is_null())
                .order_by(TenantUnit.tenant, TenantUnit.position, TenantUnit.id)):
        units.setdefault(row.tenant_id, []).append(row.unit)
    people: dict[int, list[dict]] = {}
    for contact in of(TenantContact).order_by(TenantContact.id):
        people.setdefault(contact.tenant_id, []).append(
            {"id": contact.id, "name": contact.name, "phone": contact.phone,
             "role": contact.role})
    signers: dict[int, list[dict]] = {}
    for signatory in (of(TenantSignatory).where(TenantSignatory.removed_at.is_null())
                      .order_by(TenantSignatory.id)):
        signers.setdefault(signatory.tenant_id, []).append(
            {"id": signatory.id, "name": signatory.name,
             "applied_on": signatory.applied_on.isoformat()})
    return [tenant_json(t, units.get(t.id, []), people.get(t.id, []), signers.get(t.id, []))
            for t in tenants]


def tenant_json(tenant: Tenant, units: list[str], contacts: list[dict],
                signatories: list[dict]) -> dict:
    from ..money import format_yuan

    def day(value):
        return None if value is None else value.isoformat()

    return {
        "name": tenant.name,
        "units": units,
        "contact": tenant.contact,
        "phone": tenant.phone,
        "monthly_rent": format_yuan(tenant.monthly_rent_fen),
        "due_day": tenant.due_day,
        "lease_start": day(tenant.lease_start),
        "lease_end": day(tenant.lease_end),
        "status": tenant.status,
        "deposit": format_yuan(tenant.deposit_fen),
        "contacts": contacts,
        "signatories": signatories,
        "id": tenant.id,
        "version": tenant.version,
    }
