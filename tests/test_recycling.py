"""Recycling pickups (收购废品: "accepted at once; collected at the booked time"): the
``recycling`` ticket is due at exactly the booked time, not at the end of that day."""

from __future__ import annotations

import pendulum
import pytest

from deskapp.models import Audit, RecyclingPickup, Target, Ticket
from deskapp.services import Conflict, Desk, InvalidInput, NotAllowed
from deskapp.services.recycling import (book_pickup, cancel_pickup, pickup_done, pickup_json,
                                        pickups)
from deskapp.services.staff import ensure_first_manager
from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket, check_new_ticket

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

ACME = "Acme Trading Ltd"
# Fri 9 Oct 2026 15:00: the tenant phones; the buyer comes on Sat 10 Oct 2026 (the
# make-up working day after National Day) at 10:00
CALLED = pendulum.datetime(2026, 10, 9, 15, 0, tz=TZ)
BOOKED = pendulum.datetime(2026, 10, 10, 10, 0, tz=TZ)


@pytest.fixture
def office(db, clock):
    clock.set(CALLED)
    desk = Desk.for_login(db, clock, "wangfang")
    ensure_first_manager(desk)
    upsert_tenant(desk, ACME, units=["8F-805"])
    return desk


def test_the_pickup_ticket_is_due_at_the_booked_time_exactly(office):
    pickup = book_pickup(office, ACME, BOOKED, "cardboard, about 30 boxes", contact="刘洋")
    ticket = Ticket.get_by_id(pickup.ticket_id)
    assert ticket.service == "recycling" and ticket.state == "accepted"
    assert ticket.opened_at == CALLED  # accepted at once
    target = Target.get(Target.ticket == ticket)
    assert target.due_at == BOOKED  # 10:00, not 23:59:59 of that day
    assert ticket.next_due_at == BOOKED and ticket.agreed_at == BOOKED
    assert ticket.note == "cardboard, about 30 boxes"
    doc = pickup_json(office, pickup)
    assert doc["at"] == "2026-10-10T10:00:00+08:00" and doc["state"] == "booked"
    assert Audit.select().where(Audit.action == "recycling.book").count() == 1


def test_without_an_agreed_time_the_catalogue_rule_is_the_end_of_the_day(office):
    """What the booking relies on: same_day takes the agreed time when one is given."""
    plain = check_new_ticket(office, NewTicket(service="recycling"))
    assert plain.planned[0].due_at == pendulum.datetime(2026, 10, 9, 23, 59, 59, tz=TZ)
    agreed = check_new_ticket(office, NewTicket(service="recycling", agreed_at=BOOKED))
    assert agreed.planned[0].due_at == BOOKED


def test_collected_closes_the_ticket_on_time(office):
    pickup = book_pickup(office, ACME, BOOKED, "old chairs")
    office.clock.set(BOOKED.add(minutes=-5))
    done = pickup_done(office, pickup.id)
    assert done.state == "done" and done.closed_by == "wangfang"
    ticket = Ticket.get_by_id(pickup.ticket_id)
    assert ticket.state == "closed" and not ticket.late
    with pytest.raises(Conflict):
        pickup_done(office, pickup.id)
    assert pickups() == []
    assert [p.id for p in pickups(booked_only=False)] == [pickup.id]


def test_collected_late_stays_late_on_the_ticket(office):
    pickup = book_pickup(office, ACME, BOOKED, "paper")
    office.clock.set(BOOKED.add(hours=2))
    pickup_done(office, pickup.id)
    assert Ticket.get_by_id(pickup.ticket_id).late


def test_cancel_needs_a_reason_and_cancels_the_ticket(office):
    pickup = book_pickup(office, ACME, BOOKED, "paper")
    with pytest.raises(InvalidInput):
        cancel_pickup(office, pickup.id, " ")
    cancelled = cancel_pickup(office, pickup.id, "the buyer cannot come")
    assert cancelled.state == "cancelled" and cancelled.reason == "the buyer cannot come"
    assert Ticket.get_by_id(pickup.ticket_id).state == "cancelled"


def test_a_time_in_the_past_or_far_ahead_is_refused_and_nothing_written(office):
    for when in (CALLED.subtract(hours=1), pendulum.datetime(2030, 1, 1, tz=TZ)):
        with pytest.raises(InvalidInput):
            book_pickup(office, ACME, when, "paper")
    for bad_what in ("", "a\x00b", "\u202e"):
        with pytest.raises(InvalidInput):
            book_pickup(office, ACME, BOOKED, bad_what)
    with pytest.raises(InvalidInput):
        book_pickup(office, "No Such Co", BOOKED, "paper")
    assert RecyclingPickup.select().count() == 0 and Ticket.select().count() == 0


def test_a_viewer_may_not_book(office):
    with pytest.raises(NotAllowed):
        book_pickup(as_role(office, "viewer"), ACME, BOOKED, "paper")
    assert RecyclingPickup.select().count() == 0


def test_recycling_commands(cli, url):  # noqa: F811
    assert cli("--db", url, "init", "--demo").code == 0
    booked = cli("--db", url, "recycling", "book", "--tenant", ACME,
                 "--at", "2026-11-28T10:00", "--what", "cardboard", "--json")
    assert booked.code == 0, booked.err
    doc = booked.json
    assert doc["at"] == "2026-11-28T10:00:00+08:00"
    ticket = cli("--db", url, "ticket", "list", "--json").json
    mine = next(t for t in ticket if t["id"] == doc["ticket"])
    assert mine["next_due_at"] == "2026-11-28T10:00:00+08:00"
    def acme_booked() -> list[int]:  # the demo books its own pickups
        return [d["id"] for d in cli("--db", url, "recycling", "list", "--json").json
                if d["tenant"] == ACME]

    assert acme_booked() == [doc["id"]]
    assert cli("--db", url, "recycling", "done", doc["id"], "--json").json["state"] == "done"
    assert cli("--db", url, "recycling", "done", doc["id"]).code == 3
    assert acme_booked() == []
