"""Late fees (滞纳金, R-7.4): 0.05 % a day on overdue rent and electricity after 5 days'
grace, capped at 30 %; one rounding over the sum of the daily principals, so the same
days give the same fen however late or often computed; billed on the next notice through
the last day of the month before, less what earlier notices billed.

The October notice is due Monday 5 October 2026, inside the National Day holiday
(1–8 October): the grace runs in calendar days, so fees run from Sunday 11 October."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp.models import Adjustment, NoticeLine, Payment
from deskapp.services import billing, latefees, payments
from deskapp.services.balances import fees_from

from .test_billing import RENT, _fresh_numbers, at, lines, tenant  # noqa: F401 - fixture

D = dt.date
DAY = 1_190  # a day's fee on 23,800.00: × 5 / 10,000


@pytest.fixture
def october(desk, clock):
    """星辰科技's October notice: 23,800.00 rent, due 2026-10-05, nothing paid."""
    star = tenant(desk)
    clock.set(at(2026, 10, 2, 10, 0))
    billing.run_month(desk, "2026-10")
    [notice] = billing.notices("2026-10")
    assert (notice.due_date, notice.total_fen) == (D(2026, 10, 5), RENT)
    return star, notice


def pay(desk, star, fen, day, number=1):
    Payment.create(receipt_no=f"R2026-{number:06d}", tenant=star.id, amount_fen=fen,
                   method="transfer", received_on=day, recorded_at=desk.clock.now(),
                   recorded_by="caiwu")
    return payments.apply_credit(desk, star.id)


def test_fees_run_from_the_sixth_day_after_the_due_date_over_national_day(desk, october):
    _, notice = october
    assert fees_from(notice, 5) == D(2026, 10, 11)
    assert latefees.accrued_fen(desk, notice, D(2026, 10, 10)) == 0
    assert latefees.accrued_fen(desk, notice, D(2026, 10, 11)) == DAY
    # 11–31 October: 21 days × 23,800.00 × 0.05 % = 249.90
    assert latefees.accrued_fen(desk, notice, D(2026, 10, 31)) == 21 * DAY == 24_990


def test_money_received_in_the_grace_period_stops_any_fee_and_a_day_late_costs_one_day(
        desk, october, clock):
    star, notice = october
    clock.set(at(2026, 10, 12, 10, 0))
    pay(desk, star, RENT, D(2026, 10, 11))  # owed at the end of the 10th: one day
    assert latefees.accrued_fen(desk, notice, D(2026, 10, 31)) == DAY
    other = tenant(desk, name="远航物流", units=("9F",))
    clock.set(at(2026, 11, 2, 10, 0))
    billing.run_month(desk, "2026-11")
    [november] = billing.notices("2026-11", other.id)
    pay(desk, other, RENT, D(2026, 11, 10), number=2)  # the last day of grace
    assert latefees.accrued_fen(desk, november, D(2026, 11, 30)) == 0


def test_a_part_payment_lowers_the_principal_from_the_next_day(desk, october, clock):
    star, notice = october
    clock.set(at(2026, 11, 10, 16, 0))
    assert pay(desk, star, 1_000_000, D(2026, 11, 10)) == 1_000_000
    # 11 Oct – 10 Nov: 31 days on 23,800.00; 11–30 Nov: 20 days on 13,800.00
    # (31 × 2,380,000 + 20 × 1,380,000) × 5 / 10,000 = 50,690 fen
    assert latefees.accrued_fen(desk, notice, D(2026, 11, 30)) == 50_690


def test_each_notice_bills_the_fee_through_the_month_before_less_what_was_billed(
        desk, october, clock):
    star, october_notice = october
    clock.set(at(2026, 11, 2, 10, 0))
    billing.run_month(desk, "2026-11")
    [november] = billing.notices("2026-11")
    assert lines(november) == [("rent", RENT), ("late_fee", 24_990)]
    late = NoticeLine.get(NoticeLine.notice == november.id, NoticeLine.kind == "late_fee")
    assert (late.late_notice_id, late.late_from, late.late_through) == (
        october_notice.id, D(2026, 10, 11), D(2026, 10, 31))
    assert late.description == "Late fee on 2026-10-0001, 2026-10-11 to 2026-10-31"
    clock.set(at(2026, 11, 10, 16, 0))
    pay(desk, star, 1_000_000, D(2026, 11, 10))  # pays October's notice (oldest first)
    clock.set(at(2026, 12, 9, 11, 0))  # December run a week late: the same fen
    billing.run_month(desk, "2026-12")
    [december] = billing.notices("2026-12")
    # October's: 1–10 Nov at 1,190 + 11–30 Nov at 690 = 25,700 (50,690 − 24,990 billed);
    # November's, due 5 Nov, fees from 11 Nov: 20 days on its rent only, not on the late
    # fee it carries: 20 × 1,190 = 23,800
    assert lines(december) == [("rent", RENT), ("late_fee", 25_700), ("late_fee", 23_800)]
    assert billing.run_month(desk, "2026-12")["issued"] == 0


