"""Four sessions take a payment from one tenant at the same moment (R-8.1): each gets
its own receipt number, and together they pay exactly what they brought, oldest notice
first, never one fen of a notice twice. SQLite's IMMEDIATE transaction serialises them;
on PostgreSQL the tenant's row lock does (without it two sessions read the same
outstanding amount and both allocate it)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pytest

from deskapp.models import Allocation, Notice, Payment

from .test_payments import MONTHLY, _numbers_from_one, make_notice, tenant  # noqa: F401

PROCESSES = 4
AMOUNT = 600_000  # 6,000.00 yuan each: 24,000.00 in all, of 30,901.80 owed


def pay_once(url: str, number: int, tenant_id: int, start, results) -> None:
    outcome = "error"
    try:
        from deskapp.clock import Clock
        from deskapp.db import check_schema, open_database
        from deskapp.services import Desk, payments

        db = open_database(url)
        check_schema(db)
        desk = Desk(db=db, clock=Clock(), user=f"cashier{number}", role="finance")
        start.wait(timeout=30)
        row = payments.record_payment(desk, tenant_id=tenant_id, amount_fen=AMOUNT,
                                      method="transfer", reference=f"BANK-{number}")
        outcome = row.receipt_no
        db.close()
    except Exception as exc:  # noqa: BLE001 - every failure is reported
        outcome = f"error:{type(exc).__name__}: {exc}"
    results.put((number, outcome))


@pytest.mark.slow
def test_four_sessions_pay_one_tenant_at_once(db_url, db, desk, tenant):
    for month in ("2026-10", "2026-11", "2026-12"):
        make_notice(tenant, month, dt.date(int(month[:4]), int(month[5:]), 15))
    db.close()
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=pay_once, args=(db_url, n, tenant.id, start, results))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=90)[1] for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    db.connect(reuse_if_open=True)
    year = outcomes[0][1:5]
    assert outcomes == [f"R{year}-{n:06d}" for n in range(1, PROCESSES + 1)], outcomes
    assert Payment.select().count() == PROCESSES
    paid = {n.month: sum(a.amount_fen for a in n.allocations) for n in Notice.select()}
    assert paid == {"2026-10": MONTHLY, "2026-11": MONTHLY,
                    "2026-12": PROCESSES * AMOUNT - 2 * MONTHLY}
    assert sum(a.amount_fen for a in Allocation.select()) == PROCESSES * AMOUNT
