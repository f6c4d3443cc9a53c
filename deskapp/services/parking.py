"""Temporary parking (R-7.6): security records a car in and out at the garage gate,
the fee is taken on the way out, and a shift's takings are handed to finance.

Rules stated once here:

- a plate is a Chinese plate: a province character, a letter, then 5 letters or digits
  (6 for a new-energy car; the last may be 学, 警, 挂… as ``passes.plate`` allows);
  ASCII letters are upper-cased, spaces and the "·" people write after the second
  character are dropped; I and O are never used (they read as 1 and 0); full-width
  letters or digits are refused, not guessed;
- the time parked is whole minutes between the UTC moments in and out (a started
  minute is not charged);
- the fee is the tariff in force when the car LEFT (``fee_fen``): within
  ``parking_free_minutes`` (default 15) free; otherwise each hour begun × the price-list
  item ``parking_hour`` (its price on the building day it left), each full 24 hours at
  most ``parking_daily_cap_fen`` (default ¥60.00) and the hours begun after them at most
  the cap too. The free minutes are a grace, not a discount: 16 minutes pay one hour.
  15 min → 0; 16 min → ¥15.00; 2 h 01 → ¥45.00; 5 h → ¥60.00; 26 h → ¥60 + ¥30 = ¥90.00;
- the tariff applied is stored with the visit (JSON), so a later change of a setting or
  of the price list never rewrites a fee already taken;
- takings are handed over by the login that let the cars out, once; finance (or the
  manager) receives a handover once, never the one who handed it over.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from peewee import IntegrityError
from pendulum import DateTime

from ..models import PAID_METHODS, ParkingHandover, ParkingVisit
from . import validate
from .closing import refuse_if_closed
from .common import happened_at, local_day, locked
from .context import Desk
from .errors import Conflict, InvalidInput, NotAllowed
from .numbering import next_number
from .passes import plate as passes_plate
from .prices import price_on

HOUR_ITEM = "parking_hour"
DAY_MINUTES = 24 * 60
_SEPARATORS = re.compile(r"[ ·•\-]")  # what passes.plate drops between the parts


@dataclass(frozen=True)
class Tariff:
    """What a visit is charged under: the free minutes, the price of an hour begun and
    the most for 24 hours (all fen)."""

    free_minutes: int
    hour_fen: int
    daily_cap_fen: int

    def as_json(self) -> str:
        return json.dumps({"free_minutes": self.free_minutes, "hour_fen": self.hour_fen,
                           "daily_cap_fen": self.daily_cap_fen}, sort_keys=True)

    def fee(self, minutes: int) -> int:
        if minutes <= self.free_minutes:
            return 0
        days, rest = divmod(minutes, DAY_MINUTES)
        hours_begun = -(-rest // 60)
        return days * self.daily_cap_fen + min(hours_begun * self.hour_fen, self.daily_cap_fen)


# --- values -----------------------------------------------------------------------------

def plate_of(value: object) -> str:
    """A plate as it is stored: "沪a·12345" and "沪A 12345" are 沪A12345. The format is
    the one passes and parking rentals use (``passes.plate``: a rented space's car is the
    same plate at the gate); the gate also refuses I and O, which no plate carries."""
    raw = validate.text(value if isinstance(value, str) else None, "PLATE", limit=20,
                        required=True)
    # only ASCII is upper-cased: "ß".upper() is "SS", a full-width "ａ" stays refused
    typed = "".join(c.upper() if c.isascii() else c for c in raw)
    try:
        plate = passes_plate(typed)
    except InvalidInput:
        raise InvalidInput("error.parking_bad_plate", value=raw) from None
    # passes.plate upper-cases all of it ("ß" → "SS"): what it changed was not a plate
    if "I" in plate or "O" in plate or len(plate) != len(_SEPARATORS.sub("", typed)):
        raise InvalidInput("error.parking_bad_plate", value=raw)
    return plate


def tariff_on(desk: Desk, day: dt.date) -> Tariff:
    """The tariff in force on a building day: today's settings, that day's price."""
    profile = desk.profile()
    return Tariff(free_minutes=int(profile["parking_free_minutes"]),
                  hour_fen=price_on(HOUR_ITEM, day),
                  daily_cap_fen=int(profile["parking_daily_cap_fen"]))


def minutes_between(entered_at: DateTime, left_at: DateTime) -> int:
    return int((left_at - entered_at).total_seconds()) // 60


def fee_fen(desk: Desk, entered_at: DateTime, left_at: DateTime) -> int:
    """The fee for a stay, under the tariff in force on the day it left."""
    tz = desk.profile().timezone
    return tariff_on(desk, local_day(left_at, tz)).fee(minutes_between(entered_at, left_at))


def tariff_of(visit: ParkingVisit) -> dict:
    return json.loads(visit.tariff) if visit.tariff else {}


# --- in and out -------------------------------------------------------------------------

def _open_visit(desk: Desk, plate: str) -> ParkingVisit | None:
    return locked(desk, ParkingVisit.select().where(ParkingVisit.plate == plate,
                                                    ParkingVisit.left_at.is_null()))


def enter(desk: Desk, plate: object, at: DateTime | None = None) -> ParkingVisit:
    """A car in at the gate (now, or back-dated with ``at``)."""
    desk.require("parking.gate")
    plate = plate_of(plate)
    when = happened_at(desk, at)
    with desk.db.atomic():
        if _open_visit(desk, plate) is not None:
            raise Conflict("error.parking_inside", plate=plate)
        try:
            with desk.db.atomic():
                visit = ParkingVisit.create(plate=plate, entered_at=when, entered_by=desk.user)
        except IntegrityError:  # the other gate recorded it meanwhile (one open per plate)
            raise Conflict("error.parking_inside", plate=plate) from None
        desk.audit("parking.enter", "parking_visit", visit.id, plate=plate,
                   entered_at=when.isoformat())
    return visit


def leave(desk: Desk, plate: object, at: DateTime | None = None,
          method: str = "cash") -> ParkingVisit:
    """A car out: its minutes, its fee under the tariff in force now, how it was paid."""
    desk.require("parking.gate")
    plate = plate_of(plate)
    when = happened_at(desk, at)
    if method not in PAID_METHODS:
        raise InvalidInput("error.charge_bad_method", value=str(method),
                           methods=", ".join(PAID_METHODS))
    tz = desk.profile().timezone
    day = local_day(when, tz)
    with desk.db.atomic():
        visit = _open_visit(desk, plate)
        if visit is None:
            raise InvalidInput("error.parking_not_inside", plate=plate)
        if when < visit.entered_at:
            raise InvalidInput("error.parking_out_before_in", plate=plate,
                               entered=visit.entered_at.in_tz(tz).format("YYYY-MM-DD HH:mm"))
        refuse_if_closed(day, desk)
        tariff = tariff_on(desk, day)
        minutes = minutes_between(visit.entered_at, when)
        visit.left_at, visit.left_by = when, desk.user
        visit.minutes, visit.amount_fen = minutes, tariff.fee(minutes)
        visit.tariff, visit.method = tariff.as_json(), method
        visit.save()
        desk.audit("parking.leave", "parking_visit", visit.id, plate=plate, minutes=minutes,
                   amount_fen=visit.amount_fen, method=method, tariff=tariff_of(visit))
    return visit


def inside(desk: Desk) -> list[ParkingVisit]:
    """The cars in the garage now, the longest parked first."""
    return list(ParkingVisit.select().where(ParkingVisit.left_at.is_null())
                .order_by(ParkingVisit.entered_at, ParkingVisit.id))


# --- takings ----------------------------------------------------------------------------

def hand_over(desk: Desk) -> ParkingHandover:
    """Every car this login let out and has not handed over yet, as one numbered
    handover (TC20261126-01) with its count and total."""
    desk.require("parking.handover")
    tz = desk.profile().timezone
    now = desk.clock.now().in_tz("UTC")
    day = local_day(now, tz)
    with desk.db.atomic():
        query = (ParkingVisit.select().where(ParkingVisit.left_by == desk.user,
                                             ParkingVisit.left_at.is_null(False),
                                             ParkingVisit.handover.is_null())
                 .order_by(ParkingVisit.left_at, ParkingVisit.id))
        # locked on PostgreSQL: a car let out meanwhile goes on this handover or the next
        visits = list(query.for_update() if desk.db.for_update else query)
        if not visits:
            raise InvalidInput("error.parking_nothing_to_hand_over", login=desk.user)
        number = next_number(desk, f"TC{day:%Y%m%d}", width=2)
        total = sum(v.amount_fen for v in visits)
        handover = ParkingHandover.create(number=number, handed_at=now, handed_by=desk.user,
                                          count=len(visits), total_fen=total)
        ParkingVisit.update(handover=handover.id).where(
            ParkingVisit.id.in_([v.id for v in visits])).execute()
        desk.audit("parking.handover", "parking_handover", handover.id, number=number,
                   count=len(visits), total_fen=total)
    return handover


def find_handover(number: object) -> ParkingHandover:
    number = validate.text(number if isinstance(number, str) else None, "NUMBER", limit=32,
                           required=True)
    handover = ParkingHandover.get_or_none(ParkingHandover.number == number)
    if handover is None:
        raise InvalidInput("error.parking_unknown_handover", number=number)
    return handover


def receive(desk: Desk, number: object) -> ParkingHandover:
    """Finance takes a handover's money: once, and never from itself."""
    desk.require("parking.receive")
    number = find_handover(number).number
    tz = desk.profile().timezone
    with desk.db.atomic():
        handover = locked(desk, ParkingHandover.select()
                          .where(ParkingHandover.number == number))
        if handover.received_at is not None:
            raise Conflict("error.parking_already_received", number=number,
                           by=handover.received_by)
        if handover.handed_by == desk.user:
            raise NotAllowed("error.parking_receive_own", number=number)
        refuse_if_closed(local_day(handover.handed_at, tz), desk)
        handover.received_at, handover.received_by = desk.clock.now().in_tz("UTC"), desk.user
        handover.save()
        desk.audit("parking.receive", "parking_handover", handover.id, number=number,
                   count=handover.count, total_fen=handover.total_fen)
    return handover


