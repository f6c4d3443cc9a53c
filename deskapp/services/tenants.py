"""Tenants (minimal for the queue: name and units; the full registry comes later)."""

from __future__ import annotations

import datetime as dt

from ..models import Tenant
from . import validate
from .context import Desk


def upsert_tenant(desk: Desk, name: str, *, units: list[str] | None = None, contact: str = "",
                  phone: str = "", monthly_rent_fen: int = 0, due_day: int = 1,
                  lease_start: dt.date | None = None, lease_end: dt.date | None = None) -> Tenant:
    name = validate.text(name, "name", limit=200, required=True)
    units = [validate.text(unit, "units", limit=50) for unit in units or []]
    contact = validate.text(contact, "contact", limit=100)
    phone = validate.text(phone, "phone", limit=50)
    with desk.db.atomic():
        tenant = Tenant.get_or_none(Tenant.name == name)
        values = dict(units=";".join(units or []), contact=contact, phone=phone,
                      monthly_rent_fen=monthly_rent_fen, due_day=due_day,
                      lease_start=lease_start, lease_end=lease_end)
        if tenant is None:
            tenant = Tenant.create(name=name, **values)
            desk.audit("tenant.add", "tenant", tenant.id, name=name)
        else:
            for key, value in values.items():
                setattr(tenant, key, value)
            tenant.version += 1
            tenant.save()
            desk.audit("tenant.update", "tenant", tenant.id, name=name)
    return tenant


def tenant_names() -> list[str]:
    return [name for (name,) in Tenant.select(Tenant.name).order_by(Tenant.name).tuples()]
