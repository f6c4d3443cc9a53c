"""Visits to tenants for their feedback (R-5.3): the first-month visit each move-in
schedules, and the regular visits logged as they happen."""

from __future__ import annotations

import datetime as dt

import pendulum

from ..models import Visit
from .context import Desk
from .tenants import find_tenant


def first_visit_due(moved_in_on: dt.date) -> dt.date:
    """The last day of the first month after a move-in: moved in 31 Jan → due 28 Feb
    (pendulum clamps to the month's end), moved in 15 Nov → due 15 Dec."""
    due = pendulum.date(moved_in_on.year, moved_in_on.month, moved_in_on.day).add(months=1)
    return dt.date(due.year, due.month, due.day)  # a plain date: drivers refuse pendulum's


def schedule_first_visit(desk: Desk, tenant_id: int, moved_in_on: dt.date) -> Visit:
    """The first-month visit of a move-in, once per tenant: a second move-in of the same
    tenant (it left and came back) keeps the one still due, or schedules a new one."""
    desk.require("tenant.edit")
    with desk.db.atomic():
        tenant = find_tenant(tenant_id)
        due = first_visit_due(moved_in_on)
        open_visit = (Visit.select().where((Visit.tenant == tenant.id)
                                           & (Visit.kind == "first_month")
                                           & Visit.done_at.is_null()).first())
        if open_visit is not None:
            return open_visit
        visit = Visit.create(tenant=tenant.id, kind="first_month", due_on=due,
                             scheduled_at=desk.clock.now(), scheduled_by=desk.user)
        desk.audit("visit.schedule", "visit", visit.id, tenant=tenant.name,
                   kind="first_month", due_on=due.isoformat())
    return visit


def due_visits(tenant_id: int | None = None) -> list[Visit]:
    """Visits scheduled and not yet made, the soonest due first."""
    query = Visit.select().where(Visit.done_at.is_null())
    if tenant_id is not None:
        query = query.where(Visit.tenant == tenant_id)
    return list(query.order_by(Visit.due_on.asc(nulls="LAST"), Visit.id))
