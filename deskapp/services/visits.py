"""Visits to tenants for their feedback (R-5.3): the first-month visit each move-in
schedules, and the regular visits logged as they happen."""

from __future__ import annotations

import datetime as dt

import pendulum

from ..models import Visit
from .common import local_day as _local_day
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
                             moved_in_on=dt.date(moved_in_on.year, moved_in_on.month,
                                                 moved_in_on.day),
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


# --- the visit log (R-5.3) ------------------------------------------------------------------

MAX_FEEDBACK = 2000
# who may make a visit: the manager (or the general manager), or a supervisor the
# manager named (setting ``visit_supervisors``: their logins)
VISITOR_ROLES = ("manager", "gm")
# "attention to tenants who complained": complaints this many days back count,
# unless the building's setting ``complaint_visit_days`` says otherwise
COMPLAINT_DAYS = 90


def supervisors(desk: Desk) -> set[str]:
    raw = str(desk.profile().values.get("visit_supervisors", "") or "")
    return {login for login in raw.replace(",", " ").split() if login}


def visitor_named(desk: Desk, login: str | None) -> str:
    """The login of who made the visit: an active manager or general manager, or a
    supervisor the manager named (R-5.3: "the manager or supervisor visits")."""
    from ..models import Staff
    from . import validate
    from .errors import InvalidInput

    login = validate.text(login, "--visitor", limit=64, required=True)
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None or not staff.active:
        raise InvalidInput("error.unknown_staff", login=login)
    if staff.role not in VISITOR_ROLES and staff.login not in supervisors(desk):
        raise InvalidInput("error.comms_not_visitor", login=login, role=staff.role)
    return staff.login


def record_visit(desk: Desk, tenant: str, visitor: str, feedback: str, *, at=None,
                 issues: str = "", suggestion: str = "") -> Visit:
    """Log a visit made to a tenant. A first-month visit still due for it is the one
    made (done at ``at``; after its due day it stays on record as late), unless the
    visit was before the move-in that scheduled it; otherwise a regular visit. A ``suggestion`` the tenant made goes into the suggestions log."""
    from . import validate
    from .comms import add_suggestion, moment, tenant_named

    desk.require("comms.visit")
    feedback = validate.text(feedback, "--feedback", limit=MAX_FEEDBACK, free=True,
                             required=True)
    issues = validate.text(issues, "--issues", limit=MAX_FEEDBACK, free=True)
    suggestion = validate.text(suggestion, "--suggestion", limit=MAX_FEEDBACK, free=True)
    when = moment(desk, at)
    with desk.db.atomic():
        row = tenant_named(tenant)
        login = visitor_named(desk, visitor)
        visit = (Visit.select().where((Visit.tenant == row.id) & (Visit.kind == "first_month")
                                      & Visit.done_at.is_null()).first())
        if visit is not None and visit.moved_in_on is not None and \
                _local_day(when, desk.profile().timezone) < visit.moved_in_on:
            visit = None  # a visit before the move-in is not its first-month visit
        if visit is None:
            visit = Visit(tenant=row.id, kind="regular", scheduled_at=when,
                          scheduled_by=desk.user)
        visit.done_at, visit.visitor, visit.feedback = when, login, feedback
        visit.issues, visit.recorded_by = issues, desk.user
        visit.save()
        late = is_late(visit, desk.profile().timezone)
        desk.audit("visit.record", "visit", visit.id, tenant=row.name, kind=visit.kind,
                   visitor=login, at=when.isoformat(), late=late)
        if suggestion:
            add_suggestion(desk, row.name, suggestion, at=when, visit=visit)
    return visit


def is_late(visit: Visit, tz: str) -> bool:
    """A first-month visit made after its due day."""
    if visit.due_on is None or visit.done_at is None:
        return False
    return _local_day(visit.done_at, tz) > visit.due_on


