"""Large-item release (大件物品放行, SPEC §2.2: 1 hour, security's department).

Before a large item leaves: the tenant's fees are checked (nothing overdue) and one of
the tenant's authorised signatories confirms it (R-4.2's list). The release is logged
(what, who carried it, who confirmed, the guard, when) and its ``large_item`` ticket
resolved and answered in the same transaction; a refusal writes nothing.
"""

from __future__ import annotations

from pendulum import DateTime

from ..models import ItemRelease, Staff, Tenant
from ..money import format_yuan
from . import validate
from .context import Desk
from .errors import Conflict, InvalidInput
from .export import iso
from .passes import person, serve
from .tenants import may_sign, signatories_of
from .tickets import NewTicket, find_tenant

MAX_ITEMS = 1000


def overdue_fen(desk: Desk, tenant_id: int) -> int:
    """What the tenant owes past its notices' (deferred) due dates today, in fen, late
    fees billed on them included (``balances.overdue_fen``)."""
    from .balances import overdue_fen as owed_after_due
    from .tenants import today

    return owed_after_due(tenant_id, desk.profile().timezone, today(desk))


def release_items(desk: Desk, tenant: str, items: str, carrier: str, confirmed_by: str, *,
                  guard: str | None = None, at: DateTime | None = None) -> ItemRelease:
    """Let a tenant's large items out. ``at``: when the tenant asked (the ticket's 1 hour
    counts from it; default now). ``guard``: the security staff login who let it out
    (default: whoever records it)."""
    desk.require("release.add")
    owner = find_tenant(tenant)
    items = validate.text(items, "--items", limit=MAX_ITEMS, free=True, required=True)
    carrier = person(carrier, "--carrier")
    confirmed_by = person(confirmed_by, "--confirmed-by")
    guard_login = desk.user if guard is None else _guard(guard)
    with desk.db.atomic():
        owed = overdue_fen(desk, owner.id)
        if owed > 0:
            raise Conflict("error.release_fees_overdue", tenant=owner.name,
                           amount=format_yuan(owed))
        if not may_sign(owner.id, confirmed_by):
            names = ", ".join(s.name for s in signatories_of(owner.id))
            if not names:
                raise Conflict("error.release_no_signatories", tenant=owner.name)
            raise Conflict("error.release_not_signatory", name=confirmed_by, tenant=owner.name,
                           signatories=names)
        ticket = serve(desk, NewTicket(service="large_item", tenant=owner.name, at=at))
        row = ItemRelease.create(tenant=owner, items=items, carrier=carrier,
                                 confirmed_by=confirmed_by, guard=guard_login, ticket=ticket.id,
                                 released_at=desk.clock.now(), recorded_by=desk.user)
        desk.audit("release.add", "item_release", row.id, tenant=owner.name, items=items,
                   carrier=carrier, confirmed_by=confirmed_by, guard=guard_login,
                   ticket=ticket.id)
    return row


def _guard(login: str) -> str:
    login = validate.text(login, "--guard", limit=64, required=True)
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None or not staff.active or staff.role != "security":
        raise InvalidInput("error.release_guard", login=login)
    return login


def releases(tenant: str | None = None) -> list[ItemRelease]:
    query = ItemRelease.select(ItemRelease, Tenant).join(Tenant)
    if tenant is not None:
        query = query.where(ItemRelease.tenant == find_tenant(tenant).id)
    return list(query.order_by(ItemRelease.id.desc()))


def release_json(desk: Desk, row: ItemRelease) -> dict:
    tz = desk.profile().timezone
    return {"id": row.id, "tenant": row.tenant.name, "items": row.items,
            "carrier": row.carrier, "confirmed_by": row.confirmed_by, "guard": row.guard,
            "ticket": row.ticket_id, "released_at": iso(row.released_at, tz),
            "recorded_by": row.recorded_by}
