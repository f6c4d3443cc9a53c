"""Business services (商务服务, R-6.2): printing, copying and faxing by the page at the
published price, paid at once or booked to the monthly account signed for by someone
the tenant authorised (``charges.post_charge`` says the ledger's rules).

A sale is whole pages, 1 to ``MAX_PAGES`` (more at once is a typing error); each sale
is its own ledger line (source ``business``): selling the same again is a second sale.
"""

from __future__ import annotations

from ..models import Charge
from . import validate
from .charges import post_charge
from .context import Desk
from .errors import InvalidInput
from .prices import item_code, today

SOURCE = "business"
ITEMS = ("print_page_bw", "print_page_colour", "copy_page", "fax_page")
MAX_PAGES = 10_000


def sell(desk: Desk, *, tenant_id: int, item_code: str, pages: object, paid: bool,
         signed_by: str | None = None, method: str | None = None) -> Charge:
    """Pages printed, copied or faxed for a tenant today: one ledger line."""
    desk.require("charge.post")
    code = _item(item_code)
    pages = validate.number(pages, "--pages", low=1, high=MAX_PAGES)
    if paid and signed_by is not None:
        raise InvalidInput("error.charge_paid_and_signed")
    return post_charge(desk, tenant_id=tenant_id, item_code=code, quantity=pages,
                       service_date=today(desk), source=SOURCE,
                       settle="paid" if paid else "monthly", signed_by=signed_by,
                       paid_method=(method or "cash") if paid else method)


def _item(value: object) -> str:
    # (``sell``'s argument is named item_code by the fixed API: this reads the module's)
    code = item_code(value, "--item")
    if code not in ITEMS:
        raise InvalidInput("error.business_bad_item", code=code, items=", ".join(ITEMS))
    return code


__all__ = ["ITEMS", "MAX_PAGES", "SOURCE", "sell"]
