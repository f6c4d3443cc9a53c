"""Resources and their bookings (SPEC R-6.3, §9): meeting and reception rooms, notice
boards, parking spaces, advertising spaces.

The rules, each pinned by tests/test_bookings.py:

- A booking holds ``[starts_at, block_until)``: its time plus the resource's buffer
  (setup, cleaning). Two bookings clash when ``a.starts_at < b.block_until and
  b.starts_at < a.block_until``; with no buffer that is §9's ``from < other.to and
  other.from < to`` (back to back is fine). The buffer is the resource's when booked.
- A rental is confirmed at once when free; a borrowing (free use) waits ``pending`` for
  the general manager. The earlier application keeps the slot: a rental is refused by
  a confirmed booking, a borrowing by a confirmed or a pending one — except that a
  pending borrowing never blocks a rental: the rental is confirmed, the borrowing
  ``bumped``, and a ``booking_bumped`` ticket asks the desk to phone its applicant.
- Approving a borrowing checks the slot again (a confirmed booking there: refused).
- No double booking, ever: SQLite's IMMEDIATE write transaction serialises writers, so
  the check and the insert are one step; on PostgreSQL the resource row is locked for
  the check and an exclusion constraint (db._booking_constraints) refuses an overlap
  whatever the program does — its violation is the same Conflict (exit 3).
- Bookable hours are the resource's, in building time; a room booking lasts at most
  ``MAX_ROOM_DAYS``; parking spaces are rented by the month or quarter (``rent_parking``)
  with an insurance record covering the whole period. Holidays are bookable: the
  building is open (National Day included).
- Registering a meeting-room or notice-board booking is the 5-minute counter service:
  ``start_registration`` opens its ticket when the desk starts; saving the booking
  resolves and answers it (without one, the save opens and finishes it at once).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pendulum
from peewee import JOIN, IntegrityError
from pendulum import DateTime

from ..i18n import t
from ..models import (BOOKING_KINDS, RESOURCE_KINDS, Booking, BookingSeries, Resource, Tenant,
                      VehicleInsurance)
from ..models.base import to_micros
from . import validate
from .context import Desk
from .rental_charges import Settlement
from .errors import Conflict, InvalidInput
from .export import iso
from .passes import covered_through, day_start, finish, locked
from .passes import plate as plate_number
from .tickets import NewTicket, find_tenant, open_ticket

MAX_NAME = 64
MAX_SIZE = 64
MAX_REASON = 500
MAX_APPLICANT = 100
MAX_CAPACITY = 10_000
MAX_BUFFER = 24 * 60
MAX_ROOM_DAYS = 31  # a room, board or ad space at most this long in one booking
MAX_OCCURRENCES = 366  # a daily series for a year
MAX_EXPIRING_DAYS = 366
# the counter service of registering a booking (§2.2), by resource kind
COUNTER_SERVICE = {"meeting_room": "meeting_room", "notice_board": "notice_board"}
BUMPED_SERVICE = "booking_bumped"
REPEATS = ("daily", "weekly")

_HOURS = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
_CODE = re.compile(r"^[a-z0-9_.-]{1,32}$")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")


# --- resources ------------------------------------------------------------------------

def hours(value: str | None) -> tuple[str, str]:
    """``08:00-22:00`` → ("08:00", "22:00"); the close after the open."""
    raw = validate.text(value, "--hours", limit=11, required=True)
    if not _HOURS.match(raw):
        raise InvalidInput("error.booking_bad_hours", value=raw)
    opens, closes = raw.split("-")
    if closes <= opens:
        raise InvalidInput("error.booking_bad_hours", value=raw)
    return opens, closes


def _whole(value, field_: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and not value.isascii():  # full-width "１２"
        raise InvalidInput("error.not_a_number", field=field_)
    return validate.number(value, field_, low=low, high=high)


def add_resource(desk: Desk, name: str, kind: str, *, capacity=None, size: str = "",
                 price_item: str | None = None, buffer_minutes=0, opens: str = "08:00",
                 closes: str = "22:00") -> Resource:
    """A bookable thing of the building (manager or GM). Names are unique."""
    desk.require("resource.edit")
    name = validate.text(name, "NAME", limit=MAX_NAME, required=True)
    if kind not in RESOURCE_KINDS:
        raise InvalidInput("error.booking_bad_kind", kind=str(kind), known=", ".join(RESOURCE_KINDS))
    capacity = _whole(capacity, "--capacity", 1, MAX_CAPACITY)
    size = validate.text(size, "--size", limit=MAX_SIZE)
    price_item = validate.optional_text(price_item, "--price-item", limit=32) or None
    if price_item is not None and not _CODE.match(price_item):
        raise InvalidInput("error.booking_bad_code", value=price_item)
    buffer_minutes = _whole(buffer_minutes, "--buffer", 0, MAX_BUFFER) or 0
    opens, closes = hours(f"{opens}-{closes}")
    with desk.db.atomic():
        if Resource.get_or_none(Resource.name == name) is not None:
            raise Conflict("error.resource_exists", name=name)
        row = Resource.create(name=name, kind=kind, capacity=capacity, size=size,
                              price_item=price_item, buffer_minutes=buffer_minutes,
                              opens=opens, closes=closes)
        desk.audit("resource.add", "resource", row.id, name=name, kind=kind, capacity=capacity,
                   size=size, price_item=price_item, buffer_minutes=buffer_minutes,
                   opens=opens, closes=closes)
    return row


def set_resource_active(desk: Desk, name: str, active: bool) -> Resource:
    """Take a resource out of booking (or back); its bookings stay as they are."""
    desk.require("resource.edit")
    with desk.db.atomic():
        row = resource_named(name, active_only=False)
        if row.active != active:
            row.active, row.version = active, row.version + 1
            row.save()
            desk.audit("resource.activate" if active else "resource.deactivate", "resource",
                       row.id, name=row.name)
    return row


def list_resources(*, include_inactive: bool = False) -> list[Resource]:
    query = Resource.select()
    if not include_inactive:
        query = query.where(Resource.active == True)  # noqa: E712 - peewee expression
    return list(query.order_by(Resource.kind, Resource.name))


def resource_named(name: str, *, active_only: bool = True) -> Resource:
    name = validate.text(name, "--resource", limit=MAX_NAME, required=True)
    row = Resource.get_or_none(Resource.name == name)
    if row is None:
        raise InvalidInput("error.unknown_resource", name=name)
    if active_only and not row.active:
        raise InvalidInput("error.resource_inactive", name=name)
    return row


def resource_json(row: Resource) -> dict:
    return {"name": row.name, "kind": row.kind, "capacity": row.capacity, "size": row.size,
            "price_item": row.price_item, "buffer_minutes": row.buffer_minutes,
            "opens": row.opens, "closes": row.closes, "active": row.active}


# --- slots ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    starts_at: DateTime  # UTC
    ends_at: DateTime


@dataclass
class Clash:
    """One occurrence of a request and the booking already holding (part of) it."""

    slot: Slot
    booking: Booking


@dataclass
class Plan:
    """What a booking request would do, before anything is written (the form's preview,
    and the clash report of a series)."""

    resource: Resource
    kind: str
    slots: list[Slot]
    clashes: list[Clash] = field(default_factory=list)
    bumps: list[Booking] = field(default_factory=list)  # pending borrowings a rental takes

    @property
    def free(self) -> list[Slot]:
        taken = {c.slot for c in self.clashes}
        return [s for s in self.slots if s not in taken]


def _local(moment: DateTime, tz: str) -> DateTime:
    return moment.in_tz(tz)


def _minutes(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def check_slot(desk: Desk, resource: Resource, start: DateTime, end: DateTime) -> Slot:
    """A slot of a room, board or ad space: end after start, inside the plausible window,
    inside the resource's hours (building time), at most MAX_ROOM_DAYS long."""
    tz = desk.profile().timezone
    now = desk.clock.now()
    validate.in_window(start, now, "agreed", "--from", tz)
    validate.in_window(end, now, "agreed", "--to", tz)
    if end <= start:
        raise InvalidInput("error.booking_end_first", start=iso(start, tz), end=iso(end, tz))
    if end - start > timedelta(days=MAX_ROOM_DAYS):
        raise InvalidInput("error.booking_too_long", days=MAX_ROOM_DAYS)
    first, last = _local(start, tz), _local(end, tz)
    opens, closes = _minutes(resource.opens), _minutes(resource.closes)
    begin = first.hour * 60 + first.minute
    finish = last.hour * 60 + last.minute
    if finish == 0 and closes == 24 * 60 and last.second == 0:
        finish = closes  # to midnight of a resource open until 24:00
    if not (opens <= begin < closes and opens < finish <= closes):
        raise InvalidInput("error.booking_hours", resource=resource.name, opens=resource.opens,
                           closes=resource.closes, start=first.format("HH:mm"),
                           end=last.format("HH:mm"))
    return Slot(start.in_tz("UTC"), end.in_tz("UTC"))


