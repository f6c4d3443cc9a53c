"""Tickets as the JSON documents of SPEC §9 (shared by the CLI and tests)."""

from __future__ import annotations

from pendulum import DateTime

from ..models import Ticket
from .context import Desk
from .tickets import is_breached, queue_positions, target_rows


def iso(moment: DateTime | None, tz: str) -> str | None:
    return None if moment is None else moment.in_tz(tz).isoformat()


def ticket_json(desk: Desk, ticket: Ticket, positions: dict[int, int] | None = None) -> dict:
    profile = desk.profile()
    tz = profile.timezone
    now = desk.clock.now()
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
        for target, state in target_rows(ticket, now, profile.near_percent)
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
        "people": ticket.people,
        "agreed_at": iso(ticket.agreed_at, tz),
        "note": ticket.note,
        "version": ticket.version,
        "cycle": ticket.cycle,
        "moved_up": ticket.moved_up_at is not None,
    }
