"""The postal agency (邮政代办, R-6.1): the desk weighs a tenant's item, prices it by
weight and kind from the published list, takes the money or books it to the monthly
account, and at the end of the day lists the items for the post office on a two-part
dispatch list (第一联 交邮局 / 第二联 存根).

Rules stated once here (prices are the price-list items, as China Post's domestic
rates in 2026; the weight limits are China Post's: a letter at most 2 kg, printed
matter 5 kg, an ordinary parcel 40 kg):

- closed on public holidays and rest days (the building's calendar: National Day
  1–8 Oct 2026 closed, the make-up Saturday 10 Oct open, an ordinary Saturday closed);
- a letter out of town: ``postal_letter_20g`` for the first 20 g and
  ``postal_letter_extra_20g`` for each further 20 g begun (45 g = 1 + 2);
- a local letter: ``postal_letter_local`` for each 20 g begun;
- registered: a letter out of town plus ``postal_registered``;
- printed matter with its official serial (刊号/书号): ``postal_printed_100g`` for the first
  100 g and ``postal_printed_extra_100g`` for each further 100 g begun; printed matter
  WITHOUT a serial goes as an ordinary letter out of town (R-6.1), kind ``letter``;
- a parcel: ``postal_parcel_kg`` for each kilogram begun;
- each price component is its own ledger line (source ``postal``, source id
  ``<item id>:<component>``), paid at once or signed for on the monthly account by an
  authorised signatory (``charges.post_charge`` checks the signature); the item keeps
  the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum

from ..models import POSTAL_KINDS, PostalDispatch, PostalItem, Tenant
from . import validate
from .charges import line_amount, post_charge
from .common import local_day
from .context import Desk
from .errors import InvalidInput
from .numbering import next_number
from .prices import price_on, today

SOURCE = "postal"
MAX_DESTINATION = 200
MAX_SERIAL = 64
# the heaviest item China Post takes of each kind, in grams
LIMIT_G = {"letter_local": 2_000, "letter": 2_000, "registered": 2_000, "printed": 5_000,
           "parcel": 40_000}


@dataclass(frozen=True)
class Component:
    """One priced part of an item: the price-list code and how many of its unit."""

    name: str  # postage | extra | registered
    code: str
    count: int


def _begun(grams: int, step: int) -> int:
    return -(-grams // step)


def components(kind: str, weight_g: int) -> list[Component]:
    """What an item of this kind and weight is charged, part by part."""
    if kind == "letter_local":
        return [Component("postage", "postal_letter_local", _begun(weight_g, 20))]
    if kind == "parcel":
        return [Component("postage", "postal_parcel_kg", _begun(weight_g, 1000))]
    if kind == "printed":
        parts = [Component("postage", "postal_printed_100g", 1)]
        if weight_g > 100:
            parts.append(Component("extra", "postal_printed_extra_100g",
                                   _begun(weight_g - 100, 100)))
        return parts
    parts = [Component("postage", "postal_letter_20g", 1)]
    if weight_g > 20:
        parts.append(Component("extra", "postal_letter_extra_20g", _begun(weight_g - 20, 20)))
    if kind == "registered":
        parts.append(Component("registered", "postal_registered", 1))
    return parts


def price_fen(kind: str, weight_g: int, day: dt.date) -> int:
    """The price of an item on a day, from the list in force that day."""
    return sum(line_amount(price_on(part.code, day), part.count * 1000)
               for part in components(kind, weight_g))


def posted_kind(kind: object, serial: str | None) -> str:
    """The kind an item goes as: printed matter without its serial is a letter."""
    if kind not in POSTAL_KINDS:
        raise InvalidInput("error.postal_bad_kind", value=str(kind), kinds=", ".join(POSTAL_KINDS))
    return "letter" if kind == "printed" and not serial else kind


def weight_of(value: object, kind: str) -> int:
    return validate.number(value, "--weight", low=1, high=LIMIT_G[kind])


def refuse_if_closed_day(desk: Desk, day: dt.date) -> None:
    if not desk.calendar().is_working_day(day):
        raise InvalidInput("error.postal_closed", day=day.isoformat())


def accept(desk: Desk, *, tenant_id: int, kind: str, weight_g: object, destination: str,
           paid: bool, signed_by: str | None = None, method: str | None = None,
           serial: str | None = None) -> PostalItem:
    """Take an item at the counter, priced and charged, in one transaction."""
    desk.require("postal.accept")
    desk.require("charge.post")
    tenant_id = validate.record_id(tenant_id, "tenant")
    serial = validate.optional_text(serial, "--serial", limit=MAX_SERIAL) or None
    asked = kind
    kind = posted_kind(kind, serial)
    if kind != "printed":
        serial = None  # a serial only means something on printed matter
    weight = weight_of(weight_g, kind)
    destination = validate.text(destination, "--to", limit=MAX_DESTINATION, required=True)
    if paid and signed_by is not None:
        raise InvalidInput("error.charge_paid_and_signed")
    now = desk.clock.now().in_tz("UTC")
    day = local_day(now, desk.profile().timezone)
    refuse_if_closed_day(desk, day)
    parts = components(kind, weight)
    amount = price_fen(kind, weight, day)
    with desk.db.atomic():
        tenant = Tenant.get_or_none(Tenant.id == tenant_id)
        if tenant is None:
            raise InvalidInput("error.no_tenant_id", id=tenant_id)
        item = PostalItem.create(tenant=tenant, kind=kind, weight_g=weight,
                                 destination=destination, serial=serial, amount_fen=amount,
                                 accepted_at=now, accepted_by=desk.user)
        lines = [post_charge(desk, tenant_id=tenant.id, item_code=part.code,
                             quantity=part.count, service_date=day, source=SOURCE,
                             source_id=f"{item.id}:{part.name}",
                             settle="paid" if paid else "monthly", signed_by=signed_by,
                             description=f"#{item.id} {weight} g {destination}",
                             paid_method=(method or "cash") if paid else method)
                 for part in parts]
        item.charge = lines[0].id
        item.save()
        desk.audit("postal.accept", "postal_item", item.id, tenant=tenant.name, kind=kind,
                   asked_kind=asked, weight_g=weight, destination=destination, serial=serial,
                   amount_fen=amount, charges=[line.id for line in lines],
                   settle="paid" if paid else "monthly", signed_by=signed_by)
    return item


def item_charges(item: PostalItem) -> list:
    from ..models import Charge

    return list(Charge.select().where(Charge.source == SOURCE,
                                      Charge.source_id.startswith(f"{item.id}:"))
                .order_by(Charge.id))


# --- the dispatch list ------------------------------------------------------------------

def _bounds(day: dt.date, tz: str):
    start = pendulum.datetime(day.year, day.month, day.day, tz=tz)
    return start.in_tz("UTC"), start.add(days=1).in_tz("UTC")


def dispatch(desk: Desk, day: object = None) -> PostalDispatch:
    """The day's items not yet on a list, on a new numbered list (YJ20261126-01)."""
    desk.require("postal.dispatch")
    tz = desk.profile().timezone
    day = validate.day(day, "--day", today(desk), "applied") or today(desk)
    since, until = _bounds(day, tz)
    with desk.db.atomic():
        query = (PostalItem.select().where(PostalItem.accepted_at >= since,
                                           PostalItem.accepted_at < until,
                                           PostalItem.dispatch.is_null())
                 .order_by(PostalItem.accepted_at, PostalItem.id))
        items = list(query.for_update() if desk.db.for_update else query)
        if not items:
            raise InvalidInput("error.postal_nothing_to_dispatch", day=day.isoformat())
        number = next_number(desk, f"YJ{day:%Y%m%d}", width=2)
        made = PostalDispatch.create(number=number, day=day, made_at=desk.clock.now(),
                                     made_by=desk.user)
        PostalItem.update(dispatch=made.id).where(
            PostalItem.id.in_([i.id for i in items])).execute()
        desk.audit("postal.dispatch", "postal_dispatch", made.id, number=number,
                   day=day.isoformat(), count=len(items),
                   total_fen=sum(i.amount_fen for i in items))
    return made


