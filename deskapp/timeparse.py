"""Times typed at the desk: "16:00", "11-30 10:00", "2026-11-30 10:00", or full ISO."""

from __future__ import annotations

import re

import pendulum
from pendulum import DateTime

_HM = re.compile(r"^(\d{1,2}):(\d{2})$")
_MD_HM = re.compile(r"^(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")
# a whole date and time, optionally with seconds and an offset; nothing guessed ("99")
_FULL = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$")


def parse_desk_time(text: str, now: DateTime, tz: str) -> DateTime | None:
    """A moment in the building's zone, returned in UTC; None when it cannot be read.

    A bare time means today; a month-day without a year means this year, or next year
    when that date has already passed by more than a month (typed in late December).
    Whether the moment is plausible (``services.validate.WINDOW``) the service decides,
    with its own message, for the form and the command line alike.
    """
    text = text.strip()
    if not text:
        return None
    local_now = now.in_tz(tz)
    try:
        if match := _HM.match(text):
            hour, minute = int(match[1]), int(match[2])
            return local_now.set(hour=hour, minute=minute, second=0, microsecond=0).in_tz("UTC")
        if match := _MD_HM.match(text):
            month, day, hour, minute = (int(g) for g in match.groups())
            moment = pendulum.datetime(local_now.year, month, day, hour, minute, tz=tz)
            if moment < local_now.subtract(months=1):
                moment = moment.add(years=1)
            return moment.in_tz("UTC")
        if not _FULL.match(text):
            return None
        moment = pendulum.parse(text.replace(" ", "T"), tz=tz)
        if not isinstance(moment, DateTime):
            return None
        # year 1 at +08:00 is before year 1 in UTC: no datetime holds it
        return moment.in_tz("UTC")
    except (ValueError, OverflowError):  # pendulum's ParserError, impossible dates
        return None
