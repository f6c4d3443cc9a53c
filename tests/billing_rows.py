"""Notices and payments written straight into their tables, for the approvals and
month-end tests (billing.run_month and payments.record_payment are built beside them).
Totals are kept consistent: a notice's total is the sum of its lines; a payment's
allocations never exceed it (what is left is the tenant's credit)."""

from __future__ import annotations

import datetime as dt

import pendulum

from deskapp.models import Allocation, Notice, NoticeLine, Payment

TZ = "Asia/Shanghai"


def _noon(day: dt.date):
    return pendulum.datetime(day.year, day.month, day.day, 12, tz=TZ).in_tz("UTC")


def notice(tenant, month: str, due: dt.date, lines: list[tuple[str, int]]) -> Notice:
    """Month ``month``'s notice of ``tenant``, numbered in the order made, issued on
    its month's first day."""
    taken = Notice.select().where(Notice.month == month).count()
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    row = Notice.create(number=f"{month}-{taken + 1:04d}", tenant=tenant, month=month,
                        due_date=due, total_fen=sum(fen for _, fen in lines),
                        issued_at=_noon(first), issued_by="caiwu")
    for position, (kind, fen) in enumerate(lines, start=1):
        NoticeLine.create(notice=row, position=position, kind=kind,
                          description=kind, quantity_milli=1000, unit_price_fen=fen,
                          amount_fen=fen)
    return row


def payment(tenant, amount_fen: int, on: dt.date, allocations: list[tuple[Notice, int]] = (),
            method: str = "transfer") -> Payment:
    """A payment received on ``on`` and what it paid."""
    assert sum(fen for _, fen in allocations) <= amount_fen
    taken = Payment.select().count()
    row = Payment.create(receipt_no=f"R{on.year}-{taken + 1:06d}", tenant=tenant,
                         amount_fen=amount_fen, method=method, received_on=on,
                         recorded_at=_noon(on), recorded_by="caiwu")
    for paid, fen in allocations:
        Allocation.create(payment=row, notice=paid, amount_fen=fen)
    return row
