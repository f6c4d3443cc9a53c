"""The billing screen at building scale (issue 9): 2,000 tenants with 12 months of
notices, lines and payments (bench_month_end.build), on the real `deskapp` at 80×24.

    .venv/bin/python bench/bench_billing_screen.py [--tenants 2000] [--months 12] [--seconds 30]

Key `4` until the list of balances is on the terminal, `m` to the month-end figures and
back, and the idle screen's bytes/s and CPU — alone, and while another process records
a payment for a tenant every 2 s (its line only should be painted). Prints figures;
never asserts a timing.
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
import bench_month_end as bm  # noqa: E402
from _pty import Session, idle_figures  # noqa: E402


def build(tenants: int, months: int) -> Path:
    path = fx.OUT / f"billing_screen_{tenants}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db, _desk, _built = bm.build(f"sqlite:///{path}", tenants, months)
    db.close()
    return path


def latency(db: Path, lang: str) -> None:
    title = ("欠费" if lang == "zh" else "Owing").encode()
    app = Session(db, lang)
    try:
        paints = []
        for _ in range(3):
            paints.append(app.key("4", until=title))
            app.key("1")
        app.key("4")
        month = [app.key(key) for key in ("m", "\x1b") * 3]
        moves = [app.key(key) for key in ["\x1b[B"] * 5 + ["\x1b[A"] * 5]
    finally:
        app.close()
    print(f"  4 → balances on the terminal: first {paints[0] * 1000:.0f} ms, "
          f"again {statistics.median(paints[1:]) * 1000:.0f} ms")
    print(f"  m / esc month-end and back: median {statistics.median(month) * 1000:.0f} ms, "
          f"max {max(month) * 1000:.0f} ms")
    print(f"  ↓/↑ a tenant (its notices and statement): median "
          f"{statistics.median(moves) * 1000:.1f} ms, max {max(moves) * 1000:.1f} ms")


class Payer:
    """Another session recording 1.00 yuan for the last tenant (off screen) every 2 s."""

    CODE = ("import sys; from deskapp.db import open_database, normalise_url;"
            "from deskapp.clock import Clock; from deskapp.models import Tenant;"
            "from deskapp.services import Desk, payments;"
            "db = open_database(normalise_url(sys.argv[1]));"
            "desk = Desk(db=db, clock=Clock(), user='bench', role='finance');"
            "last = Tenant.select().order_by(Tenant.id.desc()).first();"
            "payments.record_payment(desk, tenant_id=last.id, amount_fen=100, "
            "method='transfer', reference='bench-' + sys.argv[2])")

    def __init__(self, db: Path) -> None:
        self.db, self.next_at, self.n = db, 0.0, 0
        self.proc: subprocess.Popen | None = None

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        if now < self.next_at or (self.proc is not None and self.proc.poll() is None):
            return
        self.next_at, self.n = now + 2.0, self.n + 1
        self.proc = subprocess.Popen([sys.executable, "-c", self.CODE, str(self.db),
                                      f"{os.getpid()}-{self.n}"], env=os.environ,
                                     stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()
    fx.OUT.mkdir(exist_ok=True)
    started = time.perf_counter()
    db = build(args.tenants, args.months)
    print(f"{args.tenants} tenants × {args.months} months "
          f"(built in {time.perf_counter() - started:.1f} s): {db}")
    latency(db, args.lang)
    idle_figures(db, args.lang, args.seconds, "billing screen", b"4", (
        ("idle", None),
        ("another session records a payment off screen every 2 s", Payer(db))))


if __name__ == "__main__":
    main()
