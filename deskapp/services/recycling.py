"""Waste buy-back pickups (收购废品, the catalogue's ``recycling`` row: "accepted at once;
collected at the booked time").

Booking a pickup opens its ``recycling`` ticket with the booked time as the agreed
time: the catalogue's rule for the row is ``same_day``, which (sla._due) takes an agreed
time as the target, so the ticket is due at exactly the booked time, not at the end of
that day. Done resolves and answers the ticket; cancel cancels it with the reason.
"""

from __future__ import annotations

from pendulum import DateTime

from ..models import RecyclingPickup, Tenant
from . import validate
from .comms import tenant_named
from .context import Desk
from .errors import Conflict, InvalidInput
from .passes import finish, locked
from .tickets import NewTicket, open_ticket, step

MAX_WHAT = 500
MAX_CONTACT = 100
MAX_REASON = 500


def book_pickup(desk: Desk, tenant: str, at: DateTime | str, what: str, *,
                contact: str = "") -> RecyclingPickup:
    """A pickup for ``tenant`` at ``at`` (a moment, or ISO text: building time without
    an offset); its ticket is due at that time."""
    desk.require("recycling.book")
    desk.require("ticket.open")
    what = validate.text(what, "--what", limit=MAX_WHAT, free=True, required=True)
    contact = validate.text(contact, "--contact", limit=MAX_CONTACT)
    tz = desk.profile().timezone
    when = validate.parse_iso(at, tz, "--at") if isinstance(at, str) else at
    if when is None:
        raise InvalidInput("error.required", field="--at")
    validate.in_window(when, desk.clock.now(), "agreed", "--at", tz)
    when = when.in_tz("UTC")
    with desk.db.atomic():
        holder = tenant_named(tenant, "--tenant")
        ticket = open_ticket(desk, NewTicket(service="recycling", tenant=holder.name,
                                             agreed_at=when, note=what))
        pickup = RecyclingPickup.create(tenant=holder, at=when, what=what, contact=contact,
                                        ticket=ticket.id, booked_at=desk.clock.now(),
                                        booked_by=desk.user)
        desk.audit("recycling.book", "recycling_pickup", pickup.id, tenant=holder.name,
                   at=when.isoformat(), ticket=ticket.id)
    return pickup_by_id(pickup.id)


def _for_change(desk: Desk, pickup_id: object) -> RecyclingPickup:
    pickup_id = validate.record_id(pickup_id, "ID")
    pickup = locked(desk, RecyclingPickup.select().where(RecyclingPickup.id == pickup_id))
    if pickup is None:
        raise InvalidInput("error.recycling_unknown", id=pickup_id)
    if pickup.state != "booked":
        raise Conflict("error.recycling_closed", id=pickup_id, state=pickup.state)
    return pickup


def pickup_done(desk: Desk, pickup_id: object) -> RecyclingPickup:
    """Collected: the pickup done, its ticket resolved and answered."""
    desk.require("recycling.book")
    with desk.db.atomic():
        pickup = _for_change(desk, pickup_id)
        if pickup.ticket_id is not None:
            finish(desk, pickup.ticket_id)
        _close(desk, pickup, "done", "")
    return pickup_by_id(pickup.id)


def cancel_pickup(desk: Desk, pickup_id: object, reason: str) -> RecyclingPickup:
    desk.require("recycling.book")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True, required=True)
    with desk.db.atomic():
        pickup = _for_change(desk, pickup_id)
        if pickup.ticket_id is not None and pickup.ticket.is_open:
            step(desk, pickup.ticket_id, "cancel", reason=reason)
        _close(desk, pickup, "cancelled", reason)
    return pickup_by_id(pickup.id)


def _close(desk: Desk, pickup: RecyclingPickup, state: str, reason: str) -> None:
    pickup.state, pickup.reason = state, reason
    pickup.closed_at, pickup.closed_by = desk.clock.now(), desk.user
    pickup.save()
    desk.audit(f"recycling.{state}", "recycling_pickup", pickup.id, reason=reason,
               ticket=pickup.ticket_id)


def pickup_by_id(pickup_id: int) -> RecyclingPickup:
    return (RecyclingPickup.select(RecyclingPickup, Tenant).join(Tenant)
            .where(RecyclingPickup.id == pickup_id).get())


def pickups(*, booked_only: bool = True) -> list[RecyclingPickup]:
    """The pickups still to collect, the soonest first (or all, by booked time)."""
    query = RecyclingPickup.select(RecyclingPickup, Tenant).join(Tenant)
    if booked_only:
        query = query.where(RecyclingPickup.state == "booked")
    return list(query.order_by(RecyclingPickup.at, RecyclingPickup.id))


def pickup_json(desk: Desk, pickup: RecyclingPickup) -> dict:
    from .export import iso

    tz = desk.profile().timezone
    return {"id": pickup.id, "tenant": pickup.tenant.name, "at": iso(pickup.at, tz),
            "what": pickup.what, "contact": pickup.contact, "state": pickup.state,
            "ticket": pickup.ticket_id, "booked_at": iso(pickup.booked_at, tz),
            "booked_by": pickup.booked_by, "closed_at": iso(pickup.closed_at, tz),
            "reason": pickup.reason}


__all__ = ["book_pickup", "cancel_pickup", "pickup_by_id", "pickup_done", "pickup_json",
           "pickups"]
