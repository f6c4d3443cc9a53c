"""The only place that asks the time.

Everything else receives a clock, so tests can freeze and move time (pendulum's own
``travel`` does not move Textual's timers, and a frozen clock must reach the worker
thread too).
"""

from __future__ import annotations

import threading

import pendulum
from pendulum import DateTime, Duration

UTC = pendulum.UTC


class Clock:
    """Wall-clock time, always returned in UTC."""

    def now(self) -> DateTime:
        return pendulum.now(UTC)


class FrozenClock(Clock):
    """A clock that only moves when told to; safe to read from several threads."""

    def __init__(self, start: DateTime | str) -> None:
        if isinstance(start, str):
            start = pendulum.parse(start)
        self._now = start.in_tz(UTC)
        self._lock = threading.Lock()

    def now(self) -> DateTime:
        with self._lock:
            return self._now

    def set(self, moment: DateTime) -> None:
        with self._lock:
            self._now = moment.in_tz(UTC)

    def advance(self, duration: Duration | None = None, **units: float) -> DateTime:
        with self._lock:
            self._now = self._now + (duration or pendulum.duration(**units))
            return self._now
