"""The charges ledger (R-1.3, R-4.2, R-6.2, R-7.7): every paid service and rental the
desk provides is one line here; billing puts a tenant's monthly lines on its payment
notice.

Rules stated once here:

- a line's unit price is the list price in force on the service date
  (``prices.price_on``), or less (a discount): never more (R-7.7);
- its amount is unit price × quantity, rounded to the fen half up (``money.multiply``,
  the desk's one rounding rule); quantities are exact thousandths, never floats;
- a repair caused by a defect of the building's original equipment is free (R-1.3):
  the line records the quantity and the price it would have been, amount 0;
- booked to the monthly account, it needs the signature of someone the tenant named
  in writing, with the right to sign on the service date (R-4.2); paid at once, how
  (cash, transfer, card, WeChat Pay, Alipay) and the receipt number;
- posting the same (source, source id) again returns the line already posted: a retry
  never bills twice;
- a line is never edited or deleted: a reversal (the negative line, with its reason)
  corrects it, once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from peewee import IntegrityError

from ..models import (FREE_REASONS, PAID_METHODS, QUANTITY_SCALE, SETTLEMENTS, Charge,
                      PriceItem, Tenant)
from . import validate
from .closing import is_closed, refuse_if_closed
from .context import Desk
from .errors import Conflict, InvalidInput
from .prices import entry_on, find_item, item_name, today

MAX_TEXT = 500
MAX_SOURCE = 40
MAX_SOURCE_ID = 200
# a service is charged within a year of the day it was given (older is a typing error),
# and at most a year ahead: rentals are paid in advance (next month's parking space, a
# meeting room booked for next week) at the price in force on the day of use
MAX_BACK_DAYS = 366
MAX_AHEAD_DAYS = 366
# the most of one unit on one line: a million hours, pages or kWh is a typing error
MAX_QUANTITY = 1_000_000
# a quantity as typed: ASCII digits, at most three decimals ("1.5", "12", "0.25");
# no sign, exponent, separators or full-width digits ("1,5" may have meant 1.5)
_QUANTITY = re.compile(r"^[0-9]{1,7}(\.[0-9]{1,3})?$")
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def quantity_milli(value: object, field: str = "--quantity") -> int:
    """A quantity in exact thousandths of its unit (1.5 → 1500), more than 0 and at most
    ``MAX_QUANTITY``: an int, a Decimal or text, never a float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidInput("error.charge_bad_quantity", field=field, value=str(value))
    if isinstance(value, int):
        exact = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput("error.charge_bad_quantity", field=field, value=str(value))
        exact = value
    else:
        raw = validate.text(value if isinstance(value, str) else None, field, limit=32,
                            required=True)
        if not _QUANTITY.match(raw):
            raise InvalidInput("error.charge_bad_quantity", field=field, value=raw)
        exact = Decimal(raw)
    milli = exact * QUANTITY_SCALE
    if milli != milli.to_integral_value():
        raise InvalidInput("error.charge_bad_quantity", field=field, value=str(value))
    if not 0 < exact <= MAX_QUANTITY:
        raise InvalidInput("error.charge_quantity_range", field=field, value=str(value),
                           high=MAX_QUANTITY)
    return int(milli)


def quantity_text(milli: int) -> str:
    """Thousandths as a person writes them: 1500 → "1.5", 2000 → "2", -250 → "-0.25"."""
    text = str(Decimal(milli) / QUANTITY_SCALE)
    text = format(Decimal(text).normalize(), "f")
    return text


def line_amount(unit_price_fen: int, milli: int) -> int:
    """unit price × quantity, to the fen half up (the one rule: ``money.multiply``)."""
    from ..money import multiply

    return multiply(unit_price_fen, Decimal(milli) / QUANTITY_SCALE)


def service_day(desk: Desk, value, field: str = "--date") -> dt.date:
    """The day the service is given: at most a year back or a year ahead."""
    day = today(desk)
    given = validate.day(value, field, day, "lease", required=True)
    earliest = day - dt.timedelta(days=MAX_BACK_DAYS)
    latest = day + dt.timedelta(days=MAX_AHEAD_DAYS)
    if not earliest <= given <= latest:
        raise InvalidInput("error.day_window", field=field, value=given.isoformat(),
                           earliest=earliest.isoformat(), latest=latest.isoformat())
    return given


def month_key(value: object, field: str = "--month") -> str:
    """A month as ``YYYY-MM`` (ASCII digits only)."""
    raw = validate.text(value if isinstance(value, str) else None, field, limit=16,
                        required=True)
    if not _MONTH.match(raw) or not 2000 <= int(raw[:4]) <= 2100:
        raise InvalidInput("error.charge_bad_month", field=field, value=raw)
    return raw


