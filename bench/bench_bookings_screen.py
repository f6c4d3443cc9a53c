"""The bookings screen at building scale (issue 8): 100 resources with a year of
bookings (about 50,000, bench_bookings.build), on the real `deskapp` at 80×24.

    .venv/bin/python bench/bench_bookings_screen.py [--resources 100] [--per 500] [--seconds 30]

Key `3` until the day grid is on the terminal (goal < 200 ms), `]`/`[` a day to its
frame (goal < 100 ms), and the idle grid's bytes/s and CPU — alone, and while another
process books a resource below the fold every 2 s (it should cost almost nothing).
Prints figures; never asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import _fixtures as fx  # noqa: E402
import bench_bookings as bb  # noqa: E402
from _pty import Session, idle_figures  # noqa: E402


def build(resources: int, per: int) -> Path:
    path = fx.OUT / f"bookings_screen_{resources}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db, _desk, _built = bb.build(f"sqlite:///{path}", resources, per)
    db.close()
    return path


def latency(db: Path, lang: str) -> None:
    title = ("预订 " if lang == "zh" else "Bookings ").encode()
    app = Session(db, lang)
    try:
        paints = []
        for _ in range(3):
            paints.append(app.key("3", until=title))
            app.key("1")
        app.key("3")
        days = [app.key(key) for key in "]]]]][[[[[" * 2]
    finally:
        app.close()
    print(f"  3 → day grid on the terminal: first {paints[0] * 1000:.0f} ms, "
          f"again {statistics.median(paints[1:]) * 1000:.0f} ms (goal < 200 ms)")
    print(f"  ] / [ a day to its frame: median {statistics.median(days) * 1000:.1f} ms, "
          f"max {max(days) * 1000:.1f} ms over {len(days)} keys (goal < 100 ms)")


class Booker:
    """Another session booking the last resource (below the fold) every 2 s."""

    CODE = ("import sys, pendulum; from deskapp.db import open_database, normalise_url;"
            "from deskapp.clock import Clock; from deskapp.services import Desk;"
            "from deskapp.services.bookings import add_booking;"
            "db = open_database(normalise_url(sys.argv[1]));"
            "desk = Desk(db=db, clock=Clock(), user='bench', role='desk');"
            "start = pendulum.now('Asia/Shanghai').start_of('day').add(hours=8, minutes=30 * int(sys.argv[3]));"
            "add_booking(desk, sys.argv[2], start, start.add(minutes=20))")

    def __init__(self, db: Path, resource: str) -> None:
        self.db, self.resource, self.next_at, self.n = db, resource, 0.0, 0
        self.proc: subprocess.Popen | None = None

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        if now < self.next_at or (self.proc is not None and self.proc.poll() is None):
            return
        self.next_at, self.n = now + 2.0, self.n + 1
        self.proc = subprocess.Popen([sys.executable, "-c", self.CODE, str(self.db),
                                      self.resource, str(self.n % 26)], env=os.environ,
                                     stderr=subprocess.DEVNULL)


def idle(db: Path, seconds: float, lang: str, resources: int) -> None:
    idle_figures(db, lang, seconds, "day grid", b"3", (
        ("idle", None),
        ("another session books a resource off screen every 2 s",
         Booker(db, f"R{resources - 1:03d}"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--per", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()
    fx.OUT.mkdir(exist_ok=True)
    started = time.perf_counter()
    db = build(args.resources, args.per)
    print(f"{args.resources} resources × {args.per} bookings "
          f"(built in {time.perf_counter() - started:.1f} s): {db}")
    latency(db, args.lang)
    idle(db, args.seconds, args.lang, args.resources)


if __name__ == "__main__":
    main()
