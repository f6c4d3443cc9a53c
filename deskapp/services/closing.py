"""Closed months (R-7.8: accounts close at month end). Once finance closes a month,
nothing is posted into it: a charge, a notice, a payment, a waiver dated inside it is
refused, and the correction goes into the next open month. Every writer of money asks
``refuse_if_closed`` inside its write transaction, so a close that lands meanwhile is
seen."""

from __future__ import annotations

import datetime as dt

from ..models import MonthClose
from .errors import InvalidInput


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_closed(month: str) -> bool:
    return MonthClose.select().where(MonthClose.month == month).exists()


def refuse_if_closed(month_or_day: str | dt.date) -> None:
    month = month_or_day if isinstance(month_or_day, str) else month_of(month_or_day)
    if is_closed(month):
        raise InvalidInput("error.month_closed", month=month)


__all__ = ["is_closed", "month_of", "refuse_if_closed"]
