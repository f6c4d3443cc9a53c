"""Month-end (R-7.8): a month's figures reconcile to the fen (opening + billed −
collected − waived = closing, and the same closing counted tenant by tenant through the
balances rule); a month that has ended is closed once, in order, and nothing is posted
into it afterwards."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from decimal import Decimal

import pendulum
import pytest

from deskapp import i18n
from deskapp.models import Audit, MonthClose, Notice, ParkingHandover
from deskapp.services import adjustments, balances, charges, month_end
from deskapp.services import tenants as registry
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from . import billing_rows as rows
from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

D = dt.date
DECEMBER_1 = pendulum.datetime(2026, 12, 1, 9, 0, tz=TZ)


def at(clock, *args):
    clock.set(pendulum.datetime(*args, tz=TZ))


@pytest.fixture
def worked(desk, clock):
    """Two tenants, September to November 2026.

    星辰科技 (rent 10,000.00, due the 5th) pays September and October in full, and
    5,000.00 of November on 20 Nov. Acme (rent 6,000.00, due the 10th) pays 3,000.00 of
    September on 20 Sep and 2,000.00 more on 15 Oct, nothing of October or November;
    the GM waives October's 45.90 late fee (asked 11 Nov, approved 12 Nov) and defers
    November's notice to 10 Dec. 星辰科技 copies 40 pages at the desk on 20 Nov and
    pays at once (20.00)."""
    xc = registry.add_tenant(desk, TenantData(name="星辰科技", units=("12F-1201",),
                                              monthly_rent_fen=1_000_000, due_day=5))
    registry.add_signatory(desk, xc.id, "刘洋", "2026-03-02")
    acme = registry.add_tenant(desk, TenantData(name="Acme", units=("8F-805",),
                                                monthly_rent_fen=600_000, due_day=10))
    notices = {
        ("xc", 9): rows.notice(xc, "2026-09", D(2026, 9, 5),
                               [("rent", 1_000_000), ("electricity", 23_456)]),
        ("acme", 9): rows.notice(acme, "2026-09", D(2026, 9, 10),
                                 [("rent", 600_000), ("service", 12_000)]),
        ("xc", 10): rows.notice(xc, "2026-10", D(2026, 10, 9),
                                [("rent", 1_000_000), ("electricity", 31_250)]),
        ("acme", 10): rows.notice(acme, "2026-10", D(2026, 10, 10),
                                  [("rent", 600_000), ("late_fee", 4_590), ("parking", 30_000)]),
        ("xc", 11): rows.notice(xc, "2026-11", D(2026, 11, 5),
                                [("rent", 1_000_000), ("electricity", 28_000)]),
        ("acme", 11): rows.notice(acme, "2026-11", D(2026, 11, 10),
                                  [("rent", 600_000), ("late_fee", 6_300)]),
    }
    rows.payment(xc, 1_023_456, D(2026, 9, 4), [(notices["xc", 9], 1_023_456)])
    rows.payment(acme, 300_000, D(2026, 9, 20), [(notices["acme", 9], 300_000)], method="cash")
    rows.payment(xc, 1_031_250, D(2026, 10, 9), [(notices["xc", 10], 1_031_250)])
    rows.payment(acme, 200_000, D(2026, 10, 15), [(notices["acme", 9], 200_000)])
    rows.payment(xc, 500_000, D(2026, 11, 20), [(notices["xc", 11], 500_000)], method="wechat")
    finance, gm = as_role(desk, "finance", "caiwu"), as_role(desk, "gm", "zhaozong")
    at(clock, 2026, 11, 11, 10)
    waiver = adjustments.ask(finance, kind="waiver", notice_id=notices["acme", 10].id,
                             amount_fen=4_590, reason="首次逾期，减免滞纳金")
    deferral = adjustments.ask(finance, kind="deferral", notice_id=notices["acme", 11].id,
                               defer_to="2026-12-10", reason="资金周转")
    at(clock, 2026, 11, 12, 16)
    adjustments.decide(gm, waiver.id, approve=True)
    adjustments.decide(gm, deferral.id, approve=True)
    at(clock, 2026, 11, 20, 11)
    charges.post_charge(desk, tenant_id=xc.id, item_code="copy_page", quantity=40,
                        service_date="2026-11-20", source="test", settle="paid",
                        paid_method="cash")
    clock.set(DECEMBER_1)
    return {"xc": xc, "acme": acme, "notices": notices}


NOVEMBER = {
    "month": "2026-11", "first_day": "2026-11-01", "last_day": "2026-11-30",
    "as_of": "2026-11-30", "closed": False, "notices": 2,
    "billed": {"rent": 1_600_000, "electricity": 28_000, "service": 0, "parking": 0,
               "late_fee": 6_300, "total": 1_634_300},
    "paid_at_once": {"by_item": {"copy_page": 2_000}, "total": 2_000},
    "collected": {"by_method": {"cash": 0, "transfer": 0, "card": 0, "wechat": 500_000,
                                "alipay": 0, "cheque": 0}, "total": 500_000},
    "waived": {"count": 1, "total": 4_590},
    # Acme owed 1,120.00 of September and all 6,345.90 of October on 31 Oct
    "opening": 746_590,
    # 7,465.90 + 16,343.00 − 5,000.00 − 45.90
    "closing": 1_876_300, "closing_by_tenant": 1_876_300, "reconciles": True, "credit": 0,
    # at 30 Nov: 星辰科技's November 5,280.00 is 25 days overdue; Acme's October
    # 6,300.00 (after the waiver) 51 days, September 1,120.00 81 days; Acme's November
    # 6,063.00, deferred to 10 Dec, not yet due
    "arrears": {"not_due": 606_300, "days_1_30": 528_000, "days_31_60": 630_000,
                "days_61_90": 112_000, "days_over_90": 0, "overdue": 1_270_000},
    "tenants_in_arrears": 2, "late_fees": 6_300,
    "parking_takings": {"handovers": 0, "visits": 0, "total": 0},
}


def test_the_month_report_of_a_worked_example_pins_every_figure(desk, worked):
    report = month_end.report(desk, "2026-11")
    assert report == NOVEMBER
    assert (report["opening"] + report["billed"]["total"] - report["collected"]["total"]
            - report["waived"]["total"]) == report["closing"]


def test_the_closing_balance_is_what_balances_says_each_tenant_owes(desk, worked):
    """Counted the other way: balances.outstanding_fen on every notice at 30 Nov, and
    each tenant's balance (nothing happened since)."""
    owed = sum(balances.outstanding_fen(n, TZ, D(2026, 11, 30)) for n in Notice.select())
    assert owed == 1_876_300
    assert (balances.balance_fen(worked["xc"].id), balances.balance_fen(worked["acme"].id)) == (
        528_000, 1_348_300)
    assert sum(balances.overdue_fen(t.id, TZ, D(2026, 11, 30))
               for t in (worked["xc"], worked["acme"])) == NOVEMBER["arrears"]["overdue"]


