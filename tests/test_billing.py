"""Payment notices (R-7.2, R-7.5, SPEC §7 and §9): one per tenant and month, never twice;
M's rent (prorated to the days a lease holds), M − 1's electricity at the tariff in force
then, the monthly account's lines, parking as its own kind; held on a flagged reading;
the first period at move-in; credit applied; closed months and roles refused.
Clock: set per test to early December 2026 (building time, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import threading

import pendulum
import pytest

from deskapp.models import Allocation, Audit, Charge, MonthClose, Notice, NoticeLine, Payment
from deskapp.models.movein import Meter, MeterReading
from deskapp.services import Desk, billing, charges, electricity, prices
from deskapp.services import tenants as registry
from deskapp.services.errors import InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from .conftest import TZ, as_role

D = dt.date
RENT = 2_380_000  # 23,800.00 a month


def at(*parts) -> pendulum.DateTime:
    return pendulum.datetime(*parts, tz=TZ)


def tenant(desk, name="星辰科技", rent=RENT, start=D(2026, 1, 1), end=D(2027, 12, 31),
           due_day=5, status="active", units=("12F-1201",)):
    row = registry.add_tenant(desk, TenantData(
        name=name, units=units, contact="刘洋", phone="13800001201",
        monthly_rent_fen=rent, due_day=due_day, lease_start=start, lease_end=end),
        status="moving_out" if status == "gone" else status)
    return registry.set_status(desk, row.id, "gone") if status == "gone" else row


def meter(tenant_, code="E-1201", removed_at=None) -> Meter:
    return Meter.create(tenant=tenant_.id, code=code, removed_at=removed_at)


def read(meter_, when, hundredths, kind="monthly", flag=None) -> MeterReading:
    return MeterReading.create(meter=meter_, read_at=when.in_tz("UTC"), reading=hundredths,
                               kind=kind, by="ligong", recorded_at=when.in_tz("UTC"), flag=flag)


@pytest.fixture(autouse=True)
def _fresh_numbers(request):
    """Numbers start at 0001 in each test: on PostgreSQL conftest empties every table but
    ``meta``, where numbering keeps its counters (seq.*)."""
    if "db" in request.fixturenames:
        from deskapp.models import Meta

        request.getfixturevalue("db")
        Meta.delete().where(Meta.key.startswith("seq.")).execute()


@pytest.fixture
def december(clock):
    clock.set(at(2026, 12, 2, 9, 30))
    return clock


def lines(notice):
    return [(line.kind, line.amount_fen) for line in billing.lines_of(notice)]


def only_notice(month="2026-12"):
    [notice] = billing.notices(month)
    return notice


# --- rent ---------------------------------------------------------------------------------

def test_a_lease_starting_mid_month_pays_the_days_it_holds_rounded_once(desk, december):
    # 23,800.00 × 17/31 = 13,051.6129… → 13,051.61
    tenant(desk, start=D(2026, 12, 15))
    # ending on the 10th: 23,800.00 × 10/31 = 7,677.419… → 7,677.42
    tenant(desk, name="远航物流", start=D(2025, 1, 1), end=D(2026, 12, 10), units=("9F",),
           status="moving_out")
    summary = billing.run_month(desk, "2026-12")
    assert summary["issued"] == 2 and summary["total_fen"] == 1_305_161 + 767_742
    by_name = {n.tenant.name: n for n in billing.notices("2026-12")}
    assert lines(by_name["星辰科技"]) == [("rent", 1_305_161)]
    assert lines(by_name["远航物流"]) == [("rent", 767_742)]
    doc = billing.notice_json(desk, by_name["星辰科技"])
    assert doc["lines"][0]["description"] == "Rent 2026-12-15 to 2026-12-31 (17 of 31 days)"
    assert doc["total"] == "13051.61"


def test_a_whole_month_of_rent_is_due_on_the_due_day(desk, december):
    tenant(desk, due_day=28)
    billing.run_month(desk, "2026-12")
    notice = only_notice()
    assert (notice.number, notice.due_date, notice.total_fen) == (
        "2026-12-0001", D(2026, 12, 28), RENT)


# --- what a notice carries ------------------------------------------------------------------

def test_a_notice_carries_rent_last_months_electricity_and_the_monthly_account(desk, december):
    star = tenant(desk)
    registry.add_signatory(desk, star.id, "刘洋", "2026-03-02")
    e = meter(star)
    read(e, at(2026, 10, 31, 20, 0), 100_000)  # 1000.00 kWh: the last reading before November
    read(e, at(2026, 11, 15, 9, 0), 120_000)
    read(e, at(2026, 11, 30, 23, 30), 145_050)  # still November in Shanghai (15:30 UTC)
    read(e, at(2026, 12, 1, 0, 30), 146_000)  # December's (30 Nov 16:30 UTC): next notice
    copy = charges.post_charge(desk, tenant_id=star.id, item_code="copy_page", quantity=40,
                               service_date="2026-11-20", source="test", signed_by="刘洋")
    park = charges.post_charge(desk, tenant_id=star.id, item_code="parking_month", quantity=1,
                               service_date="2026-12-01", source="test", signed_by="刘洋")
    wrong = charges.post_charge(desk, tenant_id=star.id, item_code="print_page_bw",
                                quantity=10, service_date="2026-11-21", source="test",
                                signed_by="刘洋")
    charges.reverse_charge(desk, wrong.id, "重复登记")
    charges.post_charge(desk, tenant_id=star.id, item_code="fax_page", quantity=1,
                        service_date="2026-11-22", source="test", settle="paid")
    billing.run_month(desk, "2026-12")
    notice = only_notice()
    # 450.50 kWh × 1.25 = 563.125 → 563.13 (half up); copies 40 × 0.50; parking 800.00;
    # the print line and its reversal; the fax was paid at once, not on the account
    assert lines(notice) == [("rent", RENT), ("electricity", 56_313), ("service", 2_000),
                             ("service", 1_000), ("service", -1_000), ("parking", 80_000)]
    assert notice.total_fen == RENT + 56_313 + 2_000 + 80_000
    doc = billing.notice_json(desk, notice)
    assert set(doc) >= {"tenant", "month", "due_date", "lines", "total", "paid", "balance",
                        "number", "issued_at", "waived"}
    assert doc["lines"][1] == {"kind": "electricity",
                               "description": "Meter E-1201, 2026-11: 1000.00 → 1450.50 kWh",
                               "quantity": "450.5", "unit_price": "1.25", "amount": "563.13"}
    assert (doc["total"], doc["paid"], doc["balance"], doc["due_date"]) == (
        "25183.13", "0.00", "25183.13", "2026-12-05")
    assert doc["issued_at"] == "2026-12-02T09:30:00+08:00"
    assert {line.charge_id for line in NoticeLine.select() if line.charge_id} == {
        copy.id, park.id, wrong.id, wrong.id + 1}


def test_electricity_uses_the_tariff_in_force_on_the_last_day_of_the_month_used(
        desk, clock):
    star = tenant(desk)
    e = meter(star)
    read(e, at(2026, 11, 1, 9, 0), 0, kind="baseline")
    read(e, at(2026, 11, 26, 9, 0), 10_000)  # 100 kWh
    prices.set_price(desk, "electricity", 130, "2026-12-01", reason="电价调整")
    clock.set(at(2026, 12, 2, 9, 0))
    billing.run_month(desk, "2026-12")
    assert lines(only_notice())[1] == ("electricity", 12_500)  # November's 1.25, not 1.30


def test_a_meter_replaced_in_the_month_adds_the_old_and_the_new_row(desk, december):
    star = tenant(desk)
    old = meter(star, "E-1201", removed_at=at(2026, 11, 20, 10, 0).in_tz("UTC"))
    read(old, at(2026, 10, 31, 18, 0), 100_000)
    read(old, at(2026, 11, 20, 10, 0), 130_000, kind="replacement")
    new = meter(star, "E-1201N")
    read(new, at(2026, 11, 20, 10, 5), 0, kind="baseline")
    read(new, at(2026, 11, 30, 18, 0), 10_000)
    uses = electricity.consumption(star.id, "2026-11")
    assert [(u.meter_code, u.start_hundredths, u.end_hundredths, u.kwh_hundredths, u.flagged)
            for u in uses] == [("E-1201", 100_000, 130_000, 30_000, False),
                               ("E-1201N", 0, 10_000, 10_000, False)]
    billing.run_month(desk, "2026-12")
    assert lines(only_notice())[1:] == [("electricity", 37_500), ("electricity", 12_500)]
    # December: the old meter is gone, the new one counts from its last November reading
    read(new, at(2026, 12, 2, 9, 0), 12_000)
    assert [(u.meter_code, u.kwh_hundredths) for u in
            electricity.consumption(star.id, "2026-12")] == [("E-1201N", 2_000)]


def test_a_gone_tenant_gets_its_last_electricity_and_one_long_gone_is_not_billed(
        desk, december):
    left = tenant(desk, name="远航物流", start=D(2025, 1, 1), end=D(2026, 11, 20),
                  status="gone", units=())
    e = meter(left)
    read(e, at(2026, 10, 31, 18, 0), 50_000)
    read(e, at(2026, 11, 20, 17, 0), 58_000, kind="final")
    tenant(desk, name="旧租户", start=D(2024, 1, 1), end=D(2026, 9, 30), status="gone",
           units=())
    summary = billing.run_month(desk, "2026-12")
    assert (summary["issued"], summary["skipped"]) == (1, 0)
    assert lines(only_notice()) == [("electricity", 10_000)]  # no rent: the lease ended


# --- once, and only once -----------------------------------------------------------------------

def test_running_the_month_again_or_after_a_payment_issues_nothing(desk, december):
    star = tenant(desk)
    first = billing.run_month(desk, "2026-12")
    assert (first["issued"], first["already"], first["numbers"]) == (1, 0, ["2026-12-0001"])
    audit = Audit.select().count()
    again = billing.run_month(desk, "2026-12")
    assert (again["issued"], again["already"], again["total_fen"]) == (0, 1, 0)
    Payment.create(receipt_no="R2026-000001", tenant=star.id, amount_fen=1_000_000,
                   method="transfer", received_on=D(2026, 12, 2), recorded_at=desk.clock.now(),
                   recorded_by="caiwu")
    after = billing.run_month(desk, "2026-12")
    assert (after["issued"], after["already"]) == (0, 1)
    assert Notice.select().count() == 1 and NoticeLine.select().count() == 1
    assert Audit.select().count() == audit  # a run that issues nothing writes nothing


def test_a_ledger_line_is_billed_on_one_notice_only(desk, clock):
    star = tenant(desk)
    registry.add_signatory(desk, star.id, "刘洋", "2026-03-02")
    charges.post_charge(desk, tenant_id=star.id, item_code="copy_page", quantity=40,
                        service_date="2026-11-20", source="test", signed_by="刘洋")
    billing.run_month(desk, "2026-11")
    clock.set(at(2027, 1, 4, 9, 0))
    billing.run_month(desk, "2027-01")  # December was never run: January's rent only
    november, january = billing.notices("2026-11")[0], billing.notices("2027-01")[0]
    assert lines(november) == [("rent", RENT), ("service", 2_000)]
    assert lines(january) == [("rent", RENT)] or lines(january)[0] == ("rent", RENT)
    assert NoticeLine.select().where(NoticeLine.charge.is_null(False)).count() == 1


def test_two_sessions_running_the_month_at_once_issue_each_notice_once(desk, db, december):
    for n in range(5):
        tenant(desk, name=f"租户{n}", units=(f"{n + 2}F",))
    ready = threading.Barrier(2)
    outcomes = []

    def session(login):
        other = Desk(db=db, clock=desk.clock, user=login, role="finance")
        ready.wait(timeout=10)
        try:
            outcomes.append(billing.run_month(other, "2026-12")["issued"])
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(exc)
        finally:
            db.close()

    workers = [threading.Thread(target=session, args=(name,)) for name in ("caiwu1", "caiwu2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes, key=str) == [0, 5], outcomes
    assert [n.number for n in billing.notices("2026-12")] == [
        f"2026-12-{i:04d}" for i in range(1, 6)]


# --- held, closed, ahead, roles ----------------------------------------------------------------

def test_a_tenant_on_a_flagged_reading_is_held_until_it_is_confirmed(desk, december):
    star = tenant(desk)
    tenant(desk, name="远航物流", units=("9F",))
    e = meter(star)
    read(e, at(2026, 10, 31, 18, 0), 100_000)
    odd = read(e, at(2026, 11, 30, 18, 0), 900_000, flag="high")
    summary = billing.run_month(desk, "2026-12")
    assert (summary["issued"], summary["held"]) == (1, 1)
    assert summary["held_tenants"] == [{"tenant": "星辰科技", "meters": ["E-1201"]}]
    assert [n.tenant.name for n in billing.notices("2026-12")] == ["远航物流"]
    odd.flag = None  # engineering confirmed it
    odd.save()
    again = billing.run_month(desk, "2026-12")
    assert (again["issued"], again["held"], again["already"]) == (1, 0, 1)
    held = billing.notices("2026-12", star.id)[0]
    assert held.number == "2026-12-0002"
    assert lines(held) == [("rent", RENT), ("electricity", 1_000_000)]  # 8000 kWh × 1.25


def test_a_closed_month_and_a_month_not_begun_are_refused(desk, december):
    tenant(desk)
    MonthClose.create(month="2026-11", closed_at=desk.clock.now(), closed_by="caiwu",
                      figures="{}")
    with pytest.raises(InvalidInput) as closed:
        billing.run_month(desk, "2026-11")
    assert "2026-11 is closed" in closed.value.message()
    with pytest.raises(InvalidInput) as ahead:
        billing.run_month(desk, "2027-01")
    assert "has not begun" in ahead.value.message()
    assert Notice.select().count() == 0


@pytest.mark.parametrize("role", ["desk", "engineering", "security", "viewer"])
def test_only_finance_and_the_managers_run_the_notices(desk, december, role):
    tenant(desk)
    with pytest.raises(NotAllowed):
        billing.run_month(as_role(desk, role), "2026-12")
    assert billing.run_month(as_role(desk, "finance"), "2026-12")["issued"] == 1


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "２０２６-１２", "1999-12",
                                   "", "2026/12", "\u202e2026-12"])
def test_a_month_not_written_yyyy_mm_is_refused(desk, december, month):
    with pytest.raises(InvalidInput):
        billing.run_month(desk, month)


# --- the first period and credit ----------------------------------------------------------------

def test_the_first_period_is_issued_at_move_in_due_at_once_and_not_again(desk, clock):
    star = tenant(desk, start=D(2026, 12, 15), status="incoming")
    notice = billing.issue_first(as_role(desk, "desk"), star.id)  # 2026-11-26: move-in day
    assert (notice.number, notice.month, notice.due_date, notice.total_fen) == (
        "2026-12-0001", "2026-12", D(2026, 11, 26), 1_305_161)
    assert billing.issue_first(desk, star.id) is None
    clock.set(at(2026, 12, 2, 9, 0))
    registry.set_status(desk, star.id, "active")
    summary = billing.run_month(desk, "2026-12")
    assert (summary["issued"], summary["already"]) == (0, 1)
    clock.set(at(2027, 1, 4, 9, 0))
    billing.run_month(desk, "2027-01")
    # unpaid since its due day: fees from 2 December (26 Nov + 5 days' grace + 1) through
    # 31 December, 30 days × 13,051.61 × 0.05 % = 195.774… → 195.77
    assert lines(billing.notices("2027-01")[0]) == [("rent", RENT), ("late_fee", 19_577)]


def test_money_paid_ahead_pays_the_new_notice(desk, december):
    star = tenant(desk)
    Payment.create(receipt_no="R2026-000001", tenant=star.id, amount_fen=3_000_000,
                   method="transfer", received_on=D(2026, 11, 28),
                   recorded_at=desk.clock.now(), recorded_by="caiwu")
    billing.run_month(desk, "2026-12")
    doc = billing.notice_json(desk, only_notice())
    assert (doc["paid"], doc["balance"]) == ("23800.00", "0.00")
    assert Allocation.select().count() == 1
    clock = desk.clock
    clock.set(at(2027, 1, 4, 9, 0))
    billing.run_month(desk, "2027-01")
    january = billing.notice_json(desk, billing.notices("2027-01")[0])
    assert (january["paid"], january["balance"]) == ("6200.00", "17600.00")
    assert Charge.select().count() == 0


def test_prorate_rounds_once_half_up_in_integers():
    from deskapp.money import prorate

    assert prorate(2_380_000, 17, 31) == 1_305_161  # 1,305,161.29
    assert prorate(3, 1, 2) == 2 and prorate(-3, 1, 2) == -2  # half away from zero
    assert prorate(5, 1, 4) == 1 and prorate(2_380_000, 31, 31) == 2_380_000
    assert prorate(10**14, 29, 31) == 93_548_387_096_774  # exact where a float is not
    with pytest.raises(ValueError):
        prorate(100, 1, 0)
