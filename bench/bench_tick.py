"""QueueModel.tick on a big SQLite file: first load, quiet tick, tick after one change.

    python bench/bench_tick.py                 # N = 100, 1,000, 10,000 open
    python bench/bench_tick.py --sizes 10000 --profile

The database: 1,000,000 closed tickets (cached in bench/out/base_closed_1000000.db,
built once in about a minute) plus N open tickets of a realistic mix, at a fixed building
time (2026-11-26 14:00 Asia/Shanghai). Each N gets a fresh copy of the base file.

Measured, all on the ticker's own connection in this thread:
  first load   a new QueueModel on a fresh connection (as the app at start-up):
               the first tick reads every open ticket and sorts them
  quiet        nothing written; ``now`` fixed, and ``now`` moving 1 s per tick
  change       another session (a second connection in another thread) calls
               services.tickets.step; then one tick reads it back:
               "dispatch" changes a row in place, "answer" closes it (row leaves)
Plus a phase breakdown of the first load (SQL alone, peewee's conversions, building
the rows, sorting) so a miss can be located without a profiler.
Timings are printed, never asserted. Compare ratios within one run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx  # noqa: E402

from deskapp.db import open_database  # noqa: E402
from deskapp.models import Ticket, database  # noqa: E402
from deskapp.queue import QueueModel, QueueRow  # noqa: E402
from deskapp.services import Desk  # noqa: E402
from deskapp.services.tickets import step  # noqa: E402

GOAL_QUIET_MS = 5.0
GOAL_FIRST_MS = 300.0


def ms(seconds: float) -> float:
    return seconds * 1000.0


def summary(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return statistics.median(values), p95, values[-1]


def prepare(n: int, base: Path) -> Path:
    path = fx.OUT / f"tick_{n}.db"
    fx.copy_db(base, path)
    fx.add_open(path, n, seed=n)
    return path


def first_loads(db, clock, repeat: int) -> tuple[list[float], QueueModel]:
    times = []
    model = None
    for _ in range(repeat):
        if not db.is_closed():
            db.close()
        gc.collect()
        model = QueueModel(db, near_percent=20)
        started = time.perf_counter()
        model.tick(clock.now())
        times.append(time.perf_counter() - started)
    return times, model


def row_from_micros(model: QueueModel, record: tuple) -> QueueRow:
    """A QueueRow from the raw integer columns (µs since the epoch, as UTCField stores
    them): deskapp's own path since 257263f, named here for the phase table."""
    return model._row(record)


def open_tickets_query():
    """The columns QueueModel reads for the queue, open tickets only, through peewee's
    converters (pendulum): the reference cost the raw path avoids."""
    return QueueModel.query(Ticket.is_open == True).tuples()  # noqa: E712


def reads_raw(model: QueueModel) -> bool:
    """Whether this deskapp's QueueModel fetches raw integers (257263f and later)."""
    return hasattr(model, "_fetch")


def phases(db, model: QueueModel) -> dict[str, float]:
    """Where a first load's time goes, measured piece by piece (median of 5)."""
    query = open_tickets_query()
    sql, params = query.sql()
    raw_path = reads_raw(model)
    load_names = getattr(model, "_load_names", None) or getattr(model, "_load_services")
    out = {k: [] for k in ("sql_fetch", "pendulum", "queue_rows", "sort", "services",
                           "rows_raw")}
    for _ in range(5):
        t0 = time.perf_counter()
        raw = db.execute_sql(sql, params).fetchall()
        t1 = time.perf_counter()
        converted = list(query.clone())
        t2 = time.perf_counter()
        rows = {r[0]: model._row(r) for r in (raw if raw_path else converted)}
        t3 = time.perf_counter()
        sorted(row.sort_key for row in rows.values())
        t4 = time.perf_counter()
        load_names()
        t5 = time.perf_counter()
        {r[0]: row_from_micros(model, r) for r in raw}
        t6 = time.perf_counter()
        out["sql_fetch"].append(t1 - t0)
        out["pendulum"].append((t2 - t1) - (t1 - t0))  # conversions on top of the fetch
        out["queue_rows"].append(t3 - t2)
        out["sort"].append(t4 - t3)
        out["services"].append(t5 - t4)
        out["rows_raw"].append(t6 - t5)
        assert len(raw) == len(converted)
    result = {k: statistics.median(v) for k, v in out.items()}
    result["raw_path"] = raw_path
    return result


