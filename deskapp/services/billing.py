"""Payment notices (缴费通知书, R-7.2, R-7.5, SPEC §7 and §9): ``billing run`` and the
first period at move-in.

Rules stated once here:

- who: every tenant active or moving out, and a tenant gone whose lease ended in M or
  M − 1 (its last days, last meter reading, last services and fees still to bill);
  one with nothing to bill is skipped, not given an empty notice;
- once: one notice per tenant and month (a unique index); running the month again
  issues nothing and reports those tenants as "already". Runs are serialised (SQLite's
  IMMEDIATE write transaction; on PostgreSQL an advisory lock), so two sessions
  running it at once never both issue;
- month M's notice carries M's rent; the electricity consumed in M − 1 (SPEC §9,
  ``electricity.uses_by_tenant``) at the price-list item ``electricity`` in force on
  M − 1's last day; every monthly-account ledger line of M or before not yet on a
  notice (a reversal is a negative line; ``parking_*`` items are parking, the rest
  services); and the late fee each earlier notice accrued through M − 1's last day
  less what notices already billed on it (``latefees``), so running M late or twice
  bills the same fen;
- rent for a lease that starts or ends inside M: the days held ÷ the days of M × the
  monthly rent, rounded once to the fen half up (``money.prorate``): 23,800.00 a
  month from 15 December is 17/31 → 13,051.61. A month outside the lease has no rent;
- due on the tenant's ``due_day`` of M (clamped to the month's length);
- a tenant whose M − 1 electricity rests on a flagged reading is held — no notice —
  until engineering confirms the reading and the month is run again;
- M can be run once it has begun (M − 1's readings and fees are then complete);
- the first period (R-7.2) is issued when the move-in completes (``issue_first``): the
  lease-start month, prorated, due that day; M − 1's electricity and fees are on it
  only if M has begun (otherwise the meter's baseline was only just taken);
- a line's description is written in the language of the session that issues it: a
  notice is a document and reads the same later;
- after each notice the tenant's unallocated payment money (credit) pays its open
  notices, oldest first (``payments.apply_credit``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError, fn

from ..db import is_sqlite
from ..i18n import t
from ..models import Allocation, Charge, Notice, NoticeLine, Payment, PriceItem, Tenant
from ..models.base import to_micros
from ..money import format_yuan, prorate
from . import balances, latefees, numbering, payments, validate
from .audit import append_many
from .charges import line_amount, month_key, quantity_text
from .closing import refuse_if_closed
from .context import Desk
from .electricity import first_day, last_day, previous_month, uses_by_tenant
from .errors import Conflict, InvalidInput
from .movein import format_reading
from .prices import item_name, price_on
from .tenants import today as building_today

BILLED_STATUSES = ("active", "moving_out")
ONE = 1000  # a quantity of one, in thousandths
BATCH = 500  # rows an insert carries
# the advisory lock a billing run holds on PostgreSQL until its transaction ends
_RUN_LOCK = 0x62696C6C  # "bill"


@dataclass
class Line:
    kind: str
    description: str
    quantity_milli: int
    unit_price_fen: int
    amount_fen: int
    charge_id: int | None = None
    late_notice_id: int | None = None
    late_from: dt.date | None = None
    late_through: dt.date | None = None


@dataclass
class Draft:
    """A tenant's notice before it is issued: its lines, or the meters holding it."""

    tenant: Tenant
    lines: list[Line] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


# --- running a month --------------------------------------------------------------------

def run_month(desk: Desk, month: str) -> dict:
    """Issue month ``month``'s notices (see the module's rules); returns the summary:
    month, issued, already, held, skipped (counts), total_fen, numbers issued, and the
    held tenants with their flagged meters."""
    desk.require("billing.run")
    month = month_key(month)
    today = building_today(desk)
    if first_day(month) > today:
        raise InvalidInput("error.billing_month_ahead", month=month, today=today.isoformat())
    try:
        with desk.db.atomic():
            refuse_if_closed(month, desk)
            _lock(desk)
            return _run(desk, month)
    except IntegrityError:  # a notice issued meanwhile past the lock: run it again
        raise Conflict("error.billing_meanwhile", month=month) from None


