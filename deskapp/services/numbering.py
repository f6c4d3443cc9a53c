"""Numbers people write down (notice 2026-12-0001, receipt R2026-000042): gapless and in
the order issued, one series per kind and period.

The counter is a ``meta`` row (``seq.<series>``) read and bumped inside the caller's
write transaction: SQLite's IMMEDIATE transaction already serialises writers, and on
PostgreSQL the row is locked (FOR UPDATE) so two sessions never take the same number; a
transaction that rolls back gives its number back.
"""

from __future__ import annotations

from ..models import Meta
from .context import Desk


def next_number(desk: Desk, series: str, width: int = 4) -> str:
    """The next number of ``series`` ("2026-12" → "2026-12-0001", then "-0002"), taken
    inside the write transaction the caller holds."""
    return next_numbers(desk, series, 1, width)[0]


def next_numbers(desk: Desk, series: str, count: int, width: int = 4) -> list[str]:
    """The next ``count`` consecutive numbers of ``series`` at once (a month's notices)."""
    if count < 1:
        return []
    key = f"seq.{series}"
    query = Meta.select().where(Meta.key == key)
    row = (query.for_update() if desk.db.for_update else query).first()
    if row is None:
        # a first number of a series: two sessions may both insert; the loser's
        # transaction fails on the primary key and is retried by the caller (Conflict)
        Meta.create(key=key, value=str(count))
        first = 1
    else:
        first = int(row.value) + 1
        Meta.update(value=str(first + count - 1)).where(Meta.key == key).execute()
    return [f"{series}-{n:0{width}d}" for n in range(first, first + count)]


__all__ = ["next_number", "next_numbers"]
