"""What a script pays per CLI call: `ticket list --json` at 1,000 and 10,000 open tickets,
and `ticket add` (cron jobs and other systems poll and write through these).

Each command runs as its own process, as cron runs it, on a SQLite file built by
_fixtures (100,000 closed tickets of history behind the open ones). Prints the median
wall time of several runs and the peak RSS of the child. Never asserts a timing.

    .venv/bin/python bench/bench_cli.py [--sizes 1000,10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _fixtures as fx

VENV_BIN = Path(sys.executable).parent


def run(db: Path, *args: str) -> tuple[float, int]:
    """(seconds, peak RSS in MiB) of one `deskapp --db DB ARGS` process."""
    env = dict(os.environ, DESKAPP_USER="bench", LANG="C.UTF-8")
    started = time.perf_counter()
    proc = subprocess.Popen([str(VENV_BIN / "deskapp"), "--db", str(db), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"deskapp {' '.join(args)} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def measure(db: Path, runs: int, *args: str) -> tuple[float, int]:
    samples = [run(db, *args) for _ in range(runs)]
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def build(db: Path, closed: int, size: int) -> None:
    """In a process of its own: a child forked from a parent that built 100,000 tickets
    would report the parent's memory as its own peak (ru_maxrss survives exec)."""
    subprocess.run([sys.executable, __file__, "--build", str(db), str(closed), str(size)],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", nargs=3, metavar=("DB", "CLOSED", "OPEN"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        db, closed, size = Path(args.build[0]), int(args.build[1]), int(args.build[2])
        fx.create_empty(db)
        fx.add_closed(db, closed)
        fx.add_open(db, size)
        return
    print(f"{'open':>7}  {'command':<22} {'median s':>9} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(n) for n in args.sizes.split(",")):
            db = Path(tmp) / f"open_{size}.db"
            build(db, args.closed, size)
            subprocess.run([str(VENV_BIN / "deskapp"), "--db", str(db), "staff", "list"],
                           check=True, capture_output=True,
                           env=dict(os.environ, DESKAPP_USER="bench"))
            for label, command in (
                    ("ticket list --json", ("ticket", "list", "--json")),
                    ("ticket list", ("ticket", "list")),
                    ("ticket add", ("ticket", "add", "--service", "mail",
                                    "--location", "3F"))):
                seconds, mib = measure(db, args.runs, *command)
                print(f"{size:>7}  {label:<22} {seconds:>9.3f} {mib:>9}")


if __name__ == "__main__":
    main()