def repeat(slot: Slot, rule: str | None, count=None, until=None, *, today: dt.date,
           tz: str) -> list[Slot]:
    """The occurrences of a series: ``daily`` or ``weekly`` from ``slot``, ``count`` of
    them or through the day ``until`` (building time), at most MAX_OCCURRENCES. The
    same wall-clock time each day, in the building's zone."""
    if rule is None:
        if count is not None or until is not None:
            raise InvalidInput("error.booking_repeat_needed")
        return [slot]
    if rule not in REPEATS:
        raise InvalidInput("error.booking_bad_repeat", rule=str(rule), known=", ".join(REPEATS))
    if (count is None) == (until is None):
        raise InvalidInput("error.booking_count_or_until")
    step = timedelta(days=1 if rule == "daily" else 7)
    first, length = slot.starts_at.in_tz(tz), slot.ends_at - slot.starts_at
    if count is not None:
        total = _whole(count, "--count", 1, MAX_OCCURRENCES)
        last_day = None
    else:
        last_day = validate.day(until, "--until", today, "lease", required=True)
        start_day = dt.date(first.year, first.month, first.day)
        if last_day < start_day:
            raise InvalidInput("error.booking_until_first", until=last_day.isoformat())
        total = (last_day - start_day) // step + 1
        if total > MAX_OCCURRENCES:
            raise InvalidInput("error.out_of_range", field="--until", low=1,
                               high=MAX_OCCURRENCES)
    slots = []
    for index in range(total):
        begin = first.add(days=index * step.days)  # wall clock: add days in the zone
        slots.append(Slot(begin.in_tz("UTC"), (begin + length).in_tz("UTC")))
    return slots


