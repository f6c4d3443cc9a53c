"""Deferrals and waivers of a payment notice (R-7.3): asked by finance or the desk,
decided by the general manager, never by whoever asked (maker ≠ checker, R-8.2).

Rules stated once here:

- a waiver forgives part or all of what the notice still owes *now*
  (``balances.outstanding_fen``): more than 0, at most that; the GM's approval checks
  it again (a payment may have arrived meanwhile), and is money moving in the month it
  is given, so a closed month refuses it (``closing.refuse_if_closed(today)``);
- a deferral moves the day late fees count from: after the notice's current (deferred)
  due date (``balances.due_date``), and at most ``MAX_DEFERRAL_DAYS`` after the date
  printed on the notice. A longer delay is a change of the lease terms, for the
  contract, not a deferral;
- a reason always; a refusal needs the GM's note (the asker reads why);
- at most one pending request per notice and kind (a second is a Conflict: decide or
  withdraw the first);
- the asker may withdraw a pending request; nothing is deleted: every step is an
  audit row naming the notice, the amount or day, the asker and the decider.

What an approval does is read by ``balances`` and nowhere else: an approved waiver
lowers ``outstanding_fen`` from the building day it was decided, an approved deferral
is the ``due_date`` late fees run from.
"""

from __future__ import annotations

import datetime as dt

from ..models import ADJUSTMENT_KINDS, Adjustment, Notice, Tenant
from ..money import format_yuan
from . import balances, validate
from .closing import refuse_if_closed
from .common import local_day, locked
from .context import Desk
from .errors import Conflict, InvalidInput, NotAllowed

# a deferral of more than 90 days is a change of the lease's payment terms (the
# contract), not a favour the GM signs for one notice
MAX_DEFERRAL_DAYS = 90
MAX_REASON = 500
MAX_NOTICE_NUMBER = 40


def _today(desk: Desk) -> dt.date:
    return local_day(desk.clock.now(), desk.profile().timezone)


def notice_by_number(number: object, field: str = "--notice") -> Notice:
    """The notice printed with ``number`` (``2026-12-0001``)."""
    number = validate.text(number if isinstance(number, str) else None, field,
                           limit=MAX_NOTICE_NUMBER, required=True)
    notice = Notice.get_or_none(Notice.number == number)
    if notice is None:
        raise InvalidInput("error.approvals_no_notice", number=number)
    return notice


def ask(desk: Desk, *, kind: str, notice_id: object, amount_fen: int | None = None,
        defer_to: object = None, reason: str) -> Adjustment:
    """Ask the GM to waive ``amount_fen`` of a notice, or to move its due date to
    ``defer_to`` (a date or ``YYYY-MM-DD``); the request waits as pending."""
    desk.require("adjustment.ask")
    if kind not in ADJUSTMENT_KINDS:
        raise InvalidInput("error.approvals_bad_kind", value=str(kind),
                           kinds=", ".join(ADJUSTMENT_KINDS))
    notice_id = validate.record_id(notice_id, "notice")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True, required=True)
    if kind == "waiver":
        if defer_to is not None:
            raise InvalidInput("error.approvals_waiver_no_day")
        if amount_fen is None:
            raise InvalidInput("error.required", field="--amount")
        amount_fen = validate.fen(amount_fen, "--amount")
        if amount_fen == 0:
            raise InvalidInput("error.approvals_zero_waiver")
    else:
        if amount_fen is not None:
            raise InvalidInput("error.approvals_deferral_no_amount")
        defer_to = validate.day(defer_to, "--to", _today(desk), "lease", required=True)
    tz = desk.profile().timezone
    with desk.db.atomic():
        # the notice row locked: two clerks asking at once for the same notice queue
        notice = locked(desk, Notice.select().where(Notice.id == notice_id))
        if notice is None:
            raise InvalidInput("error.approvals_no_notice", number=str(notice_id))
        waiting = (Adjustment.select().where(Adjustment.notice == notice.id,
                                             Adjustment.kind == kind,
                                             Adjustment.state == "pending").first())
        if waiting is not None:
            raise Conflict("error.approvals_one_pending", number=notice.number,
                           kind=_kind(kind), id=waiting.id, asker=waiting.asked_by)
        owed = balances.outstanding_fen(notice, tz)
        if owed == 0:
            raise InvalidInput("error.approvals_nothing_owed", number=notice.number)
        if kind == "waiver":
            _check_waiver(notice, amount_fen, owed, InvalidInput)
        else:
            _check_deferral(notice, defer_to, InvalidInput)
        row = Adjustment.create(kind=kind, tenant=notice.tenant_id, notice=notice.id,
                                amount_fen=amount_fen, defer_to=defer_to, reason=reason,
                                state="pending", asked_at=desk.clock.now(),
                                asked_by=desk.user)
        desk.audit("adjustment.ask", "adjustment", row.id, **_detail(row, notice),
                   reason=reason)
    return row


def _check_waiver(notice: Notice, amount_fen: int, owed: int, error) -> None:
    if amount_fen > owed:
        raise error("error.approvals_waiver_above_owed", number=notice.number,
                    amount=format_yuan(amount_fen), owed=format_yuan(owed))


