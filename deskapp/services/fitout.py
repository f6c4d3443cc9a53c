"""Secondary fit-out (二次装修, SPEC §2.2 fitout_approval and fitout_acceptance).

The life of an application, and where its clocks are:

- applied with its scope (``simple`` partitions, or ``systems``: touching central AC
  or fire systems) and the documents it needs; each document is ticked off as it
  arrives;
- **documents complete** (the last one in) starts the approval clock: a
  ``fitout_approval`` ticket opened *at that moment*, which the catalogue gives 2
  working days (simple) or 3 (systems);
- approved or refused (a refusal needs its reason): the approval ticket is resolved
  and answered;
- approved: the deposit is taken (once), the workers' passes issued (passes module,
  kind ``fitout_worker``, over the fit-out period);
- acceptance at the agreed time: a ``fitout_acceptance`` ticket with that agreed time
  (engineering's), due then; the inspection resolves it with a rectification notice
  (items, a deadline; the re-inspection is booked at or after it) or the passed report;
- passed: the report and the deposit refund are due **within 3 working days**. The
  catalogue's ``fitout_acceptance`` rule is "the agreed time, else 3 working days", so
  the hand-over gets a ticket of its own: ``fitout_acceptance`` opened at the moment
  of passing *without* an agreed time, due 3 working days later, resolved and answered
  when the refund is handed to finance (``hand_refund``).

Every step checks the state it starts from (a Conflict names the state), validates
first, and writes the fit-out, its tickets and the audit row in one transaction.
"""

from __future__ import annotations

import datetime as dt

from pendulum import DateTime

from ..i18n import catalogue, t
from ..models import FITOUT_STATES, Fitout, FitoutDocument, FitoutInspection, Tenant
from ..money import format_yuan
from ..sla import SCOPES
from . import validate
from .common import happened_at
from .context import Desk
from .errors import Conflict, InvalidInput
from .export import iso
from .passes import day_range, finish, issue_passes, local_day, locked, plain_day
from .tenants import current_units, today, units as parse_units
from .tickets import NewTicket, find_tenant, open_ticket, step

MAX_DOCUMENT = 100
MAX_DOCUMENTS = 30
MAX_REASON = 500
MAX_ITEMS = 2000
# a fit-out deposit is tens of thousands of yuan; ten million is a typing error (the
# money layer's own ceiling, 10^12 yuan, lets 999999999999 through)
MAX_DEPOSIT_FEN = 10_000_000 * 100

# What an application needs when the desk does not list its documents: the building's
# usual set; work touching central AC or fire systems adds the fire-protection design
# and the AC alteration plan. Stored as codes, shown in the reader's language.
DEFAULT_DOCUMENTS = {
    "simple": ("application", "drawings", "contractor_licence"),
    "systems": ("application", "drawings", "contractor_licence", "fire_design", "ac_plan"),
}
ALL_DOCUMENT_CODES = frozenset(code for codes in DEFAULT_DOCUMENTS.values() for code in codes)


def document_label(name: str) -> str:
    return t(f"fitout.doc.{name}") if name in ALL_DOCUMENT_CODES else name


def _matches(stored: str, given: str) -> bool:
    """A document is named by what is stored, or by a default code's label in either
    language (the desk types 施工单位资质 for ``contractor_licence``)."""
    if stored == given:
        return True
    if stored in ALL_DOCUMENT_CODES:
        key = f"fitout.doc.{stored}"
        return given in (catalogue("zh").get(key), catalogue("en").get(key))
    return False


# --- reading --------------------------------------------------------------------------

def find_fitout(fitout_id: int) -> Fitout:
    row = Fitout.get_or_none(Fitout.id == validate.record_id(fitout_id, "fit-out"))
    if row is None:
        raise InvalidInput("error.no_fitout", id=fitout_id)
    return row


def _for_change(desk: Desk, fitout_id: int, action: str, states: tuple[str, ...]) -> Fitout:
    """The fit-out inside the write transaction, locked (R-8.1), in one of ``states``."""
    row = locked(desk, Fitout.select().where(
        Fitout.id == validate.record_id(fitout_id, "fit-out")))
    if row is None:
        raise InvalidInput("error.no_fitout", id=fitout_id)
    if row.state not in states:
        raise Conflict("error.fitout_state", id=row.id, now=t(f"fitout.state.{row.state}"),
                       step=t(f"fitout.step.{action}"))
    return row


def documents_of(fitout: Fitout) -> list[FitoutDocument]:
    return list(FitoutDocument.select().where(FitoutDocument.fitout == fitout.id)
                .order_by(FitoutDocument.position, FitoutDocument.id))


def inspections_of(fitout: Fitout) -> list[FitoutInspection]:
    return list(FitoutInspection.select().where(FitoutInspection.fitout == fitout.id)
                .order_by(FitoutInspection.id))


