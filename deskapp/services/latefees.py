"""Late fees (滞纳金, R-7.4): what an overdue notice has accrued through a day.

The rule, stated once:

- a fee accrues from ``balances.fees_from(notice, grace)``: the day after the notice's
  (deferred) due date and the grace period (``late_fee_grace_days``, default 5 calendar
  days — the days a bank transfer takes over a weekend, and what a reminder letter can
  announce ahead);
- on each day d the overdue principal is what was still owed at the end of d − 1
  (``balances.outstanding_fen``: payments received and waivers approved by then),
  capped at the notice's rent + electricity: fees accrue on rent and electricity only
  (R-7.4), never on services or on earlier late fees — a part payment pays those first;
- the total is ``money.multiply`` over the SUM of the daily principals × rate / 10,000,
  one rounding, to the fen half up: the same days give the same fen however often or
  late it is computed;
- it never exceeds ``late_fee_cap_percent`` of that rent + electricity.

Defaults: 5 per 10,000 a day (0.05 %/day, the rate the PRC Tax Collection
Administration Law charges on late tax and the one property-management contracts in
China commonly write), 5 days' grace, a cap of 30 % (PRC courts generally reduce a
contractual penalty above 30 % of the loss as excessive). All three are settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from ..models import Adjustment, Allocation, Notice, NoticeLine, Payment
from ..money import multiply
from . import balances
from .common import local_day
from .context import Desk

# the lines a late fee accrues on
FEE_BEARING = ("rent", "electricity")


@dataclass
class Known:
    """What a billing run read once for many notices (their rent + electricity, the
    days their balance moved, the fees already billed on them), so each notice's fee
    costs the balance look-ups only."""

    base: dict[int, int] = field(default_factory=dict)
    changes: dict[int, set[dt.date]] = field(default_factory=dict)
    billed: dict[int, tuple[int, dt.date | None]] = field(default_factory=dict)


def known(notice_ids: list[int], tz: str) -> Known:
    """``Known`` for these notices, in four queries (batched by 500 ids)."""
    facts = Known()
    for start in range(0, len(notice_ids), 500):
        ids = notice_ids[start:start + 500]
        facts.base.update(NoticeLine.select(NoticeLine.notice, fn.SUM(NoticeLine.amount_fen))
                          .where(NoticeLine.notice.in_(ids), NoticeLine.kind.in_(FEE_BEARING))
                          .group_by(NoticeLine.notice).tuples())
        for notice_id, day in (Allocation.select(Allocation.notice, Payment.received_on)
                               .join(Payment).where(Allocation.notice.in_(ids)).tuples()):
            facts.changes.setdefault(notice_id, set()).add(day)
        for notice_id, decided in (Adjustment.select(Adjustment.notice, Adjustment.decided_at)
                                   .where(Adjustment.notice.in_(ids),
                                          Adjustment.kind == "waiver",
                                          Adjustment.state == "approved").tuples()):
            facts.changes.setdefault(notice_id, set()).add(local_day(decided, tz))
        for notice_id, total, through in (
                NoticeLine.select(NoticeLine.late_notice, fn.SUM(NoticeLine.amount_fen),
                                  fn.MAX(NoticeLine.late_through))
                .where(NoticeLine.late_notice.in_(ids)).group_by(NoticeLine.late_notice)
                .tuples()):
            facts.billed[notice_id] = (int(total), _day(through))
    return facts


def fee_base_fen(notice: Notice) -> int:
    """The notice's rent + electricity: the most a day's principal can be."""
    return int(NoticeLine.select(fn.COALESCE(fn.SUM(NoticeLine.amount_fen), 0))
               .where(NoticeLine.notice == notice.id, NoticeLine.kind.in_(FEE_BEARING))
               .scalar())


def terms(desk: Desk) -> tuple[int, int, int]:
    """(grace days, rate per 10,000 a day, cap percent) from the building's settings."""
    profile = desk.profile()
    return (int(profile["late_fee_grace_days"]), int(profile["late_fee_per_10000_daily"]),
            int(profile["late_fee_cap_percent"]))


