"""One validation layer for every value a person or a script hands the desk.

The CLI's options, the dashboard's forms and the screens still to come all call these
before anything is written (the services call them too, so a caller that forgot cannot
write a bad value). Each refusal is an ``InvalidInput``: exit 2 on the command line, a
message on the dashboard, nothing written.

Stated once here:

- text: no C0/C1 control characters, DEL or NUL (tabs and line breaks only where the
  field is free text, a note or a reason), nothing that is not valid UTF-8 (a byte
  that did not decode reaches Python as a lone surrogate, ``\\udcXX``), and a length
  limit per field;
- ids: 1 .. 2**63-1 (what every database's integer key can hold);
- times: ISO 8601 only, inside one plausible window around now (``WINDOW``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pendulum
from pendulum import DateTime

from .errors import InvalidInput

MAX_ID = 2**63 - 1

# A moment a person gives lies inside this window around now: a call logged after the
# fact is at most a year old; an agreed time at most two years ahead. (1900-01-01 was
# once accepted: opened at +08:05:43 local mean time and breached for ever.)
WINDOW = {
    # kind: (how far back, how far ahead)
    "at": (timedelta(days=366), timedelta(seconds=60)),
    "agreed": (timedelta(days=366), timedelta(days=2 * 366)),
}

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_FREE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab, \n allowed
# ISO 8601 as the contract says, extended format: a date, a time, optional seconds and
# fraction, optional offset. Nothing guessed: "now", "soon", "01/02/2026" are refused.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
                  r"(Z|[+-]\d{2}(:?\d{2})?)?$")


def text(value: str | None, field: str, *, limit: int, free: bool = False,
         required: bool = False) -> str:
    """A text field, stripped. ``free``: a note or reason (tabs and line breaks stay)."""
    value = "" if value is None else value
    if not isinstance(value, str):
        raise InvalidInput("error.bad_text", field=field)
    if _SURROGATE.search(value):
        raise InvalidInput("error.bad_encoding", field=field)
    if (_CONTROL_FREE_TEXT if free else _CONTROL).search(value):
        raise InvalidInput("error.control_chars", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("error.required", field=field)
    if len(value) > limit:
        raise InvalidInput("error.too_long", field=field, limit=limit)
    return value


def optional_text(value: str | None, field: str, *, limit: int, free: bool = False) -> str | None:
    """Like ``text``, but None stays None (an option not given)."""
    return None if value is None else text(value, field, limit=limit, free=free)


def record_id(value: object, field: str = "ID") -> int:
    """A ticket (or other record) number: a whole number from 1 to 2**63-1."""
    try:
        number = int(str(value).strip().lstrip("#")) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput("error.bad_id", field=field, value=str(value)) from None
    if not 1 <= number <= MAX_ID:
        raise InvalidInput("error.bad_id", field=field, value=str(value))
    return number


def number(value: object, field: str, *, low: int, high: int) -> int:
    try:
        whole = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput("error.not_a_number", field=field) from None
    if not low <= whole <= high:
        raise InvalidInput("error.out_of_range", field=field, low=low, high=high)
    return whole


def parse_iso(value: str | None, tz: str, field: str) -> DateTime | None:
    """An ISO 8601 moment (without an offset: the building's zone), in UTC; None if not
    given. Refuses what is not ISO 8601 (``now`` included) and what no calendar holds."""
    if value is None:
        return None
    raw = text(value, field, limit=64)
    if not _ISO.match(raw):
        raise InvalidInput("error.bad_time", option=field, value=raw)
    try:
        moment = pendulum.parse(raw.replace(" ", "T"), tz=tz, strict=True)
        if not isinstance(moment, DateTime):
            raise ValueError(raw)
        return moment.in_tz("UTC")
    except OverflowError:  # 0001-01-01 at +08:00 is before year 1 in UTC
        raise InvalidInput("error.time_impossible", option=field, value=raw) from None
    except Exception:  # noqa: BLE001 - pendulum raises ValueError and its own kinds
        raise InvalidInput("error.bad_time", option=field, value=raw) from None


def in_window(moment: DateTime | None, now: DateTime, kind: str, field: str,
              tz: str = "UTC") -> DateTime | None:
    """Refuse a moment outside the plausible window of its kind (``WINDOW``)."""
    if moment is None:
        return None
    back, ahead = WINDOW[kind]
    earliest, latest = now - back, now + ahead
    if moment < earliest or moment > latest:
        if kind == "at" and moment > latest:
            raise InvalidInput("error.at_future")
        raise InvalidInput("error.time_window", option=field,
                           value=moment.in_tz(tz).format("YYYY-MM-DD HH:mm"),
                           earliest=earliest.in_tz(tz).format("YYYY-MM-DD"),
                           latest=latest.in_tz(tz).format("YYYY-MM-DD"))
    return moment


def plausible(moment: DateTime | None, now: DateTime, kind: str, field: str,
              tz: str = "UTC") -> bool:
    """Whether ``in_window`` would accept it (the forms' preview asks, without raising)."""
    try:
        in_window(moment, now, kind, field, tz)
    except InvalidInput:
        return False
    return True


__all__ = ["MAX_ID", "WINDOW", "in_window", "number", "optional_text", "parse_iso",
           "plausible", "record_id", "text"]