def test_october_closes_where_november_opens(desk, worked):
    october = month_end.report(desk, "2026-10")
    assert october["opening"] == 312_000  # Acme's September, unpaid on 30 Sep
    assert october["billed"]["total"] == 1_665_840
    assert october["collected"]["total"] == 1_231_250
    assert october["waived"] == {"count": 0, "total": 0}  # approved in November
    assert october["closing"] == october["closing_by_tenant"] == NOVEMBER["opening"]
    # at 31 Oct: September's 1,120.00 is 51 days overdue, October's 6,345.90 21 days
    assert october["arrears"] == {"not_due": 0, "days_1_30": 634_590, "days_31_60": 112_000,
                                  "days_61_90": 0, "days_over_90": 0, "overdue": 746_590}


def test_a_payment_ahead_is_credit_and_still_reconciles(desk, worked):
    """Acme pays 20,000.00 on 30 Nov and it is allocated oldest first (September 1,120.00,
    October 6,300.00; November 6,063.00): 6,517.00 is left as credit."""
    n = worked["notices"]
    rows.payment(worked["acme"], 2_000_000, D(2026, 11, 30),
                 [(n["acme", 9], 112_000), (n["acme", 10], 630_000), (n["acme", 11], 606_300)])
    report = month_end.report(desk, "2026-11")
    assert report["credit"] == 651_700
    assert report["closing"] == report["closing_by_tenant"] == 1_876_300 - 2_000_000
    assert report["reconciles"] and report["tenants_in_arrears"] == 1
    assert report["arrears"]["overdue"] == 528_000


