"""The published price list (R-1.3, R-4.1, R-6.4, R-7.7; SPEC §9 ``price list | set``):
prices in force by date, changes only on a future day with their reason and a notice to
tenants, the seed list. Clock: Thursday 2026-11-26 14:00 building time."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from deskapp.db import ensure_schema
from deskapp.models import Audit, PriceEntry, PriceItem, PriceNotice
from deskapp.services import prices
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed

from .conftest import as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

D = dt.date


def test_the_seed_list_is_published_with_the_items_the_desk_charges(desk):
    codes = {row["item"].code for row in prices.published(desk)}
    assert {"electricity", "room_large_hour", "room_small_hour", "reception_room_hour",
            "notice_board_day", "ad_space_month", "parking_month", "parking_quarter",
            "print_page_bw", "print_page_colour", "copy_page", "fax_page",
            "umbrella_lost"} <= codes
    assert prices.price_on("electricity", D(2026, 11, 26)) == 125  # ¥1.25 per kWh
    assert PriceItem.get(PriceItem.code == "electricity").unit == "kwh"


def test_seeding_again_adds_only_missing_codes_and_never_overwrites(desk, db):
    prices.set_price(desk, "copy_page", 40, "2026-12-01", reason="新复印机成本更低")
    PriceItem.get(PriceItem.code == "fax_page").delete_instance()
    ensure_schema(db)  # every start seeds again
    assert PriceItem.get_or_none(PriceItem.code == "fax_page") is not None
    assert [e.price_fen for e in prices.history("copy_page")] == [50, 40]


def test_a_change_announced_today_takes_effect_on_its_day_not_before(desk):
    notice = prices.set_price(desk, "electricity", 130, "2027-01-01",
                              reason="供电局上调工商业电价")
    assert (notice.old_fen, notice.new_fen) == (125, 130)
    assert notice.effective_from == D(2027, 1, 1)
    assert notice.reason == "供电局上调工商业电价"
    assert notice.issued_by == "wangfang"
    assert prices.price_on("electricity", D(2026, 12, 31)) == 125
    assert prices.price_on("electricity", D(2027, 1, 1)) == 130
    assert prices.price_on("electricity", D(2027, 6, 30)) == 130


def test_a_change_effective_today_or_before_is_refused_and_nothing_is_written(desk):
    before = (PriceEntry.select().count(), PriceNotice.select().count(), Audit.select().count())
    for day in ("2026-11-26", "2026-11-01"):
        with pytest.raises(InvalidInput) as refused:
            prices.set_price(desk, "electricity", 130, day, reason="调价")
        assert refused.value.key == "error.price_not_future"
        assert "2026-11-27" in refused.value.message()  # the earliest day it could
    assert (PriceEntry.select().count(), PriceNotice.select().count(),
            Audit.select().count()) == before
    assert prices.set_price(desk, "electricity", 130, "2026-11-27", reason="调价").id


def test_a_new_item_may_start_today_but_not_yesterday(desk):
    notice = prices.set_price(desk, "binding_copy", 500, "2026-11-26", unit="item",
                              name_zh="胶装", name_en="Binding")
    assert notice.old_fen is None and notice.new_fen == 500
    assert prices.price_on("binding_copy", D(2026, 11, 26)) == 500
    with pytest.raises(InvalidInput):
        prices.set_price(desk, "scan_page", 50, "2026-11-25", unit="page")
    with pytest.raises(InvalidInput) as no_unit:
        prices.set_price(desk, "scan_page", 50, "2026-11-26")
    assert no_unit.value.key == "error.price_new_needs_unit"


def test_a_change_needs_its_reason_because_tenants_are_told_why(desk):
    with pytest.raises(InvalidInput) as refused:
        prices.set_price(desk, "parking_month", 90000, "2027-01-01")
    assert refused.value.key == "error.price_reason_required"
    with pytest.raises(InvalidInput):
        prices.set_price(desk, "parking_month", 90000, "2027-01-01", reason="  \u200b ")


def test_a_change_keeps_the_unit_and_changes_the_price(desk):
    with pytest.raises(InvalidInput) as unit:
        prices.set_price(desk, "electricity", 130, "2027-01-01", reason="x", unit="hour")
    assert "per kWh" in unit.value.message()
    with pytest.raises(InvalidInput) as same:
        prices.set_price(desk, "electricity", 125, "2027-01-01", reason="x")
    assert same.value.key == "error.price_unchanged"


def test_the_same_day_cannot_be_announced_twice(desk):
    prices.set_price(desk, "fax_page", 250, "2027-01-01", reason="线路费上涨")
    with pytest.raises(Conflict):
        prices.set_price(desk, "fax_page", 300, "2027-01-01", reason="再涨")


def test_the_price_in_force_is_the_latest_row_on_or_before_the_day(desk):
    prices.set_price(desk, "copy_page", 60, "2027-03-01", reason="纸价上涨")
    prices.set_price(desk, "copy_page", 40, "2027-01-01", reason="年初优惠")
    assert prices.price_on("copy_page", D(2026, 12, 31)) == 50
    assert prices.price_on("copy_page", D(2027, 2, 28)) == 40
    assert prices.price_on("copy_page", D(2027, 3, 1)) == 60
    notice = PriceNotice.select().where(PriceNotice.new_fen == 60).get()
    assert notice.old_fen == 50  # the price in force the day before it, when announced
    with pytest.raises(InvalidInput):
        prices.price_on("copy_page", D(2025, 12, 31))  # before the list began


def test_an_item_withdrawn_from_a_future_day_has_no_price_from_then(desk):
    notice = prices.withdraw(desk, "umbrella_lost", "2027-01-01", "改为免费借用，不再收费")
    assert (notice.old_fen, notice.new_fen) == (3000, None)
    assert prices.price_on("umbrella_lost", D(2026, 12, 31)) == 3000
    with pytest.raises(InvalidInput) as gone:
        prices.price_on("umbrella_lost", D(2027, 1, 1))
    assert gone.value.key == "error.price_not_in_force"
    with pytest.raises(InvalidInput):
        prices.withdraw(desk, "fax_page", "2026-11-26", "today is too soon")


def test_the_published_list_marks_announced_changes(desk):
    prices.set_price(desk, "electricity", 130, "2027-01-01", reason="调价")
    rows = [prices.price_json(r) for r in prices.published(desk)
            if r["item"].code == "electricity"]
    assert [(r["price"], r["effective_from"], r["announced"]) for r in rows] == [
        ("1.25", "2026-01-01", False), ("1.30", "2027-01-01", True)]


def test_only_the_manager_or_gm_sets_prices_everyone_reads(desk):
    for role in ("desk", "finance", "engineering", "security", "viewer"):
        with pytest.raises(NotAllowed):
            prices.set_price(as_role(desk, role), "electricity", 130, "2027-01-01",
                             reason="调价")
    assert prices.set_price(as_role(desk, "gm"), "electricity", 130, "2027-01-01",
                            reason="调价").id
    assert prices.published(as_role(desk, "viewer"))


@pytest.mark.parametrize("code", ["Electricity", "电费", "1st", "a-b", "x" * 41, "", "a b"])
def test_a_code_is_lower_case_ascii(desk, code):
    with pytest.raises(InvalidInput):
        prices.set_price(desk, code, 100, "2026-11-26", unit="item")


# --- the command line (SPEC §9) -------------------------------------------------------------

def test_price_set_and_list_on_the_command_line(cli, url):
    assert cli("--db", url, "init").code == 0
    done = cli("--db", url, "price", "set", "electricity", "1.30", "--from", "2027-01-01",
               "--reason", "供电局调价", "--json")
    assert done.code == 0, done.err
    assert done.json["old_price"] == "1.25" and done.json["new_price"] == "1.30"
    assert done.json["issued_at"].endswith("+08:00")
    listing = cli("--db", url, "price", "list", "--json").json
    electricity = [r for r in listing if r["code"] == "electricity"]
    assert [(r["price"], r["announced"]) for r in electricity] == [("1.25", False),
                                                                   ("1.30", True)]
    notices = cli("--db", url, "price", "notices", "--json").json
    assert [(n["code"], n["reason"]) for n in notices] == [("electricity", "供电局调价")]
    human = cli("--db", url, "price", "list")
    assert "announced" in human.out and "1.30" in human.out


@pytest.mark.parametrize("args,message", [
    (("price", "set", "electricity", "1.30", "--from", "2026-11-26", "--reason", "x"),
     "future day"),
    (("price", "set", "electricity", "-1.30", "--from", "2027-01-01", "--reason", "x"),
     "YUAN"),
    (("price", "set", "electricity", "1.305", "--from", "2027-01-01", "--reason", "x"),
     "YUAN"),
    (("price", "set", "electricity", "１.30", "--from", "2027-01-01", "--reason", "x"),
     "YUAN"),
    (("price", "set", "electricity", "1,5", "--from", "2027-01-01", "--reason", "x"),
     "YUAN"),
    (("price", "set", "electricity", "1e3", "--from", "2027-01-01", "--reason", "x"),
     "YUAN"),
    (("price", "set", "electricity", "99999999999999", "--from", "2027-01-01",
      "--reason", "x"), "YUAN"),
    (("price", "set", "electricity", "1.30", "--from", "9999-01-01", "--reason", "x"),
     "not plausible"),
    (("price", "set", "electricity", "1.30", "--from", "２０２７-01-01", "--reason", "x"),
     "--from"),
    (("price", "set", "electricity", "1.30", "--from", "2027-01-01",
      "--reason", "\x1b[2J调价"), "control"),
    (("price", "set", "electricity", "1.30", "--from", "2027-01-01"), "reason"),
    (("price", "set", "[b]x[/b]", "1.30", "--from", "2027-01-01", "--unit", "item"),
     "code"),
    (("price", "stop", "fax_page", "--from", "2026-11-20", "--reason", "x"), "future day"),
])
def test_bad_price_input_exits_2_and_writes_nothing(cli, url, args, message):
    assert cli("--db", url, "init").code == 0
    before = cli("--db", url, "price", "list", "--json").out
    result = cli("--db", url, *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err
    assert cli("--db", url, "price", "list", "--json").out == before
    assert cli("--db", url, "price", "notices", "--json").json == []


def test_the_desk_may_not_set_a_price_exit_4(cli, url, env):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "staff", "add", "zhaoli", "--name", "赵丽", "--role",
               "desk").code == 0
    env.setenv("DESKAPP_USER", "zhaoli")
    refused = cli("--db", url, "price", "set", "electricity", "1.30", "--from", "2027-01-01",
                  "--reason", "x")
    assert refused.code == 4
    assert cli("--db", url, "price", "list", "--json").code == 0


def test_the_refusal_reads_in_chinese_for_a_chinese_desk(cli, url):
    assert cli("--db", url, "init").code == 0
    refused = cli("--db", url, "--lang", "zh", "price", "set", "electricity", "1.30",
                  "--from", "2026-11-26", "--reason", "调价")
    assert refused.code == 2
    assert "调价只能自今后某日起生效" in refused.err and "2026-11-27" in refused.err
    listing = cli("--db", url, "--lang", "zh", "price", "list").out
    assert "电费" in listing and "每度" in listing
