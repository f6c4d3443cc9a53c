"""Launch the deskapp dashboard with optional bench-only patches, to test a suggestion
before anyone changes deskapp/ (used by ``bench_terminal.py --whatif``; never by deskapp).

DESKAPP_BENCH_WHATIF, comma-separated:
  clock_nolayout  the top-bar clock is updated with ``Static.update(..., layout=False)``
                  (its text keeps one width), so the screen is not laid out every second
  no_hscroll      QueueTable gets ``overflow-x: hidden`` (no horizontal scrollbar; today
                  the rows are laid out for the full width, 2 cells wider than the space
                  the vertical scrollbar leaves)
  one_segment     the gap after the time cell takes the time cell's style and equal
                  neighbouring segments are merged (fewer SGR sequences per repaint)
  footer_nobind   Footer's FooterKeys are built without ``data_bind(compact=...)``, so the
                  Footer does not keep every key it ever built (textual#6666)
  footer_on_state a cursor move refreshes the bindings (and so rebuilds the footer) only
                  when the selected ticket's state differs from the last one's

DESKAPP_BENCH_PROFILE=PATH: pyinstrument samples the main thread between SIGUSR1 and
SIGUSR2 and writes its text report to PATH.
"""

from __future__ import annotations

import os
import signal
import sys

KNOWN = {"clock_nolayout", "no_hscroll", "one_segment", "footer_nobind", "footer_on_state"}


def parse(text: str) -> set[str]:
    patches = {p for p in text.split(",") if p}
    if patches - KNOWN:
        raise SystemExit(f"unknown what-if {sorted(patches - KNOWN)}; known {sorted(KNOWN)}")
    return patches


PATCHES = parse(os.environ.get("DESKAPP_BENCH_WHATIF", ""))


def apply(patches: set[str] | None = None) -> None:
    global PATCHES
    if patches is not None:
        PATCHES = parse(",".join(patches))
    if "clock_nolayout" in PATCHES:
        from textual.widgets import Static

        original = Static.update

        def update(self, content="", *, layout: bool = True):
            return original(self, content, layout=False if self.id == "clock" else layout)

        Static.update = update
    if "no_hscroll" in PATCHES:
        from deskapp.app import DeskApp

        DeskApp.CSS = (getattr(DeskApp, "CSS", "") or "") + "\nQueueTable { overflow-x: hidden; }\n"
    if "one_segment" in PATCHES:
        from rich.segment import Segment

        from deskapp.widgets.queue_table import QueueTable

        original_segments = QueueTable._segments

        def _segments(self, row, base):
            segments = original_segments(self, row, base)
            keys = [c.key for c in self._columns]
            # segment list: cursor, then (cell, gap) for every other column
            index = 1 + 2 * (keys.index("left") - 1)
            left, gap = segments[index], segments[index + 1]
            segments[index + 1] = Segment(gap.text, left.style)
            return list(Segment.simplify(segments))

        QueueTable._segments = _segments
    if "footer_nobind" in PATCHES:
        from textual.widgets._footer import FooterKey

        FooterKey.data_bind = lambda self, *args, **kwargs: self  # compact stays default
    if "footer_on_state" in PATCHES:
        from deskapp.screens.queue import QueueScreen

        def on_queue_table_cursor_moved(self, _message) -> None:
            row = self.table.cursor_row
            state = row.state if row is not None else None
            if state != getattr(self, "_bench_state", ()):
                self._bench_state = state
                self.refresh_bindings()

        QueueScreen.on_queue_table_cursor_moved = on_queue_table_cursor_moved


IDLE = {"poll", "select", "epoll.poll", "select.epoll.poll", "[await]", "[sleep]"}


def flat(session) -> str:
    """Busy time only (the event loop's poll is idle): self and inclusive time by function,
    as a share of the busy samples."""
    root = session.root_frame()
    self_time: dict[str, float] = {}
    inclusive: dict[str, float] = {}

    def key(frame) -> str:
        return f"{frame.function}  {frame.file_path_short}:{frame.line_no}"

    def idle(frame) -> bool:
        return frame.function in IDLE or frame.function.endswith("poll")

    def walk(frame, seen: frozenset) -> float:
        if idle(frame):
            return 0.0
        busy_self = frame.total_self_time if hasattr(frame, "total_self_time") else frame.self_time
        busy = busy_self + sum(walk(child, seen | {key(frame)}) for child in frame.children)
        k = key(frame)
        self_time[k] = self_time.get(k, 0.0) + busy_self
        if k not in seen:
            inclusive[k] = inclusive.get(k, 0.0) + busy
        return busy

    total = walk(root, frozenset()) if root else 0.0
    lines = [f"busy (non-idle) main-thread time: {total:.3f} s of {session.duration:.1f} s "
             f"({100 * total / max(session.duration, 1e-9):.2f} % of one core, sampled)",
             "", "top inclusive (share of busy time):"]
    for k, v in sorted(inclusive.items(), key=lambda kv: -kv[1])[:45]:
        lines.append(f"  {100 * v / max(total, 1e-9):5.1f} %  {v:7.3f} s  {k}")
    lines += ["", "top self time:"]
    for k, v in sorted(self_time.items(), key=lambda kv: -kv[1])[:20]:
        lines.append(f"  {100 * v / max(total, 1e-9):5.1f} %  {v:7.3f} s  {k}")
    return "\n".join(lines) + "\n"


def profile_on_signals(path: str) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")

    def start(*_):
        profiler.start()

    def stop(*_):
        from pyinstrument.renderers import ConsoleRenderer

        session = profiler.stop()
        tree = ConsoleRenderer(unicode=True, color=False, show_all=False,
                               processor_options={"filter_threshold": 0.0005})
        with open(path, "w") as fh:
            fh.write(flat(session))
            fh.write("\n")
            fh.write(tree.render(session))

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    apply()
    if os.environ.get("DESKAPP_BENCH_PROFILE"):
        profile_on_signals(os.environ["DESKAPP_BENCH_PROFILE"])
    from deskapp.cli import main

    sys.exit(main())
