"""Bookings (SPEC R-6.3, §9; issue 8 items 1–4, 6): resources, the clash rule and its
buffer, who keeps a slot, borrowings and the GM, series, parking rentals — on SQLite,
and on PostgreSQL when DESKAPP_TEST_DATABASE_URL is set."""

from __future__ import annotations

import json

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.clock import FrozenClock
from deskapp.db import is_sqlite
from deskapp.models import Audit, Booking, Resource, Target, Ticket
from deskapp.services import bookings as bk
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.passes import add_insurance
from deskapp.services.tenants import TenantData, add_tenant

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import EXAMPLES, check, flag, joined, moments, mostly, numbers, option, \
    prepared, texts  # noqa: F401

ROOM = "3F会议室"


def at(text: str) -> pendulum.DateTime:
    return pendulum.parse(text, tz=TZ)


@pytest.fixture
def room(desk):
    return bk.add_resource(desk, ROOM, "meeting_room", capacity=12, buffer_minutes=15)


@pytest.fixture
def acme(desk):
    add_tenant(desk, TenantData(name="华辰科技", units=("12F-1201",)), status="active")
    add_tenant(desk, TenantData(name="星辰科技", units=("8F-805",)), status="active")
    return "华辰科技"


def book(desk, start, end, resource=ROOM, **kw):
    return bk.add_booking(desk, resource, start, end, **kw)


# --- resources ------------------------------------------------------------------------

def test_a_resource_is_added_by_the_manager_and_listed(desk):
    row = bk.add_resource(desk, "B1-017", "parking_space", size="2.5 m × 5 m",
                          price_item="parking_month", opens="00:00", closes="24:00")
    assert bk.resource_json(row)["name"] == "B1-017"
    assert [r.name for r in bk.list_resources()] == ["B1-017"]
    assert Audit.select().where(Audit.action == "resource.add").count() == 1
    bk.set_resource_active(desk, "B1-017", False)
    assert bk.list_resources() == []
    with pytest.raises(InvalidInput):
        bk.add_resource(desk, "X", "meeting_room", opens="22:00", closes="08:00")


def test_the_desk_may_not_add_a_resource(desk):
    with pytest.raises(NotAllowed):
        bk.add_resource(as_role(desk, "desk"), ROOM, "meeting_room")
    assert Resource.select().count() == 0


def test_a_resource_name_is_taken_once(desk, room):
    with pytest.raises(Conflict):
        bk.add_resource(desk, ROOM, "reception_room")


# --- the clash rule ---------------------------------------------------------------------

def test_back_to_back_is_fine_and_an_overlap_is_refused_naming_the_booking(desk, acme):
    bk.add_resource(desk, "5F接待室", "reception_room")
    first = book(desk, at("2026-12-01T09:00"), at("2026-12-01T10:00"), "5F接待室",
                 tenant=acme).bookings[0]
    book(desk, at("2026-12-01T10:00"), at("2026-12-01T11:00"), "5F接待室")  # back to back
    with pytest.raises(Conflict) as refused:
        book(desk, at("2026-12-01T09:30"), at("2026-12-01T09:45"), "5F接待室")
    message = refused.value.message()
    assert f"#{first.id}" in message and "华辰科技" in message and "09:00" in message
    assert Booking.select().count() == 2


def test_the_buffer_widens_the_window(desk, room):
    book(desk, at("2026-12-01T09:00"), at("2026-12-01T10:00"))
    with pytest.raises(Conflict):  # 10:10 is inside the 15-minute cleaning
        book(desk, at("2026-12-01T10:10"), at("2026-12-01T11:00"))
    second = book(desk, at("2026-12-01T10:15"), at("2026-12-01T11:00")).bookings[0]
    assert second.state == "confirmed"
    with pytest.raises(Conflict):  # and before: 08:00–08:50 + 15 reaches 09:05
        book(desk, at("2026-12-01T08:00"), at("2026-12-01T08:50"))
    book(desk, at("2026-12-01T08:00"), at("2026-12-01T08:45"))


