"""The charges ledger (R-1.3, R-4.2, R-7.7): the price in force on the service date and
never above it, half up to the fen, free for original-equipment defects, monthly lines
signed by someone authorised that day, idempotent per source, reversed never edited.
Clock: Thursday 2026-11-26 14:00 building time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskapp.models import Audit, Charge
from deskapp.money import multiply
from deskapp.services import charges, prices
from deskapp.services import tenants as registry
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from .conftest import START, TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

D = dt.date


@pytest.fixture
def tenant(desk):
    row = registry.add_tenant(desk, TenantData(name="星辰科技", units=("12F-1201",),
                                               contact="刘洋", phone="13800001201"))
    registry.add_signatory(desk, row.id, "刘洋", "2026-03-02")
    return row


@pytest.fixture
def counter(desk):
    """A desk clerk at the counter (the tests of paid services share it)."""
    return as_role(desk, "desk", "xiaoli")


def post(desk, tenant, item="print_page_bw", quantity=1, day="2026-11-26", **extra):
    extra.setdefault("signed_by", "刘洋")
    extra.setdefault("source", "test")
    return charges.post_charge(desk, tenant_id=tenant.id, item_code=item, quantity=quantity,
                               service_date=day, **extra)


def test_a_price_change_applies_from_its_day_to_the_service_date_not_the_posting_day(
        desk, tenant, clock):
    prices.set_price(desk, "room_large_hour", 32000, "2027-01-01", reason="物业成本上涨")
    clock.set(pendulum.datetime(2027, 1, 4, 10, 0, tz=TZ))  # both posted in January
    old = post(desk, tenant, "room_large_hour", "2", "2026-12-31")
    new = post(desk, tenant, "room_large_hour", "2", "2027-01-01")
    assert (old.unit_price_fen, old.amount_fen) == (30000, 60000)
    assert (new.unit_price_fen, new.amount_fen) == (32000, 64000)
    assert (old.month, new.month) == ("2026-12", "2027-01")


def test_amounts_are_rounded_to_the_fen_half_up(desk, tenant):
    # 1.25 yuan × 0.5 kWh = 62.5 fen → 63; × 0.3 = 37.5 → 38; × 0.1 = 12.5 → 13
    assert post(desk, tenant, "electricity", "0.5").amount_fen == 63
    assert post(desk, tenant, "electricity", "0.3").amount_fen == 38
    assert post(desk, tenant, "electricity", Decimal("0.1")).amount_fen == 13
    # 1.25 × 0.004 is refused (a quantity has at most three decimals), 0.002 = 0.25 fen → 0
    assert post(desk, tenant, "electricity", "0.002").amount_fen == 0
    # 1.5 hours of the small room at ¥120: exactly ¥180.00
    line = post(desk, tenant, "room_small_hour", "1.5")
    assert (line.quantity_milli, line.amount_fen) == (1500, 18000)
    assert charges.charge_json(desk, line)["amount"] == "180.00"
    assert charges.charge_json(desk, line)["quantity"] == "1.5"


def test_the_rounding_rule_is_money_multiply_half_up_away_from_zero():
    assert multiply(125, Decimal("0.5")) == 63
    assert multiply(125, Decimal("-0.5")) == -63  # a reversal is exactly the negative
    assert multiply(1, Decimal("0.499")) == 0


def test_a_discount_is_allowed_a_price_above_the_list_never(desk, tenant):
    assert post(desk, tenant, "copy_page", 10, unit_price_fen=40).amount_fen == 400
    before = (Charge.select().count(), Audit.select().count())
    with pytest.raises(InvalidInput) as refused:
        post(desk, tenant, "copy_page", 10, unit_price_fen=51)
    assert refused.value.key == "error.charge_above_list"
    assert "0.50" in refused.value.message()
    assert (Charge.select().count(), Audit.select().count()) == before


def test_the_old_higher_price_is_refused_once_a_reduction_is_in_force(desk, tenant, clock):
    prices.set_price(desk, "parking_month", 70000, "2026-12-01", reason="车位调整")
    clock.set(pendulum.datetime(2026, 12, 2, 9, 0, tz=TZ))
    with pytest.raises(InvalidInput):
        post(desk, tenant, "parking_month", 1, "2026-12-01", unit_price_fen=80000)
    assert post(desk, tenant, "parking_month", 1, "2026-11-30",
                unit_price_fen=80000).amount_fen == 80000


def test_a_repair_for_an_original_equipment_defect_is_free_but_recorded(desk, tenant):
    prices.set_price(desk, "repair_hour", 8000, "2026-11-26", unit="hour",
                     name_zh="维修工时", name_en="Repair labour")
    line = post(desk, tenant, "repair_hour", "1.5", free_reason="original_defect")
    assert line.amount_fen == 0
    assert (line.quantity_milli, line.unit_price_fen, line.list_price_fen) == (1500, 8000, 8000)
    assert line.free_reason == "original_defect"
    with pytest.raises(InvalidInput):
        post(desk, tenant, "repair_hour", 1, free_reason="goodwill")


def test_monthly_account_needs_a_signatory_authorised_on_the_service_date(desk, tenant, clock):
    with pytest.raises(InvalidInput) as unsigned:
        post(desk, tenant, signed_by=None)
    assert unsigned.value.key == "error.charge_needs_signature"
    with pytest.raises(InvalidInput):
        post(desk, tenant, signed_by="陈静")  # never named in writing
    signer = registry.signatories_of(tenant.id)[0]
    registry.remove_signatory(desk, tenant.id, signer.id, "2026-11-20")  # written withdrawal
    before = (Charge.select().count(), Audit.select().count())
    with pytest.raises(InvalidInput) as withdrawn:
        post(desk, tenant, day="2026-11-24")
    assert withdrawn.value.key == "error.charge_not_signatory"
    assert "2026-11-24" in withdrawn.value.message()
    with pytest.raises(InvalidInput):
        post(desk, tenant, day="2026-11-20")  # withdrawn that day: no longer
    assert (Charge.select().count(), Audit.select().count()) == before
    # the copies made on the 19th, signed then, may still be posted
    assert post(desk, tenant, day="2026-11-19").signed_by == "刘洋"
    # before the written application of 2 March there was no right to sign either
    with pytest.raises(InvalidInput):
        post(desk, tenant, day="2026-03-01")


def test_paid_at_once_records_how_and_needs_no_signatory(desk, tenant):
    line = post(desk, tenant, "fax_page", 3, settle="paid", signed_by=None,
                paid_method="wechat", receipt_no="R-0001")
    assert (line.settle, line.paid_method, line.receipt_no, line.amount_fen) == (
        "paid", "wechat", "R-0001", 600)
    assert post(desk, tenant, settle="paid", signed_by=None).paid_method == "cash"
    with pytest.raises(InvalidInput):
        post(desk, tenant, settle="paid", paid_method="bitcoin")
    with pytest.raises(InvalidInput):
        post(desk, tenant, paid_method="cash")  # monthly account: not paid


def test_posting_the_same_source_again_returns_the_line_already_posted(desk, tenant):
    first = post(desk, tenant, "room_small_hour", 2, source="booking", source_id=41)
    again = post(desk, tenant, "room_small_hour", 2, source="booking", source_id="41")
    assert again.id == first.id
    assert Charge.select().where(Charge.source == "booking").count() == 1
    assert Audit.select().where(Audit.action == "charge.post").count() == 1
    other = post(desk, tenant, "room_small_hour", 2, source="booking", source_id=42)
    assert other.id != first.id


def test_a_charge_is_reversed_once_never_edited(desk, tenant):
    line = post(desk, tenant, "print_page_colour", 7)
    reversal = charges.reverse_charge(desk, line.id, "打印机卡纸，客户未取走")
    assert (reversal.amount_fen, reversal.quantity_milli, reversal.reverses_id) == (
        -2100, -7000, line.id)
    assert reversal.reason == "打印机卡纸，客户未取走"
    assert Charge.get_by_id(line.id).amount_fen == 2100  # the original stays as it was
    with pytest.raises(Conflict):
        charges.reverse_charge(desk, line.id, "again")
    with pytest.raises(Conflict):
        charges.reverse_charge(desk, reversal.id, "undo the undo")
    with pytest.raises(InvalidInput):
        charges.reverse_charge(desk, line.id + 100, "no such")
    with pytest.raises(InvalidInput):
        charges.reverse_charge(desk, line.id, "")  # the reason is required
    assert charges.monthly_account(tenant.id, "2026-11")["total_fen"] == 0


def test_the_monthly_account_holds_the_months_monthly_lines(desk, tenant):
    post(desk, tenant, "print_page_bw", 12, "2026-11-02")  # 12.00
    post(desk, tenant, "room_small_hour", "1.5", "2026-11-20")  # 180.00
    post(desk, tenant, "copy_page", 3, "2026-10-30")  # October
    post(desk, tenant, "fax_page", 1, "2026-11-21", settle="paid", signed_by=None)  # paid
    account = charges.monthly_account(tenant.id, "2026-11")
    assert account["total_fen"] == 19200
    assert [line.item.code for line in account["lines"]] == ["print_page_bw", "room_small_hour"]
    assert len(charges.charges(tenant_id=tenant.id, month="2026-11")) == 3
    assert len(charges.charges(settle="paid")) == 1
    with pytest.raises(InvalidInput):
        charges.monthly_account(tenant.id, "2026-13")


def test_who_may_post_and_who_may_reverse(desk, tenant):
    for role in ("desk", "finance", "manager", "gm"):
        assert post(as_role(desk, role), tenant).id
    for role in ("engineering", "security", "viewer"):
        with pytest.raises(NotAllowed):
            post(as_role(desk, role), tenant)
    line = post(desk, tenant)
    for role in ("desk", "gm", "engineering"):
        with pytest.raises(NotAllowed):
            charges.reverse_charge(as_role(desk, role), line.id, "x")
    assert charges.reverse_charge(as_role(desk, "finance"), line.id, "x").id


@pytest.mark.parametrize("quantity", ["-1", "0", "1e3", "1,5", "１２", "1.2345", "1000001",
                                      "<b>1</b>", "\x1b[31m1", " ", "nan", "Infinity",
                                      1.5, True, Decimal("NaN"), Decimal("0.0001"), -2])
def test_a_quantity_is_exact_positive_and_plausible(desk, tenant, quantity):
    with pytest.raises(InvalidInput):
        post(desk, tenant, quantity=quantity)
    assert Charge.select().count() == 0


@pytest.mark.parametrize("day", ["2027-11-28", "9999-12-31", "2025-11-24", "2026-02-30",
                                 "26-11-01", "２０２６-11-01", "now"])
def test_the_service_date_is_within_a_year_either_way(desk, tenant, day):
    with pytest.raises(InvalidInput):
        post(desk, tenant, day=day)


def test_a_rental_paid_in_advance_uses_the_price_in_force_on_its_day(desk, tenant):
    prices.set_price(desk, "parking_month", 85000, "2027-01-01", reason="车位费调整")
    december = post(desk, tenant, "parking_month", 1, "2026-12-01", settle="paid",
                    signed_by=None, source="parking", source_id="P-12")
    january = post(desk, tenant, "parking_month", 1, "2027-01-01", settle="paid",
                   signed_by=None, source="parking", source_id="P-01")
    assert (december.amount_fen, january.amount_fen) == (80000, 85000)
    assert post(desk, tenant, day="2027-11-26").service_date == D(2027, 11, 26)


def test_an_item_not_on_the_list_on_the_service_date_cannot_be_charged(desk, tenant):
    with pytest.raises(InvalidInput):
        post(desk, tenant, "gold_plating")
    prices.set_price(desk, "binding", 500, "2026-11-26", unit="item")
    with pytest.raises(InvalidInput):
        post(desk, tenant, "binding", day="2026-11-25")  # not yet published that day


# --- a property over random price histories --------------------------------------------------

@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(st.tuples(st.integers(1, 300), st.integers(0, 100_000)),
                        min_size=0, max_size=5, unique_by=lambda change: change[0]),
       first=st.integers(0, 100_000),
       posts=st.lists(st.tuples(st.integers(0, 330), st.integers(1, 50_000)),
                      min_size=1, max_size=6),
       data=st.data())
def test_the_price_used_is_the_one_in_force_and_the_amount_exact(desk, clock, history, first,
                                                                   posts, data):
    clock.set(START)
    today = D(2026, 11, 26)
    code = f"item_{Charge.select().count()}_{len(history)}_{first}"
    tenant = registry.add_tenant(desk, TenantData(name=code, units=()))
    prices.set_price(desk, code, first, today, unit="item")
    in_force = {today: first}
    for offset, fen in sorted(history):
        day = today + dt.timedelta(days=offset)
        if in_force[max(in_force)] == fen:  # the same price again is no change to announce
            with pytest.raises(InvalidInput):
                prices.set_price(desk, code, fen, day, reason="调价")
            continue
        prices.set_price(desk, code, fen, day, reason="调价")
        in_force[day] = fen
    clock.set(START.add(days=331))
    for number, (offset, milli) in enumerate(posts):
        day = today + dt.timedelta(days=offset)
        expected = in_force[max(d for d in in_force if d <= day)]
        quantity = Decimal(milli) / 1000
        line = charges.post_charge(desk, tenant_id=tenant.id, item_code=code,
                                   quantity=quantity, service_date=day, source="prop",
                                   source_id=f"{code}-{number}", settle="paid")
        assert line.unit_price_fen == expected
        assert line.amount_fen == (expected * milli + 500) // 1000  # half up, by hand
        again = charges.post_charge(desk, tenant_id=tenant.id, item_code=code,
                                    quantity=quantity, service_date=day, source="prop",
                                    source_id=f"{code}-{number}", settle="paid")
        assert again.id == line.id
    assert Charge.select().where(Charge.tenant == tenant.id).count() == len(posts)
    if data.draw(st.booleans()):
        with pytest.raises(InvalidInput):
            charges.post_charge(desk, tenant_id=tenant.id, item_code=code, quantity=1,
                                service_date=today, source="prop", settle="paid",
                                unit_price_fen=in_force[today] + 1)


# --- the command line -----------------------------------------------------------------------

ACME = "Acme Trading Ltd"


@pytest.fixture
def demo(cli, url):  # noqa: F811
    assert cli("--db", url, "init", "--demo").code == 0
    return url


def test_charge_add_list_reverse_on_the_command_line(cli, demo):
    paid = cli("--db", demo, "charge", "add", "--tenant", ACME, "--item", "room_large_hour",
               "--quantity", "1.5", "--date", "2026-11-25", "--paid", "--method", "transfer",
               "--receipt", "NO.88", "--json")
    assert paid.code == 0, paid.err
    doc = paid.json
    assert (doc["amount"], doc["unit_price"], doc["quantity"], doc["settle"]) == (
        "450.00", "300.00", "1.5", "paid")
    assert doc["posted_at"].endswith("+08:00")
    free = cli("--db", demo, "charge", "add", "--tenant", ACME, "--item", "copy_page",
               "--quantity", "3", "--date", "2026-11-25", "--paid", "--free",
               "original_defect", "--json").json
    assert free["amount"] == "0.00" and free["list_price"] == "0.50"
    reversed_ = cli("--db", demo, "charge", "reverse", str(doc["id"]), "--reason", "订错房间",
                    "--json")
    assert reversed_.code == 0 and reversed_.json["amount"] == "-450.00"
    mine = {doc["id"], free["id"], reversed_.json["id"]}  # the demo has its own lines
    listing = [r for r in cli("--db", demo, "charge", "list", "--tenant", ACME, "--month",
                              "2026-11", "--json").json if r["id"] in mine]
    assert [(r["amount"], r["reversed"]) for r in listing] == [
        ("450.00", True), ("0.00", False), ("-450.00", False)]
    human = cli("--db", demo, "charge", "list", "--tenant", ACME, "--month", "2026-11").out
    assert "450.00" in human and "-450.00" in human


def test_charge_add_with_a_ref_is_idempotent(cli, demo):
    args = ("--db", demo, "charge", "add", "--tenant", ACME, "--item", "print_page_bw",
            "--quantity", "20", "--date", "2026-11-26", "--paid", "--ref", "print-7781",
            "--json")
    before = len(cli("--db", demo, "charge", "list", "--json").json)  # the demo's own
    first, again = cli(*args).json, cli(*args).json
    assert first["id"] == again["id"]
    assert len(cli("--db", demo, "charge", "list", "--json").json) == before + 1


@pytest.mark.parametrize("extra,message", [
    (("--quantity", "-1"), "quantity"),
    (("--quantity", "1,5"), "quantity"),
    (("--quantity", "1e3"), "quantity"),
    (("--quantity", "１２"), "quantity"),
    (("--quantity", "1.2345"), "quantity"),
    (("--quantity", "2", "--price", "-0.10"), "--price"),
    (("--quantity", "2", "--price", "0.125"), "--price"),
    (("--quantity", "2", "--price", "１.00"), "--price"),
    (("--quantity", "2", "--price", "0.51"), "never exceeds"),
    (("--quantity", "2", "--date", "9999-12-31"), "not plausible"),
    (("--quantity", "2", "--description", "\x1b]0;pwned\x07"), "control"),
    (("--quantity", "2", "--description", "\u202e大堂"), "control"),
    (("--quantity", "2", "--signed-by", "Nobody"), "could not sign"),
    (("--quantity", "2", "--paid", "--signed-by", "John Chen"), "either paid"),
    (("--quantity", "2", "--item", "[red]x[/red]"), "code"),
])
def test_bad_charge_input_exits_2_and_writes_nothing(cli, demo, extra, message):
    base = {"--tenant": ACME, "--item": "copy_page", "--date": "2026-11-26"}
    args = list(extra)
    for option, value in base.items():
        if option not in args:
            args += [option, value]
    audit = cli("--db", demo, "audit", "verify", "--json").json
    lines = cli("--db", demo, "charge", "list", "--json").json  # the demo's own
    result = cli("--db", demo, "charge", "add", *args)
    assert result.code == 2, (result, args)
    assert message in result.err and "Traceback" not in result.err
    assert cli("--db", demo, "charge", "list", "--json").json == lines
    assert cli("--db", demo, "audit", "verify", "--json").json == audit


# --- any input on the command line (the hostile-input property suite) ------------------------

from .test_properties import EXAMPLES, check, flag, joined, mostly, option  # noqa: E402
from .test_properties import prepared, texts  # noqa: E402, F401 - fixture

amounts = st.one_of(st.sampled_from(["-1", "0.125", "１.00", "1,5", "1e3", "99999999999999",
                                     "1.30", "0.40", "2"]), texts)
quantities = st.one_of(st.sampled_from(["1.5", "2", "0.001", "-1", "1,5", "1e3", "１２",
                                        "1.2345", "1000001"]), texts)
days = mostly(["2026-11-26", "2026-11-20", "2027-01-01", "9999-12-31", "2026-02-30"])
codes = mostly(["electricity", "copy_page", "room_small_hour", "new_item"])
PRICE_ARGV = st.one_of(
    joined(st.just(["price", "set"]), codes.map(lambda v: [f"{v}"]),
           amounts.map(lambda v: [f"{v}"]), option("--from", days, required=True),
           option("--reason", texts), option("--unit", mostly(["item", "page"])),
           option("--name-zh", texts), flag("--json")),
    joined(st.just(["price", "stop"]), codes.map(lambda v: [v]),
           option("--from", days, required=True), option("--reason", texts, required=True)),
    joined(st.just(["price"]), st.sampled_from([["list"], ["notices"]]), flag("--json")))
CHARGE_ARGV = st.one_of(
    joined(st.just(["charge", "add"]), option("--tenant", mostly([ACME]), required=True),
           option("--item", codes, required=True),
           option("--quantity", quantities, required=True),
           option("--date", days, required=True), flag("--paid"),
           option("--signed-by", mostly(["John Chen"])), option("--price", amounts),
           option("--free", mostly(["original_defect"])), option("--description", texts),
           option("--ref", texts), flag("--json")),
    joined(st.just(["charge", "list"]), option("--tenant", mostly([ACME])),
           option("--month", mostly(["2026-11", "2026-13"])), flag("--json")),
    joined(st.just(["charge", "reverse"]), mostly(["1", "0", "-1"]).map(lambda v: [v]),
           option("--reason", texts, required=True)))


@pytest.fixture
def priced(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    f"{ACME},8F-805,John Chen,1380000,100.00,1,2026-01-01,2027-12-31\n",
                    encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    assert prepared(["charge", "add", "--tenant", ACME, "--item", "copy_page",
                     "--quantity", "2", "--date", "2026-11-26", "--paid"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=st.one_of(PRICE_ARGV, CHARGE_ARGV))
def test_price_and_charge_commands_with_anything(priced, argv):
    check(priced, argv)


def test_a_closed_month_takes_no_charge_and_its_lines_are_reversed_in_the_open_month(
        desk, tenant, clock):
    """R-7.8: once October is closed a service dated in it is refused, and correcting an
    October line puts the reversal on December's account (the clock's month), not
    October's."""
    from deskapp.models import MonthClose

    october = post(desk, tenant, "copy_page", 40, day="2026-10-30")
    MonthClose.create(month="2026-10", closed_at=clock.now(), closed_by="finance",
                      figures="{}")
    with pytest.raises(InvalidInput, match="2026-10"):
        post(desk, tenant, "copy_page", 2, day="2026-10-31")
    clock.set(pendulum.datetime(2026, 12, 1, 9, 0, tz=TZ))
    reversal = charges.reverse_charge(desk, october.id, "复印张数登记错误")
    assert (reversal.month, reversal.amount_fen) == ("2026-12", -2000)
    assert charges.monthly_account(tenant.id, "2026-10")["total_fen"] == 2000