def quiet_ticks(model, clock, count: int, move: bool) -> tuple[list[float], int]:
    times, touched = [], 0
    for _ in range(count):
        if move:
            clock.advance(seconds=1)
        now = clock.now()
        started = time.perf_counter()
        update = model.tick(now)
        times.append(time.perf_counter() - started)
        touched += len(update.changed)
    return times, touched


def change_ticks(model, clock, writer, desk, action: str, count: int):
    """One step by another session, then one tick; returns (tick times, step times,
    how many ticks saw exactly that one ticket change)."""
    def pick():
        states = ("accepted",) if action == "dispatch" else ("accepted", "dispatched")
        return [i for i, r in model.rows.items() if r.state in states]

    candidates = pick()[: count]
    if action == "answer":  # only a resolved ticket is answered; resolve them untimed first
        for ticket_id in candidates:
            writer.submit(step, desk, ticket_id, "resolve").result()
        model.tick(clock.now())
    tick_times, step_times, seen = [], [], 0
    for ticket_id in candidates:
        clock.advance(seconds=1)
        started = time.perf_counter()
        writer.submit(step, desk, ticket_id, action).result()
        step_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        update = model.tick(clock.now())
        tick_times.append(time.perf_counter() - started)
        seen += ticket_id in update.changed
    return tick_times, step_times, seen


def run_size(n: int, base: Path, args) -> dict:
    path = prepare(n, base)
    db = open_database(f"sqlite:///{path}")
    clock = fx.frozen_clock()
    desk = Desk(db=db, clock=clock, user=fx.ACTOR, role="manager")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="other-session")
    result = {"n": n}
    loads, model = first_loads(db, clock, args.repeat)
    result["first"] = loads
    result["open_rows"] = len(model.rows)
    result["phases"] = phases(db, model)
    # a fresh, loaded model for the tick measurements
    model = QueueModel(db, near_percent=20)
    model.tick(clock.now())
    result["quiet_fixed"], _ = quiet_ticks(model, clock, args.ticks, move=False)
    result["quiet_moving"], result["timed_changes"] = quiet_ticks(model, clock, args.ticks,
                                                                  move=True)
    result["dispatch"] = change_ticks(model, clock, writer, desk, "dispatch", args.changes)
    result["answer"] = change_ticks(model, clock, writer, desk, "answer", args.changes)
    if args.profile:
        profile_size(n, db, clock, writer, desk, args)
    writer.shutdown()
    db.close()
    database.initialize(None)
    if not args.keep:  # each copy is ~0.7 GB; the cached base stays
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def profile_size(n, db, clock, writer, desk, args) -> None:
    from pyinstrument import Profiler

    out = fx.OUT / f"profile_tick_{n}"
    # first load x5
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(5):
        db.close()
        QueueModel(db, near_percent=20).tick(clock.now())
    profiler.stop()
    save(profiler, out, "first_load", f"first load x5, N={n}")
    model = QueueModel(db, near_percent=20)
    model.tick(clock.now())
    profiler = Profiler(interval=0.0001)
    profiler.start()
    quiet_ticks(model, clock, 500, move=True)
    profiler.stop()
    save(profiler, out, "quiet", f"500 quiet ticks (time moving), N={n}")
    profiler = Profiler(interval=0.0001)
    ids = [i for i, r in model.rows.items() if r.state in ("accepted", "dispatched")][:20]
    for ticket_id in ids:
        clock.advance(seconds=1)
        writer.submit(step, desk, ticket_id, "resolve").result()
        writer.submit(step, desk, ticket_id, "answer").result()
        profiler.start()
        model.tick(clock.now())
        profiler.stop()
    save(profiler, out, "change", f"20 ticks each after one ticket closed, N={n}")


def save(profiler, out: Path, name: str, title: str) -> None:
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    path = Path(f"{out}_{name}.txt")
    path.write_text(text)
    Path(f"{out}_{name}.html").write_text(profiler.output_html())
    print(f"\n--- pyinstrument: {title} (full text: {path.relative_to(fx.HERE.parent)}) ---")
    lines = text.splitlines()
    print("\n".join(lines[:60]))
    if len(lines) > 60:
        print(f"... ({len(lines) - 60} more lines)")