def test_a_cancelled_booking_frees_its_slot(desk, room):
    made = book(desk, at("2026-12-01T09:00"), at("2026-12-01T10:00")).bookings[0]
    with pytest.raises(InvalidInput):
        bk.cancel_booking(desk, made.id, " ")
    cancelled = bk.cancel_booking(desk, made.id, "meeting moved")
    assert cancelled.state == "cancelled" and cancelled.reason == "meeting moved"
    assert book(desk, at("2026-12-01T09:00"), at("2026-12-01T10:00")).bookings
    with pytest.raises(Conflict):
        bk.cancel_booking(desk, made.id, "again")


# --- rentals, borrowings and the general manager ------------------------------------------

def test_a_rental_takes_a_pending_borrowings_slot_and_the_desk_is_told(desk, room, acme):
    borrowing = book(desk, at("2026-12-02T14:00"), at("2026-12-02T16:00"), tenant="星辰科技",
                     applicant="刘洋", borrow=True).bookings[0]
    assert borrowing.state == "pending"
    with pytest.raises(Conflict):  # a second borrowing: the earlier application keeps it
        book(desk, at("2026-12-02T15:00"), at("2026-12-02T16:00"), borrow=True)
    outcome = book(desk, at("2026-12-02T15:00"), at("2026-12-02T17:00"), tenant=acme)
    assert outcome.bookings[0].state == "confirmed"
    assert [b.id for b in outcome.bumped] == [borrowing.id]
    assert Booking.get_by_id(borrowing.id).state == "bumped"
    call = Ticket.get(Ticket.service == "booking_bumped")
    assert call.is_open and call.tenant.name == "星辰科技" and "刘洋" in call.note
    done = Target.get(Target.ticket == call.id)
    assert done.due_at == desk.clock.now().add(minutes=30)


def test_only_the_gm_approves_a_borrowing(desk, room):
    borrowing = book(desk, at("2026-12-02T14:00"), at("2026-12-02T16:00"),
                     borrow=True).bookings[0]
    with pytest.raises(NotAllowed):
        bk.approve_borrowing(desk, borrowing.id)  # the manager is not the GM
    gm = as_role(desk, "gm", "zhaozong")
    assert bk.approve_borrowing(gm, borrowing.id).state == "confirmed"
    with pytest.raises(Conflict):  # confirmed now: it holds the slot, even from a rental
        book(desk, at("2026-12-02T15:00"), at("2026-12-02T16:00"))
    with pytest.raises(Conflict):
        bk.approve_borrowing(gm, borrowing.id)


def test_approval_checks_the_slot_again(desk, room):
    borrowing = book(desk, at("2026-12-02T14:00"), at("2026-12-02T16:00"),
                     borrow=True).bookings[0]
    # another session's rental reached the slot (as it would when the buffer changed)
    other = Booking.create(resource=borrowing.resource_id, starts_at=at("2026-12-02T15:00"),
                           ends_at=at("2026-12-02T16:00"), block_until=at("2026-12-02T16:00"),
                           applied_at=desk.clock.now(), applied_by="x")
    with pytest.raises(Conflict) as refused:
        bk.approve_borrowing(as_role(desk, "gm"), borrowing.id)
    assert f"#{other.id}" in refused.value.message()
    assert Booking.get_by_id(borrowing.id).state == "pending"


def test_the_gm_refuses_a_borrowing_with_a_reason(desk, room):
    borrowing = book(desk, at("2026-12-02T14:00"), at("2026-12-02T16:00"),
                     borrow=True).bookings[0]
    gm = as_role(desk, "gm")
    with pytest.raises(InvalidInput):
        bk.refuse_borrowing(gm, borrowing.id, "")
    refused = bk.refuse_borrowing(gm, borrowing.id, "board meeting that day")
    assert refused.state == "cancelled" and refused.decided_by == gm.user