def _block(resource: Resource, slot: Slot) -> DateTime:
    return slot.ends_at.add(minutes=resource.buffer_minutes or 0)


def holders(resource: Resource, kind: str, slots: list[Slot]) -> list[Booking]:
    """The bookings of ``resource`` that could clash with any of ``slots`` for a request
    of ``kind``: confirmed ones, and for a borrowing pending ones too (the earlier
    application keeps the slot). One indexed query over the series' whole span."""
    states = ["confirmed"] if kind == "rental" else ["confirmed", "pending"]
    low = min(s.starts_at for s in slots)
    high = max(_block(resource, s) for s in slots)
    return list(Booking.select().where(
        (Booking.resource == resource.id) & Booking.state.in_(states)
        & (Booking.starts_at < to_micros(high)) & (Booking.block_until > to_micros(low)))
        .order_by(Booking.starts_at))


def overlapping(resource: Resource, slot: Slot, rows: list[Booking]) -> list[Booking]:
    start, block = slot.starts_at, _block(resource, slot)
    return [b for b in rows if b.starts_at < block and start < b.block_until]


def plan(desk: Desk, resource: Resource, kind: str, slots: list[Slot]) -> Plan:
    """Which occurrences clash with what, and which pending borrowings a rental bumps."""
    if kind not in BOOKING_KINDS:
        raise InvalidInput("error.booking_bad_booking_kind", kind=str(kind))
    result = Plan(resource, kind, slots)
    rows = holders(resource, "borrowing" if kind == "borrowing" else "rental", slots)
    pending = [] if kind == "borrowing" else _pending(resource, slots)
    bumped: dict[int, Booking] = {}
    for slot in slots:
        found = overlapping(resource, slot, rows)
        if found:
            result.clashes.append(Clash(slot, found[0]))
            continue
        for borrowing in overlapping(resource, slot, pending):
            bumped.setdefault(borrowing.id, borrowing)
    result.bumps = list(bumped.values())
    return result