def list_fitouts(tenant: str | None = None) -> list[Fitout]:
    query = Fitout.select(Fitout, Tenant).join(Tenant)
    if tenant is not None:
        query = query.where(Fitout.tenant == find_tenant(tenant).id)
    return list(query.order_by(Fitout.id.desc()))


def _save(desk: Desk, fitout: Fitout, action: str, **detail) -> None:
    fitout.version += 1
    fitout.save()
    desk.audit(f"fitout.{action}", "fitout", fitout.id, tenant=fitout.tenant.name,
               state=fitout.state, **detail)


# --- applying and documents -----------------------------------------------------------

def apply(desk: Desk, tenant: str, scope: str, units: str | list[str] | None = None,
          documents: list[str] | None = None, period_from=None, period_to=None) -> Fitout:
    """A fit-out application. ``units``: where (the tenant's own; default all it holds);
    ``documents``: the names needed (default ``DEFAULT_DOCUMENTS[scope]``); the period
    (days, both inclusive) is what the workers' passes will cover."""
    desk.require("fitout.apply")
    if scope not in SCOPES:
        raise InvalidInput("error.fitout_scope", scope=scope, known=", ".join(SCOPES))
    owner = find_tenant(tenant)
    wanted = parse_units(units or [], "--units") if units else ()
    if documents is None:
        names = list(DEFAULT_DOCUMENTS[scope])
    else:
        names = [validate.text(d, "--documents", limit=MAX_DOCUMENT) for d in documents]
        names = list(dict.fromkeys(n for n in names if n))
        if not names:
            raise InvalidInput("error.required", field="--documents")
        if len(names) > MAX_DOCUMENTS:
            raise InvalidInput("error.out_of_range", field="--documents", low=1,
                               high=MAX_DOCUMENTS)
    first = last = None
    if period_from is not None or period_to is not None:
        first, last = day_range(desk, period_from, period_to)
    with desk.db.atomic():
        held = current_units(owner.id)
        for unit in wanted:
            if unit not in held:
                raise Conflict("error.fitout_unit", unit=unit, tenant=owner.name,
                               units=", ".join(held) or "—")
        fitout = Fitout.create(tenant=owner, scope=scope, units=";".join(wanted or held),
                               period_from=first, period_to=last, state="collecting",
                               applied_at=desk.clock.now(), applied_by=desk.user)
        for position, name in enumerate(names):
            FitoutDocument.create(fitout=fitout, name=name, position=position)
        desk.audit("fitout.apply", "fitout", fitout.id, tenant=owner.name, scope=scope,
                   units=fitout.units, documents=names,
                   period=[first.isoformat(), last.isoformat()] if first else None)
    return fitout


def receive_document(desk: Desk, fitout_id: int, name: str, *,
                     at: DateTime | None = None) -> Fitout:
    """Tick off a document. The last one makes the documents complete at ``at``
    (default now), and the approval clock starts then: the ``fitout_approval`` ticket
    is opened at that moment, with the application's scope."""
    desk.require("fitout.apply")
    name = validate.text(name, "--received", limit=MAX_DOCUMENT, required=True)
    moment = happened_at(desk, at)
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "docs", ("collecting",))
        documents = documents_of(fitout)
        match = next((d for d in documents if _matches(d.name, name)), None)
        if match is None:
            raise InvalidInput("error.fitout_unknown_document", name=name,
                               needed=", ".join(document_label(d.name) for d in documents))
        if match.received_at is not None:
            raise Conflict("error.fitout_document_twice", name=document_label(match.name),
                           who=match.received_by)
        if moment < fitout.applied_at:
            raise InvalidInput("error.fitout_before_applied")
        match.received_at, match.received_by = moment, desk.user
        match.save()
        detail = {"document": match.name, "at": moment.isoformat()}
        if all(d.received_at is not None for d in documents):
            ticket = open_ticket(desk, NewTicket(
                service="fitout_approval", tenant=fitout.tenant.name, scope=fitout.scope,
                location=_location(fitout), at=moment))
            fitout.documents_complete_at = moment
            fitout.approval_ticket = ticket.id
            fitout.state = "reviewing"
            detail["ticket"] = ticket.id
        _save(desk, fitout, "document", **detail)
    return fitout


def _location(fitout: Fitout) -> str:
    return fitout.units.split(";")[0] if fitout.units else ""


# --- the decision, the deposit, the workers -------------------------------------------

def approve(desk: Desk, fitout_id: int, reason: str | None = None) -> Fitout:
    """Approve (``reason``: its conditions, if any): the approval ticket is done."""
    return _decide(desk, fitout_id, "approved", reason)


