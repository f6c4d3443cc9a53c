"""The real dashboard in a real pseudo-terminal: bytes/s to the terminal and CPU %.

    python bench/bench_terminal.py                   # both scenarios, zh, 10 s + 60 s
    python bench/bench_terminal.py --scenario quiet --lang en --seconds 30

`deskapp --db FILE` (the console script next to this Python) runs on a pty sized 80×24
with TERM=xterm-256color, reading a fresh SQLite file with 1,000 open tickets:

  flashing  five urgent repairs, dispatched, opened 12 min 5 s ago: their on-site target
            (15 min) is in its last 20 % ("near") for the whole run, so five visible rows
            count down in seconds and flash at 2 Hz; 995 normal tickets due days away
  quiet     1,000 normal tickets due days away: nothing flashes, no countdown on screen;
            only the clock in the top bar moves

Everything the app writes is read for a warm-up (default 10 s), then for the measured
window (default 60 s): bytes/s, and the app's CPU time (utime+stime of /proc/PID/stat,
all threads) as % of one core. The first 5 s of the window are decoded with a small
terminal emulator: which screen rows/columns were written, how many bytes went to text,
cursor moves, style (SGR) codes and mode switches, and what a typical update looks like.

Goals (issue): flashing <= 1,500 B/s and <= 1.5 % CPU; quiet <= 150 B/s and <= 0.5 %.
The terminal answers no queries by default (as xterm); --sync makes it claim
synchronised output (mode 2026), as kitty/WezTerm/Windows Terminal do, which wraps
every frame in ESC[?2026h .. ESC[?2026l.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx  # noqa: E402

from rich.cells import cell_len  # noqa: E402

ROWS, COLS = 24, 80
GOALS = {"flashing": (1500, 1.5), "quiet": (150, 0.5)}
DESKAPP = Path(sys.executable).with_name("deskapp")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- fixtures ------------------------------------------------------------------------------

FAR = ("signage", "fitout_approval", "fitout_acceptance")


def build_db(scenario: str, total: int = 1000) -> Path:
    """A fresh database relative to the wall clock (the app uses the real clock)."""
    path = fx.OUT / f"terminal_{scenario}.db"
    fx.create_empty(path)
    now = time.time_ns() // 1000
    specs = []
    if scenario == "flashing":
        for i in range(5):
            opened = now - (12 * 60 + 5) * fx.US - i * fx.US
            specs.append(dict(service="repair", tier="urgent", opened=opened,
                              steps=[("dispatch", opened + 60 * fx.US, "")],
                              tenant_id=i + 1, location=f"{10 + i}F-{i + 1:02d}",
                              note="空调不制热"))
    for i in range(total - len(specs)):
        opened = now - (600 + (i * 37) % (5 * 3600)) * fx.US
        specs.append(dict(service=FAR[i % len(FAR)], tier="normal", opened=opened,
                          tenant_id=(i % fx.TENANT_COUNT) + 1,
                          location=f"{i % 30 + 1}F-{i % 20 + 1:02d}"))
    fx.add_specific(path, specs)
    return path


# -- the process on a pty ----------------------------------------------------------------

@dataclass
class Capture:
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    def window(self, start: float, end: float) -> list[tuple[float, bytes]]:
        return [(t, b) for t, b in self.chunks if start <= t < end]


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        stat = fh.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_app(db: Path, lang: str, warmup: float, seconds: float, sync: bool,
            whatif: str = "", profile: Path | None = None, log=print,
            during=None, keys: bytes = b"") -> dict:
    """``during(phase)``, when given, is called about every 0.25 s while the app runs
    ("warmup", "measure"): bench_sessions.py writes from another session there.
    ``keys`` are typed once the first screen is out (b"2": the tenants screen)."""
    home = tempfile.mkdtemp(prefix="deskapp-bench-home-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DESKAPP_", "TEXTUAL", "NO_COLOR", "COLORTERM"))}
    env.update(TERM="xterm-256color", HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_DATA_HOME=f"{home}/.local/share", LANG="C.UTF-8", LC_ALL="C.UTF-8",
               DESKAPP_USER=fx.ACTOR, COLUMNS=str(COLS), LINES=str(ROWS))
    argv = [str(DESKAPP), "--db", str(db), "--lang", lang, "--no-bell"]
    if whatif or profile:  # the same CLI, with bench-only patches (bench/_whatif_app.py)
        argv = [sys.executable, str(fx.HERE / "_whatif_app.py")] + argv[1:]
        env["DESKAPP_BENCH_WHATIF"] = whatif
        if profile:
            env["DESKAPP_BENCH_PROFILE"] = str(profile)
            profile.unlink(missing_ok=True)
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty slave is stdin/stdout/stderr
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    capture = Capture()
    started = time.monotonic()
    marks: dict[str, float] = {}
    cpu: dict[str, float] = {}
    rss: dict[str, float] = {}
    answered = False
    phase_end = started + 30.0  # first: wait for the first full screen (at most 30 s)
    phase = "start"
    try:
        while True:
            now = time.monotonic()
            if now >= phase_end:
                if phase == "start":
                    raise RuntimeError("the app drew nothing within 30 s")
                if phase == "warmup":
                    phase, marks["measure"] = "measure", now
                    cpu["measure"], rss["measure"] = cpu_seconds(pid), rss_mb(pid)
                    if profile:
                        os.kill(pid, signal.SIGUSR1)
                    phase_end = now + seconds
                    log(f"  measuring {seconds:.0f} s ...")
                elif phase == "measure":
                    marks["end"] = now
                    cpu["end"], rss["end"] = cpu_seconds(pid), rss_mb(pid)
                    if profile:
                        os.kill(pid, signal.SIGUSR2)
                        wait_for_file(fd, profile, capture)
                    break
            if during is not None and phase != "start":
                during(phase)
            ready, _, _ = select.select([fd], [], [], max(0.0, min(0.25, phase_end - now)))
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError as exc:
                if exc.errno == errno.EIO:
                    raise RuntimeError("the app exited early") from exc
                raise
            stamp = time.monotonic()
            capture.chunks.append((stamp, data))
            if sync and not answered and b"\x1b[?2026$p" in data:
                os.write(fd, b"\x1b[?2026;2$y")
                answered = True
            if phase == "start" and sum(len(b) for _, b in capture.chunks) > 1500:
                # the first frame is out: warm up from here
                phase, marks["drawn"] = "warmup", stamp
                cpu["drawn"] = cpu_seconds(pid)
                if keys:
                    os.write(fd, keys)
                phase_end = stamp + warmup
                log(f"  first screen after {stamp - started:.1f} s; warming up "
                    f"{warmup:.0f} s ...")
    finally:
        stop(pid, fd, capture)
    return dict(capture=capture, marks=marks, cpu=cpu, rss=rss, started=started)


def wait_for_file(fd: int, path: Path, capture: Capture, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (path.exists() and path.stat().st_size):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            os.read(fd, 65536)  # keep the pty drained; not counted
    time.sleep(0.2)


def stop(pid: int, fd: int, capture: Capture) -> None:
    try:
        os.write(fd, b"\x11")  # ctrl+q: quit
    except OSError:
        pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


# -- decoding what was written -------------------------------------------------------------

TOKEN = re.compile(
    rb"(?P<csi>\x1b\[[0-?]*[ -/]*[@-~])"
    rb"|(?P<osc>\x1b\][^\x07\x1b]*(?:\x07|\x1b\\))"
    rb"|(?P<esc>\x1b[@-_])"
    rb"|(?P<ctl>[\x00-\x1a\x1c-\x1f\x7f])"
    rb"|(?P<text>[^\x00-\x1f\x7f]+)")


@dataclass
class Screen:
    """Just enough of a terminal to know which cell each byte of text landed in."""

    rows: int = ROWS
    cols: int = COLS
    y: int = 0
    x: int = 0
    cells: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cells = [[" "] * self.cols for _ in range(self.rows)]

    def csi(self, seq: bytes) -> str:
        body, final = seq[2:-1].decode("latin-1"), chr(seq[-1])
        if body.startswith(("?", ">", "<", "=")) or "$" in body:
            return "mode"
        params = [int(p) if p.isdigit() else 0 for p in body.split(";")] if body else []
        if final in "Hf":
            row = params[0] if params else 1
            col = params[1] if len(params) > 1 else 1
            self.y, self.x = max(row, 1) - 1, max(col, 1) - 1
            return "cursor"
        if final in "ABCDG":
            n = (params[0] if params else 1) or 1
            if final == "A":
                self.y = max(0, self.y - n)
            elif final == "B":
                self.y = min(self.rows - 1, self.y + n)
            elif final == "C":
                self.x = min(self.cols - 1, self.x + n)
            elif final == "D":
                self.x = max(0, self.x - n)
            else:
                self.x = n - 1
            return "cursor"
        if final == "m":
            return "style"
        if final == "K":
            mode = params[0] if params else 0
            span = (range(self.x, self.cols) if mode == 0 else range(0, self.x + 1)
                    if mode == 1 else range(self.cols))
            for x in span:
                self.cells[self.y][x] = " "
            return "erase"
        if final == "J":
            for row in self.cells:
                row[:] = [" "] * self.cols
            return "erase"
        return "other"

    def text(self, text: str, written: list) -> None:
        for char in text:
            width = cell_len(char)
            if self.x < self.cols:
                self.cells[self.y][self.x] = char
                if width == 2 and self.x + 1 < self.cols:
                    self.cells[self.y][self.x + 1] = ""
                written.append((self.y, self.x, width))
            self.x = min(self.cols, self.x + width)

    def control(self, char: int) -> str:
        if char == 0x0A:
            self.y = min(self.rows - 1, self.y + 1)
        elif char == 0x0D:
            self.x = 0
        elif char == 0x08:
            self.x = max(0, self.x - 1)
        return "newline" if char in (0x0A, 0x0D) else "control"

    def line(self, y: int) -> str:
        return "".join(self.cells[y])


@dataclass
class Decoded:
    by_kind: Counter = field(default_factory=Counter)        # bytes per category
    row_bytes: Counter = field(default_factory=Counter)      # bytes attributed to a row
    row_cells: dict = field(default_factory=lambda: defaultdict(set))
    row_writes: Counter = field(default_factory=Counter)     # bursts that touched a row
    bursts: list = field(default_factory=list)               # (t, bytes, [(row, x0, x1)])


def decode(screen: Screen, chunks: list[tuple[float, bytes]], analyse: bool,
           gap: float = 0.03) -> Decoded:
    out = Decoded()
    # bursts: chunks closer than ``gap`` seconds are one update
    groups: list[list[tuple[float, bytes]]] = []
    for stamp, data in chunks:
        if groups and stamp - groups[-1][-1][0] < gap:
            groups[-1].append((stamp, data))
        else:
            groups.append([(stamp, data)])
    for group in groups:
        data = b"".join(d for _, d in group)
        spans: dict[int, list[int]] = {}
        touched_rows: set[int] = set()
        for match in TOKEN.finditer(data):
            kind = match.lastgroup
            raw = match.group()
            row = screen.y
            if kind == "csi":
                category = screen.csi(raw)
                if category == "cursor":
                    row = screen.y
            elif kind == "text":
                written: list = []
                screen.text(raw.decode("utf-8", "replace"), written)
                category = "text"
                for y, x, w in written:
                    lo_hi = spans.setdefault(y, [x, x + w])
                    lo_hi[0], lo_hi[1] = min(lo_hi[0], x), max(lo_hi[1], x + w)
                    out.row_cells[y].update(range(x, x + w))
                    touched_rows.add(y)
            elif kind == "ctl":
                category = screen.control(raw[0])
            else:
                category = "other"
            if analyse:
                out.by_kind[category] += len(raw)
                out.row_bytes[row] += len(raw)
        if analyse:
            for y in touched_rows:
                out.row_writes[y] += 1
            out.bursts.append((group[0][0], data, sorted((y, a, b) for y, (a, b) in
                                                         spans.items())))
    return out


def show(data: bytes, limit: int = 400) -> str:
    text = repr(data)[2:-1].replace("\\x1b", "ESC")
    return text if len(text) <= limit else text[:limit] + f"... (+{len(text) - limit} chars)"


def spans_text(cells: set[int]) -> str:
    if not cells:
        return "-"
    cells = sorted(cells)
    parts, start, prev = [], cells[0], cells[0]
    for x in cells[1:] + [None]:
        if x is None or x != prev + 1:
            parts.append(f"{start + 1}–{prev + 1}" if prev != start else f"{start + 1}")
            if x is not None:
                start = x
        if x is not None:
            prev = x
    return ",".join(parts)


# -- one scenario ----------------------------------------------------------------------------

def run_scenario(name: str, args) -> dict:
    print(f"\n=== scenario: {name} ===")
    db = build_db(name)
    print(f"  database: {db.relative_to(fx.HERE.parent)} ({fx.counts(db)['open']:,} open)")
    profile = fx.OUT / f"profile_terminal_{name}.txt" if args.profile else None
    result = run_app(db, args.lang, args.warmup, args.seconds, args.sync, args.whatif, profile)
    marks, cpu, rss = result["marks"], result["cpu"], result["rss"]
    capture: Capture = result["capture"]
    window = capture.window(marks["measure"], marks["end"])
    wall = marks["end"] - marks["measure"]
    total = sum(len(b) for _, b in window)
    per_second = [0] * int(wall + 1)
    for stamp, data in window:
        per_second[min(int(stamp - marks["measure"]), len(per_second) - 1)] += len(data)
    per_second = per_second[: int(wall)] or per_second
    startup = sum(len(b) for t, b in capture.chunks if t < marks["drawn"] + 1.0)
    res = dict(name=name, bytes_per_s=total / wall, cpu_pct=100 * (cpu["end"] - cpu["measure"]) / wall,
               per_second=per_second, wall=wall, startup_bytes=startup,
               rss_start=rss["measure"], rss_end=rss["end"],
               writes_per_s=len(window) / wall)
    # replay everything before the sample to know the screen, then analyse the sample
    screen = Screen()
    sample_end = marks["measure"] + min(args.sample, wall)
    before = [(t, b) for t, b in capture.chunks if t < marks["measure"]]
    decode(screen, before, analyse=False)
    sample = [(t, b) for t, b in window if t < sample_end]
    raw = fx.OUT / f"terminal_{name}_sample.bin"
    raw.write_bytes(b"".join(b for _, b in sample))
    print(f"  raw sample saved: {raw.relative_to(fx.HERE.parent)}")
    decoded = decode(screen, sample, analyse=True)
    res["sample"] = (decoded, screen, min(args.sample, wall))
    report_sample(name, decoded, screen, min(args.sample, wall))
    if profile and profile.exists():
        text = profile.read_text().splitlines()
        print(f"\n  -- pyinstrument, app main thread over the window "
              f"({profile.relative_to(fx.HERE.parent)}) --")
        print("\n".join("  " + line for line in text[:70]))
    return res


def report_sample(name: str, d: Decoded, screen: Screen, seconds: float) -> None:
    total = sum(d.by_kind.values())
    print(f"\n  -- raw sample: first {seconds:.0f} s of the window, {total:,} bytes "
          f"({total / seconds:,.0f} B/s), {len(d.bursts)} updates "
          f"({len(d.bursts) / seconds:.1f}/s) --")
    print("  bytes by kind: " + ", ".join(
        f"{kind} {count:,} ({100 * count / max(total, 1):.0f} %)"
        for kind, count in d.by_kind.most_common()))
    print(f"\n  {'row':>3} | {'bytes/s':>7} | {'updates/s':>9} | {'columns written':<22} | "
          f"screen text now (row as the emulator sees it)")
    for y in sorted(set(d.row_bytes) | set(d.row_cells)):
        text = screen.line(y).rstrip()
        print(f"  {y + 1:>3} | {d.row_bytes[y] / seconds:7.0f} | "
              f"{d.row_writes[y] / seconds:9.1f} | {spans_text(d.row_cells[y]):<22} | "
              f"{text[:60]}")
    # the kinds of update: group bursts by the rows/columns they wrote
    kinds: dict[tuple, list] = defaultdict(list)
    for stamp, data, spans in d.bursts:
        kinds[tuple(spans)].append(data)
    print("\n  updates by shape (rows:columns written, 1-based):")
    for spans, datas in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        shape = " ".join(f"r{y + 1}:{a + 1}–{b}" for y, a, b in spans) or "(no text)"
        sizes = [len(x) for x in datas]
        print(f"   {len(datas) / seconds:4.1f}/s  {statistics.median(sizes):6.0f} B each  {shape}")
        print(f"          e.g. {show(datas[0], 600)}")


def report(results: list[dict], args) -> None:
    print("\n" + "=" * 100)
    print(f"deskapp in a pty, {COLS}×{ROWS}, TERM=xterm-256color, lang={args.lang}, "
          f"sync-output={'yes' if args.sync else 'no'}; warm-up {args.warmup:.0f} s, "
          f"window {args.seconds:.0f} s"
          + (f"; WHAT-IF patches: {args.whatif}" if args.whatif else "")
          + ("; under pyinstrument (CPU % inflated)" if args.profile else ""))
    head = (f"{'scenario':<9} | {'B/s':>7} | {'goal B/s':>8} | {'CPU % core':>10} | "
            f"{'goal %':>6} | {'B/s per second min/med/max':>26} | {'writes/s':>8} | "
            f"{'RSS MB start→end':>16}")
    print(head)
    print("-" * len(head))
    for r in results:
        goal_b, goal_c = GOALS[r["name"]]
        ps = r["per_second"]
        print(f"{r['name']:<9} | {r['bytes_per_s']:7.0f} | {goal_b:8,} | {r['cpu_pct']:10.2f} | "
              f"{goal_c:6.1f} | {min(ps):>8,}/{statistics.median(ps):>7,.0f}/{max(ps):>7,} | "
              f"{r['writes_per_s']:8.1f} | {r['rss_start']:7.1f}→{r['rss_end']:6.1f}")
    print("\nGoals:")
    for r in results:
        goal_b, goal_c = GOALS[r["name"]]
        print(f"  {r['name']:<9} bytes {'met' if r['bytes_per_s'] <= goal_b else 'MISSED'} "
              f"({r['bytes_per_s']:.0f} vs {goal_b}), CPU "
              f"{'met' if r['cpu_pct'] <= goal_c else 'MISSED'} ({r['cpu_pct']:.2f} vs {goal_c}); "
              f"startup screen {r['startup_bytes']:,} B")


def arguments(doc: str, scenarios: tuple[str, ...], sample: float) -> argparse.ArgumentParser:
    """The options every pty bench shares (bench_sessions.py too)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--scenario", choices=scenarios + ("both",), default="both")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sample", type=float, default=sample, help="seconds decoded in detail")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument the app's main thread over the window")
    return parser


def announce(args, scenarios: tuple[str, ...]) -> tuple[str, ...]:
    """Print what is measured; the scenarios to run."""
    if not DESKAPP.exists():
        raise SystemExit(f"no console script at {DESKAPP}; pip install -e . into this venv")
    head = subprocess.run(["git", "-C", str(fx.HERE.parent), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    print(f"deskapp at {head or '?'} (working tree as it is now); {DESKAPP}")
    return scenarios if args.scenario == "both" else (args.scenario,)


def main() -> None:
    parser = arguments(__doc__, ("flashing", "quiet"), sample=5.0)
    parser.add_argument("--sync", action="store_true",
                        help="answer the synchronised-output query (mode 2026) as supported")
    parser.add_argument("--whatif", default="",
                        help="bench-only patches to test a suggestion, comma-separated: "
                             "clock_nolayout,no_hscroll,one_segment (see _whatif_app.py)")
    args = parser.parse_args()
    names = announce(args, ("flashing", "quiet"))
    results = [run_scenario(name, args) for name in names]
    report(results, args)


if __name__ == "__main__":
    main()
