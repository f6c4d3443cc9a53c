"""The published price list (明码实价，公榜告示; R-1.3, R-6.4, R-7.7) and the notices of its
changes (R-4.1).

Rules stated once here:

- an item's price is its history: the row with the latest ``effective_from`` on or
  before a day is the price in force that day (``price_on``);
- a change to an item takes effect on a **future** day only (tomorrow at the earliest,
  at most ``MAX_AHEAD_DAYS`` ahead) and needs its reason: tenants are told in advance
  why (R-4.1), by the notice every change issues; a new item may start today;
- withdrawing an item is a change like any other (future-dated, with a reason);
- the manager (or the general manager) sets prices; everyone may read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..i18n import t
from ..models import PRICE_UNITS, PriceEntry, PriceItem, PriceNotice
from . import validate
from .context import Desk
from .errors import Conflict, InvalidInput

MAX_CODE = 40
MAX_NAME = 100
MAX_REASON = 1000
# a change is announced at most two years ahead: further is a typing error
MAX_AHEAD_DAYS = 2 * 366
# the day the seed list is in force from (the manager sets the building's real prices)
SEED_FROM = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class SeedPrice:
    code: str
    name_zh: str
    name_en: str
    unit: str
    fen: int


# A realistic published list for a Grade-A office tower in Shanghai, 2026 (the seed:
# the manager sets the building's own). Electricity: Shanghai's general commercial
# tariff is about ¥0.9–1.1/kWh; towers pass on common-area losses, ¥1.25 is typical.
# Meeting rooms ¥120–300 an hour; CBD monthly parking ¥800–1,500 (quarterly with a
# month's worth of discount); business-centre printing ¥1 a black-and-white page.
# Postal: China Post's domestic letter rate (¥1.20 per 20 g out of town, ¥0.80 local),
# registered-mail fee ¥3.
SEED_PRICES: tuple[SeedPrice, ...] = (
    SeedPrice("electricity", "电费", "Electricity", "kwh", 125),
    SeedPrice("room_large_hour", "大会议室", "Large meeting room", "hour", 30000),
    SeedPrice("room_small_hour", "小会议室", "Small meeting room", "hour", 12000),
    SeedPrice("reception_room_hour", "接待室", "Reception room", "hour", 20000),
    SeedPrice("notice_board_day", "公告栏", "Notice board", "day", 5000),
    SeedPrice("ad_space_month", "广告位", "Advertising space", "month", 300000),
    SeedPrice("parking_month", "月租车位", "Parking space, monthly", "month", 80000),
    SeedPrice("parking_quarter", "季租车位", "Parking space, quarterly", "quarter", 216000),
    SeedPrice("parking_hour", "临时停车", "Temporary parking", "hour", 1500),
    SeedPrice("print_page_bw", "黑白打印", "Printing, black and white", "page", 100),
    SeedPrice("print_page_colour", "彩色打印", "Printing, colour", "page", 300),
    SeedPrice("copy_page", "复印", "Copying", "page", 50),
    SeedPrice("fax_page", "传真", "Fax", "page", 200),
    SeedPrice("postal_letter_local", "本埠信函（20克内）", "Letter, local (up to 20 g)",
              "letter", 80),
    SeedPrice("postal_letter_20g", "外埠信函（20克内）", "Letter, out of town (up to 20 g)",
              "letter", 120),
    SeedPrice("postal_letter_extra_20g", "外埠信函续重（每20克）",
              "Letter, out of town, each further 20 g", "item", 120),
    SeedPrice("postal_registered", "挂号费", "Registered mail fee", "item", 300),
    # printed matter with an official serial (China Post's 印刷品: ¥1.20 the first 100 g
    # out of town, ¥0.40 each further 100 g) and parcels by the kilogram begun (¥8 a kg,
    # a flat domestic rate: the post office's zones are the manager's to set)
    SeedPrice("postal_printed_100g", "印刷品（100克内）", "Printed matter (up to 100 g)",
              "item", 120),
    SeedPrice("postal_printed_extra_100g", "印刷品续重（每100克）",
              "Printed matter, each further 100 g", "item", 40),
    SeedPrice("postal_parcel_kg", "包裹（每公斤）", "Parcel, per kg begun", "kg", 800),
    SeedPrice("umbrella_lost", "借用雨伞遗失", "Borrowed umbrella lost", "item", 3000),
)


def seed_prices(now=None) -> int:
    """Add the seed items whose code is missing (never overwrite what the manager
    set); returns how many were added. Called by ``db.ensure_schema``."""
    from ..clock import Clock

    now = now or Clock().now()  # the seed runs without a desk, like a migration
    added = 0
    for seed in SEED_PRICES:
        if PriceItem.get_or_none(PriceItem.code == seed.code) is not None:
            continue
        item = PriceItem.create(code=seed.code, name_zh=seed.name_zh, name_en=seed.name_en,
                                unit=seed.unit, created_at=now, created_by="seed")
        PriceEntry.create(item=item, price_fen=seed.fen, effective_from=SEED_FROM,
                          reason="", set_at=now, set_by="seed")
        added += 1
    return added


# --- reading --------------------------------------------------------------------------------

def today(desk: Desk) -> dt.date:
    from .tenants import today as building_today

    return building_today(desk)


def item_code(value: object, field: str = "CODE") -> str:
    """A price-list code: lower-case ASCII letters, digits and ``_`` (``print_page_bw``)."""
    code = validate.text(value if isinstance(value, str) else None, field, limit=MAX_CODE,
                         required=True)
    if not (code.isascii() and code.replace("_", "").isalnum() and code == code.lower()
            and code[0].isalpha()):
        raise InvalidInput("error.price_bad_code", value=code)
    return code


def find_item(code: object) -> PriceItem:
    code = item_code(code)
    item = PriceItem.get_or_none(PriceItem.code == code)
    if item is None:
        raise InvalidInput("error.price_unknown_item", code=code)
    return item


def entry_on(item: PriceItem, day: dt.date) -> PriceEntry | None:
    """The row of ``item``'s history in force on ``day`` (None: not yet on the list)."""
    return (PriceEntry.select().where(PriceEntry.item == item.id,
                                      PriceEntry.effective_from <= day)
            .order_by(PriceEntry.effective_from.desc()).first())


