"""The tenant registry at building scale: `tenant import` of 5,000 rows (goal < 5 s) and
the `/` / ctrl+p fragment query over 5,000 tenants (goal < 50 ms a keystroke).

The imports run as real `deskapp` processes, as a clerk or a cron job runs them: a
fresh database (all 5,000 added), the same file again (all unchanged: nothing written),
and a file with 5 % of the rows changed. `tenant list --json` too. The fragment query
is what a screen calls in-process (services.tenants.find_tenants), so it is timed
in-process: the median of many calls per kind of fragment. Prints figures; never
asserts a timing.

    .venv/bin/python bench/bench_tenants.py [--rows 5000] [--runs 3]
        [--pg postgresql://postgres@127.0.0.1:54331/deskapp_bench] [--profile]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing
VENV_BIN = Path(sys.executable).parent

HEADER = ["name", "units", "contact", "phone", "monthly_rent", "due_day", "lease_start",
          "lease_end"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
WORDS = ["星辰", "华夏", "远景", "金穗", "云帆", "北辰", "康宁", "宏远", "Nordic", "Acme",
         "Blue", "Harbour", "Delta", "汇丰", "瑞达", "博雅"]
KINDS = ["科技有限公司", "律师事务所", "会计师事务所", "Trading Ltd", "Consulting", "设计院"]


def rows(count: int, changed_every: int = 0) -> list[list[str]]:
    """``count`` tenants on 60 floors, one to three units each; every
    ``changed_every``-th row with another rent (0: none)."""
    out = []
    for n in range(count):
        floor, slot = 1 + n % 60, n // 60
        units = [f"{floor}F-{floor}{slot * 3 + k:03d}" for k in range(1 + n % 3)]
        rent = 500_000 + (n * 7919) % 9_000_000
        if changed_every and n % changed_every == 0:
            rent += 10_000
        name = f"{WORDS[n % len(WORDS)]}{WORDS[(n // 16) % len(WORDS)]}{KINDS[n % 6]} {n:05d}"
        out.append([name, ";".join(units), SURNAMES[n % 20] + "经理", f"138{n:08d}",
                    f"{rent // 100}.{rent % 100:02d}", str(1 + n % 28), "2025-01-01",
                    "2028-12-31"])
    return out


def write(path: Path, data: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    return path


def deskapp(db: str, *args: str) -> tuple[float, str]:
    env = dict(os.environ, DESKAPP_USER="bench", LANG="C.UTF-8")
    started = time.perf_counter()
    done = subprocess.run([str(VENV_BIN / "deskapp"), "--db", db, *args], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"deskapp {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stdout.strip()


def fresh(url: str | None, folder: Path, name: str) -> str:
    if url is None:
        return str(folder / f"{name}.db")
    from deskapp.db import open_database
    from deskapp.models import ALL_MODELS

    db = open_database(url)
    db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
    db.close()
    return url


def imports(url: str | None, folder: Path, count: int, runs: int) -> str:
    first = write(folder / "tenants.csv", rows(count))
    changed = write(folder / "changed.csv", rows(count, changed_every=20))
    times = {"new": [], "same": [], "changed": []}
    db = ""
    for run in range(runs):
        db = fresh(url, folder, f"run{run}")
        deskapp(db, "init")
        for kind, path in (("new", first), ("same", first), ("changed", changed)):
            seconds, out = deskapp(db, "tenant", "import", str(path), "--json")
            times[kind].append(seconds)
            if run == 0:
                print(f"  {kind:<8} {out}")
    print(f"  tenant import, {count} rows, median of {runs} processes:")
    for kind, label in (("new", "into an empty registry"), ("same", "the same file again"),
                        ("changed", "5 % of rows changed")):
        print(f"    {label:<24} {statistics.median(times[kind]):6.2f} s   (goal < 5 s)")
    listing = [deskapp(db, "tenant", "list", "--json")[0] for _ in range(runs)]
    print(f"  tenant list --json       {statistics.median(listing):6.2f} s")
    startup = [deskapp(db, "--help")[0] for _ in range(runs)]
    print(f"  (deskapp --help alone    {statistics.median(startup):6.2f} s: start-up)")
    return db


def queries(db: str, calls: int) -> None:
    from deskapp.db import normalise_url, open_database
    from deskapp.services.tenants import find_tenants

    open_database(normalise_url(db))
    fragments = {"a name (星辰)": "星辰", "a name, latin (acme)": "acme",
                 "a unit (12f-12)": "12f-12", "a phone (13800001)": "13800001",
                 "one tenant (04999)": "04999", "nothing (zzzz)": "zzzz",
                 "one letter (a)": "a", "empty (all, first 50)": ""}
    print(f"  find_tenants, median of {calls} calls (goal < 50 ms a keystroke):")
    for label, fragment in fragments.items():
        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            found = find_tenants(fragment)
            samples.append(time.perf_counter() - started)
        print(f"    {label:<24} {statistics.median(samples) * 1000:6.2f} ms  "
              f"max {max(samples) * 1000:6.2f} ms  ({len(found)} shown)")


def profile(folder: Path, count: int) -> None:
    from pyinstrument import Profiler

    from deskapp.cli import main

    db = str(folder / "profile.db")
    path = write(folder / "p.csv", rows(count))
    os.environ["DESKAPP_USER"] = "bench"
    main(["--db", db, "init"])
    profiler = Profiler()
    profiler.start()
    main(["--db", db, "tenant", "import", str(path), "--json"])
    profiler.stop()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "tenant_import.html").write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--pg", metavar="URL", help="also on this PostgreSQL database "
                        "(emptied first)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.profile:
            profile(folder, args.rows)
            return
        for label, url in (("SQLite", None), ("PostgreSQL", args.pg)):
            if label == "PostgreSQL" and not url:
                continue
            print(f"{label}:")
            db = imports(url, folder, args.rows, args.runs)
            queries(db, args.calls)


if __name__ == "__main__":
    main()