def dispatch_items(made: PostalDispatch) -> list[PostalItem]:
    return list(PostalItem.select().where(PostalItem.dispatch == made.id)
                .order_by(PostalItem.accepted_at, PostalItem.id))


def dispatch_text(desk: Desk, made: PostalDispatch) -> str:
    """The two-part list: the same items, count and total on each part."""
    from ..i18n import t
    from ..money import format_yuan

    items = dispatch_items(made)
    total = format_yuan(sum(i.amount_fen for i in items))
    body = [t("postal.list_columns")]
    body += [t("postal.list_line", n=n, kind=t(f"postal.kind.{i.kind}"), weight=i.weight_g,
               to=i.destination, tenant=i.tenant.name, amount=format_yuan(i.amount_fen))
             for n, i in enumerate(items, start=1)]
    body.append(t("postal.list_total", count=len(items), amount=total))
    body.append(t("postal.list_signed", by=made.made_by))
    lines = [t("postal.list_title", number=made.number, day=made.day.isoformat())]
    for part in ("postal.part_post_office", "postal.part_kept"):
        lines += ["", t(part), *body]
    return "\n".join(lines)


# --- how they read ----------------------------------------------------------------------

def item_json(desk: Desk, item: PostalItem) -> dict:
    from ..money import format_yuan

    tz = desk.profile().timezone
    lines = item_charges(item)
    first = lines[0] if lines else None
    return {"id": item.id, "tenant": item.tenant.name, "kind": item.kind,
            "weight_g": item.weight_g, "destination": item.destination, "serial": item.serial,
            "amount": format_yuan(item.amount_fen),
            "settle": first.settle if first else None,
            "signed_by": first.signed_by if first else None,
            "paid_method": first.paid_method if first else None,
            "charges": [line.id for line in lines],
            "accepted_at": item.accepted_at.in_tz(tz).isoformat(),
            "accepted_by": item.accepted_by,
            "dispatch": item.dispatch.number if item.dispatch_id else None}


def dispatch_json(desk: Desk, made: PostalDispatch) -> dict:
    from ..money import format_yuan

    items = dispatch_items(made)
    return {"number": made.number, "day": made.day.isoformat(), "made_by": made.made_by,
            "count": len(items), "total": format_yuan(sum(i.amount_fen for i in items)),
            "items": [item_json(desk, i) for i in items]}


__all__ = ["LIMIT_G", "SOURCE", "accept", "components", "dispatch", "dispatch_items",
           "dispatch_json", "dispatch_text", "item_charges", "item_json", "posted_kind",
           "price_fen"]
