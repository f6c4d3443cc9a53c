"""``billing run`` at building scale (issue 9): 2,000 tenants, each with a monthly rent, a
meter read at the end of October and of November, and a line on its monthly account.
Times December's run (goal < 2 s: 2,000 notices of three lines, numbered, audited) and a
second run (issues nothing), in-process as the command calls it (services.billing).
Prints figures; never asserts a timing.

    .venv/bin/python bench/bench_billing.py [--tenants 2000]
        [--pg postgresql://postgres@127.0.0.1:54351/deskapp_bench] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import pendulum  # noqa: E402

TZ = "Asia/Shanghai"
RUN_AT = pendulum.datetime(2026, 12, 2, 9, 0, tz=TZ)


def build(url: str, tenants: int):
    import datetime as dt

    from deskapp.clock import FrozenClock
    from deskapp.db import ensure_schema, open_database
    from deskapp.models import ALL_MODELS, Charge, PriceItem, Tenant
    from deskapp.models.base import to_micros
    from deskapp.models.movein import Meter, MeterReading
    from deskapp.services import Desk
    from deskapp.services.staff import ensure_first_manager

    db = open_database(url)
    if not url.startswith("sqlite"):
        db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
    ensure_schema(db)
    desk = Desk.for_login(db, FrozenClock(RUN_AT), "wangfang")
    ensure_first_manager(desk)
    began = time.perf_counter()
    now = to_micros(RUN_AT)
    copy = PriceItem.get(PriceItem.code == "copy_page")
    october = to_micros(pendulum.datetime(2026, 10, 31, 18, 0, tz=TZ))
    november = to_micros(pendulum.datetime(2026, 11, 30, 18, 0, tz=TZ))
    with db.atomic():
        for start in range(0, tenants, 500):
            Tenant.insert_many([
                {"name": f"租户{n:05d}", "units": f"{n // 50 + 2}F-{n:05d}",
                 "monthly_rent_fen": 1_000_000 + n * 137, "due_day": 1 + n % 28,
                 "lease_start": dt.date(2025, 1, 1), "lease_end": dt.date(2027, 12, 31),
                 "status": "active", "search": f"租户{n:05d}"}
                for n in range(start, min(tenants, start + 500))]).execute()
        ids = [tid for (tid,) in Tenant.select(Tenant.id).order_by(Tenant.id).tuples()]
        for start in range(0, len(ids), 500):
            Meter.insert_many([{"tenant": tid, "code": f"E-{tid:05d}"}
                               for tid in ids[start:start + 500]]).execute()
        meters = [mid for (mid,) in Meter.select(Meter.id).order_by(Meter.id).tuples()]
        readings = []
        for number, mid in enumerate(meters):
            base = 100_000 + number * 10
            readings += [{"meter": mid, "read_at": october, "reading": base, "kind": "monthly",
                          "by": "bench", "recorded_at": october},
                         {"meter": mid, "read_at": november, "reading": base + 45_050 + number,
                          "kind": "monthly", "by": "bench", "recorded_at": november}]
        for start in range(0, len(readings), 500):
            MeterReading.insert_many(readings[start:start + 500]).execute()
        charges = [{"tenant": tid, "item": copy.id, "quantity_milli": 40_000,
                    "unit_price_fen": 50, "list_price_fen": 50, "amount_fen": 2_000,
                    "service_date": dt.date(2026, 11, 20), "month": "2026-11",
                    "settle": "monthly", "signed_by": "刘洋", "source": "bench",
                    "source_id": str(tid), "posted_at": now, "posted_by": "bench"}
                   for tid in ids]
        for start in range(0, len(charges), 500):
            Charge.insert_many(charges[start:start + 500]).execute()
    return db, desk, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--pg")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from deskapp.models import Notice, NoticeLine
    from deskapp.services import billing

    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db, desk, built = build(url, args.tenants)
        print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; {args.tenants} tenants "
              f"with rent, a meter and a monthly-account line (built in {built:.1f} s)")
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        t0 = time.perf_counter()
        first = billing.run_month(desk, "2026-12")
        took = time.perf_counter() - t0
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False))
        print(f"billing run 2026-12, first:   {took:6.2f} s   goal < 2 s   "
              f"({first['issued']} notices, {NoticeLine.select().count()} lines, "
              f"total {first['total_fen'] / 100:,.2f} yuan)")
        t0 = time.perf_counter()
        again = billing.run_month(desk, "2026-12")
        print(f"billing run 2026-12, again:   {time.perf_counter() - t0:6.2f} s   "
              f"({again['issued']} issued, {again['already']} already)")
        desk.clock.set(pendulum.datetime(2027, 1, 4, 9, 0, tz=TZ))
        t0 = time.perf_counter()
        january = billing.run_month(desk, "2027-01")
        print(f"billing run 2027-01 (every December notice unpaid, late fees on each): "
              f"{time.perf_counter() - t0:6.2f} s ({january['issued']} notices)")
        assert Notice.select().count() == 2 * args.tenants
        db.close()


if __name__ == "__main__":
    main()