def by_method(handover: ParkingHandover) -> dict[str, int]:
    """A handover's total by how it was paid (the cash is what changes hands)."""
    totals: dict[str, int] = {}
    for visit in handover.visits:
        totals[visit.method or "cash"] = totals.get(visit.method or "cash", 0) + visit.amount_fen
    return totals


# --- how they read ----------------------------------------------------------------------

def _yuan(fen: int | None) -> str | None:
    from ..money import format_yuan

    return None if fen is None else format_yuan(fen)


def _iso(moment: DateTime | None, tz: str) -> str | None:
    return None if moment is None else moment.in_tz(tz).isoformat()


def visit_json(desk: Desk, visit: ParkingVisit) -> dict:
    tz = desk.profile().timezone
    tariff = tariff_of(visit)
    return {"id": visit.id, "plate": visit.plate,
            "entered_at": _iso(visit.entered_at, tz), "entered_by": visit.entered_by,
            "left_at": _iso(visit.left_at, tz), "left_by": visit.left_by,
            "minutes": visit.minutes, "amount": _yuan(visit.amount_fen),
            "method": visit.method,
            "tariff": None if not tariff else tariff_json_of(Tariff(**tariff)),
            "handover": visit.handover.number if visit.handover_id else None}


def tariff_json_of(tariff: Tariff) -> dict:
    return {"free_minutes": tariff.free_minutes, "hour": _yuan(tariff.hour_fen),
            "daily_cap": _yuan(tariff.daily_cap_fen)}


def tariff_json(desk: Desk) -> dict:
    """The tariff in force today, and from which day its hourly price runs."""
    from .prices import entry_on, find_item, today

    day = today(desk)
    document = tariff_json_of(tariff_on(desk, day))
    document["hour_from"] = entry_on(find_item(HOUR_ITEM), day).effective_from.isoformat()
    document["day"] = day.isoformat()
    return document


def handover_json(desk: Desk, handover: ParkingHandover) -> dict:
    tz = desk.profile().timezone
    return {"number": handover.number, "handed_at": _iso(handover.handed_at, tz),
            "handed_by": handover.handed_by, "count": handover.count,
            "total": _yuan(handover.total_fen),
            "by_method": {k: _yuan(v) for k, v in sorted(by_method(handover).items())},
            "received_at": _iso(handover.received_at, tz), "received_by": handover.received_by}


__all__ = ["Tariff", "by_method", "enter", "fee_fen", "find_handover",
           "hand_over", "handover_json", "inside", "leave", "minutes_between", "plate_of",
           "receive", "tariff_json", "tariff_of", "tariff_on", "visit_json"]