def visits_done(since, until) -> list[Visit]:
    """Visits made in [since, until), in the order they were made."""
    from ..models import Tenant

    return list(Visit.select(Visit, Tenant).join(Tenant)
                .where(Visit.done_at >= since, Visit.done_at < until)
                .order_by(Visit.done_at, Visit.id))


def last_visits() -> dict[int, pendulum.DateTime]:
    """tenant id -> when it was last visited."""
    from peewee import fn

    rows = (Visit.select(Visit.tenant, fn.MAX(Visit.done_at)).where(Visit.done_at.is_null(False))
            .group_by(Visit.tenant).tuples())
    return {tenant: _moment(value) for tenant, value in rows}


def _moment(value) -> pendulum.DateTime:
    """MAX over a UTC field: peewee hands it through the field's converter (a moment)
    on some drivers and versions, raw micros on others."""
    from ..models.base import from_micros

    return from_micros(value) if isinstance(value, int) else value


def complaint_days(desk: Desk, days: object = None) -> int:
    from . import validate

    if days is None:
        days = desk.profile().values.get("complaint_visit_days", COMPLAINT_DAYS)
    return validate.number(days, "--days", low=1, high=3660)


def to_visit(desk: Desk, days: object = None) -> list[dict]:
    """Tenants to visit, in the order to go: first-month visits due (soonest first,
    ``overdue`` flagged); then tenants who complained in the last ``days`` (setting
    ``complaint_visit_days``, default 90) and have not been visited since, the longest
    waiting first; then the other active tenants, the longest unvisited first (never
    visited before any). Each row: ``tenant, reason, due_on, overdue, complained_at,
    last_visit_at``; a tenant is listed once."""
    from peewee import fn

    from ..models import Tenant, Ticket
    from .tenants import by_name, today

    days = complaint_days(desk, days)
    now = desk.clock.now()
    day = today(desk)
    last = last_visits()
    rows: list[dict] = []
    seen: set[int] = set()

    def row(tenant, reason, **extra) -> dict:
        seen.add(tenant.id)
        return {"tenant": tenant.name, "reason": reason, "due_on": None, "overdue": False,
                "complained_at": None, "last_visit_at": last.get(tenant.id), **extra}

    first = (Visit.select(Visit, Tenant).join(Tenant)
             .where(Visit.kind == "first_month", Visit.done_at.is_null(),
                    Tenant.status != "gone")
             .order_by(Visit.due_on, Visit.id))
    for visit in first:
        if visit.tenant.id not in seen:
            rows.append(row(visit.tenant, "first_month", due_on=visit.due_on,
                            overdue=visit.due_on is not None and day > visit.due_on))
    since = now.subtract(days=days)
    complained = (Ticket.select(Ticket.tenant, fn.MAX(Ticket.opened_at))
                  .where(Ticket.service == "complaint", Ticket.tenant.is_null(False),
                         Ticket.opened_at >= since, Ticket.state != "cancelled")
                  .group_by(Ticket.tenant).tuples())
    waiting = []
    for tenant_id, micros in complained:
        at = _moment(micros)
        visited = last.get(tenant_id)
        if tenant_id not in seen and (visited is None or visited < at):
            waiting.append((at, tenant_id))
    tenants = {t.id: t for t in Tenant.select().where(
        Tenant.id.in_([tenant_id for _, tenant_id in waiting] or [0]),
        Tenant.status != "gone")}
    for at, tenant_id in sorted(waiting):
        if tenant_id in tenants:
            rows.append(row(tenants[tenant_id], "complained", complained_at=at))
    others = [t for t in Tenant.select().where(Tenant.status == "active").order_by(by_name())
              if t.id not in seen]
    # never visited first (by name), then the longest since the last visit
    others.sort(key=lambda t: (t.id in last, last.get(t.id) or now))
    rows.extend(row(t, "regular") for t in others)
    return rows


def visit_by_id(visit_id: int) -> Visit:
    from ..models import Tenant

    return Visit.select(Visit, Tenant).join(Tenant).where(Visit.id == visit_id).get()
