"""Temporary parking (R-7.6): plates as security types them, the fee under the tariff in
force when the car left (15 free minutes, ¥15 per hour begun, ¥60 per 24 hours), stored
with the visit; shift takings handed to finance once. Clock: Thu 2026-11-26 14:00
building time."""

from __future__ import annotations

import datetime as dt
import json

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.models import Audit, Charge, MonthClose, ParkingHandover, ParkingVisit
from deskapp.services import parking, prices
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.settings import set_setting

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import EXAMPLES, check, flag, joined, mostly, option, texts
from .test_properties import prepared  # noqa: F401 - fixture


def at(text: str) -> pendulum.DateTime:
    return pendulum.parse(text, tz=TZ)


@pytest.fixture
def guard(desk):
    return as_role(desk, "security", "baoan")


# --- plates -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,stored", [
    ("沪A12345", "沪A12345"), ("沪a·12345", "沪A12345"), ("沪A 12345", "沪A12345"),
    (" 京b 8z9k2 ", "京B8Z9K2"), ("粤BD12345", "粤BD12345"),  # new energy: 6 after the letter
])
def test_a_plate_is_stored_upper_case_without_its_separators(typed, stored):
    assert parking.plate_of(typed) == stored


@pytest.mark.parametrize("typed", [
    "沪I12345", "沪A1234O", "沪AO2345",  # I and O are not used on plates
    "沪Ａ12345", "沪A１２３４５",  # full-width letters and digits: refused, not guessed
    "AB12345", "沪A1234", "沪A1234567", "沪Aß345", "[red]沪A12345", "沪A12345;", "",
])
def test_what_is_not_a_plate_is_refused_with_the_rule(guard, typed):
    with pytest.raises(InvalidInput) as refused:
        parking.enter(guard, typed)
    assert refused.value.key in ("error.parking_bad_plate", "error.required")
    if typed:
        assert "no I or O" in refused.value.message()
    assert ParkingVisit.select().count() == 0


def test_a_plate_with_an_escape_sequence_is_refused_as_control_characters(guard):
    with pytest.raises(InvalidInput) as refused:
        parking.enter(guard, "\x1b[2J沪A12345")
    assert refused.value.key == "error.control_chars"


# --- the fee ------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes,fen", [
    (0, 0), (15, 0),  # within the free minutes
    (16, 1500),  # past them: the whole first hour, the free minutes are no discount
    (60, 1500), (61, 3000), (121, 4500),  # 2 h 01 = three hours begun
    (4 * 60, 6000), (5 * 60, 6000),  # ¥75 capped at ¥60 a day
    (24 * 60, 6000), (24 * 60 + 10, 6000 + 1500),  # a new day: its hours begun count again
    (26 * 60, 6000 + 3000), (48 * 60 + 1, 2 * 6000 + 1500), (53 * 60, 3 * 6000),
])
def test_the_fee_by_minutes_parked(desk, minutes, fen):
    left = at("2026-11-26T13:00")
    assert parking.fee_fen(desk, left.subtract(minutes=minutes), left) == fen


def test_a_started_minute_is_not_charged(desk):
    left = at("2026-11-26T13:00")
    assert parking.fee_fen(desk, left.subtract(minutes=15, seconds=59), left) == 0
    assert parking.fee_fen(desk, left.subtract(minutes=16), left) == 1500


def test_in_and_out_at_the_gate_with_the_tariff_kept_on_the_visit(guard):
    parking.enter(guard, "沪a·12345", at("2026-11-26T11:58"))
    assert [v.plate for v in parking.inside(guard)] == ["沪A12345"]
    visit = parking.leave(guard, "沪A 12345", method="wechat")  # 14:00: 122 minutes
    assert (visit.minutes, visit.amount_fen, visit.method) == (122, 4500, "wechat")
    assert json.loads(visit.tariff) == {"free_minutes": 15, "hour_fen": 1500,
                                        "daily_cap_fen": 6000}
    assert parking.inside(guard) == []
    doc = parking.visit_json(guard, visit)
    assert (doc["amount"], doc["entered_at"], doc["left_at"]) == (
        "45.00", "2026-11-26T11:58:00+08:00", "2026-11-26T14:00:00+08:00")
    assert [a.action for a in Audit.select().order_by(Audit.id)][-2:] == [
        "parking.enter", "parking.leave"]
    assert Charge.select().count() == 0  # a visitor's cash, not a tenant's account