def refuse(desk: Desk, fitout_id: int, reason: str) -> Fitout:
    """Refuse, saying why (required): the approval ticket is done, the tenant told."""
    return _decide(desk, fitout_id, "refused", reason)


def _decide(desk: Desk, fitout_id: int, outcome: str, reason: str | None) -> Fitout:
    desk.require("fitout.approve")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True,
                           required=outcome == "refused")
    action = "approve" if outcome == "approved" else "refuse"
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, action, ("reviewing",))
        if fitout.approval_ticket_id is not None:
            finish(desk, fitout.approval_ticket_id)
        fitout.state = outcome
        fitout.decided_at, fitout.decided_by = desk.clock.now(), desk.user
        fitout.decision_reason = reason
        _save(desk, fitout, action, reason=reason)
    return fitout


def take_deposit(desk: Desk, fitout_id: int, amount_fen: int) -> Fitout:
    """The fit-out deposit, once, after approval (whole fen, more than nothing)."""
    desk.require("fitout.deposit")
    amount_fen = validate.fen(amount_fen, "--amount")
    if amount_fen == 0:
        raise InvalidInput("error.fitout_deposit_zero")
    if amount_fen > MAX_DEPOSIT_FEN:
        raise InvalidInput("error.fitout_deposit_cap", most=format_yuan(MAX_DEPOSIT_FEN))
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "deposit", ("approved",))
        if fitout.deposit_fen is not None:
            raise Conflict("error.fitout_deposit_twice", id=fitout.id,
                           amount=format_yuan(fitout.deposit_fen), who=fitout.deposit_by)
        fitout.deposit_fen = amount_fen
        fitout.deposit_at, fitout.deposit_by = desk.clock.now(), desk.user
        _save(desk, fitout, "deposit", amount=format_yuan(amount_fen))
    return fitout


# workers come while the work, and any rectification, goes on
WORKING_STATES = ("approved", "inspection_booked", "rectifying")


def issue_worker_passes(desk: Desk, fitout_id: int, names: list[str], valid_from=None,
                        valid_to=None):
    """Fit-out workers' passes, over the fit-out period (or the days given), once the
    fit-out is approved and its deposit taken."""
    desk.require("pass.issue")
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "workers", WORKING_STATES)
        if fitout.deposit_fen is None:
            raise Conflict("error.fitout_no_deposit", id=fitout.id)
        start = valid_from if valid_from is not None else fitout.period_from
        end = valid_to if valid_to is not None else fitout.period_to
        if start is None or end is None:
            raise InvalidInput("error.fitout_no_period", id=fitout.id)
        made = issue_passes(desk, fitout.tenant.name, "fitout_worker", names, start, end,
                            fitout_id=fitout.id)
        _save(desk, fitout, "workers", passes=[p.id for p in made])
    return made


# --- acceptance -----------------------------------------------------------------------

def book_acceptance(desk: Desk, fitout_id: int, agreed_at: DateTime) -> FitoutInspection:
    """Book the acceptance inspection (or, after a rectification notice, the
    re-inspection: at or after the notice's deadline) at the time agreed with the
    tenant: a ``fitout_acceptance`` ticket due then. Booking again while one is booked
    moves it: the earlier ticket is cancelled with the new time as its reason."""
    desk.require("fitout.apply")
    if agreed_at is None:
        raise InvalidInput("error.required", field="--at")
    tz = desk.profile().timezone
    validate.in_window(agreed_at, desk.clock.now(), "agreed", "--at", tz)
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "accept",
                             ("approved", "rectifying", "inspection_booked"))
        if fitout.deposit_fen is None:
            raise Conflict("error.fitout_no_deposit", id=fitout.id)
        earlier = inspections_of(fitout)
        notices = [i for i in earlier if i.outcome == "rectify"]
        if notices and local_day(desk, agreed_at) < notices[-1].deadline:
            raise Conflict("error.fitout_reinspect_early", id=fitout.id,
                           deadline=notices[-1].deadline.isoformat())
        if fitout.state == "inspection_booked":  # the tenant asked for another time
            moved = earlier[-1]
            if moved.ticket_id is not None:
                step(desk, moved.ticket_id, "cancel", reason=t(
                    "fitout.moved_reason", at=agreed_at.in_tz(tz).format("YYYY-MM-DD HH:mm")))
            moved.outcome = "moved"
            moved.save()
        ticket = open_ticket(desk, NewTicket(service="fitout_acceptance",
                                             tenant=fitout.tenant.name,
                                             location=_location(fitout), agreed_at=agreed_at))
        booking = FitoutInspection.create(fitout=fitout, ticket=ticket.id,
                                          agreed_at=agreed_at, booked_at=desk.clock.now(),
                                          booked_by=desk.user)
        fitout.state = "inspection_booked"
        _save(desk, fitout, "accept", agreed_at=agreed_at.isoformat(), ticket=ticket.id,
              inspection=booking.id)
    return booking


