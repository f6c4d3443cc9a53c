"""Payments and receipts (issue 9 item 4): allocated to the oldest notices first, credit
kept and applied later, gapless receipts, never into a closed month, never twice on a
retry; the statement and the balances agree with balances.py to the fen; the amount in
Chinese capitals. Clock: Thursday 2026-11-26 14:00 building time.

Notices are made here directly (billing issues them in its own module): Oct, Nov and
Dec 2026, each 10,300.60 yuan (rent 10,000.00 + electricity 300.60)."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from deskapp.models import (Adjustment, Allocation, Audit, Meta, MonthClose, Notice, NoticeLine,
                            Payment)
from deskapp.services import balances, payments
from deskapp.services import tenants as registry
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.payments import capital_yuan
from deskapp.services.tenants import TenantData

from .conftest import START, TZ, as_role

D = dt.date
STAR = "星辰科技"
MONTHLY = 1_030_060  # 10,300.60 yuan


def make_notice(tenant, month: str, due: dt.date, total: int = MONTHLY, *,
                issued: pendulum.DateTime | None = None, number: str | None = None) -> Notice:
    """A notice as billing would issue it: rent 10,000.00 and the rest electricity."""
    year, mon = int(month[:4]), int(month[5:])
    issued = issued or pendulum.datetime(year, mon, 1, 9, tz=TZ).subtract(days=3)
    count = Notice.select().where(Notice.month == month).count()
    notice = Notice.create(number=number or f"{month}-{count + 1:04d}", tenant=tenant,
                           month=month, due_date=due, total_fen=total, issued_at=issued,
                           issued_by="finance")
    rent = min(total, 1_000_000)
    NoticeLine.create(notice=notice, position=1, kind="rent", description=f"rent {month}",
                      quantity_milli=1000, unit_price_fen=rent, amount_fen=rent)
    if total > rent:
        NoticeLine.create(notice=notice, position=2, kind="electricity",
                          description="E-1201", quantity_milli=240_480, unit_price_fen=125,
                          amount_fen=total - rent)
    return notice


def approve(kind: str, notice: Notice, *, amount_fen=None, defer_to=None,
            decided: pendulum.DateTime = START, by: str = "zhaozong") -> Adjustment:
    """The GM's approved waiver or deferral (approvals write these in their own module)."""
    return Adjustment.create(kind=kind, tenant=notice.tenant_id, notice=notice,
                             amount_fen=amount_fen, defer_to=defer_to, reason="疫情期间困难",
                             state="approved", asked_at=decided.subtract(days=1),
                             asked_by="finance", decided_at=decided, decided_by=by)


@pytest.fixture(autouse=True)
def _numbers_from_one(db):
    """Every series starts at 1 in each test. (On PostgreSQL conftest empties every
    table but ``meta``, where the counters live: without this a test's receipt numbers
    depend on the tests before it.)"""
    Meta.delete().where(Meta.key.startswith("seq.")).execute()


@pytest.fixture
def tenant(desk):
    return registry.add_tenant(desk, TenantData(name=STAR, units=("12F-1201",),
                                                contact="刘洋", phone="13800001201"))


@pytest.fixture
def three(tenant):
    """Oct (due 15 Oct), Nov (due 16 Nov) and Dec (due 15 Dec) notices."""
    return (make_notice(tenant, "2026-10", D(2026, 10, 15)),
            make_notice(tenant, "2026-11", D(2026, 11, 16)),
            make_notice(tenant, "2026-12", D(2026, 12, 15), issued=START.subtract(hours=5)))


def pay(desk, tenant, amount, method="cash", **extra) -> Payment:
    return payments.record_payment(desk, tenant_id=tenant.id, amount_fen=amount,
                                   method=method, **extra)


def left(desk, notice) -> int:
    return balances.outstanding_fen(Notice.get_by_id(notice.id), TZ)


def paid_by(payment) -> list[tuple[str, int]]:
    return [(a.notice.number, a.amount_fen) for a in payments.allocations_of(payment)]


# --- allocation, oldest first ---------------------------------------------------------------

def test_partial_payments_pay_the_oldest_notice_first_across_three(desk, tenant, three):
    october, november, december = three
    first = pay(desk, tenant, 1_200_000)  # 12,000.00
    assert paid_by(first) == [("2026-10-0001", 1_030_060), ("2026-11-0001", 169_940)]
    assert [left(desk, n) for n in three] == [0, 860_120, 1_030_060]
    second = pay(desk, tenant, 900_000, method="wechat", reference="4200001234")
    assert paid_by(second) == [("2026-11-0001", 860_120), ("2026-12-0001", 39_880)]
    assert [left(desk, n) for n in three] == [0, 0, 990_180]
    assert balances.balance_fen(tenant.id) == 3 * MONTHLY - 2_100_000 == 990_180


