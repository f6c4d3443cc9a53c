"""Issue 9's property: over random months of leases, meter readings, monthly-account
services, payments, waivers, late fees and month closes, every figure reconciles to
the fen — notices, receipts, statements, the balance list and the month-end reports —
and re-running any step changes nothing.

Each example is a building of its own (closed months are building-wide): a fresh SQLite
file, or the PostgreSQL test database emptied."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskapp.clock import FrozenClock
from deskapp.db import ensure_schema, open_database
from deskapp.models import ALL_MODELS, Allocation, Notice, Payment, database
from deskapp.services import (Desk, adjustments, balances, billing, charges, meters,
                              month_end, payments)
from deskapp.services import tenants as registry
from deskapp.services.errors import InvalidInput
from deskapp.services.staff import ensure_first_manager

from . import conftest
from .conftest import TZ

MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]

tenant_plan = st.fixed_dictionaries({
    "rent": st.integers(0, 5_000_000),
    "due_day": st.integers(1, 28),
    "start": st.sampled_from([dt.date(2026, 6, 1), dt.date(2026, 7, 17), dt.date(2026, 9, 30)]),
    "end": st.sampled_from([dt.date(2027, 12, 31), dt.date(2026, 10, 9)]),
})
month_plan = st.fixed_dictionaries({
    "kwh": st.lists(st.integers(0, 400_000), min_size=3, max_size=3),  # hundredths
    "copies": st.integers(0, 300),
    "pays": st.lists(st.tuples(st.integers(0, 2), st.integers(1, 6_000_000),
                               st.integers(1, 28)), max_size=4),
    "waive": st.none() | st.tuples(st.integers(0, 2), st.integers(1, 300_000)),
    "run_twice": st.booleans(),
    "close_before": st.booleans(),
})


def _fresh(tmp_path_factory) -> Desk:
    """A building of its own for one example."""
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    if conftest.PG_URL:
        db = open_database(conftest.PG_URL)
        db.connect(reuse_if_open=True)
        if conftest._pg_reusable(db):
            conftest._pg_empty(db, meta=True)
        else:
            db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
        url = conftest.PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('building') / 'desk.db'}"
    db = open_database(url)
    ensure_schema(db)
    desk = Desk.for_login(db, FrozenClock(pendulum.datetime(2026, 6, 1, 9, tz=TZ)), "wangfang")
    ensure_first_manager(desk)
    return desk


def _as(desk: Desk, moment, user: str, role: str) -> Desk:
    return Desk(db=desk.db, clock=FrozenClock(moment), user=user, role=role)


def _day(month: str, day: int, hour: int = 10):
    year, mon = int(month[:4]), int(month[5:])
    return pendulum.datetime(year, mon, day, hour, tz=TZ)


@pytest.fixture
def building_factory(tmp_path_factory, db_url):  # db_url: PostgreSQL prepared as for any test
    yield lambda: _fresh(tmp_path_factory)
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
    database.initialize(None)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tenants=st.lists(tenant_plan, min_size=1, max_size=3),
       months=st.lists(month_plan, min_size=len(MONTHS), max_size=len(MONTHS)))
def test_every_figure_reconciles_and_every_rerun_changes_nothing(building_factory, tenants,
                                                                  months):
    desk = building_factory()
    ids = []
    for n, plan in enumerate(tenants):
        row = registry.upsert_tenant(desk, f"租户{n}", units=[f"{n + 5}F-{n + 5}01"],
                                     monthly_rent_fen=plan["rent"], due_day=plan["due_day"],
                                     lease_start=plan["start"], lease_end=plan["end"])
        registry.add_signatory(desk, row.id, "签字人", "2026-05-01")
        meters.add_meter(_as(desk, _day("2026-06", 1, 8), "eng", "engineering"),
                         tenant_id=row.id, code=f"E-{n}", reading="100.00")
        ids.append(row.id)
    readings = {tenant_id: 10_000 for tenant_id in ids}
    closed: list[str] = []
    for month, plan in zip(MONTHS, months):
        first = _day(month, 1, 9)
        finance = _as(desk, first, "finance1", "finance")
        earlier = MONTHS[:MONTHS.index(month)]
        if plan["close_before"] and earlier and len(closed) == len(earlier) - 1:
            month_end.close(_as(desk, _day(month, 1, 8), "finance1", "finance"), earlier[-1])
            closed.append(earlier[-1])
        billing.run_month(finance, month)
        if plan["run_twice"]:
            again = billing.run_month(_as(desk, _day(month, 2), "finance2", "finance"), month)
            assert again["issued"] == 0
        for index, tenant_id in enumerate(ids):
            if plan["copies"] and registry.today(finance) <= tenants[index]["end"]:
                charges.post_charge(_as(desk, _day(month, 6), "desk1", "desk"),
                                    tenant_id=tenant_id, item_code="copy_page",
                                    quantity=plan["copies"], service_date=_day(month, 6).date(),
                                    source="prop", source_id=f"{month}-{tenant_id}",
                                    signed_by="签字人")
        for n, (who, amount, day) in enumerate(plan["pays"]):
            tenant_id = ids[who % len(ids)]
            payments.record_payment(_as(desk, _day(month, day), "finance1", "finance"),
                                    tenant_id=tenant_id, amount_fen=amount, method="transfer",
                                    reference=f"{month}-{n}", received_on=_day(month, day).date())
        if plan["waive"] is not None:
            open_ = [n for n in Notice.select().where(Notice.month <= month)
                     if balances.outstanding_fen(n, TZ) > 0]
            if open_:
                notice = open_[plan["waive"][0] % len(open_)]
                amount = min(plan["waive"][1], balances.outstanding_fen(notice, TZ))
                asked = adjustments.ask(_as(desk, _day(month, 20), "finance1", "finance"),
                                        kind="waiver", notice_id=notice.id, amount_fen=amount,
                                        reason="补偿")
                adjustments.decide(_as(desk, _day(month, 21), "gm1", "gm"), asked.id,
                                   approve=True)
        # engineering reads every meter on the month's last day
        last = _day(month, 1).add(months=1).subtract(days=1).replace(hour=18)
        for index, tenant_id in enumerate(ids):
            readings[tenant_id] += plan["kwh"][index % 3]
            try:
                meters.record_reading(_as(desk, last, "eng", "engineering"),
                                      tenant_id=tenant_id, meter_code=f"E-{index}",
                                      reading=f"{readings[tenant_id] // 100}."
                                              f"{readings[tenant_id] % 100:02d}",
                                      read_at=last)
            except InvalidInput:
                readings[tenant_id] -= plan["kwh"][index % 3]  # the same reading again

    desk = _as(desk, _day("2026-12", 1, 9), "finance1", "finance")
    for month in closed:  # a closed month takes no notice, late or not
        with pytest.raises(InvalidInput, match="closed"):
            billing.run_month(desk, month)
    open_months = [m for m in MONTHS if m not in closed]
    for month in open_months:  # a late run may bill what came after (services, readings)
        billing.run_month(desk, month)
    before = [(n.number, n.total_fen) for n in Notice.select().order_by(Notice.number)]
    allocated = Allocation.select().count()
    for month in open_months:  # and running it again changes nothing at all
        assert billing.run_month(desk, month)["issued"] == 0
    assert [(n.number, n.total_fen) for n in Notice.select().order_by(Notice.number)] == before
    assert Allocation.select().count() == allocated

    # every payment pays at most what it brought; every notice at most what it asks
    for payment in Payment.select():
        assert sum(a.amount_fen for a in payment.allocations) <= payment.amount_fen
    for notice in Notice.select():
        assert (balances.allocated_fen(notice.id) + balances.waived_fen(notice.id, TZ)
                <= notice.total_fen)
        assert notice.total_fen == sum(line.amount_fen for line in notice.lines)
    # the statement, the balance list and balances.py say the same for every tenant
    listed = {row.tenant_id: row for row in payments.balances(desk)}
    for tenant_id in ids:
        balance = balances.balance_fen(tenant_id)
        lines = payments.statement(desk, tenant_id)
        assert (lines[-1].balance_fen if lines else 0) == balance
        if tenant_id in listed:
            assert listed[tenant_id].balance_fen == balance
    # month by month: opening + billed − collected − waived = closing = next opening
    reports = [month_end.report(desk, month) for month in MONTHS]
    for report, following in zip(reports, reports[1:]):
        assert report["reconciles"]
        assert report["closing"] == following["opening"]
    assert reports[-1]["reconciles"]
    assert sum(r["billed"]["total"] for r in reports) == sum(
        n.total_fen for n in Notice.select())
    assert sum(r["collected"]["total"] for r in reports) == sum(
        p.amount_fen for p in Payment.select())
    assert reports[-1]["closing"] == sum(balances.balance_fen(t) for t in ids)
    # a closed month's stored figures are what its report still says
    for report in reports:
        if report["closed"]:
            assert month_end.report(desk, report["month"])["closing"] == report["closing"]
