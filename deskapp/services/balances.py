"""What a tenant owes, stated once (R-7.8: every statement uses the same figures).

A notice's outstanding amount on a building day is its total, less what payments
received on or before that day allocated to it, less the waivers the general manager
approved on or before that day. Its due date is the one printed on it, or the new date
of the last deferral the GM approved. A tenant's balance is what all its notices say,
less every payment it made (a payment above what was owed is credit, kept on the
account for the next notice).

Billing (notices, late fees), payments, approvals, month-end, move-out and the release
of large items all read these functions and no other sum.
"""

from __future__ import annotations

import datetime as dt

from peewee import fn

from ..models import Adjustment, Allocation, Notice, Payment
from .common import local_day


def allocated_fen(notice_id: int, through: dt.date | None = None) -> int:
    """What payments allocated to the notice (those received by ``through``, if given)."""
    query = Allocation.select(fn.COALESCE(fn.SUM(Allocation.amount_fen), 0)).where(
        Allocation.notice == notice_id)
    if through is not None:
        query = query.join(Payment).where(Payment.received_on <= through)
    return int(query.scalar())


def approved(notice_id: int, kind: str) -> list[Adjustment]:
    return list(Adjustment.select().where(Adjustment.notice == notice_id,
                                          Adjustment.kind == kind,
                                          Adjustment.state == "approved")
                .order_by(Adjustment.decided_at, Adjustment.id))


def waived_fen(notice_id: int, tz: str, through: dt.date | None = None) -> int:
    """What the GM waived of the notice (approved by ``through``, building day, if given)."""
    return sum(row.amount_fen or 0 for row in approved(notice_id, "waiver")
               if through is None or local_day(row.decided_at, tz) <= through)


def outstanding_fen(notice: Notice, tz: str, on_day: dt.date | None = None) -> int:
    """What is still owed on the notice at the end of ``on_day`` (default: now): never
    below 0 (a payment is allocated only up to what is owed)."""
    return max(0, notice.total_fen - allocated_fen(notice.id, on_day)
               - waived_fen(notice.id, tz, on_day))


def due_date(notice: Notice) -> dt.date:
    """The notice's due date after the GM's last approved deferral, if any."""
    deferrals = approved(notice.id, "deferral")
    return deferrals[-1].defer_to if deferrals else notice.due_date


def fees_from(notice: Notice, grace_days: int) -> dt.date:
    """The first day a late fee accrues on the notice (R-7.4): the day after its
    (deferred) due date and the grace period. A reminder letter states this day."""
    return due_date(notice) + dt.timedelta(days=grace_days + 1)


def billed_fen(tenant_id: int) -> int:
    return int(Notice.select(fn.COALESCE(fn.SUM(Notice.total_fen), 0))
               .where(Notice.tenant == tenant_id).scalar())


def paid_fen(tenant_id: int) -> int:
    return int(Payment.select(fn.COALESCE(fn.SUM(Payment.amount_fen), 0))
               .where(Payment.tenant == tenant_id).scalar())


def tenant_waived_fen(tenant_id: int) -> int:
    return int(Adjustment.select(fn.COALESCE(fn.SUM(Adjustment.amount_fen), 0))
               .where(Adjustment.tenant == tenant_id, Adjustment.kind == "waiver",
                      Adjustment.state == "approved").scalar())


def balance_fen(tenant_id: int) -> int:
    """Billed − paid − waived: above 0 the tenant owes, below 0 it is in credit."""
    return billed_fen(tenant_id) - paid_fen(tenant_id) - tenant_waived_fen(tenant_id)


def overdue_fen(tenant_id: int, tz: str, on_day: dt.date) -> int:
    """What is owed on the tenant's notices whose (deferred) due date is before ``on_day``."""
    return sum(outstanding_fen(notice, tz, on_day)
               for notice in Notice.select().where(Notice.tenant == tenant_id)
               if due_date(notice) < on_day)


__all__ = ["allocated_fen", "approved", "balance_fen", "billed_fen", "due_date", "fees_from",
           "outstanding_fen", "overdue_fen", "paid_fen", "tenant_waived_fen", "waived_fen"]