def test_across_midnight_the_stay_counts_on_from_the_entry(guard):
    parking.enter(guard, "沪B55555", at("2026-11-25T23:30"))
    visit = parking.leave(guard, "沪B55555", at("2026-11-26T01:10"))
    assert (visit.minutes, visit.amount_fen) == (100, 3000)  # two hours begun, one day


def test_the_tariff_in_force_when_it_left_applies_and_a_later_change_rewrites_nothing(
        desk, guard, clock):
    prices.set_price(desk, "parking_hour", 2000, "2026-12-01", reason="临时停车调价")
    clock.set(pendulum.datetime(2026, 12, 1, 9, 0, tz=TZ))
    parking.enter(guard, "沪C11111", at("2026-11-30T22:00"))
    parking.enter(guard, "沪C22222", at("2026-11-30T23:00"))
    before = parking.leave(guard, "沪C11111", at("2026-11-30T23:50"))  # still November
    after = parking.leave(guard, "沪C22222", at("2026-12-01T00:30"))  # in under December's
    assert (before.minutes, before.amount_fen) == (110, 2 * 1500)
    assert (after.minutes, after.amount_fen) == (90, 2 * 2000)
    assert json.loads(after.tariff)["hour_fen"] == 2000
    set_setting(desk, "parking_daily_cap_fen", "5000")
    set_setting(desk, "parking_free_minutes", "30")
    kept = ParkingVisit.get_by_id(after.id)
    assert (kept.amount_fen, json.loads(kept.tariff)) == (4000, {
        "free_minutes": 15, "hour_fen": 2000, "daily_cap_fen": 6000})
    assert parking.tariff_json(desk) == {"free_minutes": 30, "hour": "20.00",
                                         "daily_cap": "50.00", "hour_from": "2026-12-01",
                                         "day": "2026-12-01"}


def test_a_car_inside_cannot_come_in_again_nor_leave_twice(guard):
    parking.enter(guard, "沪D33333", at("2026-11-26T10:00"))
    with pytest.raises(Conflict):
        parking.enter(guard, "沪d·33333")
    parking.leave(guard, "沪D33333")
    with pytest.raises(InvalidInput) as twice:
        parking.leave(guard, "沪D33333")
    assert twice.value.key == "error.parking_not_inside"
    assert parking.enter(guard, "沪D33333").left_at is None  # back again later: a new visit
    assert ParkingVisit.select().count() == 2


def test_out_before_in_in_the_future_or_into_a_closed_month_is_refused(guard, clock):
    parking.enter(guard, "沪E44444", at("2026-11-26T10:00"))
    for moment in (at("2026-11-26T09:59"), at("2026-11-26T14:05")):
        with pytest.raises(InvalidInput):
            parking.leave(guard, "沪E44444", moment)
    with pytest.raises(InvalidInput):
        parking.leave(guard, "沪E44444", method="cheque")  # not a way to pay at the gate
    MonthClose.create(month="2026-11", closed_at=clock.now(), closed_by="finance",
                      figures="{}")
    with pytest.raises(InvalidInput) as closed:
        parking.leave(guard, "沪E44444")
    assert closed.value.key == "error.month_closed"
    assert ParkingVisit.get().left_at is None


def test_only_security_and_the_manager_work_the_gate(desk):
    for role in ("desk", "finance", "engineering", "gm"):
        with pytest.raises(NotAllowed):
            parking.enter(as_role(desk, role), "沪A12345")
    assert parking.enter(desk, "沪A12345").entered_by == "wangfang"  # the manager


# --- takings ------------------------------------------------------------------------------

def _shift(guard, plates_minutes):
    for plate, minutes in plates_minutes:
        parking.enter(guard, plate, at("2026-11-26T14:00").subtract(minutes=minutes))
        parking.leave(guard, plate)