def test_a_deferral_moves_a_notice_behind_a_later_one(desk, tenant, three):
    """Oldest means the due date after the GM's deferral: October deferred to 20 Dec is
    paid after November (due 16 Nov) and December (due 15 Dec)."""
    october, november, december = three
    approve("deferral", october, defer_to=D(2026, 12, 20))
    payment = pay(desk, tenant, 1_100_000)
    assert paid_by(payment) == [("2026-11-0001", 1_030_060), ("2026-12-0001", 69_940)]


def test_an_overpayment_is_credit_and_apply_credit_uses_it_on_the_next_notice(
        desk, tenant, three, clock):
    payment = pay(desk, tenant, 4_000_000, method="transfer", reference="ICBC-20261126-77")
    assert sum(a for _, a in paid_by(payment)) == 3 * MONTHLY
    assert payments.receipt_json(desk, payment)["credit"] == "9098.20"
    assert balances.balance_fen(tenant.id) == -909_820
    january = make_notice(tenant, "2027-01", D(2027, 1, 15), issued=START.add(hours=1))
    assert payments.apply_credit(desk, tenant.id) == 909_820
    assert left(desk, january) == 1_030_060 - 909_820 == 120_240
    assert payments.receipt_json(desk, payment)["credit"] == "0.00"
    assert payments.apply_credit(desk, tenant.id) == 0  # again: nothing more to do
    assert Allocation.select().count() == 4
    assert Audit.select().where(Audit.action == "payment.apply_credit").count() == 1


def test_credit_left_from_before_is_used_first_when_the_next_payment_arrives(
        desk, tenant, clock):
    early = pay(desk, tenant, 500_000)  # no notice yet: all credit
    assert paid_by(early) == []
    october = make_notice(tenant, "2026-10", D(2026, 10, 15))
    clock.set(START.add(minutes=5))
    later = pay(desk, tenant, 600_000)
    assert paid_by(early) == [("2026-10-0001", 500_000)]
    assert paid_by(later) == [("2026-10-0001", 530_060)]
    assert payments.receipt_json(desk, later)["credit"] == "699.40"
    assert left(desk, october) == 0


def test_a_waived_part_is_not_paid_again(desk, tenant, three):
    october = three[0]
    approve("waiver", october, amount_fen=30_060)  # the GM forgives the electricity's 300.60
    payment = pay(desk, tenant, 1_000_000)
    assert paid_by(payment) == [("2026-10-0001", 1_000_000)]
    assert left(desk, october) == 0


# --- receipts --------------------------------------------------------------------------------

def test_receipts_are_numbered_gapless_and_a_refusal_takes_no_number(desk, tenant, three,
                                                                     clock):
    MonthClose.create(month="2026-10", closed_at=START, closed_by="finance", figures="{}")
    first = pay(desk, tenant, 100_000)
    with pytest.raises(InvalidInput, match="2026-10 is closed"):
        pay(desk, tenant, 100_000, received_on="2026-10-30")
    with pytest.raises(InvalidInput, match="needs its reference"):
        pay(desk, tenant, 100_000, method="transfer")
    clock.set(START.add(minutes=2))
    second = pay(desk, tenant, 100_000)
    assert (first.receipt_no, second.receipt_no) == ("R2026-000001", "R2026-000002")
    clock.set(pendulum.datetime(2027, 1, 4, 9, tz=TZ))  # a new year, a new series
    back_dated = pay(desk, tenant, 100_000, received_on="2026-12-31")
    assert (back_dated.receipt_no, back_dated.received_on) == ("R2027-000001", D(2026, 12, 31))


def test_a_payment_into_a_closed_month_is_refused_and_writes_nothing(desk, tenant, three):
    MonthClose.create(month="2026-10", closed_at=START, closed_by="finance", figures="{}")
    before = (Payment.select().count(), Allocation.select().count(), Audit.select().count())
    with pytest.raises(InvalidInput) as refused:
        pay(desk, tenant, 1_030_060, received_on=D(2026, 10, 31))
    assert refused.value.key == "error.month_closed"
    assert (Payment.select().count(), Allocation.select().count(),
            Audit.select().count()) == before
    assert pay(desk, tenant, 1_030_060, received_on=D(2026, 11, 1)).received_on == D(2026, 11, 1)


