"""Any sequence of notices, payments, waivers and credit runs reconciles to the fen: no
payment pays more than it brought, no notice is paid beyond what it owes, money is
never left as credit while a notice is open, the statement ends at balances.py's
balance, the balance list says the same, and applying credit again changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from deskapp.models import Allocation, Notice, Payment
from deskapp.services import balances, payments
from deskapp.services import tenants as registry
from deskapp.services.tenants import TenantData

from .conftest import START, TZ
from .test_payments import _numbers_from_one, approve, make_notice  # noqa: F401
from .test_properties import EXAMPLES

_names = itertools.count(1)

steps = st.lists(st.one_of(
    st.tuples(st.just("notice"), st.integers(1, 3_000_000)),
    st.tuples(st.just("pay"), st.integers(1, 4_000_000)),
    st.tuples(st.just("waive"), st.integers(0, 9), st.integers(1, 500_000)),
    st.tuples(st.just("credit"))), min_size=1, max_size=12)


@EXAMPLES
@given(plan=steps)
def test_payments_always_reconcile(desk, clock, plan):
    clock.set(START)
    n = next(_names)
    tenant = registry.add_tenant(desk, TenantData(name=f"租户{n}", units=()))
    notices: list[Notice] = []
    for number, step in enumerate(plan):
        clock.set(START.add(minutes=2 * number))
        if step[0] == "notice":
            due = dt.date(2026, 1, 1) + dt.timedelta(days=10 * len(notices))
            notices.append(make_notice(tenant, f"2026-{len(notices) + 1:02d}", due, step[1],
                                       issued=START, number=f"P{n}-{len(notices)}"))
        elif step[0] == "pay":
            payments.record_payment(desk, tenant_id=tenant.id, amount_fen=step[1],
                                    method="cash")
        elif step[0] == "waive" and notices:
            notice = notices[step[1] % len(notices)]
            left = balances.outstanding_fen(notice, TZ)
            if left:  # the GM forgives at most what is still owed
                approve("waiver", notice, amount_fen=min(left, step[2]), decided=clock.now())
        elif step[0] == "credit":
            payments.apply_credit(desk, tenant.id)
    for payment in Payment.select().where(Payment.tenant == tenant.id):
        assert sum(a.amount_fen for a in payment.allocations) <= payment.amount_fen
    for notice in notices:
        allocated = balances.allocated_fen(notice.id)
        assert allocated + balances.waived_fen(notice.id, TZ) <= notice.total_fen
    credit = sum(free for _, free in payments.unallocated(tenant.id))
    open_ = sum(left for _, left in payments.open_notices(desk, tenant.id))
    assert balances.balance_fen(tenant.id) == open_ - credit
    payments.apply_credit(desk, tenant.id)
    credit = sum(free for _, free in payments.unallocated(tenant.id))
    open_ = sum(left for _, left in payments.open_notices(desk, tenant.id))
    assert min(credit, open_) == 0
    before = Allocation.select().count()
    assert payments.apply_credit(desk, tenant.id) == 0
    assert Allocation.select().count() == before
    lines = payments.statement(desk, tenant.id)
    assert (lines[-1].balance_fen if lines else 0) == balances.balance_fen(tenant.id)
    row = next((r for r in payments.balances(desk) if r.tenant_id == tenant.id), None)
    if row is not None:
        assert row.balance_fen == balances.balance_fen(tenant.id)
        assert row.overdue_fen == balances.overdue_fen(tenant.id, TZ, dt.date(2026, 11, 26))
