"""Closed months (R-7.8: accounts close at month end). Once finance closes a month,
nothing is posted into it: a charge, a notice, a payment, a waiver dated inside it is
refused, and the correction goes into the next open month. Every writer of money asks
``refuse_if_closed`` inside its write transaction, so a close that lands meanwhile is
seen.

On SQLite the IMMEDIATE write transaction already runs one writer at a time. On
PostgreSQL a post that checked "open" could still commit just after a close that read
the month's figures: so each post takes a SHARE lock on one row (meta's schema version,
which every database has) and the close takes it FOR UPDATE. Posts do not wait for each
other; a close waits for the posts under way, and the posts after it wait for the close
and then see the month closed."""

from __future__ import annotations

import datetime as dt

from ..models import Meta, MonthClose
from .errors import InvalidInput

_LOCK_ROW = "schema_version"


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_closed(month: str) -> bool:
    return MonthClose.select().where(MonthClose.month == month).exists()


def _lock(desk, mode: str) -> None:
    if desk is not None and desk.db.for_update:
        query = Meta.select(Meta.key).where(Meta.key == _LOCK_ROW)
        (query.for_update("FOR SHARE") if mode == "share" else query.for_update()).execute()


def hold_for_close(desk) -> None:
    """Inside the close's transaction: no post is under way, none starts until it ends."""
    _lock(desk, "update")


def refuse_if_closed(month_or_day: str | dt.date, desk=None) -> None:
    """Refuse a post into a closed month; with ``desk``, hold the close off until the
    post's transaction ends (PostgreSQL; see the module)."""
    _lock(desk, "share")
    month = month_or_day if isinstance(month_or_day, str) else month_of(month_or_day)
    if is_closed(month):
        raise InvalidInput("error.month_closed", month=month)


__all__ = ["hold_for_close", "is_closed", "month_of", "refuse_if_closed"]