def report(results: list[dict]) -> None:
    print("\nQueueModel.tick — SQLite, 1,000,000 closed tickets + N open "
          "(times in ms; median / p95 / max)")
    head = (f"{'N open':>7} | {'first load med (min–max)':>25} | {'quiet, same now':>20} | "
            f"{'quiet, +1 s/tick':>20} | {'after dispatch':>20} | {'after answer':>20}")
    print(head)
    print("-" * len(head))
    for r in results:
        f_med = ms(statistics.median(r["first"]))
        f_rng = f"{ms(min(r['first'])):.0f}–{ms(max(r['first'])):.0f}"
        cells = []
        for key in ("quiet_fixed", "quiet_moving"):
            med, p95, top = (ms(x) for x in summary(r[key]))
            cells.append(f"{med:6.3f}/{p95:6.3f}/{top:6.2f}")
        for key in ("dispatch", "answer"):
            med, p95, top = (ms(x) for x in summary(r[key][0]))
            cells.append(f"{med:6.2f}/{p95:6.2f}/{top:6.2f}")
        print(f"{r['n']:>7,} | {f_med:9.1f} ({f_rng:>13}) | " + " | ".join(
            f"{c:>20}" for c in cells))
    print("\nOther session's step() (write transaction incl. fsync-less WAL commit), ms median:")
    for r in results:
        print(f"  N={r['n']:>6,}: dispatch {ms(statistics.median(r['dispatch'][1])):.2f}, "
              f"answer {ms(statistics.median(r['answer'][1])):.2f}; ticks that saw the change: "
              f"{r['dispatch'][2]}/{len(r['dispatch'][0])} and "
              f"{r['answer'][2]}/{len(r['answer'][0])}; rows touched by time alone over "
              f"the +1 s ticks: {r['timed_changes']}")
    print("\nFirst load, phase by phase (ms, median of 5, warm):")
    raw_path = results[0]["phases"]["raw_path"]
    print(f"  this deskapp's QueueModel reads "
          f"{'raw integer times (execute_sql)' if raw_path else 'peewee tuples -> pendulum'}")
    print(f"{'N open':>7} | {'SQL fetch':>9} | {'QueueRow build':>14} | {'sort':>7} | "
          f"{'names':>6} | {'sum':>7} || {'pendulum conv.':>14} | {'rows from raw':>13}")
    for r in results:
        p = r["phases"]
        used = p["sql_fetch"] + p["queue_rows"] + p["sort"] + p["services"]
        if not raw_path:
            used += p["pendulum"]
        print(f"{r['n']:>7,} | {ms(p['sql_fetch']):9.2f} | {ms(p['queue_rows']):14.2f} | "
              f"{ms(p['sort']):7.2f} | {ms(p['services']):6.2f} | {ms(used):7.2f} || "
              f"{ms(p['pendulum']):14.2f} | {ms(p['rows_raw']):13.2f}")
    print("  sum = the phases this deskapp runs (incl. pendulum conv. when it uses it).\n"
          "  pendulum conv. = peewee .tuples() minus the bare fetch: UTCField.python_value ->\n"
          "  pendulum for 4 time columns a row " + ("(no longer paid since 257263f; shown "
          "for reference)." if raw_path else "(paid by this deskapp).") + "\n"
          "  rows from raw = QueueRow built from the integer µs columns by bench code "
          "(the raw path).")
    print("\nGoals (issue): quiet tick < 5 ms at 10,000 open; first load < 300 ms")
    for r in results:
        quiet = ms(statistics.median(r["quiet_moving"]))
        first = ms(statistics.median(r["first"]))
        print(f"  N={r['n']:>6,}: quiet {quiet:.3f} ms -> "
              f"{'met' if quiet < GOAL_QUIET_MS else 'MISSED'}; first load {first:.0f} ms -> "
              f"{'met' if first < GOAL_FIRST_MS else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--closed", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="first loads per N")
    parser.add_argument("--ticks", type=int, default=300, help="quiet ticks per N")
    parser.add_argument("--changes", type=int, default=15, help="changed ticks per kind")
    parser.add_argument("--profile", action="store_true",
                        help="also profile with pyinstrument (bench/out/profile_tick_*)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached base")
    parser.add_argument("--keep", action="store_true",
                        help="keep bench/out/tick_N.db (deleted after each N by default)")
    args = parser.parse_args()
    base = fx.base_with_closed(args.closed, rebuild=args.rebuild)
    results = []
    for n in args.sizes:
        started = time.perf_counter()
        results.append(run_size(n, base, args))
        print(f"N={n:,} done in {time.perf_counter() - started:.1f} s", flush=True)
    report(results)


if __name__ == "__main__":
    main()