def test_a_waiver_approved_in_december_counts_in_december_not_november(desk, worked, clock):
    n = worked["notices"]
    asked = adjustments.ask(as_role(desk, "finance", "caiwu"), kind="waiver",
                            notice_id=n["acme", 9].id, amount_fen=12_000, reason="服务费计错")
    adjustments.decide(as_role(desk, "gm", "zhaozong"), asked.id, approve=True)
    assert month_end.report(desk, "2026-11") == NOVEMBER
    december = month_end.report(desk, "2026-12")
    assert december["opening"] == NOVEMBER["closing"]
    assert december["waived"] == {"count": 1, "total": 12_000}
    assert december["closing"] == december["closing_by_tenant"] == 1_876_300 - 12_000
    assert december["as_of"] == "2026-12-01"  # not ended: the figures so far


def test_history_gives_billed_and_collected_for_the_chart(desk, worked):
    assert month_end.history(desk, 3, until="2026-11") == [
        ("2026-09", 1_635_456, 1_323_456), ("2026-10", 1_665_840, 1_231_250),
        ("2026-11", 1_634_300, 500_000)]
    twelve = month_end.history(desk)  # up to the current month, December
    assert len(twelve) == 12 and twelve[0] == ("2026-01", 0, 0)
    assert twelve[-1] == ("2026-12", 0, 0) and twelve[-2] == ("2026-11", 1_634_300, 500_000)
    with pytest.raises(InvalidInput):
        month_end.history(desk, 0)
    with pytest.raises(InvalidInput):
        month_end.history(desk, 3, until="2026-13")


# --- closing --------------------------------------------------------------------------------

def test_a_month_is_closed_once_it_has_ended_once_and_in_order(desk, worked, clock):
    finance = as_role(desk, "finance", "caiwu")
    with pytest.raises(InvalidInput, match="2026-12 has not ended yet"):
        month_end.close(finance, "2026-12")
    with pytest.raises(InvalidInput, match="close 2026-09 first"):
        month_end.close(finance, "2026-11")
    with pytest.raises(NotAllowed):
        month_end.close(as_role(desk, "desk", "xiaoli"), "2026-09")
    for month in ("2026-09", "2026-10"):
        month_end.close(finance, month)
    closed = month_end.close(finance, "2026-11")
    assert (closed.month, closed.closed_by) == ("2026-11", "caiwu")
    assert json.loads(closed.figures) == {**NOVEMBER, "closed": True}
    with pytest.raises(Conflict, match="already closed"):
        month_end.close(finance, "2026-11")
    audit = [json.loads(row.detail) for row in Audit.select().where(Audit.action == "month.close")
             .order_by(Audit.id)]
    assert audit[-1] == {"month": "2026-11", "billed_fen": 1_634_300, "collected_fen": 500_000,
                         "waived_fen": 4_590, "opening_fen": 746_590, "closing_fen": 1_876_300}
    assert month_end.report(desk, "2026-11")["closed"] is True


def test_months_before_any_billing_do_not_hold_up_the_first_close(desk, worked):
    """January to August 2026 hold nothing: September closes first."""
    month_end.close(as_role(desk, "finance", "caiwu"), "2026-09")
    assert [row.month for row in month_end.closed_months()] == ["2026-09"]


def test_a_gap_month_with_nothing_in_it_does_not_need_closing(desk, worked, clock):
    finance = as_role(desk, "finance", "caiwu")
    for month in ("2026-09", "2026-10", "2026-11"):
        month_end.close(finance, month)
    # no December rows at all: January can be closed once it ends
    at(clock, 2027, 2, 1, 9)
    month_end.close(finance, "2027-01")
    assert [r.month for r in month_end.closed_months()][-1] == "2027-01"