def test_the_receipt_states_amount_in_figures_and_capitals_and_what_it_paid(desk, tenant,
                                                                              three):
    payment = pay(desk, tenant, 1_200_000, method="transfer", reference="ICBC 8812",
                  note="10月、11月租金")
    doc = payments.receipt_json(desk, payment)
    assert doc == {
        "receipt_no": "R2026-000001", "tenant": STAR, "amount": "12000.00",
        "amount_in_words": "壹万贰仟元整", "method": "transfer", "reference": "ICBC 8812",
        "received_on": "2026-11-26", "note": "10月、11月租金",
        "paid": [{"notice": "2026-10-0001", "month": "2026-10", "amount": "10300.60"},
                 {"notice": "2026-11-0001", "month": "2026-11", "amount": "1699.40"}],
        "credit": "0.00", "balance": "18901.80",
        "recorded_at": "2026-11-26T14:00:00+08:00", "recorded_by": "wangfang"}
    text = payments.receipt_text(desk, payment)
    for part in ("Receipt no.: R2026-000001", "Received from: 星辰科技", "Amount: 12000.00 yuan",
                 "In capitals: 壹万贰仟元整", "bank transfer (reference: ICBC 8812)",
                 "notice 2026-10-0001 (2026-10): 10300.60 yuan",
                 "notice 2026-11-0001 (2026-11): 1699.40 yuan",
                 "Recorded by wangfang at 2026-11-26 14:00"):
        assert part in text


def test_the_receipt_in_chinese(desk, tenant, three):
    from deskapp import i18n

    payment = pay(desk, tenant, 1_030_060)
    i18n.set_language("zh")
    text = payments.receipt_text(desk, payment)
    assert "金座大厦" in text and "收据编号：R2026-000001" in text
    assert "金额（大写）：人民币壹万零叁佰元陆角整" in text
    assert "收款方式：现金" in text and "缴费通知书 2026-10-0001（2026-10）：10300.60 元" in text


