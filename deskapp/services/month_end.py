"""Month-end (R-7.8): the figures of one month, reconciled, and the close that stops
anything more being posted into it.

The figures of month M (all int fen):

- billed: the lines of M's notices (``Notice.month == M``), by kind;
- paid at once at the desk: ledger lines settled on the spot (``Charge.settle ==
  "paid"``) whose account month is M, by price-list item (not on any notice: they are
  never owed, so they are outside the balances);
- collected: payments received (``Payment.received_on``) in M, by method;
- waived: the GM's waivers approved in M (the building day of ``decided_at``);
- opening: what all tenants owed at the end of M−1, from the ledger: billed through
  M−1 − collected through M−1 − waived through M−1; closing = opening + billed −
  collected − waived;
- closing_by_tenant: the same figure counted the other way, notice by notice, by the
  balances rule (``balances.outstanding_fen``: total − payments allocated − waivers,
  as they stood at the end of M) less the tenants' credit (payments not yet allocated
  to a notice of M or before) and less waivers approved in M or before on a later
  month's notice. ``reconciles`` says the two agree; a month that does not is never
  closed;
- arrears at the month's last day (today, for a month not yet ended): what notices
  still owe by days past their due date after the deferrals approved by then
  (``balances.due_date``'s rule): not yet due, 1–30, 31–60, 61–90, over 90 (a notice is
  overdue the day after its due date, as ``balances.overdue_fen`` counts);
- late fees billed on M's notices, the parking takings finance received in M, the
  number of M's notices and of tenants in arrears.

Every figure is a handful of aggregate queries (never a query per tenant or notice):
24 months of 2,000 tenants report in well under a second (bench/bench_month_end.py).

Closing M: only once it has ended (building day after its last), once, and only after
every earlier month that holds any notice, payment, charge or parking takings is
closed (closing out of order would freeze a month whose predecessor may still change
its opening balance). The report as it stood is stored with the close.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pendulum
from peewee import JOIN, Case, IntegrityError, fn

from ..models import (NOTICE_LINE_KINDS, PAYMENT_METHODS, Adjustment, Allocation, Charge,
                      MonthClose, Notice, NoticeLine, ParkingHandover, Payment, PriceItem,
                      from_micros)
from ..money import fen_to_yuan, format_yuan
from . import common, validate
from .charges import month_key
from .closing import hold_for_close, is_closed
from .context import Desk
from .errors import Conflict, InvalidInput

AGE_BUCKETS = (("days_1_30", 30), ("days_31_60", 60), ("days_61_90", 90),
               ("days_over_90", None))
# figures that are counts, not money (everything else in a report is fen)
COUNT_KEYS = frozenset({"notices", "count", "tenants_in_arrears", "handovers", "visits"})
MAX_HISTORY = 120


# --- months ---------------------------------------------------------------------------------

def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def last_day(month: str) -> dt.date:
    return first_day(next_month(month)) - dt.timedelta(days=1)


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def _month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _start_utc(desk: Desk, month: str):
    """The first moment of the month, building time, as UTC (moments compare in UTC)."""
    day = first_day(month)
    return pendulum.datetime(day.year, day.month, 1, tz=desk.profile().timezone).in_tz("UTC")


def _today(desk: Desk) -> dt.date:
    return common.local_day(desk.clock.now(), desk.profile().timezone)


# --- the report -----------------------------------------------------------------------------

def report(desk: Desk, month: object) -> dict:
    """The figures of ``month`` (``YYYY-MM``), all int fen (counts where ``COUNT_KEYS``)."""
    month = month_key(month)
    first, last = first_day(month), last_day(month)
    start, end = _start_utc(desk, month), _start_utc(desk, next_month(month))
    on = min(last, _today(desk))  # a month not yet ended: its figures so far

    billed, billed_before = _billed(month)
    by_method = dict.fromkeys(PAYMENT_METHODS, 0)
    for method, fen in (Payment.select(Payment.method, fn.SUM(Payment.amount_fen))
                        .where(Payment.received_on >= first, Payment.received_on <= last)
                        .group_by(Payment.method).tuples()):
        by_method[method] = int(fen)
    collected = sum(by_method.values())
    collected_before = _scalar(Payment.select(fn.SUM(Payment.amount_fen))
                               .where(Payment.received_on < first))
    waived_count, waived = (Adjustment.select(fn.COUNT(Adjustment.id),
                                              fn.SUM(Adjustment.amount_fen))
                            .where(*_waivers(), Adjustment.decided_at >= start,
                                   Adjustment.decided_at < end).tuples().first())
    waived = int(waived or 0)
    waived_before = _scalar(Adjustment.select(fn.SUM(Adjustment.amount_fen))
                            .where(*_waivers(), Adjustment.decided_at < start))
    opening = billed_before - collected_before - waived_before
    closing = opening + billed["total"] - collected - waived

    arrears, tenants_in_arrears, allocated = _arrears(month, last, end, on)
    credit = collected_before + collected - allocated
    waived_ahead = _scalar(Adjustment.select(fn.SUM(Adjustment.amount_fen)).join(Notice)
                           .where(*_waivers(), Adjustment.decided_at < end,
                                  Notice.month > month))
    by_tenant = arrears["not_due"] + arrears["overdue"] - credit - waived_ahead

    handovers, visits, takings = (ParkingHandover.select(
        fn.COUNT(ParkingHandover.id), fn.SUM(ParkingHandover.count),
        fn.SUM(ParkingHandover.total_fen))
        .where(ParkingHandover.received_at >= start, ParkingHandover.received_at < end)
        .tuples().first())
    by_item = {code: int(fen) for code, fen in (
        Charge.select(PriceItem.code, fn.SUM(Charge.amount_fen)).join(PriceItem)
        .where(Charge.settle == "paid", Charge.month == month)
        .group_by(PriceItem.code).order_by(PriceItem.code).tuples())}
    return {
        "month": month, "first_day": first.isoformat(), "last_day": last.isoformat(),
        "as_of": on.isoformat(), "closed": is_closed(month),
        "notices": Notice.select().where(Notice.month == month).count(),
        "billed": billed,
        "paid_at_once": {"by_item": by_item, "total": sum(by_item.values())},
        "collected": {"by_method": by_method, "total": collected},
        "waived": {"count": int(waived_count or 0), "total": waived},
        "opening": opening, "closing": closing, "closing_by_tenant": by_tenant,
        "reconciles": closing == by_tenant, "credit": credit,
        "arrears": arrears, "tenants_in_arrears": tenants_in_arrears,
        "late_fees": billed["late_fee"],
        "parking_takings": {"handovers": int(handovers or 0), "visits": int(visits or 0),
                            "total": int(takings or 0)},
    }


def _scalar(query) -> int:
    return int(query.scalar() or 0)


def _waivers():
    return (Adjustment.kind == "waiver", Adjustment.state == "approved")


def _billed(month: str) -> tuple[dict, int]:
    """The lines of ``month``'s notices by kind, and the sum of every line before it
    (two queries: grouping all 24 months' lines by month costs more than both)."""
    billed = dict.fromkeys(NOTICE_LINE_KINDS, 0)
    for kind, fen in (NoticeLine.select(NoticeLine.kind, fn.SUM(NoticeLine.amount_fen))
                      .join(Notice).where(Notice.month == month)
                      .group_by(NoticeLine.kind).tuples()):
        billed[kind] = int(fen)
    billed["total"] = sum(billed.values())
    before = _scalar(NoticeLine.select(fn.SUM(NoticeLine.amount_fen)).join(Notice)
                     .where(Notice.month < month))
    return billed, before


def _arrears(month: str, last: dt.date, end, on: dt.date) -> tuple[dict, int, int]:
    """What the notices of ``month`` and before still owed at the end of ``last``, by
    days past their due date on ``on``; how many tenants owed something overdue; and
    what payments received by ``last`` allocated to those notices.

    Each notice is ``balances.outstanding_fen``'s rule (total − allocated − waived, never
    below 0) and ``balances.due_date``'s (the last approved deferral: each must be
    later than the one before, so it is the latest ``defer_to``), counted in one query
    grouped by tenant."""
    paid = (Allocation.select(Allocation.notice.alias("nid"),
                              fn.SUM(Allocation.amount_fen).alias("fen"))
            .join(Payment).where(Payment.received_on <= last)
            .group_by(Allocation.notice)).alias("paid")
    waived = (Adjustment.select(Adjustment.notice.alias("nid"),
                                fn.SUM(Adjustment.amount_fen).alias("fen"))
              .where(*_waivers(), Adjustment.decided_at < end)
              .group_by(Adjustment.notice)).alias("waived")
    moved = (Adjustment.select(Adjustment.notice.alias("nid"),
                               fn.MAX(Adjustment.defer_to).alias("day"))
             .where(Adjustment.kind == "deferral", Adjustment.state == "approved",
                    Adjustment.decided_at < end)
             .group_by(Adjustment.notice)).alias("moved")
    owed = Notice.total_fen - fn.COALESCE(paid.c.fen, 0) - fn.COALESCE(waived.c.fen, 0)
    notices = (Notice.select(Notice.tenant.alias("tid"),
                             fn.COALESCE(moved.c.day, Notice.due_date).alias("due"),
                             Case(None, [(owed > 0, owed)], 0).alias("owed"),
                             fn.COALESCE(paid.c.fen, 0).alias("paid"))
               .join(paid, JOIN.LEFT_OUTER, on=(paid.c.nid == Notice.id)).switch(Notice)
               .join(waived, JOIN.LEFT_OUTER, on=(waived.c.nid == Notice.id)).switch(Notice)
               .join(moved, JOIN.LEFT_OUTER, on=(moved.c.nid == Notice.id))
               .where(Notice.month <= month)).alias("n")
    # a bucket holds the notices due on or after its earliest day (and before the
    # previous bucket's): not yet due is a due date on ``on`` or later
    names = ["not_due", *(name for name, _ in AGE_BUCKETS)]
    earliest = [on, *(on - dt.timedelta(days=days) if days else None
                      for _, days in AGE_BUCKETS)]
    sums, later = [], None
    for day in earliest:
        when = notices.c.due >= day if day is not None else notices.c.due.is_null(False)
        if later is not None:
            when = when & (notices.c.due < later)
        sums.append(fn.SUM(Case(None, [(when, notices.c.owed)], 0)))
        later = day
    query = (Notice.select(notices.c.tid, fn.SUM(notices.c.paid), *sums).from_(notices)
             .group_by(notices.c.tid))
    buckets = dict.fromkeys(names, 0)
    tenants = allocated = 0
    for _, paid_fen, *by_age in query.tuples():
        allocated += int(paid_fen or 0)
        for name, fen in zip(names, by_age):
            buckets[name] += int(fen or 0)
        tenants += any(int(fen or 0) for fen in by_age[1:])
    buckets["overdue"] = sum(buckets[name] for name in names[1:])
    return buckets, tenants, allocated


def _as_date(value) -> dt.date:
    """A day as the driver returns it (SQLite's text, PostgreSQL's date)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def report_json(report_: dict) -> dict:
    """The report as the commands print it: money as strings with two decimals."""
    def convert(key, value):
        if isinstance(value, dict):
            return {k: convert(k, v) for k, v in value.items()}
        if isinstance(value, int) and not isinstance(value, bool) and key not in COUNT_KEYS:
            return format_yuan(value)
        return value

    return convert("", report_)


# --- the chart ------------------------------------------------------------------------------

def history(desk: Desk, months: object = 12, until: object = None) -> list[tuple[str, int, int]]:
    """(month, billed, collected) for the ``months`` months up to ``until`` (default:
    the building's current month), oldest first: the screen's chart."""
    count = validate.number(months, "--months", low=1, high=MAX_HISTORY)
    until = _month_of(_today(desk)) if until is None else month_key(until)
    keys = [until]
    while len(keys) < count:
        keys.insert(0, previous_month(keys[0]))
    billed = {m: int(fen) for m, fen in (
        NoticeLine.select(Notice.month, fn.SUM(NoticeLine.amount_fen)).join(Notice)
        .where(Notice.month >= keys[0], Notice.month <= until)
        .group_by(Notice.month).tuples())}
    collected = dict.fromkeys(keys, 0)
    for day, fen in (Payment.select(Payment.received_on, fn.SUM(Payment.amount_fen))
                     .where(Payment.received_on >= first_day(keys[0]),
                            Payment.received_on <= last_day(until))
                     .group_by(Payment.received_on).tuples()):
        collected[_month_of(_as_date(day))] += int(fen)
    return [(m, billed.get(m, 0), collected[m]) for m in keys]


# --- closing --------------------------------------------------------------------------------

def close(desk: Desk, month: object) -> MonthClose:
    """Close ``month``: nothing more is posted into it (``closing.refuse_if_closed``);
    its report is kept as it stood."""
    desk.require("month.close")
    month = month_key(month)
    today = _today(desk)
    if today <= last_day(month):
        raise InvalidInput("error.month_end_not_ended", month=month,
                           last=last_day(month).isoformat())
    with desk.db.atomic():
        hold_for_close(desk)  # no post into the month lands between its figures and the close
        if is_closed(month):
            row = MonthClose.get(MonthClose.month == month)
            raise Conflict("error.month_end_closed_already", month=month, by=row.closed_by)
        earlier = _earliest_open_before(desk, month)
        if earlier is not None:
            raise InvalidInput("error.month_end_earlier_open", month=month, earlier=earlier)
        figures = report(desk, month)
        if not figures["reconciles"]:
            raise InvalidInput("error.month_end_not_reconciled", month=month,
                               closing=format_yuan(figures["closing"]),
                               by_tenant=format_yuan(figures["closing_by_tenant"]))
        figures["closed"] = True
        try:
            with desk.db.atomic():
                row = MonthClose.create(month=month, closed_at=desk.clock.now(),
                                        closed_by=desk.user,
                                        figures=json.dumps(figures, ensure_ascii=False,
                                                           sort_keys=True))
        except IntegrityError:  # another session closed it meanwhile
            raise Conflict("error.month_end_closed_already", month=month, by="") from None
        desk.audit("month.close", "month_close", row.id, month=month,
                   billed_fen=figures["billed"]["total"],
                   collected_fen=figures["collected"]["total"],
                   waived_fen=figures["waived"]["total"], opening_fen=figures["opening"],
                   closing_fen=figures["closing"])
    return row


def _earliest_open_before(desk: Desk, month: str) -> str | None:
    """The first month before ``month`` that holds any notice, payment, charge or
    parking takings and is not closed; None when every such month is closed."""
    first = _first_month_used(desk)
    if first is None or first >= month:
        return None
    closed = {m for (m,) in MonthClose.select(MonthClose.month)
              .where(MonthClose.month < month).tuples()}
    candidate = first
    while candidate < month:
        if candidate not in closed and _has_rows(desk, candidate):
            return candidate
        candidate = next_month(candidate)
    return None


def _first_month_used(desk: Desk) -> str | None:
    months = [Notice.select(fn.MIN(Notice.month)).scalar(),
              Charge.select(fn.MIN(Charge.month)).scalar()]
    day = Payment.select(fn.MIN(Payment.received_on)).scalar()
    if day is not None:
        months.append(_month_of(_as_date(day)))
    moment = ParkingHandover.select(fn.MIN(ParkingHandover.received_at)).scalar()
    if moment is not None:
        # MIN keeps the field's type: peewee gives back the moment, not its micros
        if not isinstance(moment, dt.datetime):
            moment = from_micros(moment)
        months.append(_month_of(common.local_day(moment, desk.profile().timezone)))
    months = [m for m in months if m]
    return min(months) if months else None


def _has_rows(desk: Desk, month: str) -> bool:
    first, last = first_day(month), last_day(month)
    start, end = _start_utc(desk, month), _start_utc(desk, next_month(month))
    return (Notice.select().where(Notice.month == month).exists()
            or Charge.select().where(Charge.month == month).exists()
            or Payment.select().where(Payment.received_on >= first,
                                      Payment.received_on <= last).exists()
            or ParkingHandover.select().where(ParkingHandover.received_at >= start,
                                              ParkingHandover.received_at < end).exists())


def closed_months() -> list[MonthClose]:
    return list(MonthClose.select().order_by(MonthClose.month))


def close_json(desk: Desk, row: MonthClose) -> dict:
    tz = desk.profile().timezone
    return {"month": row.month, "closed_at": row.closed_at.in_tz(tz).isoformat(),
            "closed_by": row.closed_by, "figures": report_json(json.loads(row.figures))}


# --- the files for finance ------------------------------------------------------------------

def _money(fen: int) -> Decimal:
    return fen_to_yuan(fen)


def report_rows(report_: dict) -> list[list[object]]:
    """The report as rows of cells: labels in the user's language, money as Decimal
    yuan (the CSV writes "1234.50", the XLSX a number), counts as int."""
    from ..i18n import t

    def section(title_key: str, pairs) -> list[list[object]]:
        return [[], [t(title_key)], *([label, value] for label, value in pairs)]

    billed, paid, collected = report_["billed"], report_["paid_at_once"], report_["collected"]
    arrears, parking = report_["arrears"], report_["parking_takings"]
    names = _item_names(list(paid["by_item"]))
    rows: list[list[object]] = [
        [t("month_end.title"), report_["month"]],
        [t("month_end.period"), f"{report_['first_day']} – {report_['last_day']}"],
        [t("month_end.as_of"), report_["as_of"]],
        [t("month_end.state"), t("month_end.closed" if report_["closed"] else "month_end.open")],
    ]
    rows += section("month_end.balance", [
        (t("month_end.opening"), _money(report_["opening"])),
        (t("month_end.billed_total"), _money(billed["total"])),
        (t("month_end.collected_total"), _money(collected["total"])),
        (t("month_end.waived_total"), _money(report_["waived"]["total"])),
        (t("month_end.closing"), _money(report_["closing"])),
        (t("month_end.closing_by_tenant"), _money(report_["closing_by_tenant"])),
        (t("month_end.reconciles"), t("month_end.yes" if report_["reconciles"] else "month_end.no")),
        (t("month_end.credit"), _money(report_["credit"]))])
    rows += section("month_end.billed", [
        *((t(f"billing.kind.{kind}"), _money(billed[kind])) for kind in NOTICE_LINE_KINDS),
        (t("month_end.total"), _money(billed["total"])),
        (t("month_end.notices"), report_["notices"])])
    rows += section("month_end.paid_at_once", [
        *((names.get(code, code), _money(fen)) for code, fen in paid["by_item"].items()),
        (t("month_end.total"), _money(paid["total"]))])
    rows += section("month_end.collected", [
        *((t(f"method.{method}"), _money(fen)) for method, fen in collected["by_method"].items()),
        (t("month_end.total"), _money(collected["total"]))])
    rows += section("month_end.waivers", [
        (t("month_end.waiver_count"), report_["waived"]["count"]),
        (t("month_end.total"), _money(report_["waived"]["total"]))])
    rows += section("month_end.arrears", [
        *((t(f"month_end.age.{name}"), _money(arrears[name]))
          for name in ("not_due", *(n for n, _ in AGE_BUCKETS))),
        (t("month_end.overdue_total"), _money(arrears["overdue"])),
        (t("month_end.tenants_in_arrears"), report_["tenants_in_arrears"])])
    rows += section("month_end.other", [
        (t("month_end.late_fees"), _money(report_["late_fees"])),
        (t("month_end.parking_handovers"), parking["handovers"]),
        (t("month_end.parking_visits"), parking["visits"]),
        (t("month_end.parking_total"), _money(parking["total"]))])
    return rows


def _item_names(codes: list[str]) -> dict[str, str]:
    from .prices import item_name

    if not codes:
        return {}
    return {item.code: item_name(item)
            for item in PriceItem.select().where(PriceItem.code.in_(codes))}


def csv_bytes(report_: dict) -> bytes:
    return common.csv_bytes(report_rows(report_))


def xlsx_bytes(report_: dict) -> bytes:
    return common.workbook_bytes(report_rows(report_), report_["month"], (34, 24),
                                 heading=lambda r, row: r == 1 or len(row) == 1)


def write_report(desk: Desk, month: object, csv_path: str | None = None,
                 xlsx_path: str | None = None) -> dict:
    """The report, and its files where asked (each written whole or not at all)."""
    report_ = report(desk, month)
    # every target checked and every file made before the first is written
    files: list[tuple[Path, bytes]] = [
        (common.export_target(path), make(report_))
        for path, make in ((csv_path, csv_bytes), (xlsx_path, xlsx_bytes)) if path is not None]
    common.write_exports(files, "error.month_end_write")
    return report_


__all__ = ["AGE_BUCKETS", "close", "close_json", "closed_months", "csv_bytes", "first_day",
           "history", "last_day", "next_month", "previous_month", "report", "report_json",
           "report_rows", "write_report", "xlsx_bytes"]