def inspect(desk: Desk, fitout_id: int, *, passed: bool, items: str | None = None,
            deadline: str | dt.date | None = None) -> FitoutInspection:
    """The inspection's outcome, at or after the agreed time: the passed report, or a
    rectification notice (what to put right, by which day). Either way the booked
    ticket is done; passing opens the refund hand-over's 3-working-day ticket."""
    desk.require("fitout.inspect")
    if passed and (items or deadline):
        raise InvalidInput("error.fitout_pass_or_rectify")
    if not passed:
        items = validate.text(items, "--rectify", limit=MAX_ITEMS, free=True, required=True)
        due = plain_day(desk, deadline, "--by")
        if due <= today(desk):
            raise InvalidInput("error.fitout_deadline_past", day=due.isoformat())
    now = desk.clock.now()
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "inspect", ("inspection_booked",))
        booking = inspections_of(fitout)[-1]
        if now < booking.agreed_at:
            raise Conflict("error.fitout_inspect_early", id=fitout.id,
                           at=iso(booking.agreed_at, desk.profile().timezone))
        if booking.ticket_id is not None:
            finish(desk, booking.ticket_id)
        booking.inspected_at, booking.inspected_by = now, desk.user
        detail: dict = {"inspection": booking.id}
        if passed:
            booking.outcome = "passed"
            refund = open_ticket(desk, NewTicket(
                service="fitout_acceptance", tenant=fitout.tenant.name,
                location=_location(fitout), note=t("fitout.refund_note", id=fitout.id)))
            fitout.state, fitout.passed_at, fitout.refund_ticket = "passed", now, refund.id
            detail["refund_ticket"] = refund.id
        else:
            booking.outcome, booking.items, booking.deadline = "rectify", items, due
            fitout.state = "rectifying"
            detail.update(items=items, deadline=due.isoformat())
        booking.save()
        _save(desk, fitout, "inspect", outcome=booking.outcome, **detail)
    return booking


def hand_refund(desk: Desk, fitout_id: int) -> Fitout:
    """The passed report and the deposit refund handed to finance: meets (resolves and
    answers) the 3-working-day ticket opened when the inspection passed."""
    desk.require("fitout.refund")
    with desk.db.atomic():
        fitout = _for_change(desk, fitout_id, "refund", ("passed",))
        if fitout.refund_ticket_id is not None:
            finish(desk, fitout.refund_ticket_id)
        fitout.state = "refunded"
        fitout.refund_handed_at, fitout.refund_handed_by = desk.clock.now(), desk.user
        _save(desk, fitout, "refund", amount=format_yuan(fitout.deposit_fen or 0))
    return fitout


# --- JSON -----------------------------------------------------------------------------

def fitout_json(desk: Desk, fitout: Fitout) -> dict:
    tz = desk.profile().timezone
    money = (lambda fen: None if fen is None else format_yuan(fen))

    def day(value):
        return None if value is None else value.isoformat()

    return {
        "id": fitout.id, "tenant": fitout.tenant.name, "scope": fitout.scope,
        "units": [u for u in fitout.units.split(";") if u], "state": fitout.state,
        "period_from": day(fitout.period_from), "period_to": day(fitout.period_to),
        "applied_at": iso(fitout.applied_at, tz), "applied_by": fitout.applied_by,
        "documents": [{"name": d.name, "label": document_label(d.name),
                       "received_at": iso(d.received_at, tz)} for d in documents_of(fitout)],
        "documents_complete_at": iso(fitout.documents_complete_at, tz),
        "approval_ticket": fitout.approval_ticket_id,
        "decided_at": iso(fitout.decided_at, tz), "decided_by": fitout.decided_by,
        "reason": fitout.decision_reason,
        "deposit": money(fitout.deposit_fen), "deposit_at": iso(fitout.deposit_at, tz),
        "inspections": [{"id": i.id, "agreed_at": iso(i.agreed_at, tz), "ticket": i.ticket_id,
                         "outcome": i.outcome or None,
                         "inspected_at": iso(i.inspected_at, tz), "items": i.items,
                         "deadline": day(i.deadline)} for i in inspections_of(fitout)],
        "passed_at": iso(fitout.passed_at, tz), "refund_ticket": fitout.refund_ticket_id,
        "refund_handed_at": iso(fitout.refund_handed_at, tz),
        "refund": money(fitout.deposit_fen) if fitout.refund_handed_at else None,
    }


__all__ = ["DEFAULT_DOCUMENTS", "FITOUT_STATES", "apply", "approve", "book_acceptance",
           "find_fitout", "fitout_json", "hand_refund", "inspect", "issue_worker_passes",
           "list_fitouts", "receive_document", "refuse", "take_deposit"]
