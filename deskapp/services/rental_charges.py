"""A rental becomes a charge (issue 8 item 10; R-6.3, R-6.5, R-7.7): at the published
price in force on its day, paid at once or put on the tenant's monthly account signed
for by someone the tenant authorised in writing (R-4.2).

The desk cannot invent that signature, so a rental booked without it (a script's
``booking add`` of SPEC §9, or a tenant who will pay later) is booked and waits as
"to settle" until ``settle_rental`` posts its charge, paid or signed for. Either way the
charge's source is the booking: posting it twice is refused by the ledger itself (one
charge per source), and a borrowing is free (it never reaches here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..models import Booking, Charge, Resource
from .charges import post_charge
from .context import Desk
from .errors import Conflict, InvalidInput
from .prices import find_item

SOURCE = "booking"


@dataclass(frozen=True)
class Settlement:
    """How a rental is settled when it is booked: paid at the desk (cash, transfer…),
    or booked to the monthly account signed for by ``signed_by``."""

    paid: bool = False
    signed_by: str | None = None
    method: str | None = None
    receipt_no: str | None = None
SECONDS = {"hour": 3600, "day": 86400}


def quantity(unit: str, booking: Booking, tz: str) -> Decimal:
    """How many of the price's unit the booking takes: hours exactly (1.5 for 90
    minutes), days as the calendar days it touches in the building's time, one for a
    month's or a quarter's rental (its period), one for an item."""
    if unit == "hour":
        seconds = (booking.ends_at - booking.starts_at).total_seconds()
        return (Decimal(int(seconds)) / SECONDS["hour"]).quantize(Decimal("0.001"))
    if unit == "day":
        first = booking.starts_at.in_tz(tz).date()
        last = booking.ends_at.subtract(microseconds=1).in_tz(tz).date()
        return Decimal((last - first).days + 1)
    return Decimal(1)


def _service_day(booking: Booking, tz: str) -> dt.date:
    local = booking.starts_at.in_tz(tz)
    return dt.date(local.year, local.month, local.day)


def charge_for(desk: Desk, booking: Booking, *, paid: bool = False,
               signed_by: str | None = None, method: str | None = None,
               receipt_no: str | None = None) -> Charge | None:
    """Post the rental's charge now, when it is settled (paid, or signed for); None
    while it is not, or when there is nothing to charge (no tenant's account, or a
    resource with no price-list item). Inside the caller's transaction."""
    resource = Resource.get_by_id(booking.resource_id)
    if booking.kind != "rental" or booking.tenant_id is None or not resource.price_item:
        return None
    if not paid and not signed_by:
        return None  # to settle: booked, its charge waits for the payment or a signature
    tz = desk.profile().timezone
    item = find_item(resource.price_item)
    return post_charge(desk, tenant_id=booking.tenant_id, item_code=resource.price_item,
                       quantity=quantity(item.unit, booking, tz),
                       service_date=_service_day(booking, tz), source=SOURCE,
                       source_id=booking.id, settle="paid" if paid else "monthly",
                       signed_by=signed_by, paid_method=method if paid else None,
                       receipt_no=receipt_no if paid else None,
                       description=resource.name)


def charge_of(booking_id: int) -> Charge | None:
    return Charge.get_or_none((Charge.source == SOURCE) & (Charge.source_id == str(booking_id)))


def settle_rental(desk: Desk, booking_id: object, *, paid: bool = False,
                  signed_by: str | None = None, method: str | None = None,
                  receipt_no: str | None = None) -> Charge:
    """A rental to settle, paid at the desk now or signed for on the monthly account."""
    from . import validate

    desk.require("charge.post")
    booking_id = validate.record_id(booking_id, "booking")
    if paid == bool(signed_by):
        raise InvalidInput("error.rental_settle_how")
    with desk.db.atomic():
        booking = Booking.get_or_none(Booking.id == booking_id)
        if booking is None:
            raise InvalidInput("error.no_booking", id=booking_id)
        if booking.kind != "rental" or booking.state != "confirmed":
            raise Conflict("error.rental_not_chargeable", id=booking_id,
                           state=booking.state, kind=booking.kind)
        if charge_of(booking.id) is not None:
            raise Conflict("error.rental_settled", id=booking_id)
        charge = charge_for(desk, booking, paid=paid, signed_by=signed_by, method=method,
                            receipt_no=receipt_no)
        if charge is None:
            raise Conflict("error.rental_nothing_to_charge", id=booking_id)
    return charge


def to_settle(tenant_id: int | None = None) -> list[Booking]:
    """Confirmed rentals on a tenant's account with a priced resource and no charge yet."""
    charged = {str(s) for (s,) in Charge.select(Charge.source_id)
               .where(Charge.source == SOURCE).tuples()}
    query = (Booking.select(Booking).join(Resource)
             .where((Booking.kind == "rental") & (Booking.state == "confirmed")
                    & Booking.tenant.is_null(False) & Resource.price_item.is_null(False)))
    if tenant_id is not None:
        query = query.where(Booking.tenant == tenant_id)
    return [b for b in query.order_by(Booking.starts_at) if str(b.id) not in charged]
