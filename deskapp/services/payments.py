"""Payments (R-7.2, issue 9 item 4). On this branch only the one piece billing calls:
a tenant's unallocated money (credit) paying its open notices, oldest first. Helper
C's module (record_payment, receipts, statements) supersedes this file when merged."""

from __future__ import annotations

from peewee import fn

from ..models import Allocation, Notice, Payment
from . import balances
from .context import Desk


def apply_credit(desk: Desk, tenant_id: int) -> int:
    """Allocate the tenant's payment money not yet allocated to its notices with
    something outstanding, oldest (deferred) due date first, then by number; returns
    the fen allocated. The caller holds the write transaction and checked the role."""
    tz = desk.profile().timezone
    with desk.db.atomic():
        used = dict(Allocation.select(Allocation.payment, fn.SUM(Allocation.amount_fen))
                    .join(Payment).where(Payment.tenant == tenant_id)
                    .group_by(Allocation.payment).tuples())
        free = [[payment, payment.amount_fen - int(used.get(payment.id, 0))]
                for payment in Payment.select().where(Payment.tenant == tenant_id)
                .order_by(Payment.received_on, Payment.id)]
        free = [entry for entry in free if entry[1] > 0]
        if not free:
            return 0
        owed = [(notice, balances.outstanding_fen(notice, tz))
                for notice in Notice.select().where(Notice.tenant == tenant_id)]
        owed = sorted(((n, fen) for n, fen in owed if fen > 0),
                      key=lambda entry: (balances.due_date(entry[0]), entry[0].number))
        allocated = 0
        for notice, outstanding in owed:
            while outstanding > 0 and free:
                payment, left = free[0]
                amount = min(left, outstanding)
                Allocation.create(payment=payment, notice=notice, amount_fen=amount)
                desk.audit("payment.allocate", "notice", notice.id, payment=payment.receipt_no,
                           amount_fen=amount)
                outstanding -= amount
                allocated += amount
                free[0][1] -= amount
                if free[0][1] == 0:
                    free.pop(0)
        return allocated


__all__ = ["apply_credit"]