# --- hours, lengths, dates ------------------------------------------------------------------

def test_bookable_hours_lengths_and_order(desk, room):
    for start, end in (("2026-12-01T07:30", "2026-12-01T09:00"),
                       ("2026-12-01T21:00", "2026-12-01T22:30"),
                       ("2026-12-01T10:00", "2026-12-01T09:00"),
                       ("2026-12-01T10:00", "2026-12-01T10:00"),
                       ("2026-12-01T09:00", "2027-01-02T10:00"),
                       ("9999-12-31T09:00", "9999-12-31T10:00")):
        with pytest.raises(InvalidInput):
            book(desk, start, end)
    assert book(desk, "2026-12-01T08:00", "2026-12-01T22:00").bookings
    assert book(desk, "2026-12-02T09:00", "2026-12-31T18:00").bookings  # 29 days is fine
    assert Booking.select().count() == 2


def test_national_day_is_bookable(db):
    """The building is open on public holidays: 1 Oct 2026 books like any day."""
    from deskapp.services import Desk
    from deskapp.services.staff import ensure_first_manager

    desk = Desk.for_login(db, FrozenClock(at("2026-09-20T10:00")), "wangfang")
    ensure_first_manager(desk)
    bk.add_resource(desk, ROOM, "meeting_room")
    made = book(desk, "2026-10-01T10:00", "2026-10-01T12:00").bookings[0]
    assert bk.booking_json(desk, made)["from"] == "2026-10-01T10:00:00+08:00"


def test_json_of_a_booking_is_the_contract(desk, room, acme):
    made = book(desk, "2026-12-01T09:00", "2026-12-01T10:00", tenant=acme).bookings[0]
    document = bk.booking_json(desk, made)
    assert {k: document[k] for k in ("id", "resource", "tenant", "from", "to", "kind",
                                     "state")} == {
        "id": made.id, "resource": ROOM, "tenant": acme, "from": "2026-12-01T09:00:00+08:00",
        "to": "2026-12-01T10:00:00+08:00", "kind": "rental", "state": "confirmed"}
    assert document["blocked_until"] == "2026-12-01T10:15:00+08:00"
    row = Audit.get(Audit.action == "booking.add")
    assert row.entity == "booking" and row.entity_id == str(made.id)


# --- the counter service ---------------------------------------------------------------------

def test_registering_a_meeting_room_is_the_five_minute_counter_service(desk, clock, room):
    ticket_id = bk.start_registration(desk, ROOM)
    clock.advance(minutes=3)
    made = book(desk, "2026-12-01T09:00", "2026-12-01T10:00", ticket_id=ticket_id).bookings[0]
    ticket = Ticket.get_by_id(ticket_id)
    assert made.ticket_id == ticket_id and ticket.service == "meeting_room"
    assert ticket.state == "closed"
    target = Target.get(Target.ticket == ticket_id)
    assert target.due_at == ticket.opened_at.add(minutes=5)
    assert target.met_at == ticket.opened_at.add(minutes=3)
    # without a ticket started, the save opens and finishes one
    book(desk, "2026-12-02T09:00", "2026-12-02T10:00")
    assert Ticket.select().where(Ticket.service == "meeting_room").count() == 2


def test_a_refused_booking_leaves_no_ticket(desk, room):
    book(desk, "2026-12-01T09:00", "2026-12-01T10:00")
    with pytest.raises(Conflict):
        book(desk, "2026-12-01T09:00", "2026-12-01T10:00")
    assert Ticket.select().count() == 1


def test_a_reception_room_is_not_a_counter_ticket(desk):
    bk.add_resource(desk, "1F接待室", "reception_room")
    assert book(desk, "2026-12-01T09:00", "2026-12-01T10:00", "1F接待室").bookings
    assert Ticket.select().count() == 0


# --- series ----------------------------------------------------------------------------------