def price_on(code: str, day: dt.date) -> int:
    """The price in fen of item ``code`` in force on ``day``: the row with the latest
    effective_from ≤ day. An item not on the list that day (not yet, or withdrawn)
    has no price: InvalidInput."""
    item = find_item(code)
    entry = entry_on(item, _plain(day))
    if entry is None or not entry.active:
        raise InvalidInput("error.price_not_in_force", code=item.code, day=_plain(day).isoformat())
    return entry.price_fen


def history(code: str) -> list[PriceEntry]:
    item = find_item(code)
    return list(PriceEntry.select().where(PriceEntry.item == item.id)
                .order_by(PriceEntry.effective_from))


def published(desk: Desk) -> list[dict]:
    """The list in force today, by code, each item followed by its announced future
    changes (``announced`` true). Withdrawn items are left out once withdrawn."""
    day = today(desk)
    rows: list[dict] = []
    for item in PriceItem.select().order_by(PriceItem.code):
        current = entry_on(item, day)
        if current is not None and current.active:
            rows.append(_row(item, current, announced=False))
        future = (PriceEntry.select().where(PriceEntry.item == item.id,
                                            PriceEntry.effective_from > day)
                  .order_by(PriceEntry.effective_from))
        rows.extend(_row(item, entry, announced=True) for entry in future)
    return rows


def _row(item: PriceItem, entry: PriceEntry, *, announced: bool) -> dict:
    return {"item": item, "entry": entry, "announced": announced}


def notices() -> list[PriceNotice]:
    """The notices to tenants, the latest issued first."""
    return list(PriceNotice.select(PriceNotice, PriceItem).join(PriceItem)
                .order_by(PriceNotice.issued_at.desc(), PriceNotice.id.desc()))


# --- changing -------------------------------------------------------------------------------

def set_price(desk: Desk, code: str, price_fen: int, effective_from: dt.date | str, *,
              reason: str = "", name_zh: str | None = None, name_en: str | None = None,
              unit: str | None = None) -> PriceNotice:
    """Publish a price for ``code`` from ``effective_from`` and issue its notice to
    tenants. An existing item changes on a future day only, with a reason; a new code
    (R-6.4: a new paid service) may start today and needs its unit (names default to
    the code)."""
    desk.require("price.set")
    code = item_code(code)
    price_fen = validate.fen(price_fen, "YUAN")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True)
    name_zh = validate.optional_text(name_zh, "--name-zh", limit=MAX_NAME)
    name_en = validate.optional_text(name_en, "--name-en", limit=MAX_NAME)
    if unit is not None and unit not in PRICE_UNITS:
        raise InvalidInput("error.price_bad_unit", value=str(unit), units=", ".join(PRICE_UNITS))
    day = today(desk)
    with desk.db.atomic():
        item = PriceItem.get_or_none(PriceItem.code == code)
        start = _effective_day(effective_from, day, new=item is None)
        now = desk.clock.now()
        if item is None:
            if unit is None:
                raise InvalidInput("error.price_new_needs_unit", code=code,
                                   units=", ".join(PRICE_UNITS))
            item = PriceItem.create(code=code, name_zh=name_zh or code, name_en=name_en or code,
                                    unit=unit, created_at=now, created_by=desk.user)
            old = None
        else:
            if unit is not None and unit != item.unit:  # the history would mean two things
                raise InvalidInput("error.price_unit_fixed", code=code,
                                   unit=t(f"unit.{item.unit}"))
            if not reason:
                raise InvalidInput("error.price_reason_required", code=code)
            old = _in_force_before(item, start)
            if old == price_fen:
                raise InvalidInput("error.price_unchanged", code=code, day=start.isoformat())
        notice = _announce(desk, item, start, price_fen, old, reason, now)
        desk.audit("price.set", "price_item", item.id, code=code, price_fen=price_fen,
                   old_fen=old, effective_from=start.isoformat(), reason=reason)
    return notice


