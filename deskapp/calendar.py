"""The building's working calendar: working days, service hours, same day, half day.

Official holidays and make-up working days (调休) come from ``chinese-calendar``; the
building's own overrides (closures, extra working days) win over it. For a year the
package does not know, the calendar falls back to Monday–Friday and every answer that
used the fallback is marked *provisional* (R-2.4).

Pure: no Textual, no database. All moments in and out are pendulum DateTimes; the
calendar works in the building's zone and returns UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar
import pendulum
from pendulum import DateTime

DEFAULT_TZ = "Asia/Shanghai"


@lru_cache(maxsize=None)
def official_year_known(year: int) -> bool:
    """Whether the official holiday data covers this year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Answer:
    """A moment, and whether a guessed (Monday–Friday) day went into it."""

    at: DateTime
    provisional: bool = False


@dataclass
class WorkCalendar:
    tz: str = DEFAULT_TZ
    service_start: dt.time = dt.time(8, 30)
    service_end: dt.time = dt.time(17, 30)
    # day -> True (working) / False (closed); the manager's own list, wins over official
    overrides: dict[dt.date, bool] = field(default_factory=dict)

    # -- days ---------------------------------------------------------------------
    def is_known(self, day: dt.date) -> bool:
        return day in self.overrides or official_year_known(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if official_year_known(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def local(self, moment: DateTime) -> DateTime:
        return moment.in_tz(self.tz)

    def at_local(self, day: dt.date, time: dt.time) -> DateTime:
        return pendulum.datetime(
            day.year, day.month, day.day, time.hour, time.minute, time.second, tz=self.tz
        ).in_tz("UTC")

    def missing_next_year(self, today: dt.date) -> bool:
        """From 1 November the desk is warned that next year's holidays are unknown."""
        return today.month >= 11 and not official_year_known(today.year + 1)

    # -- targets ------------------------------------------------------------------
    def add_working_days(self, start: DateTime, days: int) -> Answer:
        """End of service hours of the N-th working day *after* the start's day (R-2.5)."""
        if days < 1:
            raise ValueError("working days must be at least 1")
        day = self.local(start).date()
        counted = 0
        provisional = False
        while counted < days:
            day += dt.timedelta(days=1)
            provisional = provisional or not self.is_known(day)
            if self.is_working_day(day):
                counted += 1
        return Answer(self.at_local(day, self.service_end), provisional)

    def end_of_day(self, start: DateTime) -> Answer:
        """23:59:59 of the start's calendar day in the building's zone."""
        day = self.local(start).date()
        return Answer(self.at_local(day, dt.time(23, 59, 59)))

    def service_seconds_between(self, start: DateTime, end: DateTime) -> int:
        """Seconds of service time (service hours of working days) from start to end.

        A hold over an evening, a weekend or the National Day week counts nothing: the
        working-day targets it paused come back due on the building's hours.
        """
        if end <= start:
            return 0
        start_utc, end_utc = start.in_tz("UTC"), end.in_tz("UTC")
        day, last = self.local(start).date(), self.local(end).date()
        total = 0
        while day <= last:
            if self.is_working_day(day):
                opens = max(self.at_local(day, self.service_start), start_utc)
                closes = min(self.at_local(day, self.service_end), end_utc)
                if opens < closes:
                    total += int((closes - opens).total_seconds())
            day += dt.timedelta(days=1)
        return total

    def add_service_time(self, start: DateTime, seconds: int) -> Answer:
        """Count ``seconds`` of service time (service hours of working days) from start.

        Used for "half a working day" (4.5 service hours). Time outside service hours
        does not count; a start before opening counts from the opening.
        """
        if seconds <= 0:
            return Answer(start)
        local = self.local(start)
        day = local.date()
        remaining = seconds
        provisional = False
        cursor = local
        for _ in range(3700):  # ten years of days: a bound, never reached in practice
            provisional = provisional or not self.is_known(day)
            if self.is_working_day(day):
                opens = self.at_local(day, self.service_start)
                closes = self.at_local(day, self.service_end)
                begin = max(opens, cursor.in_tz("UTC"))
                if begin < closes:
                    available = int((closes - begin).total_seconds())
                    if remaining <= available:
                        return Answer(begin.add(seconds=remaining), provisional)
                    remaining -= available
            day += dt.timedelta(days=1)
            cursor = self.at_local(day, dt.time(0, 0))
        raise ValueError("no service hours found within ten years")