def _change_days(notice: Notice, tz: str) -> set[dt.date]:
    """The days the notice's outstanding can move: a payment allocated to it arrived, a
    waiver of it was approved. Between them it stays the same."""
    days = {day for (day,) in Payment.select(Payment.received_on).join(Allocation)
            .where(Allocation.notice == notice.id).tuples()}
    days |= {local_day(row.decided_at, tz) for row in balances.approved(notice.id, "waiver")}
    return days


def accrued_fen(desk: Desk, notice: Notice, through: dt.date, facts: Known | None = None,
                start: dt.date | None = None) -> int:
    """The whole late fee the notice has accrued from its first fee day through
    ``through`` (inclusive), by the module's rule. A run passes what it read for many
    notices at once (``facts``, from ``known``) and the first fee day it already has
    (``start``); without them the notice's own rows are read."""
    grace, rate, cap_percent = terms(desk)
    base = facts.base.get(notice.id, 0) if facts is not None else fee_base_fen(notice)
    if base <= 0 or rate <= 0:
        return 0
    start = start or balances.fees_from(notice, grace)
    if through < start:
        return 0
    tz = desk.profile().timezone
    changes = (facts.changes.get(notice.id, set()) if facts is not None
               else _change_days(notice, tz))
    # the "previous days" whose end-of-day balance sets a day's principal: start − 1 to
    # through − 1, cut where the balance can change
    first, last = start - dt.timedelta(days=1), through - dt.timedelta(days=1)
    cuts = sorted({first} | {d for d in changes if first < d <= last})
    principal_days = 0
    for index, cut in enumerate(cuts):
        until = cuts[index + 1] - dt.timedelta(days=1) if index + 1 < len(cuts) else last
        owed = min(balances.outstanding_fen(notice, tz, cut), base)
        principal_days += owed * ((until - cut).days + 1)
    fee = multiply(principal_days, Decimal(rate) / 10000)
    return min(fee, multiply(base, Decimal(cap_percent) / 100))


def billed(notice: Notice) -> tuple[int, dt.date | None]:
    """What later notices already billed as late fee on ``notice``, and through when."""
    total, through = (NoticeLine.select(fn.COALESCE(fn.SUM(NoticeLine.amount_fen), 0),
                                        fn.MAX(NoticeLine.late_through))
                      .where(NoticeLine.late_notice == notice.id).tuples().first())
    return int(total), _day(through)


def _day(value) -> dt.date | None:
    # SQLite hands an aggregate's date back as text
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def may_accrue(before_month: str):
    """The notices of months before ``before_month`` a run must look at, chosen in SQL
    so two years of 2,000 tenants' history is not read notice by notice: those still
    owing (waivers aside: the fee sees them), and those paid after their due date later
    than the last day a fee on them was billed (their last days may be unbilled). A
    notice settled on time or billed through its settlement accrues nothing new."""
    allocated = (Allocation.select(fn.COALESCE(fn.SUM(Allocation.amount_fen), 0))
                 .where(Allocation.notice == Notice.id))
    late = NoticeLine.alias()
    billed_through = late.select(fn.MAX(late.late_through)).where(late.late_notice == Notice.id)
    paid_late = (Allocation.select(Allocation.id).join(Payment)
                 .where(Allocation.notice == Notice.id, Payment.received_on > Notice.due_date,
                        Payment.received_on > fn.COALESCE(billed_through, Notice.due_date)))
    return Notice.select().where(Notice.month < before_month,
                                 (Notice.total_fen > allocated) | fn.EXISTS(paid_late))


def paid_in_time(notices: list[Notice], grace: int) -> set[int]:
    """Of these notices, those payments received by the printed due date + grace paid
    in full: no fee accrues on them (a deferral only moves that day later)."""
    paid: dict[int, int] = {}
    by_id = {notice.id: notice for notice in notices}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        for notice_id, amount, received_on in (
                Allocation.select(Allocation.notice, Allocation.amount_fen, Payment.received_on)
                .join(Payment).where(Allocation.notice.in_(ids[start:start + 500])).tuples()):
            if received_on <= by_id[notice_id].due_date + dt.timedelta(days=grace):
                paid[notice_id] = paid.get(notice_id, 0) + amount
    return {n for n, fen in paid.items() if fen >= by_id[n].total_fen}


__all__ = ["FEE_BEARING", "Known", "accrued_fen", "billed", "fee_base_fen", "known",
           "may_accrue", "paid_in_time", "terms"]