def test_a_shift_hands_over_its_own_takings_numbered_by_day(desk, guard):
    other = as_role(desk, "security", "laoli")
    _shift(guard, [("沪A10001", 16), ("沪A10002", 121), ("沪A10003", 10)])
    _shift(other, [("沪A20001", 300)])
    first = parking.hand_over(guard)
    assert (first.number, first.count, first.total_fen) == ("TC20261126-01", 3, 1500 + 4500)
    with pytest.raises(InvalidInput) as nothing:
        parking.hand_over(guard)
    assert nothing.value.key == "error.parking_nothing_to_hand_over"
    second = parking.hand_over(other)
    assert (second.number, second.count, second.total_fen) == ("TC20261126-02", 1, 6000)
    assert parking.handover_json(desk, first)["by_method"] == {"cash": "60.00"}


def test_finance_receives_a_handover_once_and_never_its_own(desk, guard, clock):
    _shift(guard, [("沪A10001", 16)])
    handover = parking.hand_over(guard)
    with pytest.raises(NotAllowed):
        parking.receive(guard, handover.number)  # security hands over, does not receive
    finance = as_role(desk, "finance", "zhangkuaiji")
    received = parking.receive(finance, handover.number)
    assert (received.received_by, received.received_at) == ("zhangkuaiji", clock.now())
    with pytest.raises(Conflict):
        parking.receive(finance, handover.number)
    assert Audit.select().where(Audit.action == "parking.receive").count() == 1
    with pytest.raises(InvalidInput):
        parking.receive(finance, "TC20261126-99")


def test_the_manager_may_not_receive_a_handover_the_manager_made(desk):
    _shift(desk, [("沪A10001", 30)])
    handover = parking.hand_over(desk)
    with pytest.raises(NotAllowed) as own:
        parking.receive(desk, handover.number)
    assert own.value.key == "error.parking_receive_own"


def test_a_handover_of_a_closed_month_is_not_received(desk, guard, clock):
    _shift(guard, [("沪A10001", 30)])
    handover = parking.hand_over(guard)
    MonthClose.create(month="2026-11", closed_at=clock.now(), closed_by="finance",
                      figures="{}")
    clock.set(pendulum.datetime(2026, 12, 1, 9, 0, tz=TZ))
    with pytest.raises(InvalidInput) as closed:
        parking.receive(as_role(desk, "finance", "zhangkuaiji"), handover.number)
    assert closed.value.key == "error.month_closed"
    assert ParkingHandover.get().received_at is None


def test_a_parking_space_rental_is_charged_under_a_parking_item(desk):
    """Monthly and quarterly spaces are billed from the bookings' ledger lines, whose item
    is parking-coded: billing puts them on the notice as parking."""
    from deskapp.services import bookings as bk
    from deskapp.services.passes import add_insurance
    from deskapp.services.rental_charges import Settlement
    from deskapp.services.tenants import TenantData, add_signatory, add_tenant

    tenant = add_tenant(desk, TenantData(name="Acme", units=("8F-805",)), status="active")
    add_signatory(desk, tenant.id, "Ann Lee", dt.date(2026, 10, 1))
    bk.add_resource(desk, "B1-017", "parking_space", price_item="parking_quarter")
    add_insurance(desk, "沪A12345", "平安保险", "PA-1", "2026-11-01", "2027-10-31")
    bk.rent_parking(desk, "B1-017", "2027Q1", "沪A12345", "Acme",
                    settle=Settlement(signed_by="Ann Lee"))
    line = Charge.get()
    assert line.item.code.startswith("parking_")
    assert (line.item.code, line.amount_fen, line.settle) == ("parking_quarter", 216000,
                                                              "monthly")


# --- the command line ---------------------------------------------------------------------

@pytest.fixture
def gate(cli, url, env):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    for login, role in (("baoan", "security"), ("zhangkuaiji", "finance"), ("xiaoli", "desk")):
        assert cli("--db", url, "staff", "add", login, "--name", login, "--role",
                   role).code == 0
    env.setenv("DESKAPP_USER", "baoan")
    return url