def post_charge(desk: Desk, *, tenant_id: int, item_code: str, quantity, service_date,
                source: str, source_id: object = None, settle: str = "monthly",
                signed_by: str | None = None, description: str = "",
                unit_price_fen: int | None = None, free_reason: str | None = None,
                paid_method: str | None = None, receipt_no: str | None = None) -> Charge:
    """Post one line to the ledger (see the module's rules); returns it, or the line
    already posted for the same ``source`` and ``source_id``."""
    desk.require("charge.post")
    tenant_id = validate.record_id(tenant_id, "tenant")
    milli = quantity_milli(quantity)
    day = service_day(desk, service_date)
    source = validate.text(source, "source", limit=MAX_SOURCE, required=True)
    source_id = None if source_id is None else validate.text(
        str(source_id), "source_id", limit=MAX_SOURCE_ID, required=True)
    if settle not in SETTLEMENTS:
        raise InvalidInput("error.charge_bad_settle", value=str(settle))
    signed_by = validate.optional_text(signed_by, "--signed-by", limit=MAX_TEXT) or None
    description = validate.text(description, "--description", limit=MAX_TEXT, free=True)
    if free_reason is not None and free_reason not in FREE_REASONS:
        raise InvalidInput("error.charge_bad_free", value=str(free_reason),
                           reasons=", ".join(FREE_REASONS))
    if unit_price_fen is not None:
        unit_price_fen = validate.fen(unit_price_fen, "--price")
    if settle == "paid":
        paid_method = paid_method or "cash"
        if paid_method not in PAID_METHODS:
            raise InvalidInput("error.charge_bad_method", value=str(paid_method),
                               methods=", ".join(PAID_METHODS))
        receipt_no = validate.optional_text(receipt_no, "--receipt", limit=64) or None
    elif paid_method is not None or receipt_no is not None:
        raise InvalidInput("error.charge_method_needs_paid")
    with desk.db.atomic():
        if source_id is not None:
            existing = Charge.get_or_none(Charge.source == source, Charge.source_id == source_id)
            if existing is not None:
                return existing
        tenant = Tenant.get_or_none(Tenant.id == tenant_id)
        if tenant is None:
            raise InvalidInput("error.no_tenant_id", id=tenant_id)
        item = find_item(item_code)
        entry = entry_on(item, day)
        if entry is None or not entry.active:
            raise InvalidInput("error.price_not_in_force", code=item.code, day=day.isoformat())
        list_price = entry.price_fen
        if unit_price_fen is None:
            unit_price_fen = list_price
        elif unit_price_fen > list_price:  # published prices are never exceeded
            raise InvalidInput("error.charge_above_list", code=item.code,
                               price=_yuan(unit_price_fen), list_price=_yuan(list_price),
                               day=day.isoformat())
        if settle == "monthly":
            _check_signature(tenant, signed_by, day)
        refuse_if_closed(day, desk)
        amount = 0 if free_reason else line_amount(unit_price_fen, milli)
        if amount > validate.MAX_FEN:
            raise InvalidInput("error.too_much_money", field="--quantity")
        charge = _create(desk, tenant=tenant, item=item, description=description,
                         quantity_milli=milli, unit_price_fen=unit_price_fen,
                         list_price_fen=list_price, amount_fen=amount, service_date=day,
                         month=day.strftime("%Y-%m"), settle=settle, signed_by=signed_by,
                         paid_method=paid_method if settle == "paid" else None,
                         receipt_no=receipt_no if settle == "paid" else None,
                         free_reason=free_reason, source=source, source_id=source_id)
        desk.audit("charge.post", "charge", charge.id, tenant=tenant.name, item=item.code,
                   quantity=quantity_text(milli), unit_price_fen=unit_price_fen,
                   amount_fen=amount, service_date=day.isoformat(), settle=settle,
                   signed_by=signed_by, free_reason=free_reason, source=source,
                   source_id=source_id)
    return charge


def _check_signature(tenant: Tenant, signed_by: str | None, day: dt.date) -> None:
    from .tenants import may_sign_on

    if not signed_by:
        raise InvalidInput("error.charge_needs_signature", name=tenant.name)
    if not may_sign_on(tenant.id, signed_by, day):
        raise InvalidInput("error.charge_not_signatory", signer=signed_by, name=tenant.name,
                           day=day.isoformat())


def _create(desk: Desk, **values) -> Charge:
    """Insert the line; a concurrent post of the same source (the unique index) would
    surface as IntegrityError and roll the whole transaction back: the caller's retry
    then finds that line."""
    try:
        with desk.db.atomic():
            return Charge.create(posted_at=desk.clock.now(), posted_by=desk.user, **values)
    except IntegrityError:
        raise Conflict("error.charge_posted_meanwhile") from None


