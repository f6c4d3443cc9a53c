"""The postal agency (R-6.1): priced by weight and kind from the published list, printed
matter without a serial as an ordinary letter, closed on public holidays and rest days,
charged paid or signed for, and the day's two-part dispatch list. Clock: Thu 2026-11-26
14:00 building time."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.clock import FrozenClock
from deskapp.models import Audit, Charge, PostalDispatch, PostalItem
from deskapp.services import postal
from deskapp.services.errors import InvalidInput, NotAllowed

from .conftest import TZ, as_role
from .test_charges import counter, tenant  # noqa: F401 - fixtures
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import EXAMPLES, check, flag, joined, mostly, option, texts
from .test_properties import prepared  # noqa: F401 - fixture


def take(desk, tenant, kind="letter", weight=20, paid=True, **extra):
    extra.setdefault("destination", "北京市海淀区中关村大街1号")
    return postal.accept(desk, tenant_id=tenant.id, kind=kind, weight_g=weight, paid=paid,
                         **extra)


@pytest.mark.parametrize("kind,weight,fen", [
    ("letter", 1, 120), ("letter", 20, 120), ("letter", 21, 240),  # a further 20 g begun
    ("letter", 45, 120 + 2 * 120), ("letter", 2000, 120 + 99 * 120),
    ("letter_local", 20, 80), ("letter_local", 45, 3 * 80),
    ("registered", 45, 360 + 300),  # the letter's postage and the registration fee
    ("parcel", 1, 800), ("parcel", 1000, 800), ("parcel", 1001, 1600),
    ("parcel", 40000, 40 * 800),
])
def test_the_price_by_weight_and_kind(counter, tenant, kind, weight, fen):
    item = take(counter, tenant, kind, weight)
    assert (item.kind, item.weight_g, item.amount_fen) == (kind, weight, fen)
    assert sum(c.amount_fen for c in postal.item_charges(item)) == fen


def test_printed_matter_with_its_serial_goes_at_the_printed_rate_without_as_a_letter(
        counter, tenant):
    with_serial = take(counter, tenant, "printed", 250, serial="CN31-1234/F")
    assert (with_serial.kind, with_serial.amount_fen, with_serial.serial) == (
        "printed", 120 + 2 * 40, "CN31-1234/F")
    without = take(counter, tenant, "printed", 250)
    # 250 g as a letter out of town: the first 20 g and 12 further 20 g begun
    assert (without.kind, without.amount_fen, without.serial) == ("letter", 13 * 120, None)
    assert take(counter, tenant, "printed", 5000, serial="ISBN 978-7-02-000220-7").amount_fen \
        == 120 + 49 * 40
    with pytest.raises(InvalidInput):  # a letter's 2 kg limit, once it goes as a letter
        take(counter, tenant, "printed", 2500)


@pytest.mark.parametrize("kind,weight", [
    ("letter", 0), ("letter", 2001), ("registered", 2001), ("parcel", 40001),
    ("printed", 5001), ("letter", "1,5"), ("letter", "-3"), ("letter", "１０"),
    ("letter", "1.5"), ("letter", True), ("letter", ""), ("postcard", 10),
])
def test_a_weight_outside_the_kinds_limit_or_not_whole_grams_is_refused(
        counter, tenant, kind, weight):
    before = (PostalItem.select().count(), Charge.select().count(), Audit.select().count())
    with pytest.raises(InvalidInput):
        take(counter, tenant, kind, weight, serial="CN31-1234/F")
    assert (PostalItem.select().count(), Charge.select().count(),
            Audit.select().count()) == before


def test_each_price_part_is_its_own_ledger_line_paid_or_signed_for(counter, tenant):
    paid = take(counter, tenant, "registered", 45, method="wechat")
    lines = postal.item_charges(paid)
    assert [(c.item.code, c.quantity_milli, c.amount_fen, c.source_id) for c in lines] == [
        ("postal_letter_20g", 1000, 120, f"{paid.id}:postage"),
        ("postal_letter_extra_20g", 2000, 240, f"{paid.id}:extra"),
        ("postal_registered", 1000, 300, f"{paid.id}:registered")]
    assert {(c.settle, c.paid_method, c.source) for c in lines} == {("paid", "wechat",
                                                                     "postal")}
    assert paid.charge_id == lines[0].id
    signed = take(counter, tenant, "parcel", 3200, paid=False, signed_by="刘洋")
    line = postal.item_charges(signed)[0]
    assert (line.settle, line.signed_by, line.amount_fen, line.month) == (
        "monthly", "刘洋", 4 * 800, "2026-11")
    assert postal.item_json(counter, signed)["amount"] == "32.00"


def test_the_monthly_account_needs_an_authorised_signatory_and_nothing_is_half_written(
        counter, tenant):
    before = (PostalItem.select().count(), Charge.select().count(), Audit.select().count())
    for signer in (None, "陈静"):
        with pytest.raises(InvalidInput):
            take(counter, tenant, "registered", 45, paid=False, signed_by=signer)
    with pytest.raises(InvalidInput):  # paid now and signed for: one or the other
        take(counter, tenant, paid=True, signed_by="刘洋")
    assert (PostalItem.select().count(), Charge.select().count(),
            Audit.select().count()) == before


# the building's calendar (chinese-calendar): National Day 1–7 Oct 2026, Sun 20 Sep and
# Sat 10 Oct make-up working days; Spring Festival 15–23 Feb, Sat 14 and 28 Feb worked
@pytest.mark.parametrize("moment,open_", [
    ((2026, 10, 1, 10), False), ((2026, 10, 7, 10), False),  # National Day
    ((2026, 10, 8, 10), True),  # Thursday, the first day back
    ((2026, 10, 10, 10), True),  # Saturday 10 Oct: a make-up working day
    ((2026, 10, 11, 10), False),  # the Sunday after it
    ((2026, 11, 28, 10), False), ((2026, 11, 29, 10), False),  # an ordinary weekend
    ((2026, 9, 20, 10), True),  # Sunday 20 Sep: a make-up working day
    ((2026, 2, 16, 10), False), ((2026, 2, 28, 10), True),  # Spring Festival; made up
])
def test_closed_on_public_holidays_and_rest_days(desk, counter, tenant, clock, moment, open_):
    clock.set(pendulum.datetime(*moment, tz=TZ))
    if open_:
        assert take(counter, tenant).amount_fen == 120
    else:
        with pytest.raises(InvalidInput) as closed:
            take(counter, tenant)
        assert closed.value.key == "error.postal_closed"
        assert PostalItem.select().count() == 0


def test_only_the_desk_and_managers_take_post(desk, tenant):
    for role in ("finance", "security", "engineering"):
        with pytest.raises(NotAllowed):
            take(as_role(desk, role), tenant)
    assert take(as_role(desk, "gm", "boss"), tenant).accepted_by == "boss"


def test_the_days_dispatch_list_takes_each_item_once_on_both_parts(counter, tenant, clock):
    clock.set(pendulum.datetime(2026, 11, 25, 16, 0, tz=TZ))
    yesterday = take(counter, tenant, "letter", 10)
    clock.set(pendulum.datetime(2026, 11, 26, 9, 0, tz=TZ))
    a = take(counter, tenant, "registered", 45, destination="北京")
    b = take(counter, tenant, "parcel", 1500, destination="广州")
    made = postal.dispatch(counter)
    assert (made.number, made.day.isoformat()) == ("YJ20261126-01", "2026-11-26")
    assert [i.id for i in postal.dispatch_items(made)] == [a.id, b.id]
    with pytest.raises(InvalidInput) as nothing:
        postal.dispatch(counter)
    assert nothing.value.key == "error.postal_nothing_to_dispatch"
    late = take(counter, tenant, "letter_local", 15, destination="浦东")
    assert [i.id for i in postal.dispatch_items(postal.dispatch(counter))] == [late.id]
    old = postal.dispatch(counter, "2026-11-25")
    assert (old.number, [i.id for i in postal.dispatch_items(old)]) == (
        "YJ20261125-01", [yesterday.id])
    doc = postal.dispatch_json(counter, made)
    assert (doc["count"], doc["total"]) == (2, "22.60")  # 6.60 + 16.00


def test_the_dispatch_list_prints_in_two_parts_in_chinese(counter, tenant):
    from deskapp import i18n

    take(counter, tenant, "registered", 45, destination="北京")
    take(counter, tenant, "parcel", 1500, destination="广州")
    made = postal.dispatch(counter)
    i18n.set_language("zh")
    text = postal.dispatch_text(counter, made)
    first, kept = text.split("第二联 存根")
    assert "第一联 交邮局" in first
    for part in (first, kept):
        assert "1  挂号信  45  北京  星辰科技  6.60" in part
        assert "2  包裹  1500  广州  星辰科技  16.00" in part
        assert "共 2 件，合计 22.60 元" in part
    assert PostalDispatch.select().count() == 1


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


def test_postal_on_the_command_line(cli, office, tmp_path):
    added = cli("--db", office, "postal", "add", "--tenant", "Acme", "--kind", "registered",
                "--weight", "45", "--to", "北京", "--paid", "--method", "wechat", "--json")
    assert added.code == 0, added.err
    assert (added.json["amount"], added.json["settle"], added.json["paid_method"]) == (
        "6.60", "paid", "wechat")
    printed = cli("--db", office, "postal", "add", "--tenant", "Acme", "--kind", "printed",
                  "--weight", "250", "--to", "上海", "--paid", "--json").json
    assert (printed["kind"], printed["amount"]) == ("letter", "15.60")
    out = tmp_path / "list.txt"
    listed = cli("--db", office, "postal", "dispatch", "--out", out, "--json")
    assert listed.code == 0 and listed.json["number"] == "YJ20261126-01"
    assert listed.json["total"] == "22.20"
    written = out.read_text(encoding="utf-8")
    assert written.count("22.20") == 2 and "Part 2" in written
    again = cli("--db", office, "postal", "dispatch")
    assert again.code == 2 and "no item" in again.err


@pytest.mark.parametrize("extra,message", [
    (("--weight", "1,5"), "whole number"), (("--weight", "-3"), "from 1 to 2000"),
    (("--weight", "１０"), "whole number"), (("--weight", "2001"), "from 1 to 2000"),
    (("--to", "\x1b]0;pwned\x07"), "control"), (("--to", "\u202e北京"), "control"),
    (("--signed-by", "Nobody"), "could not sign"),
    (("--paid", "--signed-by", "John Chen"), "either paid"),
    (("--tenant", "Nobody Ltd"), "no tenant"),
])
def test_bad_postal_input_exits_2_and_writes_nothing(cli, office, extra, message):
    base = {"--tenant": "Acme", "--kind": "letter", "--weight": "20", "--to": "北京"}
    args = list(extra)
    for name, value in base.items():
        if name not in args:
            args += [name, value]
    result = cli("--db", office, "postal", "add", *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err
    assert cli("--db", office, "ledger", "--month", "2026-11", "--json").json["lines"] == []


def test_the_agency_is_closed_on_national_day_on_the_command_line(cli, office):
    holiday = FrozenClock(pendulum.datetime(2026, 10, 2, 10, 0, tz=TZ))
    result = cli("--db", office, "postal", "add", "--tenant", "Acme", "--kind", "letter",
                 "--weight", "20", "--to", "北京", "--paid", frozen=holiday)
    assert result.code == 2 and "closed on 2026-10-02" in result.err


POSTAL_ARGV = st.one_of(
    joined(st.just(["postal", "add"]), option("--tenant", mostly(["Acme Trading Ltd"]),
                                              required=True),
           option("--kind", mostly(["letter", "parcel", "printed"]), required=True),
           option("--weight", st.one_of(st.sampled_from(["20", "1,5", "-3", "１０", "0",
                                                         "40001", "1e3"]), texts),
                  required=True),
           option("--to", mostly(["北京"]), required=True), flag("--paid"),
           option("--method", mostly(["cash", "card"])),
           option("--signed-by", mostly(["John Chen"])), option("--serial", texts),
           flag("--json")),
    joined(st.just(["postal", "dispatch"]),
           option("--day", mostly(["2026-11-26", "2026-11-27", "2026-02-30"])),
           flag("--json")))


@pytest.fixture
def post_office(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    "Acme Trading Ltd,8F-805,John Chen,1380000,100.00,1,2026-01-01,"
                    "2027-12-31\n", encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    return prepared


@EXAMPLES
@given(argv=POSTAL_ARGV)
def test_postal_commands_with_anything(post_office, argv):
    check(post_office, argv)