def _run(desk: Desk, month: str) -> dict:
    window = first_day(previous_month(month))
    candidates = list(Tenant.select().where(
        Tenant.status.in_(BILLED_STATUSES)
        | ((Tenant.status == "gone") & (Tenant.lease_end >= window)
           & (Tenant.lease_end <= last_day(month)))).order_by(Tenant.name))
    already = {tid for (tid,) in Notice.select(Notice.tenant)
               .where(Notice.month == month).tuples()}
    todo = [tenant for tenant in candidates if tenant.id not in already]
    drafts = _drafts(desk, month, todo, with_previous=True)
    summary = {"month": month, "issued": 0, "already": len(already), "held": 0, "skipped": 0,
               "total_fen": 0, "numbers": [], "held_tenants": []}
    ready = []
    for draft in drafts:
        if draft.held:
            summary["held"] += 1
            summary["held_tenants"].append({"tenant": draft.tenant.name, "meters": draft.held})
        elif not draft.lines:
            summary["skipped"] += 1
        else:
            ready.append((draft, _due_date(draft.tenant, month)))
    entries: list[tuple[str, str, object, dict]] = []
    issued = _issue(desk, month, ready, entries)
    summary["issued"] = len(issued)
    summary["total_fen"] = sum(draft.total_fen for draft, _ in ready)
    summary["numbers"] = [number for number, _ in issued]
    if issued:
        entries.append(("billing.run", "month", month,
                        {k: summary[k] for k in ("issued", "already", "held", "skipped",
                                                 "total_fen")}))
    append_many(desk.db, desk.clock.now(), desk.user, entries)
    in_credit = _tenants_in_credit()
    for draft, _ in ready:
        if draft.tenant.id in in_credit:
            payments.credit_new_notice(desk, draft.tenant.id)
    return summary


def issue_first(desk: Desk, tenant_id: int) -> Notice | None:
    """The first period (R-7.2), issued as the move-in completes: the lease-start
    month's notice, rent prorated to the days held, due at once (today). None when the
    tenant has no lease start, that month's notice exists already, or there is nothing
    to bill. Customer service completes move-ins, so its role may issue this one."""
    if not desk.allowed("move.edit"):
        desk.require("billing.run")
    tenant_id = validate.record_id(tenant_id, "tenant")
    today = building_today(desk)
    with desk.db.atomic():
        _lock(desk)
        tenant = Tenant.get_or_none(Tenant.id == tenant_id)
        if tenant is None:
            raise InvalidInput("error.no_tenant_id", id=tenant_id)
        if tenant.lease_start is None:
            return None
        month = tenant.lease_start.strftime("%Y-%m")
        if Notice.select().where(Notice.tenant == tenant.id, Notice.month == month).exists():
            return None
        refuse_if_closed(month, desk)
        [draft] = _drafts(desk, month, [tenant], with_previous=first_day(month) <= today)
        if draft.held or not draft.lines:
            return None
        entries: list[tuple[str, str, object, dict]] = []
        [(_, notice_id)] = _issue(desk, month, [(draft, today)], entries, first=True)
        append_many(desk.db, desk.clock.now(), desk.user, entries)
        payments.credit_new_notice(desk, tenant.id)
        notice = Notice.get_by_id(notice_id)
    return notice


def _lock(desk: Desk) -> None:
    if not is_sqlite(desk.db):
        desk.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_RUN_LOCK,))


def _issue(desk: Desk, month: str, ready: list[tuple[Draft, dt.date]], entries: list,
           first: bool = False) -> list[tuple[str, int]]:
    """Number and insert the notices and their lines, in batches (2,000 notices are a
    few dozen statements, not 4,000); their audit rows go to ``entries``. Returns
    (number, id) of each, in order."""
    if not ready:
        return []
    for draft, _ in ready:
        if abs(draft.total_fen) > validate.MAX_FEN:
            raise InvalidInput("error.too_much_money", field=draft.tenant.name)
    numbers = numbering.next_numbers(desk, month, len(ready))
    issued_at = to_micros(desk.clock.now())
    # rows as tuples with their fields named once: peewee builds a dict row's SQL
    # field by field, which was most of a 2,000-notice run
    rows = [(number, draft.tenant.id, month, due, draft.total_fen, issued_at, desk.user)
            for number, (draft, due) in zip(numbers, ready)]
    _insert(Notice, rows, [Notice.number, Notice.tenant, Notice.month, Notice.due_date,
                           Notice.total_fen, Notice.issued_at, Notice.issued_by])
    ids = dict(Notice.select(Notice.number, Notice.id).where(Notice.month == month).tuples())
    lines = [(ids[number], position, line.kind, line.description, line.quantity_milli,
              line.unit_price_fen, line.amount_fen, line.charge_id, line.late_notice_id,
              line.late_from, line.late_through)
             for number, (draft, _) in zip(numbers, ready)
             for position, line in enumerate(draft.lines, start=1)]
    _insert(NoticeLine, lines, [
        NoticeLine.notice, NoticeLine.position, NoticeLine.kind, NoticeLine.description,
        NoticeLine.quantity_milli, NoticeLine.unit_price_fen, NoticeLine.amount_fen,
        NoticeLine.charge, NoticeLine.late_notice, NoticeLine.late_from,
        NoticeLine.late_through])
    for number, (draft, due) in zip(numbers, ready):
        entries.append(("notice.issue", "notice", ids[number],
                        {"number": number, "tenant": draft.tenant.name, "month": month,
                         "due_date": due.isoformat(), "total_fen": draft.total_fen,
                         "first": first, "lines": len(draft.lines)}))
    return [(number, ids[number]) for number in numbers]


