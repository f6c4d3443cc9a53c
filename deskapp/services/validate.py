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
- times: ISO 8601 only, inside one plausible window around now (``WINDOW``);
- days (a lease, the date of a written application): ``YYYY-MM-DD`` only, inside the
  window of their kind around today (``DAY_WINDOW``);
- money: yuan exactly to the fen (``money.yuan_to_fen``), never negative, never float.
"""

from __future__ import annotations

import datetime as dt
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

# A day a person gives lies inside this window around today: a lease began at most 30
# years ago and ends at most 30 years ahead; a written application is dated today or
# before, at most 30 years back.
DAY_WINDOW = {
    "lease": (timedelta(days=30 * 366), timedelta(days=30 * 366)),
    "applied": (timedelta(days=30 * 366), timedelta(days=0)),
}
# the most a rent, deposit or price may be: 10^12 yuan is a typing error, not a lease
MAX_FEN = 10**14

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_FREE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab, \n allowed
# Bidirectional overrides and isolates turn what a terminal shows around ("\u202e大堂"):
# refused like control characters.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Spaces and zero-width characters at either end are trimmed, so a reason or a place
# made of nothing visible (a zero-width or no-break space) counts as empty.
_INVISIBLE = r"\s" + "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_EDGES = re.compile(f"^[{_INVISIBLE}]+|[{_INVISIBLE}]+$")
# ISO 8601 as the contract says, extended format: a date, a time, optional seconds and
# fraction, optional offset. Nothing guessed: "now", "soon", "01/02/2026" are refused.
# ASCII digits only (``\d`` would take a full-width "２０２６").
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
                  r"(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?")


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
    if _BIDI.search(value):
        raise InvalidInput("error.control_chars", field=field)
    value = _INVISIBLE_EDGES.sub("", value)
    if required and not value:
        raise InvalidInput("error.required", field=field)
    if len(value) > limit:
        raise InvalidInput("error.too_long", field=field, limit=limit)
    return value


def optional_text(value: str | None, field: str, *, limit: int, free: bool = False) -> str | None:
    """Like ``text``, but None stays None (an option not given)."""
    return None if value is None else text(value, field, limit=limit, free=free)


# A record number as typed: ASCII digits, "#12" as a ticket is written; ``int`` alone
# would also read "１" and "1_0".
_RECORD_NUMBER = re.compile(r"[+-]?[0-9]+")


def record_id(value: object, field: str = "ID") -> int:
    """A ticket (or other record) number: a whole number from 1 to 2**63-1. ``field``
    names the record ("mail", "pass"); the default "ID" is a ticket's, said as such."""
    key = "error.bad_id" if field == "ID" else "error.bad_record_number"
    if isinstance(value, bool):
        raise InvalidInput(key, field=field, value=str(value))
    if isinstance(value, int):
        number = value
    else:
        typed = str(value).strip().lstrip("#")
        if not _RECORD_NUMBER.fullmatch(typed):
            raise InvalidInput(key, field=field, value=str(value))
        number = int(typed)
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(key, field=field, value=str(value))
    return number


_DIGITS = re.compile(r"^\s*[+-]?[0-9]+\s*$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def number(value: object, field: str, *, low: int, high: int) -> int:
    """A whole number in ``low..high``. Text must be ASCII digits: ``int`` would also read
    "1_0" as 10 and "٣" as 3."""
    if isinstance(value, bool) or (isinstance(value, str) and not _DIGITS.match(value)):
        raise InvalidInput("error.not_a_number", field=field)
    try:
        whole = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput("error.not_a_number", field=field) from None
    if not low <= whole <= high:
        raise InvalidInput("error.out_of_range", field=field, low=low, high=high)
    return whole


def day(value: str | dt.date | None, field: str, today: dt.date, kind: str, *,
        required: bool = False) -> dt.date | None:
    """A calendar day: ``YYYY-MM-DD`` text (or a date), inside ``DAY_WINDOW[kind]``
    around ``today`` (the building's date from the injected clock); None if not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput("error.required", field=field)
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, (str, dt.date)):
        raise InvalidInput("error.bad_day", field=field, value=str(value))
    if isinstance(value, str):
        raw = text(value, field, limit=10 + 20)
        if not _DAY.match(raw):
            raise InvalidInput("error.bad_day", field=field, value=raw)
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput("error.day_impossible", field=field, value=raw) from None
    value = dt.date(value.year, value.month, value.day)  # pendulum's Date binds nowhere
    back, ahead = DAY_WINDOW[kind]
    earliest, latest = today - back, today + ahead
    if not earliest <= value <= latest:
        raise InvalidInput("error.day_window", field=field, value=value.isoformat(),
                           earliest=earliest.isoformat(), latest=latest.isoformat())
    return value


def yuan(value: str | None, field: str) -> int:
    """An amount in yuan as typed ("10000.00", "12.5", "10,000.00"), in whole fen,
    exactly: more than two decimals, an exponent or a negative amount is refused."""
    from ..money import MoneyError, yuan_to_fen

    raw = text(value, field, limit=32, required=True)
    try:
        fen_ = yuan_to_fen(raw)
    except MoneyError:
        raise InvalidInput("error.bad_yuan", field=field, value=raw) from None
    return fen(fen_, field)


def fen(value: object, field: str) -> int:
    """An amount already in whole fen (an int, never float or bool), 0 .. MAX_FEN."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("error.bad_yuan", field=field, value=str(value))
    if value < 0:
        raise InvalidInput("error.negative_money", field=field)
    if value > MAX_FEN:
        raise InvalidInput("error.too_much_money", field=field)
    return value


def parse_iso(value: str | None, tz: str, field: str) -> DateTime | None:
    """An ISO 8601 moment (without an offset: the building's zone), in UTC; None if not
    given. Refuses what is not ISO 8601 (``now`` included) and what no calendar holds."""
    if value is None:
        return None
    raw = text(value, field, limit=64)
    if not _ISO.fullmatch(raw):
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


__all__ = ["DAY_WINDOW", "MAX_FEN", "MAX_ID", "WINDOW", "day", "fen", "in_window", "number",
           "optional_text", "parse_iso", "plausible", "record_id", "text", "yuan"]