def _check_deferral(notice: Notice, defer_to: dt.date, error) -> None:
    current = balances.due_date(notice)
    latest = notice.due_date + dt.timedelta(days=MAX_DEFERRAL_DAYS)
    if defer_to <= current:
        raise error("error.approvals_deferral_not_later", number=notice.number,
                    day=defer_to.isoformat(), due=current.isoformat())
    if defer_to > latest:
        raise error("error.approvals_deferral_too_long", number=notice.number,
                    day=defer_to.isoformat(), printed=notice.due_date.isoformat(),
                    latest=latest.isoformat(), days=MAX_DEFERRAL_DAYS)


def decide(desk: Desk, adjustment_id: object, *, approve: bool, note: str = "") -> Adjustment:
    """The GM approves or refuses a pending request (a refusal says why in ``note``)."""
    desk.require("adjustment.decide")
    adjustment_id = validate.record_id(adjustment_id, "approval")
    note = validate.text(note, "--note", limit=MAX_REASON, free=True)
    if not approve and not note:
        raise InvalidInput("error.approvals_refusal_needs_note")
    tz = desk.profile().timezone
    with desk.db.atomic():
        row = _pending_row(desk, adjustment_id)
        if row.asked_by == desk.user:  # maker ≠ checker, a GM's own request included
            raise NotAllowed("error.approvals_own_request", id=row.id, asker=row.asked_by)
        _require_pending(row)
        notice = locked(desk, Notice.select().where(Notice.id == row.notice_id))
        if approve and row.kind == "waiver":
            refuse_if_closed(_today(desk), desk)
            _check_waiver(notice, row.amount_fen, balances.outstanding_fen(notice, tz),
                          Conflict)
        elif approve:
            _check_deferral(notice, row.defer_to, Conflict)
        row.state = "approved" if approve else "refused"
        row.decided_at = desk.clock.now()
        row.decided_by = desk.user
        row.decision_note = note
        row.save()
        desk.audit("adjustment.approve" if approve else "adjustment.refuse", "adjustment",
                   row.id, **_detail(row, notice), decided_by=desk.user, note=note)
    return row


def withdraw(desk: Desk, adjustment_id: object) -> Adjustment:
    """The asker takes back a request still pending."""
    desk.require("adjustment.ask")
    adjustment_id = validate.record_id(adjustment_id, "approval")
    with desk.db.atomic():
        row = _pending_row(desk, adjustment_id)
        if row.asked_by != desk.user:
            raise NotAllowed("error.approvals_not_yours", id=row.id, asker=row.asked_by)
        _require_pending(row)
        row.state = "withdrawn"
        row.decided_at = desk.clock.now()  # when it stopped waiting
        row.decided_by = desk.user
        row.save()
        desk.audit("adjustment.withdraw", "adjustment", row.id,
                   **_detail(row, Notice.get_by_id(row.notice_id)))
    return row


def _pending_row(desk: Desk, adjustment_id: int) -> Adjustment:
    row = locked(desk, Adjustment.select().where(Adjustment.id == adjustment_id))
    if row is None:
        raise InvalidInput("error.approvals_unknown", id=adjustment_id)
    return row


def _require_pending(row: Adjustment) -> None:
    if row.state != "pending":
        raise Conflict("error.approvals_not_pending", id=row.id,
                       now=_state(row.state), by=row.decided_by or "")


def _detail(row: Adjustment, notice: Notice) -> dict:
    return {"kind": row.kind, "notice": notice.number, "amount_fen": row.amount_fen,
            "defer_to": row.defer_to.isoformat() if row.defer_to else None,
            "asked_by": row.asked_by}


def _kind(kind: str) -> str:
    from ..i18n import t

    return t(f"approvals.kind.{kind}")


def _state(state: str) -> str:
    from ..i18n import t

    return t(f"approvals.state.{state}")


# --- reading --------------------------------------------------------------------------------

def _listed(query) -> list[Adjustment]:
    return list(query.join(Notice).switch(Adjustment).join(Tenant)
                .order_by(Adjustment.asked_at, Adjustment.id))


def pending() -> list[Adjustment]:
    """Requests waiting for the GM, oldest first (with their notice and tenant)."""
    return _listed(Adjustment.select(Adjustment, Notice, Tenant)
                   .where(Adjustment.state == "pending"))


def all_requests() -> list[Adjustment]:
    """Every request ever made, oldest first."""
    return _listed(Adjustment.select(Adjustment, Notice, Tenant))


def history(notice_id: object) -> list[Adjustment]:
    """A notice's requests and what became of them, oldest first."""
    notice_id = validate.record_id(notice_id, "notice")
    return _listed(Adjustment.select(Adjustment, Notice, Tenant)
                   .where(Adjustment.notice == notice_id))


def adjustment_json(desk: Desk, row: Adjustment) -> dict:
    """A request as the commands print it: money as strings with two decimals."""
    tz = desk.profile().timezone
    notice = row.notice
    return {"id": row.id, "kind": row.kind, "notice": notice.number,
            "tenant": row.tenant.name, "month": notice.month,
            "amount": None if row.amount_fen is None else format_yuan(row.amount_fen),
            "defer_to": row.defer_to.isoformat() if row.defer_to else None,
            "printed_due_date": notice.due_date.isoformat(),
            "reason": row.reason, "state": row.state,
            "asked_at": row.asked_at.in_tz(tz).isoformat(), "asked_by": row.asked_by,
            "decided_at": row.decided_at.in_tz(tz).isoformat() if row.decided_at else None,
            "decided_by": row.decided_by, "note": row.decision_note}


__all__ = ["MAX_DEFERRAL_DAYS", "adjustment_json", "all_requests", "ask", "decide",
           "history", "notice_by_number", "pending", "withdraw"]