def _insert(model, rows: list[tuple], fields: list) -> None:
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start:start + BATCH], fields=fields).execute()


def _due_date(tenant: Tenant, month: str) -> dt.date:
    last = last_day(month)
    return last.replace(day=min(max(tenant.due_day or 1, 1), last.day))


def _tenants_in_credit() -> set[int]:
    """Tenants whose payments are not all allocated yet (two queries for all)."""
    paid = dict(Payment.select(Payment.tenant, fn.SUM(Payment.amount_fen))
                .group_by(Payment.tenant).tuples())
    used = dict(Allocation.select(Payment.tenant, fn.SUM(Allocation.amount_fen)).join(Payment)
                .group_by(Payment.tenant).tuples())
    return {tid for tid, fen in paid.items() if int(fen) > int(used.get(tid) or 0)}


# --- what a notice carries ------------------------------------------------------------------

def _drafts(desk: Desk, month: str, tenants: list[Tenant], *,
            with_previous: bool) -> list[Draft]:
    """Each tenant's lines for ``month``, reading each table once for all of them."""
    drafts = {tenant.id: Draft(tenant) for tenant in tenants}
    if not drafts:
        return []
    for draft in drafts.values():
        line = rent_line(draft.tenant, month)
        if line is not None:
            draft.lines.append(line)
    if with_previous:
        _electricity(desk, month, drafts)
    for charge in _unbilled_charges(month, drafts):
        drafts[charge.tenant_id].lines.append(_charge_line(charge))
    if with_previous:
        _late_fees(desk, month, drafts)
    return list(drafts.values())


def rent_line(tenant: Tenant, month: str) -> Line | None:
    """M's rent for the days of M the lease holds (see the module's rules)."""
    start, end = first_day(month), last_day(month)
    held_from = max(start, tenant.lease_start) if tenant.lease_start else start
    held_to = min(end, tenant.lease_end) if tenant.lease_end else end
    if held_to < held_from or tenant.monthly_rent_fen <= 0:
        return None
    days, whole = (held_to - held_from).days + 1, end.day
    amount = prorate(tenant.monthly_rent_fen, days, whole)
    if days == whole:
        return Line("rent", t("billing.line_rent", month=month), ONE, amount, amount)
    return Line("rent", t("billing.line_rent_days", start=held_from.isoformat(),
                          end=held_to.isoformat(), days=days, whole=whole),
                ONE, amount, amount)


def _electricity(desk: Desk, month: str, drafts: dict[int, Draft]) -> None:
    used = previous_month(month)
    # a few tenants (the first period): ask for theirs; a run: read the month once
    ids = list(drafts) if len(drafts) <= 100 else None
    uses = uses_by_tenant(used, desk.profile().timezone, ids)
    tariff = None
    for tenant_id, rows in uses.items():
        draft = drafts.get(tenant_id)
        if draft is None:
            continue
        draft.held = [use.meter_code for use in rows if use.flagged]
        for use in rows:
            if use.kwh_hundredths == 0:
                continue
            if tariff is None:
                tariff = price_on("electricity", last_day(used))
            milli = use.kwh_hundredths * 10
            draft.lines.append(Line(
                "electricity", t("billing.line_electricity", meter=use.meter_code,
                                 start=format_reading(use.start_hundredths),
                                 end=format_reading(use.end_hundredths), month=used),
                milli, tariff, line_amount(tariff, milli)))


