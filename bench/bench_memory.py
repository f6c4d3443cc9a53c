"""Memory over an hour of ticks, simulated in seconds.

    python bench/bench_memory.py            # model, app-hour and cursor passes (~4 min)
    python bench/bench_memory.py --no-app   # QueueModel only

Database: 1,000 open tickets of the realistic mix (bench/_fixtures.py) at a fixed
building time. A FrozenClock moves 1 s per tick, 3,600 ticks. Every 30 simulated seconds
another session (a second connection, in another thread) opens a ticket through
services.tickets.open_ticket; 15 s later it answers (closes) the oldest open ticket through
services.tickets.step, and once a minute it also dispatches one: ~1,000 stay open.

  model pass  QueueModel.tick in this thread; RSS (VmRSS of /proc/self/status) every
              600 simulated s; then the same hour again under tracemalloc: top growth
              by line between the snapshot after the first tick and the last
  app pass    DeskApp(...).run_test(size=(80, 24)) with auto_tick=False: each simulated
              second ``await app.tick()`` (the real ticker thread and apply), the queue
              screen's once-a-second repaint and two flash phases, then one compositor
              frame (``pilot.pause()``); RSS every 600 s, and the Python object types
              whose counts grew most (gc)
  cursor pass the same headless app, the clerk moving the selection: 400 presses of
              down/up (50 each way, repeated); live FooterKey widgets, RSS and the
              process CPU per press every 100 (a no-op key costs the pilot ~45 ms wall,
              ~2.5 ms CPU here)

RSS figures include the interpreter, Textual and SQLite's page cache; what matters is
growth after the first load. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx  # noqa: E402

from deskapp.db import open_database  # noqa: E402
from deskapp.models import database  # noqa: E402
from deskapp.queue import QueueModel  # noqa: E402
from deskapp.services import Desk  # noqa: E402
from deskapp.services.tickets import NewTicket, open_ticket, step  # noqa: E402

HOUR = 3600
REPORT_EVERY = 600
WRITE_EVERY = 30
NEW = [("repair", "extra_urgent"), ("repair", "urgent"), ("repair", "normal"),
       ("umbrella", None), ("mail", None), ("access_pass", None), ("patrol", None),
       ("complaint", "normal"), ("signage", None)]
ANSWERABLE = ("accepted", "dispatched", "on_site", "resolved")


def fresh_db(name: str) -> Path:
    path = fx.OUT / f"memory_{name}.db"
    fx.create_empty(path)
    fx.add_open(path, 1000, seed=1000)
    return path


class Writer:
    """The other desk: opens and steps tickets on its own connection and thread."""

    def __init__(self, db, clock) -> None:
        self.desk = Desk(db=db, clock=clock, user=fx.ACTOR, role="manager")
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="other-desk")
        self.rng = random.Random(7)
        self.opened = self.stepped = 0

    def maybe_write(self, second: int, rows: dict) -> None:
        if second % WRITE_EVERY == 0:
            service, tier = self.rng.choice(NEW)
            request = NewTicket(service=service, tier=tier, location="大堂 lobby",
                                tenant=None, note="bench")
            self.pool.submit(open_ticket, self.desk, request).result()
            self.opened += 1
        elif second % WRITE_EVERY == WRITE_EVERY // 2:
            by_age = sorted(rows.values(), key=lambda r: r.opened_ts)
            oldest = next(r for r in by_age if r.state in ANSWERABLE)
            if oldest.state != "resolved":  # only a resolved ticket is answered
                self.pool.submit(step, self.desk, oldest.id, "resolve").result()
            self.pool.submit(step, self.desk, oldest.id, "answer").result()
            self.stepped += 1
            if second % (2 * WRITE_EVERY) == WRITE_EVERY // 2:
                waiting = next((r for r in reversed(by_age) if r.state == "accepted"), None)
                if waiting is not None:
                    self.pool.submit(step, self.desk, waiting.id, "dispatch").result()
                    self.stepped += 1

    def close(self) -> None:
        self.pool.shutdown()


def model_hour(path: Path, traced: bool) -> dict:
    db = open_database(f"sqlite:///{path}")
    clock = fx.frozen_clock()
    writer = Writer(db, clock)
    model = QueueModel(db, near_percent=20)
    update = model.tick(clock.now())
    gc.collect()
    if traced:
        tracemalloc.start(8)
        first = tracemalloc.take_snapshot()
    marks = [(0, fx.rss_kb(), len(model.rows), len(model._heap), len(model._alerted), 0)]
    alerts = 0
    started = time.perf_counter()
    for second in range(1, HOUR + 1):
        writer.maybe_write(second, model.rows)
        clock.advance(seconds=1)
        update = model.tick(clock.now())
        alerts += len(update.alerts)
        if second % REPORT_EVERY == 0:
            gc.collect()
            marks.append((second, fx.rss_kb(), len(model.rows), len(model._heap),
                          len(model._alerted), alerts))
    elapsed = time.perf_counter() - started
    growth = []
    if traced:
        gc.collect()
        last = tracemalloc.take_snapshot()
        tracemalloc.stop()
        filters = [tracemalloc.Filter(False, tracemalloc.__file__),
                   tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
        growth = last.filter_traces(filters).compare_to(first.filter_traces(filters), "lineno")
    writer.close()
    db.close()
    database.initialize(None)
    return dict(marks=marks, elapsed=elapsed, growth=growth, opened=writer.opened,
                stepped=writer.stepped)


async def app_hour(path: Path) -> dict:
    from deskapp import i18n
    from deskapp.app import DeskApp
    from deskapp.config import Settings

    i18n.set_language("zh")
    db = open_database(f"sqlite:///{path}")
    clock = fx.frozen_clock()
    desk = Desk(db=db, clock=clock, user=fx.ACTOR, role="manager")
    app = DeskApp(desk, Settings(database_url=str(path), bell=False), auto_tick=False)
    writer = Writer(db, clock)
    marks = []
    alerts = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await app.tick()
        await pilot.pause()
        screen = app.screen
        gc.collect()
        types_before = Counter(type(o).__name__ for o in gc.get_objects())
        widgets_before = widget_census()
        marks.append((0, fx.rss_kb(), len(app.model.rows), len(app._notifications), alerts,
                      sum(widgets_before.values()), sum(1 for _ in app.screen.walk_children())))
        started = time.perf_counter()
        for second in range(1, HOUR + 1):
            writer.maybe_write(second, app.model.rows)
            clock.advance(seconds=1)
            update = await app.tick()
            alerts += len(update.alerts)
            if hasattr(screen, "_second"):
                screen._second()
                screen._flash()
                screen._flash()
            await pilot.pause()
            if second % REPORT_EVERY == 0:
                gc.collect()
                marks.append((second, fx.rss_kb(), len(app.model.rows),
                              len(app._notifications), alerts, sum(widget_census().values()),
                              sum(1 for _ in app.screen.walk_children())))
        elapsed = time.perf_counter() - started
        gc.collect()
        types_after = Counter(type(o).__name__ for o in gc.get_objects())
        widgets_after = widget_census()
        mounted = sum(1 for _ in app.screen.walk_children())
    writer.close()
    db.close()
    database.initialize(None)
    grown = (types_after - types_before).most_common(12)
    widgets = [(name, widgets_before.get(name, 0), widgets_after.get(name, 0))
               for name in sorted(set(widgets_before) | set(widgets_after))
               if widgets_before.get(name, 0) != widgets_after.get(name, 0)]
    return dict(marks=marks, elapsed=elapsed, grown=grown, opened=writer.opened,
                stepped=writer.stepped, widgets=widgets, mounted=mounted)


def widget_census() -> Counter:
    """Live textual Widget objects (mounted or not) by class, after a gc."""
    from textual.widget import Widget

    return Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, Widget))


async def cursor_moves(path: Path, presses: int = 400, every: int = 100) -> dict:
    from deskapp import i18n
    from deskapp.app import DeskApp
    from deskapp.config import Settings

    i18n.set_language("zh")
    db = open_database(f"sqlite:///{path}")
    desk = Desk(db=db, clock=fx.frozen_clock(), user=fx.ACTOR, role="manager")
    app = DeskApp(desk, Settings(database_url=str(path), bell=False), auto_tick=False)
    marks = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.tick()
        await pilot.pause()
        census = widget_census()
        marks.append((0, fx.rss_kb(), census["FooterKey"], sum(census.values()), 0, 0))
        started, cpu = time.perf_counter(), time.process_time()
        for press in range(1, presses + 1):
            await pilot.press("down" if (press - 1) // 50 % 2 == 0 else "up")
            if press % every == 0:
                await pilot.pause()
                census = widget_census()
                marks.append((press, fx.rss_kb(), census["FooterKey"], sum(census.values()),
                              round(1000 * (time.perf_counter() - started) / press),
                              round(1000 * (time.process_time() - cpu) / press)))
        mounted = len(app.screen.query("FooterKey"))
    db.close()
    database.initialize(None)
    return dict(marks=marks, mounted=mounted)


def print_marks(title: str, marks, columns, first: str = "sim. s") -> None:
    print(f"\n{title}")
    head = " | ".join(f"{c:>12}" for c in (first, "RSS MB", "Δ from 0 MB") + columns)
    print(head)
    print("-" * len(head))
    base = marks[0][1]
    for mark in marks:
        second, rss = mark[0], mark[1]
        rest = " | ".join(f"{v:>12,}" for v in mark[2:])
        print(f"{second:>12,} | {rss / 1024:>12.1f} | {(rss - base) / 1024:>+12.2f} | {rest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-app", action="store_true",
                        help="skip the headless-app passes (cursor, app hour)")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--whatif", default="",
                        help="bench-only patches (see _whatif_app.py), e.g. "
                             "footer_nobind,footer_on_state")
    parser.add_argument("--only-cursor", action="store_true",
                        help="run only the cursor pass (e.g. with --whatif)")
    args = parser.parse_args()
    if args.whatif:
        import _whatif_app

        _whatif_app.apply(_whatif_app.parse(args.whatif))
        print(f"WHAT-IF patches applied: {args.whatif}")
    if args.only_cursor:
        cursor_report(asyncio.run(cursor_moves(fresh_db("cursor"))))
        return
    print(f"start of process: RSS {fx.rss_kb() / 1024:.1f} MB")

    result = model_hour(fresh_db("model"), traced=False)
    print_marks(f"QueueModel.tick x {HOUR:,} (1 s each), {result['opened']} opened / "
                f"{result['stepped']} stepped by another session; "
                f"{result['elapsed']:.1f} s real",
                result["marks"], ("open rows", "heap", "_alerted", "alerts"))

    traced = model_hour(fresh_db("traced"), traced=True)
    total = sum(s.size_diff for s in traced["growth"])
    print(f"\ntracemalloc, same hour again (8 frames): net growth after the first load "
          f"{total / 1024:+.1f} KiB; top {args.top} lines by growth:")
    for stat in traced["growth"][: args.top]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7,} blocks  {where:<28} "
              f"{_line(frame.filename, frame.lineno)}")

    if not args.no_app:
        try:
            app = asyncio.run(app_hour(fresh_db("app")))
        except Exception as exc:  # noqa: BLE001 - report, do not fail
            print(f"\nwhole-app pass failed: {type(exc).__name__}: {exc}")
        else:
            print_marks(f"Whole app headless (run_test 80×24): {HOUR:,} x (await app.tick(), "
                        f"screen second + 2 flashes, one frame); {app['opened']} opened / "
                        f"{app['stepped']} stepped; {app['elapsed']:.1f} s real",
                        app["marks"], ("open rows", "toasts", "alerts", "live widgets",
                                       "mounted"))
            print("\nPython objects whose count grew most over the hour (gc, by type):")
            for name, count in app["grown"]:
                print(f"  {count:+8,}  {name}")
            print(f"\nLive Widget objects whose count changed (start -> end; "
                  f"{app['mounted']} widgets mounted on the screen at the end):")
            for name, before, after in app["widgets"] or [("(none)", 0, 0)]:
                print(f"  {name:<24} {before:>6,} -> {after:>6,}")
        try:
            moves = asyncio.run(cursor_moves(fresh_db("cursor")))
        except Exception as exc:  # noqa: BLE001 - report, do not fail
            print(f"\ncursor pass failed: {type(exc).__name__}: {exc}")
        else:
            cursor_report(moves)


def cursor_report(moves: dict) -> None:
    print_marks(f"Cursor moves in the headless app (down/up key presses; "
                f"{moves['mounted']} FooterKeys mounted at the end)", moves["marks"],
                ("FooterKey", "all widgets", "wall ms/press", "CPU ms/press"),
                first="presses")


def _line(filename: str, lineno: int) -> str:
    try:
        return Path(filename).read_text().splitlines()[lineno - 1].strip()[:70]
    except (OSError, IndexError):
        return ""


if __name__ == "__main__":
    main()
