"""One line for what the desk must hear: alerts, confirmations, errors.

Textual's toasts stack over the right half of an 80×24 screen for seconds at a time,
hiding the place, step and who of the very rows they are about. This line sits between
the list and the key bar instead: the newest message, with how many other alerts are
still live folded into "(+2)", and nothing else; a message too long for one line takes
a second while it shows. It repaints only when its text changes
and wakes no timer of its own: the app expires messages with one-shot timers.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from ..i18n import t
from ..views import safe_text

# how long each kind stays on the line, seconds
SECONDS = {"info": 4.0, "error": 10.0, "alert": 20.0}


@dataclass(frozen=True)
class Note:
    text: str
    kind: str  # info | error | alert
    until: float  # time.monotonic()


class StatusBoard:
    """The live messages of a session (pure: the app owns one, every line shows it)."""

    def __init__(self, keep: int = 50) -> None:
        self.history: deque[Note] = deque(maxlen=keep)

    def add(self, text: str, kind: str = "info", seconds: float | None = None,
            now: float | None = None) -> Note:
        now = time.monotonic() if now is None else now
        note = Note(text, kind, now + (SECONDS[kind] if seconds is None else seconds))
        self.history.append(note)
        return note

    def live(self, now: float | None = None) -> list[Note]:
        now = time.monotonic() if now is None else now
        return [note for note in self.history if note.until > now]

    def next_expiry(self, now: float | None = None) -> float | None:
        live = self.live(now)
        return min((note.until for note in live), default=None)

    def line(self, now: float | None = None) -> tuple[str, str] | None:
        """(text, kind) of what the line shows: the newest live message, and how many
        other alerts are still live."""
        live = self.live(now)
        if not live:
            return None
        newest = live[-1]
        others = sum(1 for note in live[:-1] if note.kind == "alert")
        text = newest.text + (t("status.more", n=others) if others else "")
        return text, newest.kind


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 2; padding: 0 1; }
    StatusLine.-alert { background: $error; color: $text; text-style: bold; }
    StatusLine.-error { color: $error; text-style: bold; }
    StatusLine.-idle { color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.idle_text = ""
        self._shown: tuple[str, str] | None = None

    def on_mount(self) -> None:
        self.app.status_signal.subscribe(self, self._changed)
        self._changed(None)

    def on_unmount(self) -> None:
        self.app.status_signal.unsubscribe(self)

    def set_idle(self, text: str) -> None:
        """What the line says while no message is live (e.g. the provisional calendar)."""
        if text != self.idle_text:
            self.idle_text = text
            self._changed(None)

    def _changed(self, _data) -> None:
        shown = self.app.status_board.line() or (self.idle_text, "idle")
        if shown == self._shown:
            return
        self._shown = shown
        text, kind = shown
        for name in ("alert", "error", "idle"):
            self.set_class(kind == name, f"-{name}")
        # one line; a message longer than that (a fault, a conflict) takes a second one
        # while it shows rather than losing its end ("… nothing was written")
        long = cell_len(text) > max(1, (self.size.width or self.app.size.width) - 2)
        self.update(Text(safe_text(text), no_wrap=not long, overflow="ellipsis"),
                    layout=long or self._long)
        self._long = long

    _long = False

    @property
    def shown(self) -> str:
        return self._shown[0] if self._shown else ""