def _pending(resource: Resource, slots: list[Slot]) -> list[Booking]:
    low = min(s.starts_at for s in slots)
    high = max(_block(resource, s) for s in slots)
    return list(Booking.select().where(
        (Booking.resource == resource.id) & (Booking.state == "pending")
        & (Booking.starts_at < to_micros(high)) & (Booking.block_until > to_micros(low))))


def clash_message(desk: Desk, clashes: list[Clash]) -> Conflict:
    """A refusal naming each booking in the way: id, who, when."""
    tz = desk.profile().timezone
    first = clashes[0]
    if len(clashes) == 1:
        return Conflict("error.booking_clash", **_clash_params(first, tz))
    listed = "; ".join(t("booking.clash_item", **_clash_params(c, tz)) for c in clashes[:10])
    return Conflict("error.booking_series_clash", count=len(clashes), clashes=listed)


def _clash_params(clash: Clash, tz: str) -> dict:
    other = clash.booking
    return {"id": other.id, "who": who(other),
            "start": _shown(other.starts_at, tz), "end": _shown(other.ends_at, tz),
            "state": t(f"booking.state.{other.state}"),
            "wanted": f"{_shown(clash.slot.starts_at, tz)}–{_shown(clash.slot.ends_at, tz)}"}


def _shown(moment: DateTime, tz: str) -> str:
    return moment.in_tz(tz).format("YYYY-MM-DD HH:mm")


def who(booking: Booking) -> str:
    tenant = Tenant.get_by_id(booking.tenant_id).name if booking.tenant_id else ""
    return " / ".join(x for x in (tenant, booking.applicant) if x) or booking.applied_by


# --- booking --------------------------------------------------------------------------

@dataclass
class Outcome:
    """What ``add_booking`` did: the bookings made, the occurrences skipped (clash
    report) and the borrowings bumped."""

    bookings: list[Booking]
    skipped: list[Clash]
    bumped: list[Booking]
    series: BookingSeries | None = None


def start_registration(desk: Desk, resource: str, tenant: str | None = None) -> int | None:
    """The desk starts registering a booking: the 5-minute counter ticket of a meeting
    room or notice board opens now (None for other kinds). Pass its id to
    ``add_booking(ticket_id=…)``; the save resolves and answers it."""
    row = resource_named(resource)
    service = COUNTER_SERVICE.get(row.kind)
    if service is None:
        return None
    return open_ticket(desk, NewTicket(service=service, tenant=tenant or None,
                                       location=row.name)).id


def _parse(desk: Desk, value, option: str) -> DateTime:
    if isinstance(value, DateTime):
        return value.in_tz("UTC")
    if isinstance(value, str) and not value.isascii():  # full-width digits
        raise InvalidInput("error.bad_time", option=option, value=value)
    moment = validate.parse_iso(value, desk.profile().timezone, option)
    if moment is None:
        raise InvalidInput("error.required", field=option)
    return moment


def add_booking(desk: Desk, resource: str, start, end, *, tenant: str | None = None,
                borrow: bool = False, applicant: str = "", note: str = "",
                repeat_rule: str | None = None, count=None, until=None,
                only_free: bool = False, ticket_id: int | None = None,
                settle: Settlement | None = None) -> Outcome:
    """Book ``resource`` from ``start`` to ``end`` (ISO text or moments), once or as a
    daily/weekly series. A clash refuses the whole request (Conflict, exit 3, naming what
    is in the way) unless ``only_free``: then the free occurrences are booked and the
    others reported in ``Outcome.skipped``. One transaction."""
    desk.require("booking.add")
    kind = "borrowing" if borrow else "rental"
    applicant = validate.text(applicant, "--applicant", limit=MAX_APPLICANT)
    note = validate.text(note, "--note", limit=MAX_REASON, free=True)
    first = _parse(desk, start, "--from")
    last = _parse(desk, end, "--to")
    tz = desk.profile().timezone
    row = resource_named(resource)
    if row.kind == "parking_space":  # rented by the month or quarter, insured: rent_parking
        raise InvalidInput("error.booking_parking_period", resource=row.name)
    slot = check_slot(desk, row, first, last)
    slots = repeat(slot, repeat_rule, count, until, today=_today(desk), tz=tz)
    # the last occurrence, too, inside the window a booked time may take
    validate.in_window(slots[-1].ends_at, desk.clock.now(), "agreed",
                       "--until" if until is not None else "--count", tz)
    owner = find_tenant(tenant) if tenant else None
    return _book(desk, row, kind, slots, owner=owner, applicant=applicant, note=note,
                 series_rule=(repeat_rule, count, until) if repeat_rule else None,
                 only_free=only_free, ticket_id=ticket_id, settle=settle)