def test_nothing_is_charged_into_a_closed_month_and_the_correction_lands_in_the_next(
        desk, worked):
    finance = as_role(desk, "finance", "caiwu")
    for month in ("2026-09", "2026-10", "2026-11"):
        month_end.close(finance, month)
    with pytest.raises(InvalidInput, match="2026-11 is closed"):
        charges.post_charge(desk, tenant_id=worked["xc"].id, item_code="copy_page",
                            quantity=10, service_date="2026-11-30", source="test",
                            settle="paid", paid_method="cash")
    copied = charges.charges(tenant_id=worked["xc"].id, month="2026-11")[0]
    reversal = charges.reverse_charge(desk, copied.id, "多记了张数")
    assert (reversal.month, reversal.amount_fen) == ("2026-12", -2_000)
    assert month_end.report(desk, "2026-11")["paid_at_once"]["total"] == 2_000
    assert month_end.report(desk, "2026-12")["paid_at_once"] == {
        "by_item": {"copy_page": -2_000}, "total": -2_000}


def test_parking_takings_received_in_the_month(desk, worked, clock):
    received = pendulum.datetime(2026, 11, 30, 23, 30, tz=TZ)  # building day 30 Nov
    for number, count, fen, when in (("P-0001", 12, 18_000, received),
                                     ("P-0002", 3, 4_500, DECEMBER_1)):
        ParkingHandover.create(number=number, handed_at=when, handed_by="baoan", count=count,
                               total_fen=fen, received_at=when, received_by="caiwu")
    assert month_end.report(desk, "2026-11")["parking_takings"] == {
        "handovers": 1, "visits": 12, "total": 18_000}


def test_a_month_with_parking_takings_received_closes(desk, worked):
    """The close looks for the first month anything was posted in, parking takings
    received included (the demo building crashed here: the earliest receipt came back as
    a moment, not its stored micros)."""
    received = pendulum.datetime(2026, 8, 20, 18, 0, tz=TZ)  # before any notice
    ParkingHandover.create(number="P-0001", handed_at=received, handed_by="baoan", count=4,
                           total_fen=6_000, received_at=received, received_by="caiwu")
    finance = as_role(desk, "finance", "caiwu")
    with pytest.raises(InvalidInput, match="close 2026-08 first"):
        month_end.close(finance, "2026-09")
    for month in ("2026-08", "2026-09"):
        month_end.close(finance, month)
    assert [row.month for row in month_end.closed_months()] == ["2026-08", "2026-09"]


# --- the files for finance ------------------------------------------------------------------

def test_the_csv_and_xlsx_carry_every_figure_in_the_users_language(desk, worked, tmp_path):
    from openpyxl import load_workbook

    csv_path, xlsx_path = tmp_path / "2026-11.csv", tmp_path / "2026-11.xlsx"
    i18n.set_language("zh")
    month_end.write_report(desk, "2026-11", csv_path=str(csv_path), xlsx_path=str(xlsx_path))
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    table = {row[0]: row[1] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))
             if len(row) == 2}
    assert table["期初余额（上月末应收）"] == "7465.90"
    assert table["期末余额"] == "18763.00"
    assert table["两者核对一致"] == "是"
    assert table["租金"] == "16000.00" and table["滞纳金"] == "63.00"
    assert table["微信支付"] == "5000.00" and table["复印"] == "20.00"
    assert table["逾期 61–90 天"] == "1120.00" and table["欠款客户户数"] == "2"
    sheet = load_workbook(xlsx_path).active
    cells = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(1, sheet.max_row + 1)}
    closing = cells["期末余额"]
    assert closing.value == Decimal("18763.00") or closing.value == 18763.0
    assert closing.number_format == "#,##0.00" and closing.data_type == "n"
    assert cells["月末报表"].value == "2026-11" and cells["月末报表"].data_type == "s"
    assert cells["欠款客户户数"].value == 2


