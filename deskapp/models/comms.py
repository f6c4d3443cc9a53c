"""Tenant communication (SPEC §5): visits to tenants. Letters, mail and rubbish bags
join this module."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import BaseModel, UTCField
from .records import Tenant

VISIT_KINDS = ("first_month", "regular")


class Visit(BaseModel):
    """A visit to a tenant for feedback (R-5.3): the first-month visit is scheduled by
    the move-in (due within one month of it); regular visits are logged as they happen.
    ``done_at`` None: still due."""

    tenant = ForeignKeyField(Tenant, backref="visits", on_delete="CASCADE")
    kind = CharField(default="regular")
    due_on = DateField(null=True)  # the last day it may happen (first_month)
    scheduled_at = UTCField()
    scheduled_by = CharField()
    done_at = UTCField(null=True)
    visitor = CharField(default="")  # the manager or supervisor who went
    feedback = TextField(default="")


Visit.add_index(Visit.tenant, Visit.kind)
