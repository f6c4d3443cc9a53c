"""A rental becomes a charge at the published price in force on its day, paid now or
on the monthly account signed for by an authorised signatory (issue 8 item 10; R-4.2,
R-6.3, R-7.7); a rental booked without that waits to be settled."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from deskapp.models import Booking, Charge
from deskapp.services import bookings as bk
from deskapp.services.errors import Conflict, InvalidInput
from deskapp.services.passes import add_insurance
from deskapp.services.prices import set_price
from deskapp.services.rental_charges import Settlement, settle_rental, to_settle
from deskapp.services.tenants import TenantData, add_signatory, add_tenant

from .conftest import TZ
from .test_cli import cli, env, url  # noqa: F401 - fixtures


def at(text: str) -> pendulum.DateTime:
    return pendulum.parse(text, tz=TZ)


@pytest.fixture
def acme(desk):
    tenant = add_tenant(desk, TenantData(name="Acme", units=("8F-805",)), status="active")
    add_signatory(desk, tenant.id, "Ann Lee", dt.date(2026, 10, 1))
    bk.add_resource(desk, "会议室 A", "meeting_room", capacity=12, price_item="room_large_hour")
    bk.add_resource(desk, "告示牌 1F", "notice_board", price_item="notice_board_day")
    bk.add_resource(desk, "B1-017", "parking_space", price_item="parking_month")
    return tenant


def test_a_rental_signed_for_goes_on_the_monthly_account_at_the_list_price(desk, acme):
    # 90 minutes of the large room at 300.00 an hour: 450.00 on Acme's monthly account
    made = bk.add_booking(desk, "会议室 A", at("2026-11-27T14:00"), at("2026-11-27T15:30"),
                          tenant="Acme", settle=Settlement(signed_by="Ann Lee")).bookings[0]
    charge = Charge.get(Charge.source_id == str(made.id))
    assert (charge.settle, charge.amount_fen, charge.signed_by) == ("monthly", 45_000, "Ann Lee")
    assert charge.service_date == dt.date(2026, 11, 27)
    assert bk.booking_json(desk, made)["charge"] == charge.id


def test_someone_not_authorised_cannot_sign_and_nothing_is_booked(desk, acme):
    with pytest.raises((InvalidInput, Conflict)):
        bk.add_booking(desk, "会议室 A", at("2026-11-27T14:00"), at("2026-11-27T15:00"),
                       tenant="Acme", settle=Settlement(signed_by="A Stranger"))
    assert Booking.select().count() == 0 and Charge.select().count() == 0


def test_a_rental_booked_without_settling_waits_then_is_settled_once(desk, acme):
    made = bk.add_booking(desk, "会议室 A", at("2026-11-27T09:00"), at("2026-11-27T10:00"),
                          tenant="Acme").bookings[0]
    assert Charge.select().count() == 0 and [b.id for b in to_settle()] == [made.id]
    charge = settle_rental(desk, made.id, paid=True, method="wechat")
    assert (charge.settle, charge.amount_fen, charge.paid_method) == ("paid", 30_000, "wechat")
    assert to_settle() == []
    with pytest.raises(Conflict):
        settle_rental(desk, made.id, paid=True)


def test_the_price_in_force_on_the_day_of_use_is_charged(desk, acme):
    """A change announced on 26 Nov for 1 Jan 2027: a rental on 31 Dec pays the old price,
    one on 2 Jan the new one."""
    set_price(desk, "room_large_hour", 36_000, dt.date(2027, 1, 1), reason="年度调价")
    old = bk.add_booking(desk, "会议室 A", at("2026-12-31T10:00"), at("2026-12-31T11:00"),
                         tenant="Acme", settle=Settlement(paid=True)).bookings[0]
    new = bk.add_booking(desk, "会议室 A", at("2027-01-02T10:00"), at("2027-01-02T11:00"),
                         tenant="Acme", settle=Settlement(paid=True)).bookings[0]
    amounts = {c.source_id: c.amount_fen for c in Charge.select()}
    assert amounts == {str(old.id): 30_000, str(new.id): 36_000}


def test_a_notice_board_is_charged_by_the_day_and_a_borrowing_is_free(desk, acme):
    board = bk.add_booking(desk, "告示牌 1F", at("2026-11-28T08:00"), at("2026-11-29T22:00"),
                           tenant="Acme", settle=Settlement(paid=True)).bookings[0]
    assert Charge.get(Charge.source_id == str(board.id)).amount_fen == 2 * 5_000
    bk.add_booking(desk, "会议室 A", at("2026-11-30T10:00"), at("2026-11-30T11:00"),
                   tenant="Acme", borrow=True, settle=Settlement(paid=True))
    assert Charge.select().count() == 1


def test_a_months_parking_is_one_month_at_the_parking_price(desk, acme):
    add_insurance(desk, "沪A12345", "平安保险", "PA-1", "2026-11-01", "2027-10-31")
    made = bk.rent_parking(desk, "B1-017", "2026-12", "沪A12345", "Acme",
                           settle=Settlement(signed_by="Ann Lee")).bookings[0]
    assert Charge.get(Charge.source_id == str(made.id)).amount_fen == 80_000


def test_settling_on_the_command_line(cli, url, desk, acme):  # noqa: F811
    made = cli("--db", url, "booking", "add", "--resource", "会议室 A",
               "--from", "2026-11-27T14:00", "--to", "2026-11-27T15:00", "--tenant", "Acme",
               "--json")
    assert made.code == 0 and made.json["charge"] is None
    listed = cli("--db", url, "booking", "unsettled", "--json")
    assert [b["id"] for b in listed.json] == [made.json["id"]]
    both = cli("--db", url, "booking", "settle", str(made.json["id"]), "--paid",
               "--signed-by", "Ann Lee")
    assert both.code == 2 and "--paid" in both.err
    done = cli("--db", url, "booking", "settle", str(made.json["id"]), "--signed-by", "Ann Lee",
               "--json")
    assert done.code == 0 and done.json["amount"] == "300.00"
    again = cli("--db", url, "booking", "settle", str(made.json["id"]), "--paid")
    assert again.code == 3 and "settled already" in again.err


def test_cancelling_a_charged_rental_says_its_charge_stays_for_finance(cli, url, desk, acme):  # noqa: F811
    made = cli("--db", url, "booking", "add", "--resource", "会议室 A",
               "--from", "2026-11-27T14:00", "--to", "2026-11-27T15:00", "--tenant", "Acme",
               "--paid", "--json")
    charge = made.json["charge"]
    assert charge is not None
    cancelled = cli("--db", url, "booking", "cancel", str(made.json["id"]), "--reason", "改期")
    assert cancelled.code == 0 and f"#{charge}" in cancelled.out and "finance" in cancelled.out
    assert Charge.get_by_id(charge).amount_fen == 30_000      # not reversed by the desk