@pytest.fixture
def september(db):
    from deskapp.services import Desk
    from deskapp.services.staff import ensure_first_manager

    desk = Desk.for_login(db, FrozenClock(at("2026-09-14T10:00")), "wangfang")
    ensure_first_manager(desk)
    bk.add_resource(desk, ROOM, "meeting_room")
    return desk


def test_a_weekly_series_across_national_day_reports_its_clashes(september):
    desk = september
    holder = book(desk, "2026-10-01T10:00", "2026-10-01T11:00").bookings[0]  # Thu 1 Oct
    with pytest.raises(Conflict) as refused:  # every Thursday from 17 Sep, 4 times
        book(desk, "2026-09-17T10:00", "2026-09-17T11:00", repeat_rule="weekly", count=4)
    assert f"#{holder.id}" in refused.value.message() and "2026-10-01" in refused.value.message()
    assert Booking.select().count() == 1  # atomic: nothing of the series booked
    outcome = book(desk, "2026-09-17T10:00", "2026-09-17T11:00", repeat_rule="weekly",
                   count=4, only_free=True)
    days = [bk.booking_json(desk, b)["from"][:10] for b in outcome.bookings]
    assert days == ["2026-09-17", "2026-09-24", "2026-10-08"]
    assert [c.booking.id for c in outcome.skipped] == [holder.id]
    assert {b.series_id for b in outcome.bookings} == {outcome.series.id}


def test_a_daily_series_until_a_day(september):
    outcome = book(september, "2026-09-28T09:00", "2026-09-28T09:30", repeat_rule="daily",
                   until="2026-10-07")
    assert len(outcome.bookings) == 10  # 28 Sep .. 7 Oct, holidays included
    with pytest.raises(InvalidInput):
        book(september, "2026-09-28T12:00", "2026-09-28T13:00", repeat_rule="daily",
             until="2026-09-27")
    with pytest.raises(InvalidInput):
        book(september, "2026-09-28T12:00", "2026-09-28T13:00", repeat_rule="daily",
             until="2026-10-07", count=3)


def test_a_fifty_two_week_series(desk, room):
    outcome = book(desk, "2026-12-03T09:00", "2026-12-03T10:00", repeat_rule="weekly",
                   count=52)
    assert len(outcome.bookings) == 52
    last = bk.booking_json(desk, outcome.bookings[-1])["from"]
    assert last == "2027-11-25T09:00:00+08:00"


# --- parking spaces --------------------------------------------------------------------------

@pytest.fixture
def space(desk, acme):
    bk.add_resource(desk, "B1-017", "parking_space", opens="00:00", closes="24:00")
    return "B1-017"


def test_a_quarter_needs_insurance_to_its_last_day(desk, space, acme):
    add_insurance(desk, "沪A12345", "平安保险", "P-1", "2026-01-01", "2026-12-30")
    with pytest.raises(Conflict) as refused:
        bk.rent_parking(desk, space, "2026Q4", "沪A12345", acme)
    assert "2026-12-30" in refused.value.message()
    with pytest.raises(Conflict):  # no policy at all
        bk.rent_parking(desk, space, "2026Q4", "沪B99999", acme)
    add_insurance(desk, "沪A12345", "平安保险", "P-2", "2026-12-31", "2027-12-30")
    made = bk.rent_parking(desk, space, "2026q4", "沪A·12345", acme).bookings[0]
    document = bk.booking_json(desk, made)
    assert (document["from"], document["to"]) == ("2026-10-01T00:00:00+08:00",
                                                  "2027-01-01T00:00:00+08:00")
    assert (document["plate"], document["period"], document["state"]) == (
        "沪A12345", "2026Q4", "confirmed")
    with pytest.raises(Conflict):  # the space is taken for the quarter
        bk.rent_parking(desk, space, "2026-12", "沪A12345", acme)
    with pytest.raises(InvalidInput):  # parking is by the period, not by the hour
        book(desk, "2026-12-01T09:00", "2026-12-01T10:00", space)