def test_a_formula_in_an_item_name_stays_text(desk, worked, tmp_path):
    from openpyxl import load_workbook

    from deskapp.models import PriceItem

    PriceItem.update(name_en="=HYPERLINK(\"http://x\")").where(
        PriceItem.code == "copy_page").execute()
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    month_end.write_report(desk, "2026-11", csv_path=str(csv_path), xlsx_path=str(xlsx_path))
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8-sig")
    sheet = load_workbook(xlsx_path).active
    cell = next(sheet.cell(r, 1) for r in range(1, sheet.max_row + 1)
                if str(sheet.cell(r, 1).value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_an_export_to_a_folder_that_does_not_exist_writes_nothing(desk, worked, tmp_path):
    with pytest.raises(InvalidInput):
        month_end.write_report(desk, "2026-11", csv_path=str(tmp_path / "ok.csv"),
                               xlsx_path=str(tmp_path / "missing" / "r.xlsx"))
    assert not (tmp_path / "ok.csv").exists()


# --- the command line -----------------------------------------------------------------------

def test_month_report_and_close_on_the_command_line(cli, env, desk, worked, db_url,
                                                    tmp_path, clock):  # noqa: F811
    from deskapp.services.staff import add_staff

    add_staff(desk, "caiwu", "财务小陈", "finance")
    add_staff(desk, "xiaoli", "小李", "desk")
    report = cli("--db", db_url, "month", "report", "--month", "2026-11", "--json")
    assert report.code == 0, report.err
    doc = report.json
    assert (doc["opening"], doc["closing"], doc["billed"]["total"], doc["notices"],
            doc["reconciles"], doc["arrears"]["days_61_90"]) == (
        "7465.90", "18763.00", "16343.00", 2, True, "1120.00")
    human = cli("--db", db_url, "month", "report", "--month", "2026-11", "--csv",
                str(tmp_path / "n.csv")).out
    assert "= Closing balance: 18763.00" in human and (tmp_path / "n.csv").exists()
    env.setenv("DESKAPP_USER", "xiaoli")
    assert cli("--db", db_url, "month", "close", "--month", "2026-09").code == 4
    env.setenv("DESKAPP_USER", "caiwu")
    early = cli("--db", db_url, "month", "close", "--month", "2026-11")
    assert early.code == 2 and "close 2026-09 first" in early.err
    assert cli("--db", db_url, "month", "close", "--month", "2026-12").code == 2
    for month in ("2026-09", "2026-10"):
        assert cli("--db", db_url, "month", "close", "--month", month).code == 0
    closed = cli("--db", db_url, "month", "close", "--month", "2026-11", "--json")
    assert closed.code == 0, closed.err
    assert closed.json["figures"]["closing"] == "18763.00"
    assert closed.json["closed_at"] == "2026-12-01T09:00:00+08:00"
    again = cli("--db", db_url, "month", "close", "--month", "2026-11")
    assert again.code == 3 and "already closed" in again.err
    bad = cli("--db", db_url, "month", "report", "--month", "2026-13")
    assert bad.code == 2 and "Traceback" not in bad.err
    assert MonthClose.select().count() == 3


@pytest.mark.skipif(not os.environ.get("DESKAPP_TEST_DATABASE_URL"),
                    reason="PostgreSQL's row locks (SQLite runs one writer at a time)")
def test_a_close_cannot_slip_between_a_post_and_its_commit(desk, db):
    """A post that found the month open holds the close off until it commits: the close
    would otherwise read the figures without it and the post land in a closed month."""
    import threading

    from peewee import OperationalError

    from deskapp.models import Meta
    from deskapp.services import closing

    checked, done = threading.Event(), threading.Event()

    def post() -> None:
        with db.atomic():
            closing.refuse_if_closed("2026-11", desk)
            checked.set()
            done.wait(10)
        db.close()

    poster = threading.Thread(target=post)
    poster.start()
    assert checked.wait(10)
    another_post = threading.Thread(target=lambda: (closing.refuse_if_closed("2026-11", desk),
                                                    db.close()))
    another_post.start()
    another_post.join(10)
    assert not another_post.is_alive()  # posts share the lock: they never wait for each other
    with pytest.raises(OperationalError):
        with db.atomic():
            (Meta.select().where(Meta.key == "schema_version")
             .for_update("FOR UPDATE NOWAIT").execute())
    done.set()
    poster.join(10)
    with db.atomic():
        closing.hold_for_close(desk)  # free once the post committed
