"""Another session's writes, seen by an idle dashboard: bytes/s to its terminal and CPU %.

    python bench/bench_sessions.py                     # idle, then writer; 10 s + 60 s each
    python bench/bench_sessions.py --scenario writer --seconds 30 --profile

The real `deskapp --db FILE` on an 80×24 pty, exactly as bench_terminal.py runs it (its
`run_app`, decoder and sample report are reused), on a fresh SQLite file with 60 open
normal tickets due days away (about 19 fit on screen, the rest below the fold):

  idle    nobody else writes: only the clock moves (the baseline)
  writer  every 2 s another process runs `deskapp --db FILE ticket add --service
          fitout_acceptance`, whose deadline is later than every open ticket's, so each
          new ticket lands at the bottom of the queue, below the fold. Nothing the
          dashboard shows changes but the header counts (and the scrollbar's thumb).

Goal (issue): writer <= 400 B/s (it was ~5,800 B/s: every insertion repainted the whole
table, 10,778 bytes to rows 1-23, 77 % style codes). CPU is the dashboard's alone; the
writer processes are not counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx  # noqa: E402
import bench_terminal as bt  # noqa: E402

OPEN = 60
EVERY = 2.0
GOALS = {"idle": 150, "writer": 400}
SERVICES = ("signage", "fitout_approval")  # due in a few working days; the writer's is later


def build_db() -> Path:
    path = fx.OUT / "sessions.db"
    fx.create_empty(path)
    now = time.time_ns() // 1000
    specs = [dict(service=SERVICES[i % len(SERVICES)], tier="normal",
                  opened=now - (600 + i * 60) * fx.US, tenant_id=(i % fx.TENANT_COUNT) + 1,
                  location=f"{i % 30 + 1}F-{i % 20 + 1:02d}") for i in range(OPEN)]
    fx.add_specific(path, specs)
    return path


class Writer:
    """Another session: one `deskapp ticket add` every ``EVERY`` s, never two at once."""

    def __init__(self, db: Path) -> None:
        self.argv = [str(bt.DESKAPP), "--db", str(db), "ticket", "add",
                     "--service", "fitout_acceptance", "--location", "30F"]
        self.env = {**os.environ, "DESKAPP_USER": fx.ACTOR}
        self.next_at = 0.0
        self.proc: subprocess.Popen | None = None
        self.added = 0

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        if self.proc is not None and self.proc.poll() is not None:
            if self.proc.returncode != 0:
                raise RuntimeError(f"ticket add failed: {self.proc.returncode}")
            self.proc, self.added = None, self.added + 1
        if self.proc is None and now >= self.next_at:
            self.next_at = max(self.next_at + EVERY, now)
            self.proc = subprocess.Popen(self.argv, env=self.env, stdout=subprocess.DEVNULL)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.wait()


def run(name: str, args) -> dict:
    print(f"\n=== scenario: {name} ===")
    db = build_db()
    profile = fx.OUT / f"profile_sessions_{name}.txt" if args.profile else None
    writer = Writer(db) if name == "writer" else None
    try:
        result = bt.run_app(db, args.lang, args.warmup, args.seconds, False,
                            profile=profile, during=writer)
    finally:
        if writer is not None:
            writer.close()
    marks, cpu, capture = result["marks"], result["cpu"], result["capture"]
    window = capture.window(marks["measure"], marks["end"])
    wall = marks["end"] - marks["measure"]
    res = dict(name=name, bytes_per_s=sum(len(b) for _, b in window) / wall,
               cpu_pct=100 * (cpu["end"] - cpu["measure"]) / wall,
               open_end=fx.counts(db)["open"], added=writer.added if writer else 0)
    screen = bt.Screen()
    bt.decode(screen, [(t, b) for t, b in capture.chunks if t < marks["measure"]],
              analyse=False)
    seconds = min(args.sample, wall)
    sample = [(t, b) for t, b in window if t < marks["measure"] + seconds]
    bt.report_sample(name, bt.decode(screen, sample, analyse=True), screen, seconds)
    if profile and profile.exists():
        print("\n".join("  " + line for line in profile.read_text().splitlines()[:70]))
    return res


def main() -> None:
    parser = bt.arguments(__doc__, ("idle", "writer"), sample=6.0)
    args = parser.parse_args()
    names = bt.announce(args, ("idle", "writer"))
    results = [run(name, args) for name in names]
    print("\n" + "=" * 80)
    print(f"{'scenario':<8} | {'B/s':>7} | {'goal B/s':>8} | {'CPU % core':>10} | "
          f"{'tickets added':>13} | open at the end")
    for r in results:
        print(f"{r['name']:<8} | {r['bytes_per_s']:7.0f} | {GOALS[r['name']]:8,} | "
              f"{r['cpu_pct']:10.2f} | {r['added']:13} | {r['open_end']}")


if __name__ == "__main__":
    main()