def test_renewal_and_what_expires_within_some_days(desk, space, acme):
    add_insurance(desk, "沪A12345", "平安保险", "P-1", "2026-01-01", "2027-01-15")
    made = bk.rent_parking(desk, space, "2026-12", "沪A12345", acme).bookings[0]
    assert bk.expiring(desk, 30) == []  # today 26 Nov: the rental ends 31 Dec
    soon = bk.expiring(desk, 35)  # through 31 Dec
    assert [r["kind"] for r in soon] == ["parking_rental"]
    assert soon[0]["ends_on"] == "2026-12-31" and soon[0]["id"] == made.id
    assert [r["kind"] for r in bk.expiring(desk, 60)] == ["parking_rental", "insurance"]
    with pytest.raises(Conflict):  # January runs past the policy
        bk.renew_parking(desk, made.id)
    add_insurance(desk, "沪A12345", "平安保险", "P-2", "2027-01-16", "2028-01-15")
    renewed = bk.renew_parking(desk, made.id).bookings[0]
    assert renewed.period == "2027-01" and renewed.plate == "沪A12345"
    assert bk.expiring(desk, 60) == []  # renewed, and insured without a gap


def test_periods():
    assert bk.period_days("2026-02")[:2] == (pendulum.date(2026, 2, 1), pendulum.date(2026, 2, 28))
    assert bk.next_period("2026Q4") == "2027Q1" and bk.next_period("2026-12") == "2027-01"
    for bad in ("2026-13", "2026Q5", "２０２６-01", "26-1"):
        with pytest.raises(InvalidInput):
            bk.period_days(bad)


# --- PostgreSQL guards it itself -------------------------------------------------------------

def test_the_database_refuses_overlapping_confirmed_bookings(desk, room, db):
    if is_sqlite(db):
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite serialises writers")
    from peewee import IntegrityError

    fields = dict(resource=room.id, applied_at=desk.clock.now(), applied_by="x")
    Booking.create(starts_at=at("2026-12-01T09:00"), ends_at=at("2026-12-01T10:00"),
                   block_until=at("2026-12-01T10:15"), **fields)
    Booking.create(starts_at=at("2026-12-01T10:15"), ends_at=at("2026-12-01T11:00"),
                   block_until=at("2026-12-01T11:00"), **fields)  # back to back
    Booking.create(starts_at=at("2026-12-01T09:30"), ends_at=at("2026-12-01T10:00"),
                   block_until=at("2026-12-01T10:00"), state="pending", **fields)
    with pytest.raises(IntegrityError), db.atomic():
        Booking.create(starts_at=at("2026-12-01T10:10"), ends_at=at("2026-12-01T10:30"),
                       block_until=at("2026-12-01T10:30"), **fields)


# --- the command line ------------------------------------------------------------------------

