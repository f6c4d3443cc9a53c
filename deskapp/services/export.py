"""Tickets as the JSON documents of SPEC §9 (shared by the CLI and tests)."""

from __future__ import annotations

from pendulum import DateTime

from ..models import Staff, Ticket
from .context import Desk
from .tickets import (
    current_targets_where,
    is_breached,
    list_tickets,
    list_where,
    queue_positions,
    target_rows,
)


def iso(moment: DateTime | None, tz: str) -> str | None:
    return None if moment is None else moment.in_tz(tz).isoformat()


def tickets_json(desk: Desk, include_closed: bool = False) -> list[dict]:
    """``ticket list``: three queries however many tickets (one per ticket was 4.9 s
    and 145 MiB at 10,000 open)."""
    rows = list_tickets(include_closed=include_closed)
    positions = queue_positions()
    targets = current_targets_where(list_where(include_closed))
    return [ticket_json(desk, row, positions, targets.get(row.id, [])) for row in rows]


def ticket_json(desk: Desk, ticket: Ticket, positions: dict[int, int] | None = None,
                targets: list | None = None) -> dict:
    profile = desk.profile()
    tz = profile.timezone
    now = desk.clock.now()
    rules = profile.rules()
    if positions is None:
        positions = queue_positions()
    targets = [
        {
            "name": target.name,
            "due_at": iso(target.due_at, tz),
            "met_at": iso(target.met_at, tz),
            "state": state,
            "provisional": bool(target.provisional),
        }
        for target, state in target_rows(ticket, now, rules, targets)
    ]
    return {
        "id": ticket.id,
        "service": ticket.service,
        "tier": ticket.tier,
        "state": ticket.state,
        "tenant": ticket.tenant.name if ticket.tenant_id else None,
        "location": ticket.location,
        "opened_at": iso(ticket.opened_at, tz),
        "targets": targets,
        "next_due_at": iso(ticket.next_due_at, tz),
        "breached": is_breached(ticket, now),
        "position": positions.get(ticket.id) if ticket.is_open else None,
        "assignee": ticket.assigned_to,
        "people": ticket.people,
        "agreed_at": iso(ticket.agreed_at, tz),
        "note": ticket.note,
        "version": ticket.version,
        "cycle": ticket.cycle,
        "moved_up": ticket.moved_up_at is not None,
        "ref": ticket.ref,
    }


def staff_json(staff: Staff) -> dict:
    return {"login": staff.login, "name": staff.name, "role": staff.role,
            "active": bool(staff.active)}