@pytest.mark.parametrize("fen,words", [
    (5, "伍分"),
    (50, "伍角整"),
    (100, "壹元整"),
    (1_000, "壹拾元整"),
    (32_504, "叁佰贰拾伍元零肆分"),
    (140_950, "壹仟肆佰零玖元伍角整"),
    (168_032, "壹仟陆佰捌拾元叁角贰分"),
    (600_714, "陆仟零柒元壹角肆分"),
    (1_000_000, "壹万元整"),
    (1_030_060, "壹万零叁佰元陆角整"),
    (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
    (10_001_000, "壹拾万零壹拾元整"),
    (10_700_053, "壹拾万柒仟元伍角叁分"),
    (100_000_000, "壹佰万元整"),
    (10_000_000_001, "壹亿元零壹分"),
    (10_001_000_000, "壹亿零壹万元整"),
    (100_000_000_000_000, "壹万亿元整"),
    (0, "零元整"),
])
def test_amounts_in_chinese_capitals(fen, words):
    """The People's Bank's rules: one 零 per run of zeros, 壹拾 never a bare 拾, 零
    between 元 and a lone 分, 整 when there is no 分."""
    assert capital_yuan(fen) == words


def test_capitals_refuse_what_is_not_an_amount():
    for bad in (-1, 1.5, True, "100"):
        with pytest.raises(ValueError):
            capital_yuan(bad)


# --- what is refused -----------------------------------------------------------------------

@pytest.mark.parametrize("change,key", [
    ({"amount_fen": 0}, "error.payment_zero"),
    ({"amount_fen": -100}, "error.negative_money"),
    ({"amount_fen": 10**14 + 1}, "error.too_much_money"),
    ({"amount_fen": 1.5}, "error.bad_yuan"),
    ({"method": "bitcoin"}, "error.payment_method"),
    ({"method": "cheque"}, "error.payment_needs_reference"),
    ({"received_on": "2026-11-27"}, "error.day_window"),  # tomorrow
    ({"received_on": "2099-01-01"}, "error.day_window"),
    ({"received_on": "2025-11-24"}, "error.day_window"),  # more than a year back
    ({"received_on": "2026-02-30"}, "error.day_impossible"),
    ({"received_on": "26/11/2026"}, "error.bad_day"),
    ({"reference": "\x1b[31m"}, "error.control_chars"),
    ({"note": "x" * 501}, "error.too_long"),
    ({"tenant_id": 999}, "error.no_tenant_id"),
])
def test_bad_payments_are_refused_before_anything_is_written(desk, tenant, three, change,
                                                               key):
    values = {"tenant_id": tenant.id, "amount_fen": 100_000, "method": "cash"} | change
    before = (Payment.select().count(), Audit.select().count())
    with pytest.raises(InvalidInput) as refused:
        payments.record_payment(desk, **values)
    assert refused.value.key == key
    assert (Payment.select().count(), Audit.select().count()) == before


def test_a_payment_a_year_back_is_still_taken_a_day_more_is_not(desk, tenant):
    assert pay(desk, tenant, 100, received_on="2025-11-25").received_on == D(2025, 11, 25)
    with pytest.raises(InvalidInput, match="--on: 2025-11-24 is not plausible "
                                           "\\(from 2025-11-25 to 2026-11-26\\)"):
        pay(desk, tenant, 100, received_on="2025-11-24")


@pytest.mark.parametrize("role", ["desk", "engineering", "security", "viewer"])
def test_only_finance_and_the_managers_record_payments(desk, tenant, role):
    with pytest.raises(NotAllowed, match="record a payment"):
        pay(as_role(desk, role), tenant, 100_000)
    for number, allowed in enumerate(("finance", "manager", "gm"), start=1):
        assert pay(as_role(desk, allowed, allowed), tenant, 100_000 * number).id


# --- a retry never pays twice ----------------------------------------------------------------

def test_a_retry_with_the_same_reference_returns_the_receipt_already_written(desk, tenant,
                                                                               three, clock):
    first = pay(desk, tenant, 1_030_060, method="transfer", reference="CMB-0042")
    clock.set(START.add(hours=2))
    again = pay(desk, tenant, 1_030_060, method="transfer", reference="CMB-0042")
    assert again.id == first.id and Payment.select().count() == 1
    assert balances.balance_fen(tenant.id) == 2 * MONTHLY
    with pytest.raises(Conflict, match="already on receipt R2026-000001"):
        pay(desk, tenant, 1_000_000, method="transfer", reference="CMB-0042")


def test_the_same_cash_payment_within_a_minute_is_refused_after_it_is_a_second(
        desk, tenant, three, clock):
    pay(desk, tenant, 50_000)
    clock.set(START.add(seconds=59))
    with pytest.raises(Conflict, match="less than 60 seconds ago"):
        pay(desk, tenant, 50_000)
    assert pay(desk, tenant, 50_001).receipt_no == "R2026-000002"  # another amount
    clock.set(START.add(seconds=61))
    assert pay(desk, tenant, 50_000).receipt_no == "R2026-000003"
    assert balances.paid_fen(tenant.id) == 150_001


def test_a_number_taken_by_another_session_meanwhile_is_a_conflict_nothing_written(
        desk, tenant, three, monkeypatch):
    """numbering.py: two sessions taking the first number of a series at once, one fails
    on meta's key; that payment is refused (exit 3), to be tried again."""
    from peewee import IntegrityError

    def taken(*args, **kwargs):
        Payment.create(receipt_no="half-written", tenant=tenant, amount_fen=1, method="cash",
                       received_on=D(2026, 11, 26), recorded_at=START, recorded_by="x")
        raise IntegrityError("duplicate key value violates unique constraint meta_pkey")

    monkeypatch.setattr(payments, "next_number", taken)
    with pytest.raises(Conflict, match="try again"):
        pay(desk, tenant, 100_000)
    assert Payment.select().count() == 0 and Audit.select().where(
        Audit.entity == "payment").count() == 0


def test_a_payment_is_audited_with_what_it_allocated(desk, tenant, three):
    payment = pay(desk, tenant, 1_200_000)
    row = Audit.select().where(Audit.entity == "payment").get()
    assert (row.action, row.entity_id) == ("payment.record", str(payment.id))
    assert '"allocated_fen": 1200000' in row.detail and '"receipt": "R2026-000001"' in row.detail


# --- the statement ---------------------------------------------------------------------------

def test_the_statement_runs_a_balance_that_ends_at_balance_fen(desk, tenant, three, clock):
    october, november, december = three
    clock.set(pendulum.datetime(2026, 10, 20, 10, tz=TZ))
    pay(desk, tenant, 1_030_060, received_on="2026-10-20")
    clock.set(START)
    approve("waiver", november, amount_fen=30_060,
            decided=pendulum.datetime(2026, 11, 20, 16, tz=TZ))
    approve("deferral", december, defer_to=D(2026, 12, 31),
            decided=pendulum.datetime(2026, 11, 26, 0, 30, tz=TZ))
    pay(desk, tenant, 500_000, method="transfer", reference="BOC-7")
    lines = payments.statement(desk, tenant.id)
    assert [(l.day, l.kind, l.number, l.debit_fen, l.credit_fen, l.balance_fen)
            for l in lines] == [
        (D(2026, 9, 28), "notice", "2026-10-0001", 1_030_060, 0, 1_030_060),
        (D(2026, 10, 20), "payment", "R2026-000001", 0, 1_030_060, 0),
        (D(2026, 10, 29), "notice", "2026-11-0001", 1_030_060, 0, 1_030_060),
        (D(2026, 11, 20), "waiver", "2026-11-0001", 0, 30_060, 1_000_000),
        (D(2026, 11, 26), "notice", "2026-12-0001", 1_030_060, 0, 2_030_060),
        (D(2026, 11, 26), "payment", "R2026-000002", 0, 500_000, 1_530_060),
        (D(2026, 11, 26), "deferral", "2026-12-0001", 0, 0, 1_530_060),
    ]
    assert lines[-1].balance_fen == balances.balance_fen(tenant.id) == 1_530_060
    assert lines[-1].description == "due date moved to 2026-12-31, approved by GM zhaozong"
    assert lines[3].description == "waiver approved by GM zhaozong: 疫情期间困难"


def test_the_statement_exports_as_csv_for_a_spreadsheet(desk, tenant, three, tmp_path):
    pay(desk, tenant, 1_200_000)
    target = payments.export_statement(payments.statement(desk, tenant.id),
                                       tmp_path / "star.csv")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = data.decode("utf-8-sig").split("\r\n")
    assert rows[0] == "Day,Kind,Number,Description,Debit (yuan),Credit (yuan),Balance (yuan)"
    assert rows[4] == "2026-11-26,payment,R2026-000001,payment by cash,0.00," \
                      "12000.00,18901.80"


# --- everyone's balances ---------------------------------------------------------------------

def test_balances_agree_with_balances_py_and_list_the_most_overdue_first(desk, tenant, three,
                                                                          clock):
    october, november, december = three
    other = registry.add_tenant(desk, TenantData(name="蓝海贸易", units=("8F-805",)))
    late = make_notice(other, "2026-09", D(2026, 9, 15), total=2_500_000)
    make_notice(other, "2026-10", D(2026, 10, 15), total=2_500_000)
    approve("waiver", late, amount_fen=100_000)
    approve("deferral", november, defer_to=D(2026, 11, 30))
    pay(desk, tenant, 1_200_000)
    prepaid = registry.add_tenant(desk, TenantData(name="预付公司", units=("9F-901",)))
    pay(desk, prepaid, 80_000)
    registry.add_tenant(desk, TenantData(name="没有账", units=("10F",)))
    rows = payments.balances(desk)
    assert [r.name for r in rows] == ["蓝海贸易", STAR, "预付公司"]
    blue, star, pre = rows
    assert (blue.billed_fen, blue.paid_fen, blue.waived_fen, blue.balance_fen,
            blue.overdue_fen, blue.oldest_due) == (
        5_000_000, 0, 100_000, 4_900_000, 4_900_000, D(2026, 9, 15))
    # November deferred to 30 Nov: not overdue yet; October paid
    assert (star.balance_fen, star.overdue_fen, star.oldest_due) == (
        1_890_180, 0, D(2026, 11, 30))
    assert (pre.balance_fen, pre.overdue_fen, pre.oldest_due) == (-80_000, 0, None)
    day = D(2026, 11, 26)
    for row in rows:
        assert row.balance_fen == balances.balance_fen(row.tenant_id)
        assert row.overdue_fen == balances.overdue_fen(row.tenant_id, TZ, day)
    assert payments.balance_json(blue)["overdue"] == "49000.00"


def test_balances_take_the_same_few_queries_for_many_tenants(desk, db):
    """Aggregated per table: 40 tenants cost as many queries as 4 (2,000 would too)."""

    def queries(count: int) -> int:
        for i in range(count):
            row = registry.add_tenant(desk, TenantData(name=f"T{count}-{i}", units=()))
            make_notice(row, "2026-10", D(2026, 10, 15), total=10_000 + i)
            approve("waiver", Notice.get(Notice.tenant == row.id), amount_fen=i)
        seen = []
        execute = db.execute_sql

        def counting(sql, *args, **kwargs):
            seen.append(sql)
            return execute(sql, *args, **kwargs)

        db.execute_sql = counting
        try:
            payments.balances(desk)
        finally:
            db.execute_sql = execute
        return len(seen)

    few = queries(4)
    assert queries(40) == few <= 8
