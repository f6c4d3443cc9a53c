"""Business services by the page (R-6.2) and the paid-services ledger (有偿服务台账,
R-6.5): every charge of the month on its own line, reversals too, with totals by item,
exported as CSV and XLSX with formulas guarded. Clock: Thu 2026-11-26 14:00 building
time."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.models import Charge
from deskapp.services import business, charges, paid_ledger, postal
from deskapp.services import tenants as registry
from deskapp.services.errors import InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from .conftest import TZ, as_role
from .test_charges import counter, tenant  # noqa: F401 - fixtures
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import EXAMPLES, check, flag, joined, mostly, option, texts
from .test_properties import prepared  # noqa: F401 - fixture


def sell(desk, tenant, item="print_page_bw", pages=10, paid=True, **extra):
    return business.sell(desk, tenant_id=tenant.id, item_code=item, pages=pages, paid=paid,
                         **extra)


@pytest.mark.parametrize("item,pages,fen", [
    ("print_page_bw", 10, 1000), ("print_page_colour", 3, 900), ("copy_page", 25, 1250),
    ("fax_page", 1, 200), ("copy_page", 10000, 500000),
])
def test_pages_at_the_published_price(counter, tenant, item, pages, fen):
    line = sell(counter, tenant, item, pages)
    assert (line.item.code, line.quantity_milli, line.amount_fen, line.service_date) == (
        item, pages * 1000, fen, dt.date(2026, 11, 26))
    assert (line.settle, line.paid_method, line.source) == ("paid", "cash", "business")


def test_booked_to_the_monthly_account_by_an_authorised_signatory(counter, tenant):
    line = sell(counter, tenant, "copy_page", 40, paid=False, signed_by="刘洋")
    assert (line.settle, line.signed_by, line.amount_fen) == ("monthly", "刘洋", 2000)
    assert charges.monthly_account(tenant.id, "2026-11")["total_fen"] == 2000
    with pytest.raises(InvalidInput):
        sell(counter, tenant, paid=False, signed_by="陈静")
    with pytest.raises(InvalidInput):
        sell(counter, tenant, paid=False)


@pytest.mark.parametrize("item,pages", [
    ("room_large_hour", 1), ("electricity", 5), ("postal_registered", 1),  # not by the page
    ("copy_page", 0), ("copy_page", 10001), ("copy_page", "1,5"), ("copy_page", "-3"),
    ("copy_page", "１０"), ("copy_page", "1.5"), ("[red]copy[/red]", 1),
])
def test_other_items_and_impossible_page_counts_are_refused(counter, tenant, item, pages):
    with pytest.raises(InvalidInput) as refused:
        sell(counter, tenant, item, pages)
    if refused.value.key == "error.business_bad_item":
        assert "print_page_bw, print_page_colour, copy_page, fax_page" in \
            refused.value.message()
    assert Charge.select().count() == 0


def test_security_and_engineering_do_not_sell_services(desk, tenant):
    for role in ("security", "engineering"):
        with pytest.raises(NotAllowed):
            sell(as_role(desk, role), tenant)


# --- the ledger ---------------------------------------------------------------------------

def test_the_ledger_has_every_charge_of_the_month_with_reversals_and_totals(
        desk, counter, tenant, clock):
    clock.set(pendulum.datetime(2026, 10, 30, 10, 0, tz=TZ))
    sell(counter, tenant, "copy_page", 4)  # October's: not on November's ledger
    clock.set(pendulum.datetime(2026, 11, 26, 10, 0, tz=TZ))
    copies = sell(counter, tenant, "copy_page", 40, paid=False, signed_by="刘洋")
    sell(counter, tenant, "print_page_colour", 3, method="wechat")
    postal.accept(counter, tenant_id=tenant.id, kind="registered", weight_g=45,
                  destination="北京", paid=True)
    charges.reverse_charge(desk, copies.id, "复印张数登记错误")
    lines = paid_ledger.ledger(desk, "2026-11")
    assert [(ln["item"], ln["quantity"], ln["amount_fen"], ln["settle"]) for ln in lines] == [
        ("copy_page", "40", 2000, "monthly"), ("print_page_colour", "3", 900, "paid"),
        ("postal_letter_20g", "1", 120, "paid"), ("postal_letter_extra_20g", "2", 240, "paid"),
        ("postal_registered", "1", 300, "paid"), ("copy_page", "-40", -2000, "monthly")]
    assert lines[0]["day"] == dt.date(2026, 11, 26) and lines[0]["tenant"] == "星辰科技"
    assert lines[-1]["reverses"] == copies.id
    doc = paid_ledger.ledger_json(desk, "2026-11")
    assert doc["total"] == "15.60"  # 9.00 + 1.20 + 2.40 + 3.00; the copies reversed
    assert {row["item"]: (row["quantity"], row["amount"]) for row in doc["totals"]} == {
        "copy_page": ("0", "0.00"), "print_page_colour": ("3", "9.00"),
        "postal_letter_20g": ("1", "1.20"), "postal_letter_extra_20g": ("2", "2.40"),
        "postal_registered": ("1", "3.00")}
    # the ledger adds nothing of its own: its total is the month's charges to the fen
    assert sum(ln["amount_fen"] for ln in lines) == sum(
        c.amount_fen for c in Charge.select().where(Charge.month == "2026-11")) == 1560
    assert [paid_ledger.how(ln) for ln in lines[:3]] == ["刘洋", "WeChat Pay", "cash"]


def test_the_ledger_exports_csv_and_xlsx_with_formulas_guarded(desk, counter, tmp_path):
    from openpyxl import load_workbook

    hostile = registry.add_tenant(desk, TenantData(name="=HYPERLINK(\"x\")",
                                                   units=("1F-101",)))
    sell(counter, hostile, "fax_page", 2)
    csv_path, xlsx_path = tmp_path / "ledger.csv", tmp_path / "ledger.xlsx"
    paid_ledger.write_ledger(desk, "2026-11", csv_path=str(csv_path), xlsx_path=str(xlsx_path))
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "2026-11-26" in text and "4.00" in text
    sheet = load_workbook(xlsx_path).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "=HYPERLINK(\"x\")" in cells  # stored as text: openpyxl would read a formula
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row
               if isinstance(c.value, str))
    with pytest.raises(InvalidInput):
        paid_ledger.write_ledger(desk, "2026-11", csv_path=str(tmp_path / "no" / "x.csv"))
    with pytest.raises(InvalidInput):
        paid_ledger.ledger(desk, "2026-13")


# --- the command line ---------------------------------------------------------------------

@pytest.fixture
def office(cli, url, tmp_path):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    "Acme,8F-805,John Chen,1380000,100.00,1,2026-01-01,2027-12-31\n",
                    encoding="utf-8")
    assert cli("--db", url, "tenant", "import", str(path)).code == 0
    return url


def test_service_sell_and_the_ledger_on_the_command_line(cli, office, tmp_path):
    sold = cli("--db", office, "service", "sell", "--tenant", "Acme", "--item", "copy_page",
               "--pages", "25", "--paid", "--method", "card", "--json")
    assert sold.code == 0, sold.err
    assert (sold.json["amount"], sold.json["quantity"], sold.json["paid_method"]) == (
        "12.50", "25", "card")
    ledger = cli("--db", office, "ledger", "--month", "2026-11", "--json",
                 "--csv", tmp_path / "l.csv", "--xlsx", tmp_path / "l.xlsx")
    assert ledger.code == 0, ledger.err
    assert ledger.json["total"] == "12.50" and ledger.json["lines"][0]["unit_price"] == "0.50"
    assert (tmp_path / "l.csv").exists() and (tmp_path / "l.xlsx").exists()
    human = cli("--db", office, "ledger", "--month", "2026-11").out
    assert "25 × 0.50 = 12.50" in human and "total 12.50 yuan" in human
    assert "nothing was charged" in cli("--db", office, "ledger", "--month", "2026-10").out


@pytest.mark.parametrize("extra,message", [
    (("--pages", "1,5"), "whole number"), (("--pages", "-3"), "from 1 to 10000"),
    (("--pages", "１０"), "whole number"), (("--pages", "10001"), "from 1 to 10000"),
    (("--item", "room_large_hour"), "copy_page, fax_page"),
    (("--item", "\x1b[2Jcopy"), "control"), (("--signed-by", "Nobody"), "could not sign"),
    (("--paid", "--signed-by", "John Chen"), "either paid"),
])
def test_bad_service_input_exits_2_and_writes_nothing(cli, office, extra, message):
    base = {"--tenant": "Acme", "--item": "copy_page", "--pages": "2"}
    args = list(extra)
    for name, value in base.items():
        if name not in args:
            args += [name, value]
    result = cli("--db", office, "service", "sell", *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err
    assert cli("--db", office, "ledger", "--month", "2026-11", "--json").json["lines"] == []


SERVICE_ARGV = st.one_of(
    joined(st.just(["service", "sell"]), option("--tenant", mostly(["Acme Trading Ltd"]),
                                                required=True),
           option("--item", mostly(["copy_page", "fax_page", "electricity"]), required=True),
           option("--pages", st.one_of(st.sampled_from(["2", "1,5", "-3", "１０", "0",
                                                        "10001", "1e3"]), texts),
                  required=True),
           flag("--paid"), option("--method", mostly(["cash", "card"])),
           option("--signed-by", mostly(["John Chen"])), flag("--json")),
    joined(st.just(["ledger"]), option("--month", mostly(["2026-11", "2026-13", "２０２６-11"]),
                                       required=True), flag("--json")))


@pytest.fixture
def business_centre(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    "Acme Trading Ltd,8F-805,John Chen,1380000,100.00,1,2026-01-01,"
                    "2027-12-31\n", encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    return prepared


@EXAMPLES
@given(argv=SERVICE_ARGV)
def test_service_and_ledger_commands_with_anything(business_centre, argv):
    check(business_centre, argv)


def test_temporary_parking_is_beside_the_ledger_not_in_it(desk, counter, tenant, clock):
    """Visitors' cars pay at the gate and are on no tenant's account: the ledger shows the
    month's cars and takings beside its lines, and its total stays the charges'."""
    from deskapp.services import parking

    gate = as_role(desk, "security", "baoan")
    parking.enter(gate, "沪A10001", pendulum.datetime(2026, 10, 31, 23, 0, tz=TZ))
    parking.leave(gate, "沪A10001", pendulum.datetime(2026, 11, 1, 0, 30, tz=TZ))  # Nov's
    parking.enter(gate, "沪A10002", pendulum.datetime(2026, 11, 26, 9, 0, tz=TZ))
    parking.leave(gate, "沪A10002")  # 14:00: five hours, capped
    parking.enter(gate, "沪A10003", pendulum.datetime(2026, 11, 26, 13, 0, tz=TZ))  # inside
    sell(counter, tenant, "fax_page", 1)
    doc = paid_ledger.ledger_json(desk, "2026-11")
    assert doc["temporary_parking"] == {"count": 2, "total": "90.00"}  # 30.00 + 60.00
    assert doc["total"] == "2.00"
    assert paid_ledger.ledger_json(desk, "2026-10")["temporary_parking"] == {
        "count": 0, "total": "0.00"}
    assert paid_ledger.rows(desk, "2026-11")[-1][3:] == ["2", "", "90.00"]