def _today(desk: Desk) -> dt.date:
    local = desk.clock.now().in_tz(desk.profile().timezone)
    return dt.date(local.year, local.month, local.day)


def _book(desk: Desk, resource: Resource, kind: str, slots: list[Slot], *, owner,
          applicant: str, note: str, series_rule=None, only_free: bool = False,
          ticket_id: int | None = None, plate: str = "", period: str = "",
          settle: Settlement | None = None) -> Outcome:
    try:
        return _book_once(desk, resource, kind, slots, owner=owner, applicant=applicant,
                          note=note, series_rule=series_rule, only_free=only_free,
                          ticket_id=ticket_id, plate=plate, period=period, settle=settle)
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint: another session's booking committed between
        # our check and our insert (the resource lock makes this rare). Same refusal.
        if "booking_no_overlap" not in str(exc):
            raise
        result = plan(desk, resource, kind, slots)
        if result.clashes:
            raise clash_message(desk, result.clashes) from None
        raise Conflict("error.booking_changed") from None


def _book_once(desk, resource, kind, slots, *, owner, applicant, note, series_rule,
               only_free, ticket_id, plate, period, settle) -> Outcome:
    now = desk.clock.now()
    with desk.db.atomic():
        # one writer per resource at a time on PostgreSQL (SQLite: IMMEDIATE already)
        locked(desk, Resource.select().where(Resource.id == resource.id))
        result = plan(desk, resource, kind, slots)
        if result.clashes and not only_free:
            raise clash_message(desk, result.clashes)
        free = result.free
        if not free:
            raise clash_message(desk, result.clashes)
        series = None
        if series_rule is not None:
            rule, count, until = series_rule
            series = BookingSeries.create(resource=resource.id, rule=rule,
                                          count=len(slots) if count is not None else None,
                                          until=str(until) if until is not None else None,
                                          made_at=now, made_by=desk.user)
        bumped = []
        for borrowing in result.bumps if kind == "rental" else []:
            bumped.append(_bump(desk, borrowing, now))
        service = COUNTER_SERVICE.get(resource.kind)
        ticket = None
        if service is not None:
            if ticket_id is None:
                ticket_id = open_ticket(desk, NewTicket(
                    service=service, tenant=owner.name if owner else None,
                    location=resource.name)).id
            ticket = finish(desk, validate.record_id(ticket_id, "ticket"))
        made = []
        state = "confirmed" if kind == "rental" else "pending"
        for slot in free:
            booking = Booking.create(
                resource=resource.id, tenant=owner.id if owner else None, applicant=applicant,
                starts_at=slot.starts_at, ends_at=slot.ends_at,
                block_until=_block(resource, slot), kind=kind, state=state, applied_at=now,
                applied_by=desk.user, series=series.id if series else None,
                ticket=ticket.id if ticket else None, note=note, plate=plate, period=period)
            made.append(booking)
        tz = desk.profile().timezone
        for booking in made:
            desk.audit("booking.add", "booking", booking.id, resource=resource.name,
                       kind=kind, state=state, tenant=owner.name if owner else None,
                       applicant=applicant, start=iso(booking.starts_at, tz),
                       end=iso(booking.ends_at, tz), series=series.id if series else None,
                       plate=plate or None, period=period or None,
                       ticket=ticket.id if ticket else None)
        if kind == "rental":
            for booking in made:
                charge_rental(desk, booking, settle)
    return Outcome(made, result.clashes, bumped, series)


def charge_rental(desk: Desk, booking: Booking, settle: Settlement | None = None):
    """The charge of a confirmed rental, inside the transaction that confirmed it (a
    charge never exists without its booking): posted now when ``settle`` says how it is
    paid or who signed, else the rental waits to be settled (rental_charges)."""
    from .rental_charges import charge_for

    settle = settle or Settlement()
    return charge_for(desk, booking, paid=settle.paid, signed_by=settle.signed_by,
                      method=settle.method, receipt_no=settle.receipt_no)