def reverse_charge(desk: Desk, charge_id: object, reason: str) -> Charge:
    """Correct a line by its reversal: the same quantity, price and account, negated,
    with the reason; a line is reversed once, a reversal never."""
    desk.require("charge.reverse")
    charge_id = validate.record_id(charge_id, "ID")
    reason = validate.text(reason, "--reason", limit=MAX_TEXT, free=True, required=True)
    with desk.db.atomic():
        original = Charge.get_or_none(Charge.id == charge_id)
        if original is None:
            raise InvalidInput("error.charge_unknown", id=charge_id)
        if original.reverses_id is not None:
            raise Conflict("error.charge_reverse_reversal", id=charge_id)
        if Charge.get_or_none(Charge.reverses == original.id) is not None:
            raise Conflict("error.charge_already_reversed", id=charge_id)
        # a line of a closed month is reversed in the month open now
        month = original.month if not is_closed(original.month) else today(desk).strftime("%Y-%m")
        refuse_if_closed(month, desk)
        reversal = _create(
            desk, tenant=original.tenant_id, item=original.item_id,
            description=original.description, quantity_milli=-original.quantity_milli,
            unit_price_fen=original.unit_price_fen, list_price_fen=original.list_price_fen,
            amount_fen=-original.amount_fen, service_date=original.service_date,
            month=month, settle=original.settle, signed_by=original.signed_by,
            paid_method=original.paid_method, receipt_no=None,
            free_reason=original.free_reason, source="reversal", source_id=str(original.id),
            reverses=original.id, reason=reason)
        desk.audit("charge.reverse", "charge", reversal.id, reverses=original.id,
                   amount_fen=reversal.amount_fen, reason=reason)
    return reversal


# --- reading --------------------------------------------------------------------------------

def charges(tenant_id: int | None = None, month: str | None = None,
            settle: str | None = None) -> list[Charge]:
    """Lines of the ledger, by service date then as posted."""
    query = Charge.select(Charge, Tenant, PriceItem).join(Tenant).switch(Charge).join(PriceItem)
    if tenant_id is not None:
        query = query.where(Charge.tenant == validate.record_id(tenant_id, "tenant"))
    if month is not None:
        query = query.where(Charge.month == month_key(month))
    if settle is not None:
        if settle not in SETTLEMENTS:
            raise InvalidInput("error.charge_bad_settle", value=str(settle))
        query = query.where(Charge.settle == settle)
    return list(query.order_by(Charge.service_date, Charge.id))


def monthly_account(tenant_id: int, month: str) -> dict:
    """What the tenant's monthly account holds for ``month`` (YYYY-MM): the lines booked
    to it (reversals included) and their total in fen."""
    lines = charges(tenant_id=tenant_id, month=month, settle="monthly")
    return {"lines": lines, "total_fen": sum(line.amount_fen for line in lines)}


def reversed_ids(ids: list[int]) -> set[int]:
    """Of these lines, those a reversal corrects."""
    if not ids:
        return set()
    return {rid for (rid,) in Charge.select(Charge.reverses)
            .where(Charge.reverses.in_(ids)).tuples()}


def _yuan(fen: int) -> str:
    from ..money import format_yuan

    return format_yuan(fen)


def charge_json(desk: Desk, charge: Charge, reversed_: bool | None = None) -> dict:
    """A line as the commands print it: money as strings with two decimals."""
    tz = desk.profile().timezone
    if reversed_ is None:
        reversed_ = bool(reversed_ids([charge.id]))
    return {"id": charge.id, "tenant": charge.tenant.name, "item": charge.item.code,
            "name": item_name(charge.item), "unit": charge.item.unit,
            "description": charge.description, "quantity": quantity_text(charge.quantity_milli),
            "unit_price": _yuan(charge.unit_price_fen), "list_price": _yuan(charge.list_price_fen),
            "amount": _yuan(charge.amount_fen), "service_date": charge.service_date.isoformat(),
            "month": charge.month, "settle": charge.settle, "signed_by": charge.signed_by,
            "paid_method": charge.paid_method, "receipt_no": charge.receipt_no,
            "free_reason": charge.free_reason, "source": charge.source,
            "source_id": charge.source_id, "reverses": charge.reverses_id,
            "reversed": reversed_, "reason": charge.reason,
            "posted_at": charge.posted_at.in_tz(tz).isoformat(), "posted_by": charge.posted_by}


__all__ = ["MAX_AHEAD_DAYS", "MAX_BACK_DAYS", "MAX_QUANTITY", "charge_json", "charges",
           "line_amount",
           "month_key", "monthly_account", "post_charge", "quantity_milli", "quantity_text",
           "reverse_charge", "reversed_ids", "service_day"]