def _unbilled_charges(month: str, drafts: dict[int, Draft]) -> list[Charge]:
    """The monthly-account lines of ``month`` or before that no notice carries yet."""
    query = (Charge.select(Charge.id, Charge.tenant, Charge.description, Charge.quantity_milli,
                           Charge.unit_price_fen, Charge.amount_fen, Charge.service_date,
                           Charge.reverses, Charge.reason, PriceItem.code, PriceItem.name_zh,
                           PriceItem.name_en).join(PriceItem).switch(Charge)
             .join(NoticeLine, JOIN.LEFT_OUTER, on=(NoticeLine.charge == Charge.id))
             .where(Charge.settle == "monthly", Charge.month <= month, NoticeLine.id.is_null()))
    if len(drafts) <= 100:
        query = query.where(Charge.tenant.in_(list(drafts)))
    return [charge for charge in query.order_by(Charge.service_date, Charge.id)
            if charge.tenant_id in drafts]


def _charge_line(charge: Charge) -> Line:
    kind = "parking" if charge.item.code.startswith("parking_") else "service"
    words = [charge.service_date.isoformat(), item_name(charge.item)]
    if charge.description:
        words.append(charge.description)
    if charge.reverses_id is not None:
        words.append(t("billing.line_reversal", reason=charge.reason))
    return Line(kind, " ".join(words), charge.quantity_milli, charge.unit_price_fen,
                charge.amount_fen, charge_id=charge.id)


def _late_fees(desk: Desk, month: str, drafts: dict[int, Draft]) -> None:
    through = last_day(previous_month(month))
    grace = latefees.terms(desk)[0]
    earlier = [notice for notice in latefees.may_accrue(month)
               .order_by(Notice.due_date, Notice.number) if notice.tenant_id in drafts]
    settled = latefees.paid_in_time(earlier, grace)
    earlier = [notice for notice in earlier if notice.id not in settled]
    facts = latefees.known([notice.id for notice in earlier], desk.profile().timezone)
    for notice in earlier:
        billed, billed_through = facts.billed.get(notice.id, (0, None))
        if billed_through is not None and billed_through >= through:
            continue
        first = balances.fees_from(notice, grace)
        if first > through:
            continue
        fee = latefees.accrued_fen(desk, notice, through, facts, first) - billed
        if fee == 0:
            continue
        start = billed_through + dt.timedelta(days=1) if billed_through else first
        drafts[notice.tenant_id].lines.append(Line(
            "late_fee", t("billing.line_late_fee", number=notice.number,
                          start=start.isoformat(), end=through.isoformat()),
            ONE, fee, fee, late_notice_id=notice.id, late_from=start, late_through=through))


# --- reading ------------------------------------------------------------------------------

def notices(month: str | None = None, tenant_id: int | None = None) -> list[Notice]:
    """Issued notices, by number (the order issued within a month)."""
    query = Notice.select(Notice, Tenant).join(Tenant)
    if month is not None:
        query = query.where(Notice.month == month_key(month))
    if tenant_id is not None:
        query = query.where(Notice.tenant == validate.record_id(tenant_id, "tenant"))
    return list(query.order_by(Notice.month, Notice.number))


def lines_of(notice: Notice) -> list[NoticeLine]:
    return list(NoticeLine.select().where(NoticeLine.notice == notice.id)
                .order_by(NoticeLine.position))


def notice_json(desk: Desk, notice: Notice) -> dict:
    """A notice as SPEC §9 prints it: tenant, month, due_date (after an approved
    deferral; ``printed_due_date`` is the one issued), lines, total, paid, balance,
    plus number, issued_at, waived; money as strings with two decimals."""
    tz = desk.profile().timezone
    return {
        "number": notice.number, "tenant": notice.tenant.name, "month": notice.month,
        "due_date": balances.due_date(notice).isoformat(),
        "printed_due_date": notice.due_date.isoformat(),
        "issued_at": notice.issued_at.in_tz(tz).isoformat(),
        "lines": [{"kind": line.kind, "description": line.description,
                   "quantity": quantity_text(line.quantity_milli),
                   "unit_price": format_yuan(line.unit_price_fen),
                   "amount": format_yuan(line.amount_fen)} for line in lines_of(notice)],
        "total": format_yuan(notice.total_fen),
        "paid": format_yuan(balances.allocated_fen(notice.id)),
        "waived": format_yuan(balances.waived_fen(notice.id, tz)),
        "balance": format_yuan(balances.outstanding_fen(notice, tz)),
    }


def summary_json(summary: dict) -> dict:
    """The run's summary for ``--json``: counts, the total as yuan text."""
    document = {key: value for key, value in summary.items() if key != "total_fen"}
    document["total"] = format_yuan(summary["total_fen"])
    return document


__all__ = ["BILLED_STATUSES", "Draft", "Line", "issue_first", "lines_of", "notice_json",
           "notices", "rent_line", "run_month", "summary_json"]