def _bump(desk: Desk, borrowing: Booking, now: DateTime) -> Booking:
    """A rental takes the slot of a pending borrowing: the borrowing is bumped and the
    desk gets a ticket to phone its applicant."""
    tz = desk.profile().timezone
    resource = Resource.get_by_id(borrowing.resource_id)
    owner = Tenant.get_by_id(borrowing.tenant_id) if borrowing.tenant_id else None
    borrowing.state = "bumped"
    borrowing.reason = t("booking.bumped_reason")
    borrowing.decided_at, borrowing.decided_by = now, desk.user
    borrowing.version += 1
    borrowing.save()
    note = t("booking.bumped_note", id=borrowing.id, resource=resource.name,
             start=_shown(borrowing.starts_at, tz), end=_shown(borrowing.ends_at, tz),
             who=who(borrowing))
    ticket = open_ticket(desk, NewTicket(service=BUMPED_SERVICE,
                                         tenant=owner.name if owner else None,
                                         location=resource.name, note=note))
    desk.audit("booking.bump", "booking", borrowing.id, resource=resource.name,
               ticket=ticket.id)
    return borrowing


def _for_change(desk: Desk, booking_id) -> Booking:
    """The booking, locked for the change. The resource row is locked first, in the order
    a new booking takes them (resource, then the borrowings it bumps): two sessions
    never wait on each other crosswise (PostgreSQL would end one as a deadlock)."""
    number = validate.record_id(booking_id, "booking")
    row = Booking.get_or_none(Booking.id == number)
    if row is None:
        raise InvalidInput("error.unknown_booking", id=number)
    locked(desk, Resource.select().where(Resource.id == row.resource_id))
    return locked(desk, Booking.select().where(Booking.id == number))


def approve_borrowing(desk: Desk, booking_id) -> Booking:
    """The general manager approves a pending borrowing; a confirmed booking now in its
    slot refuses it (exit 3)."""
    desk.require("booking.approve")
    try:
        with desk.db.atomic():
            booking = _pending_borrowing(desk, booking_id)
            resource = Resource.get_by_id(booking.resource_id)
            slot = Slot(booking.starts_at, booking.ends_at)
            others = [b for b in holders(resource, "rental", [slot]) if b.id != booking.id]
            found = overlapping(resource, slot, others)
            if found:
                raise clash_message(desk, [Clash(slot, found[0])])
            booking.state = "confirmed"
            booking.block_until = _block(resource, slot)  # the buffer as it is now
            booking.decided_at, booking.decided_by = desk.clock.now(), desk.user
            booking.version += 1
            booking.save()
            desk.audit("booking.approve", "booking", booking.id, resource=resource.name)
    except IntegrityError as exc:
        if "booking_no_overlap" not in str(exc):
            raise
        raise Conflict("error.booking_changed") from None
    return booking


def refuse_borrowing(desk: Desk, booking_id, reason: str) -> Booking:
    """The general manager refuses a pending borrowing, saying why."""
    desk.require("booking.approve")
    return _withdraw(desk, booking_id, reason, "refuse")


def cancel_booking(desk: Desk, booking_id, reason: str) -> Booking:
    """Cancel a pending or confirmed booking, with the reason; the slot is free again."""
    desk.require("booking.cancel")
    return _withdraw(desk, booking_id, reason, "cancel")


def _withdraw(desk: Desk, booking_id, reason: str, action: str) -> Booking:
    """A booking ends ``cancelled``: refused by the GM (a pending borrowing only; the
    decision is stamped) or cancelled at the desk (pending or confirmed)."""
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True, required=True)
    with desk.db.atomic():
        booking = _pending_borrowing(desk, booking_id) if action == "refuse" else \
            _for_change(desk, booking_id)
        if booking.state not in ("pending", "confirmed"):
            raise Conflict("error.booking_not_open", id=booking.id,
                           state=t(f"booking.state.{booking.state}"))
        booking.state, booking.reason = "cancelled", reason
        if action == "refuse":
            booking.decided_at, booking.decided_by = desk.clock.now(), desk.user
        else:
            booking.cancelled_at, booking.cancelled_by = desk.clock.now(), desk.user
        booking.version += 1
        booking.save()
        desk.audit(f"booking.{action}", "booking", booking.id, reason=reason)
    return booking