def test_the_commands_of_section_9(cli, url, env):
    assert cli("--db", url, "init").code == 0
    made = cli("--db", url, "resource", "add", ROOM, "--kind", "meeting_room", "--capacity",
               "12", "--buffer", "15", "--hours", "08:00-21:00", "--json")
    assert made.code == 0 and json.loads(made.out)["kind"] == "meeting_room"
    listed = json.loads(cli("--db", url, "resource", "list", "--json").out)
    assert [(r["name"], r["kind"], r["closes"]) for r in listed] == [(ROOM, "meeting_room",
                                                                      "21:00")]
    first = cli("--db", url, "booking", "add", "--resource", ROOM, "--from",
                "2026-12-01T09:00", "--to", "2026-12-01T10:00", "--json")
    assert first.code == 0, first.err
    document = json.loads(first.out)
    assert document["state"] == "confirmed" and document["to"] == "2026-12-01T10:00:00+08:00"
    clash = cli("--db", url, "booking", "add", "--resource", ROOM, "--from",
                "2026-12-01T10:10", "--to", "2026-12-01T11:00")
    assert clash.code == 3 and f"#{document['id']}" in clash.err and clash.out == ""
    borrow = cli("--db", url, "booking", "add", "--resource", ROOM, "--from",
                 "2026-12-02T09:00", "--to", "2026-12-02T10:00", "--borrow", "--json")
    pending = json.loads(borrow.out)
    assert pending["kind"] == "borrowing" and pending["state"] == "pending"
    assert cli("--db", url, "booking", "approve", pending["id"]).code == 4
    env.setenv("DESKAPP_USER", "zhaozong")
    assert cli("--db", url, "booking", "approve", pending["id"]).code == 4  # a viewer
    env.setenv("DESKAPP_USER", "wangfang")
    assert cli("--db", url, "staff", "add", "zhaozong", "--name", "赵总", "--role",
               "gm").code == 0
    env.setenv("DESKAPP_USER", "zhaozong")
    approved = cli("--db", url, "booking", "approve", pending["id"], "--json")
    assert json.loads(approved.out)["state"] == "confirmed"
    series = cli("--db", url, "booking", "add", "--resource", ROOM, "--from",
                 "2026-11-24T09:00", "--to", "2026-11-24T10:00", "--repeat", "weekly",
                 "--count", "3", "--only-free", "--json")
    report = json.loads(series.out)
    assert [b["from"][:10] for b in report["bookings"]] == ["2026-11-24", "2026-12-08"]
    assert [s["clashes_with"]["id"] for s in report["skipped"]] == [document["id"]]
    bookings = json.loads(cli("--db", url, "booking", "list", "--resource", ROOM,
                              "--json").out)
    assert len(bookings) == 4
    cancel = cli("--db", url, "booking", "cancel", document["id"], "--reason", "改期", "--json")
    assert json.loads(cancel.out)["state"] == "cancelled"
    assert cli("--db", url, "booking", "expiring", "--json").out.strip() == "[]"


HOSTILE_BOOKINGS = [
    ["--from", "2026-12-01T09:00", "--to", "2026-12-01T08:00"],        # to < from
    ["--from", "9999-12-31T09:00", "--to", "9999-12-31T10:00"],        # year 9999
    ["--from", "２０２６-12-01T09:00", "--to", "2026-12-01T10:00"],     # full-width digits
    ["--from", "2026-12-01T09:00\x1b[2J", "--to", "2026-12-01T10:00"],
    ["--from", "2026-12-01T09:00", "--to", "2026-12-01T10:00", "--applicant", "\u202e刘洋"],
    ["--from", "2026-12-01T09:00", "--to", "2026-12-01T10:00", "--tenant", "[b]x[/b]"],
    ["--from", "2026-12-01T09:00", "--to", "2026-12-01T10:00", "--repeat", "weekly",
     "--count", "1,5"],
    ["--from", "2026-12-01T09:00", "--to", "2026-12-01T10:00", "--count", "3"],
    ["--month", "2026-12", "--plate", "沪A12345", "--tenant", "x"],    # not a parking space
]


@pytest.mark.parametrize("extra", HOSTILE_BOOKINGS)
def test_hostile_booking_input_exits_2_and_writes_nothing(cli, url, extra):
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "resource", "add", ROOM, "--kind", "meeting_room").code == 0
    before = cli("--db", url, "booking", "list", "--json").out
    result = cli("--db", url, "booking", "add", "--resource", ROOM, *extra)
    assert result.code == 2 and result.err.startswith("deskapp") and result.out == ""
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert cli("--db", url, "booking", "list", "--json").out == before


@pytest.mark.parametrize("extra", [["--capacity", "1,5"], ["--capacity", "１２"],
                                   ["--hours", "8-22"], ["--buffer", "-5"],
                                   ["--size", "\x1b]0;x\x07"], ["--price-item", "<b>"]])
