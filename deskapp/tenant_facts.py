"""What the desk reads about one tenant: the summary beside the tenants list and the tabs
of its detail. Reads only; every stored text goes through ``safe_text``.

Each area of a tenant's life (keys, signage, fit-out, passes, mail…) adds its own tab
and its own summary lines here: ``TABS`` maps a tab to the function that lists it, and
``SUMMARY_SOURCES`` are the functions whose lines join the summary's "to do".
"""

from __future__ import annotations

from typing import Callable

from . import tenant_tabs
from .i18n import t
from .models import Ticket, Visit
from .money import format_yuan
from .services.tenants import contacts_of, current_units, find_tenant, signatories_of
from .views import safe_text, service_name, state_label

Lines = list[tuple[str, str]]  # (text, style) per line


def _date(value) -> str:
    return value.isoformat() if value else "—"


def _local(moment, tz: str) -> str:
    return moment.in_tz(tz).format("YYYY-MM-DD HH:mm") if moment else "—"


def profile_lines(tenant, tz: str) -> Lines:
    lines: Lines = []
    contacts = contacts_of(tenant.id)
    if contacts:
        for contact in contacts[:3]:
            lines.append((t("tenants.contact", name=safe_text(contact.name),
                            phone=safe_text(contact.phone)), ""))
    else:
        lines.append((t("tenants.no_contact"), "dim"))
    lines.append((t("tenants.lease", rent=format_yuan(tenant.monthly_rent_fen),
                    day=tenant.due_day), ""))
    lines.append((t("tenants.deposit", deposit=format_yuan(tenant.deposit_fen)), ""))
    if tenant.lease_start or tenant.lease_end:
        lines.append((t("tenants.lease_dates", start=_date(tenant.lease_start),
                        end=_date(tenant.lease_end)), ""))
    units = current_units(tenant.id)
    lines.append((t("tenants.units", units=safe_text(" ".join(units))) if units
                  else t("tenants.no_units"), ""))
    people = signatories_of(tenant.id)
    if people:
        lines.append((t("tenants.signatories",
                        names=safe_text(" ".join(p.name for p in people)),
                        date=max(p.applied_on for p in people).isoformat()), ""))
    else:
        lines.append((t("tenants.no_signatories"), "dim"))
    lines.extend(tenant_tabs.keys_line(tenant, tz))
    return lines


def _open_tickets(tenant_id: int):
    return list(Ticket.select().where((Ticket.tenant == tenant_id) & (Ticket.is_open == True))  # noqa: E712
                .order_by(Ticket.tier_rank, Ticket.next_due_at.asc(nulls="LAST"), Ticket.id))


def todo_lines(tenant, today) -> Lines:
    """What is waiting on this tenant: its open tickets, a visit due, and each area's."""
    lines: Lines = []
    tickets = _open_tickets(tenant.id)
    if tickets:
        first = tickets[0]
        lines.append((t("tenants.open_tickets", n=len(tickets),
                        first=f"#{first.id} {service_name(first.service)}"), ""))
    for visit in Visit.select().where((Visit.tenant == tenant.id) & Visit.done_at.is_null()
                                      & Visit.due_on.is_null(False)):
        late = visit.due_on < today
        lines.append((t("tenants.visit_overdue" if late else "tenants.visit_due",
                        date=visit.due_on.isoformat()), "bold" if late else ""))
    for source in SUMMARY_SOURCES:
        lines.extend(source(tenant, today))
    return lines


def summary(tenant_id: int, today, tz: str) -> tuple[str, str, Lines]:
    """(name, status label, lines) for the pane beside the list."""
    tenant = find_tenant(tenant_id)
    lines = profile_lines(tenant, tz)
    todo = todo_lines(tenant, today)
    if todo:
        lines.append(("", ""))
        lines.append((t("tenants.todo"), "bold"))
        lines.extend(todo)
    return safe_text(tenant.name), t(f"tenant_status.{tenant.status}"), lines


# -- the detail's tabs -------------------------------------------------------------------

def tickets_tab(tenant, tz: str) -> Lines:
    rows = (Ticket.select().where(Ticket.tenant == tenant.id)
            .order_by(Ticket.is_open.desc(), Ticket.id.desc()).limit(200))
    return [(t("tenant_detail.ticket", id=row.id, service=service_name(row.service),
               state=state_label(row.state), opened=_local(row.opened_at, tz)),
             "" if row.is_open else "dim") for row in rows]


def visits_tab(tenant, tz: str) -> Lines:
    lines: Lines = []
    for visit in Visit.select().where(Visit.tenant == tenant.id).order_by(Visit.id.desc()):
        done = (t("tenant_detail.visit_done", at=_local(visit.done_at, tz),
                  visitor=safe_text(visit.visitor)) if visit.done_at
                else t("tenant_detail.visit_open"))
        lines.append((t("tenant_detail.visit", kind=t(f"visit_kind.{visit.kind}"),
                        due=_date(visit.due_on), done=done), "" if visit.done_at is None else "dim"))
        if visit.feedback:
            lines.append(("  " + safe_text(visit.feedback), "dim"))
    return lines


TabSource = Callable[[object, str], Lines]

TABS: dict[str, TabSource] = {
    "profile": profile_lines,
    "tickets": tickets_tab,
    "keys": tenant_tabs.keys_tab,
    "signage": tenant_tabs.signage_tab,
    "fitout": tenant_tabs.fitout_tab,
    "passes": tenant_tabs.passes_tab,
    "visits": visits_tab,
    "mail": tenant_tabs.mail_tab,
}

SUMMARY_SOURCES: list[Callable[[object, object], Lines]] = [tenant_tabs.area_todo]


def tab_lines(tenant_id: int, tab: str, tz: str) -> Lines:
    tenant = find_tenant(tenant_id)
    return TABS[tab](tenant, tz) or [(t("tab.empty"), "dim")]
