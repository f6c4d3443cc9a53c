"""Month-end at building scale (issue 9): 2,000 tenants with 24 months of notices (rent,
electricity, services, late fees), payments and their allocations (most in full and on
time, one in ten partly and late), the GM's waivers and deferrals, desk charges paid at
once and parking takings, made with bulk inserts. Times ``month_end.report`` for the
last month (goal < 1 s) and ``month_end.history(12)`` for the chart, in-process as the
screen calls them. Prints figures; never asserts a timing.

    .venv/bin/python bench/bench_month_end.py [--tenants 2000] [--months 24] [--runs 5]
        [--pg postgresql://postgres@127.0.0.1:54351/deskapp_bench] [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import pendulum  # noqa: E402

TZ = "Asia/Shanghai"
NOW = pendulum.datetime(2026, 12, 1, 9, 0, tz=TZ)
LAST = "2026-11"


def months_back(count: int) -> list[str]:
    from deskapp.services.month_end import previous_month

    keys = [LAST]
    while len(keys) < count:
        keys.insert(0, previous_month(keys[0]))
    return keys


def insert(model, rows: list[dict]) -> None:
    for chunk in range(0, len(rows), 500):
        model.insert_many(rows[chunk:chunk + 500]).execute()


def build(url: str, tenants: int, months: int):
    from deskapp.clock import FrozenClock
    from deskapp.db import ensure_schema, open_database
    from deskapp.models import (ALL_MODELS, Adjustment, Allocation, Charge, Notice,
                                NoticeLine, ParkingHandover, Payment, PriceItem, Tenant)
    from deskapp.models.base import to_micros
    from deskapp.services import Desk
    from deskapp.services.month_end import first_day
    from deskapp.services.staff import ensure_first_manager

    db = open_database(url)
    if not url.startswith("sqlite"):
        db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
    ensure_schema(db)
    desk = Desk.for_login(db, FrozenClock(NOW), "wangfang")
    ensure_first_manager(desk)
    began = time.perf_counter()
    stamp = to_micros(NOW)
    item = PriceItem.get(PriceItem.code == "copy_page").id
    with db.atomic():
        insert(Tenant, [{"name": f"租户{t:04d}", "monthly_rent_fen": 300_000 + 1_000 * (t % 400),
                         "due_day": 1 + t % 10, "status": "active"} for t in range(tenants)])
        ids = [tid for (tid,) in Tenant.select(Tenant.id).order_by(Tenant.id).tuples()]
        rent = dict(Tenant.select(Tenant.id, Tenant.monthly_rent_fen).tuples())
        serial = 0
        for m, month in enumerate(months_back(months)):
            first = first_day(month)
            notices, lines, payments, allocations = [], [], [], []
            for n, tid in enumerate(ids):
                electricity = 10_000 + (n * 37 + m * 11) % 50_000
                parts = [("rent", rent[tid]), ("electricity", electricity)]
                if n % 3 == 0:
                    parts.append(("service", 500 * (1 + n % 20)))
                if n % 10 == 7 and m:
                    parts.append(("late_fee", 1_500 + n % 900))
                total = sum(fen for _, fen in parts)
                notices.append({"number": f"{month}-{n + 1:04d}", "tenant": tid, "month": month,
                                "due_date": first + dt.timedelta(days=4 + n % 10),
                                "total_fen": total, "issued_at": stamp, "issued_by": "bench"})
                lines.append((n, parts))
            insert(Notice, notices)
            by_tenant = dict(Notice.select(Notice.tenant, Notice.id)
                             .where(Notice.month == month).tuples())
            line_rows = []
            for n, parts in lines:
                nid = by_tenant[ids[n]]
                for position, (kind, fen) in enumerate(parts, start=1):
                    line_rows.append({"notice": nid, "position": position, "kind": kind,
                                      "quantity_milli": 1000, "unit_price_fen": fen,
                                      "amount_fen": fen})
            insert(NoticeLine, line_rows)
            plan = []
            for n, row in enumerate(notices):
                last_month = m == months - 1
                if n % 10 == 7:  # one in ten pays half, three weeks late
                    fen, day = row["total_fen"] // 2, row["due_date"] + dt.timedelta(days=21)
                elif last_month and n % 10 == 3:
                    continue  # not paid yet
                else:
                    fen, day = row["total_fen"], row["due_date"] - dt.timedelta(days=1)
                serial += 1
                payments.append({"receipt_no": f"R{serial:07d}", "tenant": row["tenant"],
                                 "amount_fen": fen,
                                 "method": ("transfer", "cash", "wechat", "alipay")[n % 4],
                                 "received_on": day, "recorded_at": stamp,
                                 "recorded_by": "bench"})
                plan.append((f"R{serial:07d}", by_tenant[row["tenant"]], fen))
            insert(Payment, payments)
            receipts = dict(Payment.select(Payment.receipt_no, Payment.id)
                            .where(Payment.receipt_no.in_([p[0] for p in plan])).tuples())
            for receipt, nid, fen in plan:
                allocations.append({"payment": receipts[receipt], "notice": nid,
                                    "amount_fen": fen})
            insert(Allocation, allocations)
            decided = to_micros(pendulum.datetime(first.year, first.month, 20, 10, tz=TZ))
            adjustments = []
            for n in range(7, len(ids), 50):  # a few waivers and deferrals a month
                nid = by_tenant[ids[n]]
                kind = "waiver" if n % 100 == 7 else "deferral"
                adjustments.append({
                    "kind": kind, "tenant": ids[n], "notice": nid,
                    "amount_fen": 1_000 if kind == "waiver" else None,
                    "defer_to": notices[n]["due_date"] + dt.timedelta(days=30)
                    if kind == "deferral" else None,
                    "reason": "bench", "state": "approved", "asked_at": decided,
                    "asked_by": "caiwu", "decided_at": decided, "decided_by": "zhaozong"})
            insert(Adjustment, adjustments)
            insert(Charge, [{"tenant": ids[n], "item": item, "quantity_milli": 10_000,
                             "unit_price_fen": 50, "list_price_fen": 50, "amount_fen": 500,
                             "service_date": first + dt.timedelta(days=n % 28),
                             "month": month, "settle": "paid", "paid_method": "cash",
                             "source": "bench", "source_id": f"{month}-{n}",
                             "posted_at": stamp, "posted_by": "bench"}
                            for n in range(0, len(ids), 5)])
            insert(ParkingHandover, [{
                "number": f"P{month}-{d:02d}", "handed_at": stamp, "handed_by": "baoan",
                "count": 20 + d, "total_fen": 30_000 + 100 * d,
                "received_at": to_micros(pendulum.datetime(first.year, first.month, d, 18,
                                                           tz=TZ)),
                "received_by": "caiwu"} for d in range(1, 29)])
    if not url.startswith("sqlite"):
        db.execute_sql("ANALYZE")  # what autovacuum does a minute after a bulk load
    built = time.perf_counter() - began
    return db, desk, built


def timed(call, runs: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from deskapp.models import Allocation, Notice, NoticeLine, Payment
    from deskapp.money import format_yuan
    from deskapp.services import month_end

    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db, desk, built = build(url, args.tenants, args.months)
        print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; {args.tenants} tenants, "
              f"{args.months} months: {Notice.select().count()} notices, "
              f"{NoticeLine.select().count()} lines, {Payment.select().count()} payments, "
              f"{Allocation.select().count()} allocations (built in {built:.1f} s)")
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
            month_end.report(desk, LAST)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False))
        seconds, report = timed(lambda: month_end.report(desk, LAST), args.runs)
        print(f"report({LAST}):  {seconds * 1000:8.1f} ms   goal < 1 s")
        print(f"  opening {format_yuan(report['opening'])} + billed "
              f"{format_yuan(report['billed']['total'])} − collected "
              f"{format_yuan(report['collected']['total'])} − waived "
              f"{format_yuan(report['waived']['total'])} = closing "
              f"{format_yuan(report['closing'])} (tenant by tenant "
              f"{format_yuan(report['closing_by_tenant'])}; reconciles: {report['reconciles']})")
        print(f"  overdue {format_yuan(report['arrears']['overdue'])} of "
              f"{report['tenants_in_arrears']} tenants; notices {report['notices']}; "
              f"paid at once {format_yuan(report['paid_at_once']['total'])}; parking "
              f"{format_yuan(report['parking_takings']['total'])}")
        seconds, chart = timed(lambda: month_end.history(desk, 12, until=LAST), args.runs)
        print(f"history(12):      {seconds * 1000:8.1f} ms")
        print(f"  {chart[0][0]} billed {format_yuan(chart[0][1])} collected "
              f"{format_yuan(chart[0][2])} … {chart[-1][0]} billed {format_yuan(chart[-1][1])} "
              f"collected {format_yuan(chart[-1][2])}")
        db.close()


if __name__ == "__main__":
    main()