def test_parking_on_the_command_line(cli, gate, env):
    came = cli("--db", gate, "parking", "in", "沪a·12345", "--at", "2026-11-26T11:58",
               "--json")
    assert came.code == 0, came.err
    assert cli("--db", gate, "parking", "inside", "--json").json[0]["plate"] == "沪A12345"
    out = cli("--db", gate, "parking", "out", "沪A12345", "--method", "alipay", "--json").json
    assert (out["minutes"], out["amount"], out["method"]) == (122, "45.00", "alipay")
    assert out["tariff"] == {"free_minutes": 15, "hour": "15.00", "daily_cap": "60.00"}
    assert "no car" in cli("--db", gate, "parking", "inside").out
    tariff = cli("--db", gate, "parking", "tariff", "--json").json
    assert (tariff["hour"], tariff["daily_cap"]) == ("15.00", "60.00")
    handed = cli("--db", gate, "parking", "handover", "--json").json
    assert (handed["number"], handed["count"], handed["total"]) == ("TC20261126-01", 1, "45.00")
    assert cli("--db", gate, "parking", "receive", "TC20261126-01").code == 4  # security
    env.setenv("DESKAPP_USER", "zhangkuaiji")
    got = cli("--db", gate, "parking", "receive", "TC20261126-01", "--json")
    assert got.code == 0 and got.json["received_by"] == "zhangkuaiji"
    assert cli("--db", gate, "parking", "receive", "TC20261126-01").code == 3


def test_the_desk_cannot_work_the_gate_and_bad_plates_exit_2(cli, gate, env):
    assert cli("--db", gate, "parking", "in", "沪A12345", "--json").code == 0
    again = cli("--db", gate, "parking", "in", "沪A12345")
    assert again.code == 3 and "already inside" in again.err
    bad = cli("--db", gate, "parking", "in", "沪I12345")
    assert bad.code == 2 and "no I or O" in bad.err and "Traceback" not in bad.err
    assert cli("--db", gate, "parking", "out", "沪A12345", "--at", "now").code == 2
    env.setenv("DESKAPP_USER", "xiaoli")
    refused = cli("--db", gate, "parking", "out", "沪A12345")
    assert refused.code == 4
    assert cli("--db", gate, "parking", "inside", "--json").json[0]["left_at"] is None


plates = st.one_of(st.sampled_from(["沪A12345", "沪a·12345", "粤BD12345", "沪I12345",
                                    "沪Ａ12345", "沪A１２３４５", "[red]沪A1[/red]",
                                    "\x1b[2J沪A12345", "沪A\u202e12345"]), texts)
moments = mostly(["2026-11-26T13:00", "2026-11-26T13:59", "2027-01-01T10:00", "now",
                  "2026-11-26T14:00+08:00"])
PARKING_ARGV = st.one_of(
    joined(st.just(["parking"]), st.sampled_from([["in"], ["out"]]), plates.map(lambda v: [v]),
           option("--at", moments), flag("--json")),
    joined(st.just(["parking", "out"]), plates.map(lambda v: [v]),
           option("--method", mostly(["cash", "wechat"]))),
    joined(st.just(["parking"]), st.sampled_from([["inside"], ["handover"], ["tariff"]]),
           flag("--json")),
    joined(st.just(["parking", "receive"]), mostly(["TC20261126-01"]).map(lambda v: [v]),
           flag("--json")))


@pytest.fixture
def parked(prepared):  # noqa: F811
    assert prepared(["parking", "in", "沪B88888", "--at", "2026-11-26T12:00"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=PARKING_ARGV)
def test_parking_commands_with_anything(parked, argv):
    check(parked, argv)


def test_two_gates_recording_the_same_car_in_leave_one_visit_open(guard):
    """The database keeps one open visit per plate even past the service's own check
    (two sessions at once): the second is a conflict, not a second car."""
    from peewee import IntegrityError

    parking.enter(guard, "沪F66666", at("2026-11-26T10:00"))
    with pytest.raises(IntegrityError):
        with guard.db.atomic():
            ParkingVisit.create(plate="沪F66666", entered_at=at("2026-11-26T10:01"),
                                entered_by="laoli")
    assert ParkingVisit.select().where(ParkingVisit.left_at.is_null()).count() == 1