def _pending_borrowing(desk: Desk, booking_id) -> Booking:
    booking = _for_change(desk, booking_id)
    if booking.kind != "borrowing" or booking.state != "pending":
        raise Conflict("error.booking_not_pending", id=booking.id,
                       state=t(f"booking.state.{booking.state}"))
    return booking


def list_bookings(desk: Desk, resource: str | None = None, *, since: DateTime | None = None,
                  until: DateTime | None = None, states=None) -> list[Booking]:
    """Bookings by start, optionally of one resource, overlapping [since, until)."""
    query = (Booking.select(Booking, Resource, Tenant).join(Resource).switch(Booking)
             .join(Tenant, JOIN.LEFT_OUTER))  # one query, not one per row for its names
    if resource is not None:
        query = query.where(Booking.resource == resource_named(resource, active_only=False).id)
    if since is not None:
        query = query.where(Booking.ends_at > to_micros(since))
    if until is not None:
        query = query.where(Booking.starts_at < to_micros(until))
    if states is not None:
        query = query.where(Booking.state.in_(list(states)))
    return list(query.order_by(Booking.starts_at, Booking.id))


def booking_json(desk: Desk, booking: Booking) -> dict:
    """§9: ``id, resource, tenant, from, to, kind, state``; and the rest the desk needs."""
    tz = desk.profile().timezone
    resource = booking.resource
    tenant = booking.tenant.name if booking.tenant_id else None
    return {"id": booking.id, "resource": resource.name, "tenant": tenant,
            "from": iso(booking.starts_at, tz), "to": iso(booking.ends_at, tz),
            "kind": booking.kind, "state": booking.state, "applicant": booking.applicant,
            "applied_at": iso(booking.applied_at, tz), "applied_by": booking.applied_by,
            "series": booking.series_id, "ticket": booking.ticket_id,
            "blocked_until": iso(booking.block_until, tz), "reason": booking.reason,
            "plate": booking.plate or None, "period": booking.period or None,
            "charge": _charge_id(booking)}


def _charge_id(booking: Booking) -> int | None:
    """The ledger line of a rental once settled (None: free, or still to settle)."""
    from .rental_charges import charge_of

    charge = charge_of(booking.id) if booking.kind == "rental" else None
    return charge.id if charge is not None else None


def clash_json(desk: Desk, clash: Clash) -> dict:
    tz = desk.profile().timezone
    return {"from": iso(clash.slot.starts_at, tz), "to": iso(clash.slot.ends_at, tz),
            "clashes_with": booking_json(desk, clash.booking)}


# --- parking spaces (issue 8 item 6) --------------------------------------------------

def period_days(period: str) -> tuple[dt.date, dt.date, str]:
    """``2026-12`` → (1 Dec, 31 Dec, "2026-12"); ``2026Q4`` → (1 Oct, 31 Dec, "2026Q4")."""
    raw = validate.text(period, "--month/--quarter", limit=8, required=True).upper()
    month = _MONTH.match(raw)
    quarter = _QUARTER.match(raw)
    if month:
        year, first_month, months = int(month.group(1)), int(month.group(2)), 1
    elif quarter:
        year, first_month, months = int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 3
    else:
        raise InvalidInput("error.booking_bad_period", value=raw)
    first = dt.date(year, first_month, 1)
    after = pendulum.date(year, first_month, 1).add(months=months)
    return first, dt.date(after.year, after.month, after.day) - timedelta(days=1), raw


def next_period(period: str) -> str:
    first, last, raw = period_days(period)
    after = last + timedelta(days=1)
    if "Q" in raw:
        return f"{after.year}Q{(after.month - 1) // 3 + 1}"
    return f"{after.year}-{after.month:02d}"