def test_hostile_resource_input_exits_2(cli, url, extra):
    assert cli("--db", url, "init").code == 0
    result = cli("--db", url, "resource", "add", ROOM, "--kind", "meeting_room", *extra)
    assert result.code == 2 and result.out == ""
    assert cli("--db", url, "resource", "list", "--json").out.strip() == "[]"


BOOKING_ADD = joined(st.just(["booking", "add"]),
                     option("--resource", mostly([ROOM]), required=True),
                     option("--from", moments), option("--to", moments),
                     option("--tenant", st.one_of(st.just("Acme Trading Ltd"), texts)),
                     flag("--borrow"), option("--applicant", texts),
                     option("--repeat", mostly(["daily", "weekly"])),
                     option("--count", numbers), option("--until", texts),
                     flag("--only-free"), flag("--json"))


@pytest.fixture
def with_room(prepared):
    assert prepared(["resource", "add", ROOM, "--kind", "meeting_room", "--buffer", "15"])[0] == 0
    assert prepared(["booking", "add", "--resource", ROOM, "--from", "2026-11-27T10:00",
                     "--to", "2026-11-27T11:00"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=BOOKING_ADD)
def test_booking_add_with_anything(with_room, argv):
    check(with_room, argv)


def _overlap_constraint(db) -> bool:
    cursor = db.execute_sql("SELECT 1 FROM pg_constraint WHERE conname = 'booking_no_overlap'")
    return cursor.fetchone() is not None


def test_fresh_and_migrated_databases_both_get_the_constraint(desk, db):
    """ensure_schema on a new database and the 5 → 6 migration both lay it."""
    from deskapp import db as dbmod

    from .test_schema import downgrade_to

    if not is_sqlite(db):
        assert _overlap_constraint(db)
    downgrade_to(db, 5)
    dbmod.check_schema(db)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    if not is_sqlite(db):
        assert _overlap_constraint(db)
    bk.add_resource(desk, ROOM, "meeting_room")
    book(desk, "2026-12-01T09:00", "2026-12-01T10:00")
    with pytest.raises(Conflict):
        book(desk, "2026-12-01T09:30", "2026-12-01T10:30")


def test_a_series_may_not_run_past_the_window(desk, room):
    """A booked time lies at most two years ahead (validate.WINDOW["agreed"]): a daily
    series of 366 starting 20 months ahead would end beyond it — refused whole."""
    with pytest.raises(InvalidInput):
        book(desk, "2028-07-01T09:00", "2028-07-01T10:00", repeat_rule="daily", count=366)
    assert Booking.select().count() == 0


@pytest.mark.parametrize("argv", [["booking", "cancel", "１", "--reason", "x"],
                                  ["booking", "cancel", "1", "--reason", "\x1b[2J"],
                                  ["booking", "cancel", "0", "--reason", "x"],
                                  ["booking", "cancel", "99999999999999999999", "--reason", "x"],
                                  ["booking", "renew", "-1"],
                                  ["booking", "expiring", "--days", "1,5"],
                                  ["booking", "list", "--resource", "\u202e3F"]])
def test_hostile_ids_and_numbers_exit_2(cli, url, argv):
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "resource", "add", ROOM, "--kind", "meeting_room").code == 0
    assert cli("--db", url, "booking", "add", "--resource", ROOM, "--from",
               "2026-12-01T09:00", "--to", "2026-12-01T10:00").code == 0
    result = cli("--db", url, *argv)
    assert result.code == 2 and result.out == "" and "\x1b" not in result.err, result
    assert json.loads(cli("--db", url, "booking", "list", "--json").out)[0]["state"] == \
        "confirmed"


def test_the_bumped_call_is_a_thirty_minute_queue_service():
    from deskapp.sla import SEED_CATALOGUE

    rule = next(r for r in SEED_CATALOGUE if r.code == "booking_bumped")
    assert [(t.name, t.kind, t.value) for t in rule.targets] == [("done", "minutes", 30)]
    assert rule.tier == "normal" and not rule.counter  # it rings as new on the queue
