"""Peewee models: data, constraints and small model methods only."""

from .base import BaseModel, UTCField, database, from_micros, to_micros
from .records import (
    ALL_MODELS,
    Audit,
    CalendarOverride,
    Meta,
    Service,
    Setting,
    Staff,
    Target,
    Tenant,
    TenantContact,
    TenantSignatory,
    TenantUnit,
    Ticket,
    TicketEvent,
)

__all__ = [
    "ALL_MODELS", "Audit", "BaseModel", "CalendarOverride", "Meta", "Service", "Setting",
    "Staff", "Target", "Tenant", "TenantContact", "TenantSignatory", "TenantUnit", "Ticket",
    "TicketEvent", "UTCField", "database",
    "from_micros", "to_micros",
]