def rent_parking(desk: Desk, resource: str, period: str, plate: str, tenant: str, *,
                 applicant: str = "", note: str = "",
                 settle: Settlement | None = None) -> Outcome:
    """A monthly (``2026-12``) or quarterly (``2026Q4``) rental of a parking space for one
    plate. Refused without insurance on record for every day of the period (R-6.3); the
    period must not have ended."""
    desk.require("booking.add")
    applicant = validate.text(applicant, "--applicant", limit=MAX_APPLICANT)
    note = validate.text(note, "--note", limit=MAX_REASON, free=True)
    number = plate_number(plate)
    first, last, raw = period_days(period)
    today = _today(desk)
    if last < today:
        raise InvalidInput("error.booking_period_over", period=raw)
    if first > today + timedelta(days=2 * 366):
        raise InvalidInput("error.booking_period_far", period=raw)
    row = resource_named(resource)
    if row.kind != "parking_space":
        raise InvalidInput("error.booking_not_parking", resource=row.name)
    owner = find_tenant(validate.text(tenant, "--tenant", limit=200, required=True))
    policy, through = covered_through(number, first)
    if policy is None:
        raise Conflict("error.booking_uninsured", plate=number, day=first.isoformat())
    if through < last:
        raise Conflict("error.booking_insurance_short", plate=number, end=through.isoformat(),
                       last=last.isoformat(), period=raw)
    slot = Slot(day_start(desk, first), day_start(desk, last + timedelta(days=1)))
    return _book(desk, row, "rental", [slot], owner=owner, applicant=applicant, note=note,
                 plate=number, period=raw, settle=settle)


def renew_parking(desk: Desk, booking_id) -> Outcome:
    """The next period (month or quarter) for the same plate, space and tenant."""
    number = validate.record_id(booking_id, "booking")
    booking = Booking.get_or_none(Booking.id == number)
    if booking is None:
        raise InvalidInput("error.unknown_booking", id=number)
    if not booking.period or booking.state != "confirmed":
        raise Conflict("error.booking_not_renewable", id=number)
    resource = Resource.get_by_id(booking.resource_id)
    tenant = Tenant.get_by_id(booking.tenant_id)
    return rent_parking(desk, resource.name, next_period(booking.period), booking.plate,
                        tenant.name, applicant=booking.applicant)


def expiring(desk: Desk, days=30) -> list[dict]:
    """Parking rentals ending within ``days`` without a renewal, and vehicle insurance of
    the plates rented ending within ``days`` (no renewed policy continuing the cover).
    Each row: ``kind`` (parking_rental | insurance), ``plate``, ``ends_on``, and the
    booking (``id, resource, tenant``) or the policy (``insurer, policy``)."""
    days = _whole(days, "--days", 1, MAX_EXPIRING_DAYS)
    today = _today(desk)
    horizon = today + timedelta(days=days)
    tz = desk.profile().timezone
    rows: list[dict] = []
    rentals = list(Booking.select(Booking, Resource).join(Resource)
                   .where((Booking.period != "") & (Booking.state == "confirmed"))
                   .order_by(Booking.ends_at))
    renewed = {(b.resource_id, b.plate, b.period) for b in rentals}
    plates: set[str] = set()
    for booking in rentals:
        end = booking.ends_at.in_tz(tz).subtract(days=1)
        ends_on = dt.date(end.year, end.month, end.day)
        if ends_on < today:
            continue
        plates.add(booking.plate)
        if ends_on <= horizon and \
                (booking.resource_id, booking.plate, next_period(booking.period)) not in renewed:
            rows.append({"kind": "parking_rental", "plate": booking.plate,
                         "ends_on": ends_on.isoformat(), "id": booking.id,
                         "resource": booking.resource.name,
                         "tenant": Tenant.get_by_id(booking.tenant_id).name
                         if booking.tenant_id else None, "period": booking.period})
    for number in sorted(plates):
        policy, through = covered_through(number, today)
        if policy is not None and through <= horizon:
            rows.append({"kind": "insurance", "plate": number, "ends_on": through.isoformat(),
                         "insurer": policy.insurer, "policy": policy.policy})
        elif policy is None:
            later = (VehicleInsurance.select().where(VehicleInsurance.plate == number)
                     .order_by(VehicleInsurance.valid_to.desc()).first())
            if later is not None and later.valid_to < today:
                rows.append({"kind": "insurance", "plate": number,
                             "ends_on": later.valid_to.isoformat(), "insurer": later.insurer,
                             "policy": later.policy})
    rows.sort(key=lambda r: (r["ends_on"], r["kind"], r["plate"]))
    return rows

