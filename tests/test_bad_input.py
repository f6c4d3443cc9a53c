"""Bad input from the command line and the forms: exit 2, one clear message, nothing
written, never a traceback (issue 6 §1). The rules live in services/validate.py."""

from __future__ import annotations

import pendulum
import pytest

from deskapp.models import Ticket
from deskapp.services import InvalidInput
from deskapp.services import validate
from deskapp.services.tickets import NewTicket, check_new_ticket, open_ticket
from deskapp.timeparse import parse_desk_time

from .conftest import START, TZ
from . import test_cli
from .test_cli import cli, counts, env, url  # noqa: F401 - fixtures

HOSTILE_INPUT = [
    # one input used to poison the desk: committed, then every dashboard crashed
    (("ticket", "add", "--service", "move_in", "--agreed", "9999-12-31T23:59:59"),
     "not a plausible time"),
    (("ticket", "add", "--service", "move_in", "--agreed", "now"), "not an ISO 8601"),
    (("ticket", "add", "--service", "move_in", "--agreed", "2029-06-01T10:00"),
     "not a plausible time"),
    (("ticket", "step", "99999999999999999999", "dispatch"), "ticket number"),
    (("ticket", "step", "0", "dispatch"), "ticket number"),
    (("ticket", "step", "#-3", "dispatch"), "ticket number"),
    (("ticket", "add", "--service", "umbrella", "--at", "0001-01-01T00:00"),
     "not a plausible time"),
    (("ticket", "add", "--service", "umbrella", "--at", "now"), "not an ISO 8601"),
    (("ticket", "add", "--service", "umbrella", "--at", "1900-01-01T00:00"),
     "not a plausible time"),
    (("ticket", "add", "--service", "umbrella", "--at", "1970-01-01T00:00"),
     "not a plausible time"),
    (("ticket", "add", "--service", "umbrella", "--at", "9999-12-31T23:59:59"), "future"),
    (("ticket", "step", "{id}", "dispatch", "--at", "1970-01-01T08:00+08:00"),
     "not a plausible time"),
    (("ticket", "step", "{id}", "dispatch", "--at", "0001-01-01T00:00"),
     "not a plausible time"),
    (("ticket", "add", "--service", "umbrella", "--location", "8F\udcff"), "UTF-8"),
    (("ticket", "add", "--service", "umbrella\udce9"), "UTF-8"),
    (("ticket", "add", "--service", "umbrella", "--note", "a\x00b"), "control characters"),
    (("ticket", "add", "--service", "umbrella", "--location", "8F\tB"), "control characters"),
    (("ticket", "add", "--service", "umbrella", "--location", "x" * 201), "too long"),
    (("ticket", "add", "--service", "umbrella", "--note", "x" * 2001), "too long"),
    (("ticket", "add", "--service", "umbrella", "--ref", "r\x1b[2J"), "control characters"),
    (("ticket", "step", "{id}", "hold", "--reason", "why\x00"), "control characters"),
    (("ticket", "step", "{id}", "dispatch", "--to", "li\x1bgong"), "control characters"),
    (("staff", "add", "eve\x9b", "--name", "Eve", "--role", "desk"), "control characters"),
    (("staff", "add", "eve", "--name", "Eve\udcff", "--role", "desk"), "UTF-8"),
    (("ticket", "add", "--service", "access_pass", "--people", "99999999999999999999"),
     "People"),
]


@pytest.mark.parametrize("args, message", HOSTILE_INPUT,
                         ids=[repr(" ".join(a[1:]))[:60] for a, _ in HOSTILE_INPUT])
def test_hostile_input_exits_2_with_a_message_and_writes_nothing(cli, url, args, message):
    test_cli.test_bad_input_exits_2_and_writes_nothing(cli, url, args, message)


def test_the_agreed_time_that_poisoned_the_desk_leaves_the_queue_working(cli, url):
    cli("--db", url, "init")
    bad = cli("--db", url, "ticket", "add", "--service", "move_in",
              "--agreed", "9999-12-31T23:59:59")
    assert bad.code == 2
    assert counts(url)[0] == 0
    listing = cli("--db", url, "ticket", "list", "--json")
    assert listing.code == 0 and listing.json == []


