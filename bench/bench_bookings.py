"""Bookings at building scale (issue 8): 100 resources with a year of bookings (about
50,000). Times the clash check of one slot (goal < 5 ms) and a 52-week series checked
and booked in one transaction (goal < 1 s), in-process as a screen calls them
(services.bookings). Prints figures; never asserts a timing.

    .venv/bin/python bench/bench_bookings.py [--resources 100] [--per 500] [--runs 200]
        [--pg postgresql://postgres@127.0.0.1:54351/deskapp_bench]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

import pendulum  # noqa: E402

TZ = "Asia/Shanghai"
START = pendulum.datetime(2026, 11, 26, 14, 0, tz=TZ)


def build(url: str, resources: int, per: int):
    from deskapp.clock import FrozenClock
    from deskapp.db import ensure_schema, open_database
    from deskapp.models import ALL_MODELS, Booking
    from deskapp.models.base import to_micros
    from deskapp.services import Desk
    from deskapp.services import bookings as bk
    from deskapp.services.staff import ensure_first_manager

    db = open_database(url)
    if not url.startswith("sqlite"):
        db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
    ensure_schema(db)
    desk = Desk.for_login(db, FrozenClock(START), "wangfang")
    ensure_first_manager(desk)
    began = time.perf_counter()
    first_day = START.add(days=1).start_of("day")
    now = to_micros(desk.clock.now())
    with db.atomic():
        for r in range(resources):
            room = bk.add_resource(desk, f"R{r:03d}", "meeting_room", buffer_minutes=10)
            rows = []
            for i in range(per):  # a year of one-hour bookings, 9:00–19:00
                day = first_day.add(days=i * 365 // per)
                begin = day.add(hours=9 + (i * 5 + r) % 10)
                rows.append({"resource": room.id, "starts_at": to_micros(begin),
                             "ends_at": to_micros(begin.add(hours=1)),
                             "block_until": to_micros(begin.add(minutes=70)),
                             "kind": "rental", "state": "confirmed", "applied_at": now,
                             "applied_by": "bench"})
            for chunk in range(0, len(rows), 500):
                Booking.insert_many(rows[chunk:chunk + 500]).execute()
    built = time.perf_counter() - began
    return db, desk, built


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.2f} ms (p95 " \
           f"{sorted(samples)[int(len(samples) * 0.95) - 1] * 1000:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--per", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pg")
    args = parser.parse_args()

    from deskapp.models import Booking, Resource
    from deskapp.services import bookings as bk

    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db, desk, built = build(url, args.resources, args.per)
        total = Booking.select().count()
        print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; {args.resources} resources, "
              f"{total} bookings (built in {built:.1f} s)")
        rooms = list(Resource.select().order_by(Resource.id))
        checks = []
        for n in range(args.runs):
            room = rooms[n % len(rooms)]
            begin = START.add(days=1 + (n * 37) % 360).start_of("day").add(hours=9 + n % 10)
            slot = bk.Slot(begin.in_tz("UTC"), begin.add(minutes=45).in_tz("UTC"))
            t0 = time.perf_counter()
            bk.plan(desk, room, "rental", [slot])
            checks.append(time.perf_counter() - t0)
        print(f"clash check, one slot:            {median_ms(checks)}   goal < 5 ms")
        series, checked = [], []
        for n in range(min(10, len(rooms))):
            room = rooms[n]
            first = START.add(days=1).start_of("day").add(hours=20)
            slot = bk.Slot(first.in_tz("UTC"), first.add(hours=1).in_tz("UTC"))
            slots = bk.repeat(slot, "weekly", 52, None, today=START.date(), tz=TZ)
            t0 = time.perf_counter()
            bk.plan(desk, room, "rental", slots)
            checked.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            outcome = bk.add_booking(desk, room.name, first, first.add(hours=1),
                                     repeat_rule="weekly", count=52)
            series.append(time.perf_counter() - t0)
            assert len(outcome.bookings) == 52
        print(f"52-week series, checked only:     {median_ms(checked)}")
        print(f"52-week series, checked + booked: {median_ms(series)}   goal < 1 s")
        db.close()


if __name__ == "__main__":
    main()
