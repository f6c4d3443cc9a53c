"""Helpers the tests of the tenant areas (passes, fit-out, signage, comms, moves) share."""

from __future__ import annotations

import pendulum

from deskapp.models import Audit, Target

from .conftest import TZ


def local(*args: int) -> pendulum.DateTime:
    """A moment in building time: local(2026, 9, 30, 10, 0)."""
    return pendulum.datetime(*args, tz=TZ)


def target(ticket_id: int, name: str = "done") -> Target:
    """The ticket's target of that name (its current cycle's only one)."""
    return Target.get(Target.ticket == ticket_id, Target.name == name)


def audit_actions(entity: str | None = None, entity_id: object = None) -> list[str]:
    """The audit's actions in order, of one kind of entity (and one of them) if given."""
    query = Audit.select(Audit.action)
    if entity is not None:
        query = query.where(Audit.entity == entity)
    if entity_id is not None:
        query = query.where(Audit.entity_id == str(entity_id))
    return [a for (a,) in query.order_by(Audit.id).tuples()]