def test_the_fee_stops_at_30_percent_of_the_rent_and_electricity(desk, october):
    _, notice = october
    # 600 days × 1,190 = 714,000 = 30 % of 2,380,000: reached on 2028-06-01
    assert latefees.accrued_fen(desk, notice, D(2028, 5, 31)) == 599 * DAY
    assert latefees.accrued_fen(desk, notice, D(2028, 6, 1)) == 714_000
    assert latefees.accrued_fen(desk, notice, D(2030, 1, 1)) == 714_000


def test_a_deferral_the_gm_approved_moves_the_first_fee_day(desk, october):
    star, notice = october
    Adjustment.create(kind="deferral", tenant=star.id, notice=notice.id,
                      defer_to=D(2026, 10, 20), reason="国庆假期后付款", state="approved",
                      asked_at=desk.clock.now(), asked_by="caiwu",
                      decided_at=desk.clock.now(), decided_by="zongjingli")
    # due 20 Oct, grace to the 25th: fees 26–31 Oct, 6 days
    assert latefees.accrued_fen(desk, notice, D(2026, 10, 31)) == 6 * DAY
    doc = billing.notice_json(desk, notice)
    assert (doc["due_date"], doc["printed_due_date"]) == ("2026-10-20", "2026-10-05")


def test_services_on_a_notice_bear_no_fee_and_a_part_payment_pays_them_first(
        desk, clock):
    from deskapp.services import charges
    from deskapp.services import tenants as registry

    star = tenant(desk)
    registry.add_signatory(desk, star.id, "刘洋", "2026-03-02")
    charges.post_charge(desk, tenant_id=star.id, item_code="room_large_hour", quantity=10,
                        service_date="2026-11-20", source="test", signed_by="刘洋")
    clock.set(at(2026, 12, 1, 9, 0))
    billing.run_month(desk, "2026-12")  # 23,800.00 rent + 3,000.00 meeting room, due 5 Dec
    [notice] = billing.notices("2026-12")
    assert notice.total_fen == RENT + 300_000
    pay(desk, star, 300_000, D(2026, 12, 1))  # leaves 23,800.00: still all fee-bearing
    # 11–31 Dec: 21 days on 23,800.00 (the principal is capped at rent + electricity)
    assert latefees.accrued_fen(desk, notice, D(2026, 12, 31)) == 21 * DAY


def test_a_notice_paid_late_is_billed_its_last_days_once_and_then_never_again(
        desk, october, clock):
    star, october_notice = october
    clock.set(at(2026, 11, 2, 10, 0))
    billing.run_month(desk, "2026-11")  # 11–31 Oct: 24,990
    clock.set(at(2026, 11, 20, 15, 0))
    pay(desk, star, RENT, D(2026, 11, 20))  # October paid in full on 20 Nov
    clock.set(at(2026, 12, 1, 9, 0))
    billing.run_month(desk, "2026-12")
    [december] = billing.notices("2026-12")
    on_october = [line for line in billing.lines_of(december)
                  if line.late_notice_id == october_notice.id]
    # 1–20 Nov (the 20th still owed at the end of the 19th): 20 × 1,190
    assert [(line.amount_fen, line.late_from, line.late_through) for line in on_october] == [
        (23_800, D(2026, 11, 1), D(2026, 11, 30))]
    clock.set(at(2027, 1, 4, 9, 0))
    billing.run_month(desk, "2027-01")
    [january] = billing.notices("2027-01")
    assert not [line for line in billing.lines_of(january)
                if line.late_notice_id == october_notice.id]
    assert october_notice.id not in {n.id for n in latefees.may_accrue("2027-02")}