def withdraw(desk: Desk, code: str, effective_from: dt.date | str, reason: str) -> PriceNotice:
    """Take an item off the list from a future day (with its reason, noticed)."""
    desk.require("price.set")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True, required=True)
    day = today(desk)
    with desk.db.atomic():
        item = find_item(code)
        start = _effective_day(effective_from, day, new=False)
        old = _in_force_before(item, start)
        if old is None:
            raise Conflict("error.price_already_withdrawn", code=item.code,
                           day=start.isoformat())
        now = desk.clock.now()
        notice = _announce(desk, item, start, None, old, reason, now)
        desk.audit("price.withdraw", "price_item", item.id, code=item.code, old_fen=old,
                   effective_from=start.isoformat(), reason=reason)
    return notice


def _effective_day(value, day: dt.date, *, new: bool) -> dt.date:
    start = validate.day(value, "--from", day, "lease", required=True)
    earliest = day if new else day + dt.timedelta(days=1)
    if start < earliest:
        raise InvalidInput("error.price_not_future" if not new else "error.price_past",
                           day=start.isoformat(), today=day.isoformat(),
                           earliest=earliest.isoformat())
    latest = day + dt.timedelta(days=MAX_AHEAD_DAYS)
    if start > latest:
        raise InvalidInput("error.day_window", field="--from", value=start.isoformat(),
                           earliest=earliest.isoformat(), latest=latest.isoformat())
    return start


def _in_force_before(item: PriceItem, start: dt.date) -> int | None:
    """The price in force the day before ``start`` (None: not on the list then)."""
    entry = entry_on(item, start - dt.timedelta(days=1))
    return entry.price_fen if entry is not None and entry.active else None


def _announce(desk: Desk, item: PriceItem, start: dt.date, new_fen: int | None,
              old_fen: int | None, reason: str, now) -> PriceNotice:
    if PriceEntry.get_or_none(PriceEntry.item == item.id,
                              PriceEntry.effective_from == start) is not None:
        raise Conflict("error.price_already_announced", code=item.code, day=start.isoformat())
    entry = PriceEntry.create(item=item, price_fen=new_fen, active=new_fen is not None,
                              effective_from=start, reason=reason, set_at=now, set_by=desk.user)
    return PriceNotice.create(item=item, entry=entry, old_fen=old_fen, new_fen=new_fen,
                              effective_from=start, reason=reason, issued_at=now,
                              issued_by=desk.user)


def _plain(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, day.day)


# --- how they read --------------------------------------------------------------------------

def item_name(item: PriceItem) -> str:
    from ..i18n import language

    return item.name_zh if language() == "zh" else item.name_en


def price_json(row: dict) -> dict:
    from ..money import format_yuan

    item, entry = row["item"], row["entry"]
    return {"code": item.code, "name": item_name(item), "name_zh": item.name_zh,
            "name_en": item.name_en, "unit": item.unit,
            "price": None if entry.price_fen is None else format_yuan(entry.price_fen),
            "effective_from": entry.effective_from.isoformat(), "active": entry.active,
            "announced": row["announced"], "reason": entry.reason}


def notice_json(desk: Desk, notice: PriceNotice) -> dict:
    from ..money import format_yuan

    def yuan(fen):
        return None if fen is None else format_yuan(fen)

    tz = desk.profile().timezone
    return {"id": notice.id, "code": notice.item.code, "name": item_name(notice.item),
            "unit": notice.item.unit, "old_price": yuan(notice.old_fen),
            "new_price": yuan(notice.new_fen),
            "effective_from": notice.effective_from.isoformat(), "reason": notice.reason,
            "issued_at": notice.issued_at.in_tz(tz).isoformat(), "issued_by": notice.issued_by}


__all__ = ["MAX_AHEAD_DAYS", "SEED_FROM", "SEED_PRICES", "entry_on", "find_item", "history",
           "item_code", "item_name", "notice_json", "notices", "price_json", "price_on",
           "published", "seed_prices", "set_price", "withdraw"]