def test_notes_and_reasons_keep_tabs_and_line_breaks(cli, url):
    cli("--db", url, "init")
    doc = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--location", "8F", "--note", "leak\n\tunder the sink", "--json").json
    assert doc["note"] == "leak\n\tunder the sink"
    held = cli("--db", url, "ticket", "step", doc["id"], "hold", "--reason", "parts\nlate")
    assert held.code == 0


def test_one_window_for_every_time(desk):
    """--at, --agreed and the desk's typed times share services.validate.WINDOW."""
    now = desk.clock.now()
    back, ahead = validate.WINDOW["agreed"]
    assert validate.plausible(now + ahead, now, "agreed", "x")
    assert not validate.plausible(now + ahead + pendulum.duration(days=1), now, "agreed", "x")
    assert validate.plausible(now - validate.WINDOW["at"][0], now, "at", "x")
    assert not validate.plausible(now.subtract(days=367), now, "at", "x")
    for text in ("9999-12-31 23:59", "0001-01-01 00:00", "1900-01-01 00:00",
                 "1970-01-01 00:00"):
        typed = parse_desk_time(text, START, TZ)  # read, or refused; never a crash
        if typed is not None:
            with pytest.raises(InvalidInput) as refused:
                check_new_ticket(desk, NewTicket(service="move_in", agreed_at=typed))
            assert "plausible" in refused.value.message() or "past" in refused.value.message()
    assert Ticket.select().count() == 0


def test_ids_outside_what_a_database_holds_are_refused():
    assert validate.record_id("42") == 42
    for bad in ("0", "-1", str(2**63), "99999999999999999999", "abc", "4\x002"):
        with pytest.raises(InvalidInput):
            validate.record_id(bad)


async def test_the_form_refuses_a_far_agreed_time_and_writes_nothing(desk, db_url):
    from deskapp.screens.new_ticket import NewTicketScreen

    from .test_tui_desk import make_app, settle

    app = make_app(desk, db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.tick()
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        app.screen.query_one("#service").value = "move_in"
        app.screen.query_one("#agreed").value = "9999-12-31 23:59"
        app.screen.query_one("#people").value = "²"  # a digit int() cannot read
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen)
        error = str(app.screen.query_one("#form-error").content)
        assert error
        app.screen.query_one("#people").value = "1"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "plausible" in str(app.screen.query_one("#form-error").content)
    assert Ticket.select().count() == 0


def test_a_ref_returns_the_ticket_already_made(cli, url):
    cli("--db", url, "init")
    args = ("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
            "--location", "8F", "--ref", "cron-2026-11-26-1", "--json")
    first = cli(*args)
    assert first.code == 0
    before = counts(url)
    again = cli(*args)
    assert again.code == 0
    assert again.json == first.json
    assert again.json["ref"] == "cron-2026-11-26-1"
    assert counts(url) == before  # no second ticket, no second audit row
    other = cli("--db", url, "ticket", "add", "--service", "mail", "--ref", "cron-2")
    assert other.code == 0
    assert counts(url)[0] == 2
    clash = cli("--db", url, "ticket", "add", "--service", "mail",
                "--ref", "cron-2026-11-26-1")
    assert clash.code == 3 and "#" in clash.err
    assert counts(url)[0] == 2


@pytest.mark.parametrize("option, value", [
    ("--reason", "\u200b"),            # a zero-width space: nothing visible
    ("--reason", "\u00a0 \u200b"),
])
def test_a_reason_of_nothing_visible_is_no_reason(cli, url, option, value):  # noqa: F811
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "mail", "--location", "3F",
              "--json").json["id"]
    before = counts(url)
    run = cli("--db", url, "ticket", "step", tid, "cancel", option, value)
    assert run.code == 2 and "reason" in run.err
    assert counts(url) == before


@pytest.mark.parametrize("location", ["\u202e大堂", "3F\u2066x"])
def test_text_that_turns_the_screen_around_is_refused(cli, url, location):  # noqa: F811
    cli("--db", url, "init")
    before = counts(url)
    run = cli("--db", url, "ticket", "add", "--service", "mail", "--location", location)
    assert run.code == 2 and run.out == ""
    assert counts(url) == before


def test_a_place_of_nothing_visible_is_no_place(cli, url):  # noqa: F811
    cli("--db", url, "init")
    run = cli("--db", url, "ticket", "add", "--service", "breaker_trip", "--location",
              "\u00a0", "--json")
    assert run.code == 0 and run.json["location"] == ""
