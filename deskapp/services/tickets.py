"""Tickets: open, step through the lifecycle (R-2.6), move up (R-2.8), list the queue.

Every write: check the role, validate everything first, then one transaction that
changes the ticket, its targets and events, and appends the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, IntegrityError
from pendulum import DateTime

from ..models import Service, Staff, Target, Tenant, Ticket, TicketEvent
from ..models.records import OPEN_STATES
from ..sla import (
    TIER_RANK,
    TIERS,
    Profile,
    RuleError,
    ServiceRule,
    TargetRule,
    meets,
    plan_targets,
    target_state,
)
from . import validate
from .context import Desk
from .errors import Conflict, InvalidInput

MAX_NOTE = 2000
MAX_REASON = 500
MAX_LOCATION = 200
MAX_REF = 100
MAX_CODE = 64
MAX_PEOPLE = 500

# action -> (states it may start from, state it leads to; None = special)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    # from "dispatched": a re-dispatch to someone else, a recorded step of its own
    "dispatch": (("accepted", "dispatched"), "dispatched"),
    "arrive": (("accepted", "dispatched"), "on_site"),
    "resolve": (("accepted", "dispatched", "on_site"), "resolved"),
    # telling the tenant (R-2.6 有解必答) in any open state; the ticket stays where it is
    "reply": (OPEN_STATES, None),
    # answering closes: only once the work is done, so a stray key cannot close new work
    "answer": (("resolved",), "closed"),
    "hold": (("accepted", "dispatched", "on_site"), "on_hold"),
    "resume": (("on_hold",), None),
    # work that is done is answered or reopened, not cancelled
    "cancel": (("accepted", "dispatched", "on_site", "on_hold"), "cancelled"),
    "reopen": (("resolved", "closed"), "accepted"),
}
ACTIONS = tuple(TRANSITIONS)
# moving up is for a request still waiting its turn, not for work under way
MOVE_UP_STATES = ("accepted", "dispatched")
REASON_REQUIRED = frozenset({"hold", "cancel", "reopen", "move_up"})
# whom a dispatch may name, by the catalogue's department of the service
DEPARTMENT_ROLES = {"engineering": ("engineering",), "security": ("security",),
                    "desk": ("desk", "manager")}


def service_rule(row: Service) -> ServiceRule:
    return ServiceRule(
        code=row.code, name_zh=row.name_zh, name_en=row.name_en, tier=row.tier,
        targets=tuple(TargetRule.from_dict(d) for d in row.target_rules()),
        tier_chosen=row.tier_chosen, uses_people=row.uses_people, uses_scope=row.uses_scope,
        counter=row.counter, department=row.department,
    )


def services() -> list[Service]:
    return list(Service.select().where(Service.active == True).order_by(Service.id))  # noqa: E712


def service_name_map() -> dict[str, tuple[str, str]]:
    """code -> (Chinese name, English name), as the catalogue stores them."""
    return {code: (zh, en) for code, zh, en in
            Service.select(Service.code, Service.name_zh, Service.name_en).tuples()}


def find_service(code: str) -> Service:
    code = validate.text(code, "service", limit=MAX_CODE)
    row = Service.get_or_none((Service.code == code) & (Service.active == True))  # noqa: E712
    if row is None:
        raise InvalidInput("error.unknown_service", code=code,
                           known=", ".join(s.code for s in services()))
    return row


def find_tenant(name: str) -> Tenant:
    name = validate.text(name, "tenant", limit=200)
    tenant = Tenant.get_or_none(Tenant.name == name)
    if tenant is None:
        raise InvalidInput("error.unknown_tenant", name=name)
    return tenant


def dispatch_candidates(service_code: str) -> list[Staff]:
    """The active staff of the department that works this service, by name."""
    service = Service.get_or_none(Service.code == service_code)
    roles = DEPARTMENT_ROLES.get(service.department if service else "desk", ("desk",))
    return list(Staff.select().where(Staff.active == True, Staff.role.in_(roles))  # noqa: E712
                .order_by(Staff.name, Staff.login))


def last_dispatched_to(service_code: str) -> str | None:
    """Who was sent the last time this service was dispatched (the picker's default),
    if they can still be sent."""
    candidates = {staff.login for staff in dispatch_candidates(service_code)}
    recent = (TicketEvent.select(TicketEvent.to_login).join(Ticket)
              .where(Ticket.service == service_code, TicketEvent.action == "dispatch",
                     TicketEvent.to_login.is_null(False))
              .order_by(TicketEvent.id.desc()).limit(20).tuples())
    for (login,) in recent:
        if login in candidates:
            return login
    return None


def _dispatch_to(ticket: Ticket, to: str | None) -> str | None:
    if to is None or not to.strip():
        if ticket.state == "dispatched":  # a re-dispatch names the new person
            raise Conflict("error.redispatch_needs_to", id=ticket.id)
        return None
    to = validate.text(to, "--to", limit=64)
    staff = Staff.get_or_none(Staff.login == to)
    if staff is None or not staff.active:
        raise InvalidInput("error.unknown_staff", login=to)
    candidates = dispatch_candidates(ticket.service)
    if staff.login not in {c.login for c in candidates}:
        service = Service.get(Service.code == ticket.service)
        raise InvalidInput("error.wrong_department", login=to, role=staff.role,
                           department=service.department,
                           known=", ".join(c.login for c in candidates) or "—")
    if ticket.state == "dispatched" and ticket.assigned_to == staff.login:
        raise Conflict("error.already_dispatched", id=ticket.id, login=to)
    return staff.login


def find_ticket(ticket_id: int) -> Ticket:
    ticket_id = validate.record_id(ticket_id)
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise InvalidInput("error.no_ticket", id=ticket_id)
    return ticket


def _ticket_for_change(desk: Desk, ticket_id: int) -> Ticket:
    """Read a ticket inside the write transaction, locked against other sessions (R-8.1).

    SQLite's IMMEDIATE transaction already serialises writers; PostgreSQL needs the row
    lock (SELECT ... FOR UPDATE), or two sessions both see the same version and both win.
    """
    query = Ticket.select().where(Ticket.id == validate.record_id(ticket_id))
    if desk.db.for_update:
        query = query.for_update()
    ticket = query.first()
    if ticket is None:
        raise InvalidInput("error.no_ticket", id=ticket_id)
    return ticket


def _moment(desk: Desk, at: DateTime | None, *, not_before: DateTime | None = None) -> DateTime:
    now = desk.clock.now()
    if at is None:
        return now
    validate.in_window(at, now, "at", "--at", desk.profile().timezone)
    if not_before is not None and at < not_before:
        raise InvalidInput("error.at_before_open")
    return at.in_tz("UTC")


def _not_before_last_step(desk: Desk, ticket: Ticket, at: DateTime | None) -> None:
    """A back-dated step may not precede the ticket's previous step (e.g. resume before
    hold would pause for nothing and scramble the timeline)."""
    if at is None:
        return
    last = (TicketEvent.select(TicketEvent.at).where(TicketEvent.ticket == ticket)
            .order_by(TicketEvent.at.desc()).first())
    if last is not None and at < last.at:
        tz = desk.profile().timezone
        raise InvalidInput("error.at_before_last_step",
                           at=last.at.in_tz(tz).format("YYYY-MM-DD HH:mm:ss"))


def _reason(action: str, reason: str | None) -> str:
    reason = validate.text(reason, "reason", limit=MAX_REASON, free=True)
    if action in REASON_REQUIRED and not reason:
        raise InvalidInput("error.reason_required", action=action)
    return reason


@dataclass(frozen=True)
class NewTicket:
    """What the form or the CLI asks for, before anything is written."""

    service: str
    tier: str | None = None
    tenant: str | None = None
    location: str = ""
    people: int = 1
    agreed_at: DateTime | None = None
    scope: str | None = None
    written: bool = False
    at: DateTime | None = None
    note: str = ""
    ref: str | None = None  # a client's own key: the same ref returns the same ticket


@dataclass(frozen=True)
class CheckedTicket:
    service: Service
    rule: ServiceRule
    tier: str
    tenant: Tenant | None
    opened_at: DateTime
    planned: list
    location: str = ""
    note: str = ""
    ref: str | None = None


def check_new_ticket(desk: Desk, request: NewTicket) -> CheckedTicket:
    """Validate a new ticket and plan its targets; writes nothing (the form's preview)."""
    note = validate.text(request.note, "note", limit=MAX_NOTE, free=True)
    location = validate.text(request.location, "location", limit=MAX_LOCATION)
    ref = validate.optional_text(request.ref, "--ref", limit=MAX_REF) or None
    service = find_service(request.service)
    rule = service_rule(service)
    if request.tier is not None and request.tier not in TIERS:
        raise InvalidInput("error.unknown_tier", tier=request.tier, known=", ".join(TIERS))
    if request.tier is not None and not rule.tier_chosen and request.tier != rule.tier:
        raise InvalidInput("error.tier_fixed", service=service.code, tier=rule.tier)
    if request.scope is not None and not rule.uses_scope:
        raise InvalidInput("error.scope_not_used", service=service.code)
    if request.written and service.code != "complaint":
        raise InvalidInput("error.written_not_used", service=service.code)
    if request.people < 1 or request.people > MAX_PEOPLE:
        raise InvalidInput("error.people")
    if request.people != 1 and not rule.uses_people:
        raise InvalidInput("error.people_not_used", service=service.code)
    tenant = find_tenant(request.tenant) if request.tenant else None
    if not location and tenant is not None and tenant.unit_list:
        location = tenant.unit_list[0]  # where the tenant is, unless a place was typed
    opened_at = _moment(desk, request.at)
    if request.agreed_at is not None and request.agreed_at < opened_at.subtract(minutes=1):
        raise InvalidInput("error.agreed_past")
    validate.in_window(request.agreed_at, desk.clock.now(), "agreed", "--agreed",
                       desk.profile().timezone)
    tier = request.tier if (rule.tier_chosen and request.tier) else rule.tier
    try:
        planned = plan_targets(
            rule, tier=tier, opened_at=opened_at, calendar=desk.calendar(),
            profile=desk.profile().rules(), agreed_at=request.agreed_at,
            people=request.people, scope=request.scope or "simple", written=request.written,
        )
    except RuleError as exc:
        raise InvalidInput(exc.key, **exc.params) from exc
    if request.agreed_at is not None and not any(
            p.due_at == request.agreed_at or p.start_at == request.agreed_at for p in planned):
        # an access pass "agreed" for 00:30 was still due 2 minutes after opening: late
        # before the visitor came. Say so rather than keep a time nothing counts from.
        raise InvalidInput("error.agreed_not_used", service=service.code)
    return CheckedTicket(service, rule, tier, tenant, opened_at, planned, location, note, ref)


def uses_agreed_time(rule: ServiceRule) -> bool:
    """Whether an agreed time can set a target of this service (the form offers the
    field only then; for a repair or complaint it depends on the tier chosen)."""
    return any(t.start == "agreed" or t.kind in ("same_day", "agreed_or_working_days", "tier")
               for t in rule.targets)


def open_ticket(desk: Desk, request: NewTicket) -> Ticket:
    """Open a ticket; with a ``ref`` already used, return that ticket instead (a script
    retrying after it was killed before it printed the id must not make a second one)."""
    desk.require("ticket.open")
    ref = validate.optional_text(request.ref, "--ref", limit=MAX_REF) or None
    try:
        return _open(desk, request, ref)
    except IntegrityError:
        # another session committed the same ref between our look and our insert
        made = _ticket_with_ref(request, ref)
        if made is None:
            raise
        return made


def _ticket_with_ref(request: NewTicket, ref: str | None) -> Ticket | None:
    """The ticket this client reference already made (the same service), if any."""
    if ref is None:
        return None
    made = Ticket.get_or_none(Ticket.ref == ref)
    if made is not None and made.service != request.service:
        raise Conflict("error.ref_taken", ref=ref, id=made.id, service=made.service)
    return made


def _open(desk: Desk, request: NewTicket, ref: str | None) -> Ticket:
    with desk.db.atomic():
        made = _ticket_with_ref(request, ref)
        if made is not None:
            return made  # a retry: what the first call made, not a second ticket
        checked = check_new_ticket(desk, request)
        ticket = Ticket.create(
            service=checked.service.code, tier=checked.tier, tier_rank=TIER_RANK[checked.tier],
            state="accepted", is_open=True, tenant=checked.tenant,
            location=checked.location, people=request.people,
            scope=request.scope or ("simple" if checked.rule.uses_scope else None),
            written=request.written, agreed_at=request.agreed_at, note=checked.note,
            opened_at=checked.opened_at, opened_by=desk.user, last_actor=desk.user, cycle=1,
            ref=checked.ref,
        )
        _create_targets(ticket, checked.planned)
        TicketEvent.create(ticket=ticket, at=checked.opened_at, actor=desk.user,
                           action="open", to_state="accepted", reason="")
        detail = dict(service=ticket.service, tier=ticket.tier,
                      at=checked.opened_at.isoformat())
        if checked.ref:
            detail["ref"] = checked.ref
        seq = desk.audit("ticket.open", "ticket", ticket.id, **detail)
        _summarise(ticket, seq)
    return ticket


def _create_targets(ticket: Ticket, planned) -> None:
    for target in planned:
        Target.create(ticket=ticket, cycle=ticket.cycle, name=target.name,
                      met_by=target.met_by, start_at=target.start_at, due_at=target.due_at,
                      provisional=target.provisional, clock=target.clock)


def current_targets(ticket: Ticket) -> list[Target]:
    return list(Target.select().where((Target.ticket == ticket) & (Target.cycle == ticket.cycle))
                .order_by(Target.id))


def _summarise(ticket: Ticket, seq: int) -> None:
    """Denormalise the earliest open target onto the ticket: the queue's sort key."""
    targets = current_targets(ticket)
    waiting = [t for t in targets if t.met_at is None and t.paused_at is None
               and t.due_at is not None]
    if ticket.is_open and waiting:
        first = min(waiting, key=lambda t: t.due_at)
        ticket.next_due_at = first.due_at
        ticket.next_start_at = first.start_at.add(seconds=first.paused_seconds)
        ticket.next_target = first.name
    else:
        ticket.next_due_at = ticket.next_start_at = ticket.next_target = None
    ticket.late = ticket.late or any(
        t.met_at is not None and t.due_at is not None and t.met_at > t.due_at for t in targets)
    ticket.provisional = any(t.provisional for t in targets if t.met_at is None)
    ticket.change_seq = seq
    ticket.save()


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        last = (TicketEvent.select().where(TicketEvent.ticket == ticket)
                .order_by(TicketEvent.id.desc()).first())
        raise Conflict("error.changed_meanwhile", id=ticket.id,
                       who=last.actor if last else "?", action=last.action if last else "?")


def step(desk: Desk, ticket_id: int, action: str, *, at: DateTime | None = None,
         reason: str | None = None, expected_version: int | None = None,
         to: str | None = None, note: str | None = None, written: bool = False) -> Ticket:
    """Move a ticket one lifecycle step (R-2.6).

    ``to`` names who is dispatched (a login of the service's department); ``note`` is
    what the tenant was told, for a reply, and ``written`` makes it the written reply.
    """
    ticket_id = validate.record_id(ticket_id)
    if action not in TRANSITIONS:
        raise InvalidInput("error.unknown_action", action=action, known=", ".join(ACTIONS))
    desk.require(f"ticket.{action}")
    reason = _reason(action, reason)
    told = _told(action, note, written)
    if to is not None and action != "dispatch":
        raise InvalidInput("error.to_only_dispatch")
    if at is not None:  # the window first: a moment no database can hold never reaches one
        validate.in_window(at, desk.clock.now(), "at", "--at", desk.profile().timezone)
    with desk.db.atomic():
        ticket = _ticket_for_change(desk, ticket_id)
        _check_version(ticket, expected_version)
        sources, target_state_name = TRANSITIONS[action]
        if ticket.state not in sources:
            raise Conflict("error.bad_transition", id=ticket.id, action=action,
                           state=ticket.state)
        moment = _moment(desk, at, not_before=ticket.opened_at)
        _not_before_last_step(desk, ticket, at)
        before = ticket.state
        targets = current_targets(ticket)
        sent = _dispatch_to(ticket, to) if action == "dispatch" else None
        if action == "reply":
            if written and not any(t.name == "written_reply" for t in targets):
                raise InvalidInput("error.written_not_asked", id=ticket.id)
            _meet(targets, "reply_written" if written else "reply", moment)
        elif action == "answer":
            if any(t.name == "written_reply" and t.met_at is None for t in targets):
                raise Conflict("error.written_reply_pending", id=ticket.id)  # see owes_written_reply
            _meet(targets, action, moment)
            ticket.state = target_state_name
            _close(ticket, moment)
        elif action in ("dispatch", "arrive", "resolve"):
            _meet(targets, action, moment)
            ticket.state = target_state_name
            if action == "dispatch":
                ticket.assigned_to = sent
        elif action == "hold":
            ticket.resume_state = ticket.state
            ticket.state = "on_hold"
            for target in targets:
                if target.met_at is None and target.paused_at is None:
                    if target.due_at is not None and moment >= target.due_at:
                        ticket.late = True  # a breach stays on record through the hold
                    target.paused_at = moment
                    target.save()
        elif action == "resume":
            ticket.state = ticket.resume_state or "accepted"
            ticket.resume_state = None
            _resume_targets(desk, targets, moment)
        elif action == "cancel":
            if any(t.met_at is None and t.paused_at is None and t.due_at is not None
                   and moment >= t.due_at for t in targets):
                ticket.late = True  # cancelling a late ticket does not erase the breach
            ticket.state = "cancelled"
            _close(ticket, moment)
        elif action == "reopen":
            _reopen(desk, ticket, moment)
        ticket.last_actor = desk.user
        ticket.version += 1
        logged = "reply_written" if action == "reply" and written else action
        TicketEvent.create(ticket=ticket, at=moment, actor=desk.user, action=logged,
                           from_state=before, to_state=ticket.state,
                           reason=told if action == "reply" else reason, to_login=sent)
        detail = dict(from_state=before, to_state=ticket.state, reason=reason,
                      at=moment.isoformat())
        if sent:
            detail["to"] = sent
        if action == "reply":
            detail.update(note=told, written=written)
        seq = desk.audit(f"ticket.{logged}", "ticket", ticket.id, **detail)
        _summarise(ticket, seq)
    return ticket


def _told(action: str, note: str | None, written: bool) -> str:
    """What a reply told the tenant: required, so the record says more than "replied"."""
    note = validate.text(note, "note", limit=MAX_NOTE, free=True)
    if action != "reply":
        if written:
            raise InvalidInput("error.written_only_reply")
        if note:
            raise InvalidInput("error.note_only_reply")
        return ""
    if not note:
        raise InvalidInput("error.reply_needs_note")
    return note


def _resume_targets(desk: Desk, targets: list[Target], moment: DateTime) -> None:
    """Move each paused due time by the span it was paused, counted the way the target
    counts: minutes targets by the clock; working-day and half-day targets by service
    time, so a written reply held over an evening is still due at 17:30, not 17:30:06."""
    calendar = None
    for target in targets:
        if target.paused_at is None:
            continue
        if target.due_at is not None:
            old_due = target.due_at
            if target.clock == "service":
                calendar = calendar or desk.calendar()
                paused = calendar.service_seconds_between(target.paused_at, moment)
                if paused:
                    target.due_at = calendar.add_service_time(old_due, paused).at
            else:
                target.due_at = old_due.add(
                    seconds=max(0, int((moment - target.paused_at).total_seconds())))
            # the span keeps its length, so the flash comes at the same point of it
            target.paused_seconds += int((target.due_at - old_due).total_seconds())
        target.paused_at = None
        target.save()


def _meet(targets: list[Target], action: str, moment: DateTime) -> None:
    for target in targets:
        if target.met_at is None and meets(action, target.met_by):
            target.met_at = moment
            target.save()


def _close(ticket: Ticket, moment: DateTime) -> None:
    ticket.is_open = False
    ticket.closed_at = moment
    ticket.moved_up_at = None


def _reopen(desk: Desk, ticket: Ticket, moment: DateTime) -> None:
    """A new cycle: fresh targets from the moment of reopening; the old ones stay as history."""
    rule = service_rule(find_service(ticket.service))
    agreed = ticket.agreed_at if ticket.agreed_at and ticket.agreed_at > moment else None
    planned = plan_targets(
        rule, tier=ticket.tier, opened_at=moment, calendar=desk.calendar(),
        profile=desk.profile().rules(), agreed_at=agreed, people=ticket.people,
        scope=ticket.scope or "simple", written=ticket.written,
    )
    ticket.cycle += 1
    ticket.assigned_to = None  # a new cycle is dispatched afresh
    ticket.is_open = True
    ticket.closed_at = None
    ticket.late = False
    ticket.state = "accepted"
    _create_targets(ticket, planned)


def move_up(desk: Desk, ticket_id: int, reason: str, *,
            expected_version: int | None = None) -> Ticket:
    """Serve a later, urgent and quick request first (R-2.8), with the reason on record."""
    ticket_id = validate.record_id(ticket_id)
    desk.require("ticket.move_up")
    reason = _reason("move_up", reason)
    with desk.db.atomic():
        ticket = _ticket_for_change(desk, ticket_id)
        _check_version(ticket, expected_version)
        if ticket.state not in MOVE_UP_STATES:
            raise Conflict("error.bad_transition", id=ticket.id, action="move_up",
                           state=ticket.state)
        now = desk.clock.now()
        ticket.moved_up_at = now
        ticket.version += 1
        TicketEvent.create(ticket=ticket, at=now, actor=desk.user, action="move_up",
                           from_state=ticket.state, to_state=ticket.state, reason=reason)
        seq = desk.audit("ticket.move_up", "ticket", ticket.id, reason=reason)
        ticket.change_seq = seq
        ticket.save()
    return ticket


def queue_order():
    """SPEC §9: tier, then next_due_at, then opened_at; the latest moved-up ticket leads its tier."""
    return (
        Ticket.tier_rank,
        Ticket.moved_up_at.desc(nulls="LAST"),
        Ticket.next_due_at.asc(nulls="LAST"),
        Ticket.opened_at,
        Ticket.id,
    )


def list_where(include_closed: bool = False):
    return Ticket.id.is_null(False) if include_closed else (Ticket.is_open == True)  # noqa: E712


def list_tickets(include_closed: bool = False) -> list[Ticket]:
    """Open tickets in queue order, then (with ``include_closed``) the closed by id."""
    query = Ticket.select(Ticket, Tenant).join(Tenant, join_type=JOIN.LEFT_OUTER)
    open_rows = list(query.where(Ticket.is_open == True).order_by(*queue_order()))  # noqa: E712
    if not include_closed:
        return open_rows
    closed = list(query.where(Ticket.is_open == False).order_by(Ticket.id))  # noqa: E712
    return open_rows + closed


def queue_positions() -> dict[int, int]:
    rows = (Ticket.select(Ticket.id).where(Ticket.is_open == True)  # noqa: E712
            .order_by(*queue_order()).tuples())
    return {ticket_id: place for place, (ticket_id,) in enumerate(rows, start=1)}


def is_breached(ticket: Ticket, now: DateTime) -> bool:
    return bool(ticket.late or (ticket.is_open and ticket.next_due_at is not None
                                and now >= ticket.next_due_at))


def target_rows(ticket: Ticket, now: DateTime, rules: Profile,
                targets: list[Target] | None = None) -> list[tuple[Target, str]]:
    """Each target of the current cycle with its state now. A closed ticket's targets are
    frozen at the moment it closed: met, breached, or pending if it closed before."""
    rows = []
    closed_at = None if ticket.is_open else (ticket.closed_at or now)
    for target in current_targets(ticket) if targets is None else targets:
        rows.append((target, target_state(
            due_at=target.due_at, start_at=target.start_at.add(seconds=target.paused_seconds),
            met_at=target.met_at, paused=ticket.is_open and target.paused_at is not None,
            now=closed_at or now, near_percent=rules.near_percent,
            near_floor=0 if closed_at else rules.near_floor(ticket.tier))))
    return rows


def owes_written_reply(ticket_id: int) -> bool:
    """A complaint whose written reply (this cycle) is not on record yet: it may not be
    closed until it is (``answer`` refuses; the desk is not offered the key)."""
    return (Target.select().join(Ticket, on=(Target.ticket == Ticket.id))
            .where(Target.ticket == ticket_id, Target.cycle == Ticket.cycle,
                   Target.name == "written_reply", Target.met_at.is_null())
            .exists())


def history(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.select().where(TicketEvent.ticket == ticket)
                .order_by(TicketEvent.at, TicketEvent.id))


__all__ = [
    "ACTIONS", "NewTicket", "check_new_ticket", "current_targets",
    "dispatch_candidates", "find_ticket", "history", "last_dispatched_to",
    "is_breached", "list_tickets", "move_up", "open_ticket", "queue_positions",
    "services", "step", "target_rows",
]
