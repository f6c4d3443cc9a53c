"""Text that is already stored reaches no terminal as control codes or as markup.

The rows here are written straight into the tables, past the validation layer (as an
older program, a script on the database or a restored backup could have): every
surface that shows stored text must still neutralise it (DESIGN.md, "The terminal").
"""

from __future__ import annotations

import json
import re

import pytest

from deskapp.cli import main
from deskapp.models import Staff, Tenant, Ticket, TicketEvent
from deskapp.services import DeskError, InvalidInput
from deskapp.services.tickets import NewTicket, open_ticket, step
from deskapp.views import safe_text
from deskapp.widgets.queue_table import QueueTable

from .test_cli import Run, env  # noqa: F401 - the clean-environment fixture
from .test_tui_desk import make_app, settle, until

SIZE = (80, 24)
# clear the screen, retitle the terminal, leave the alternate screen, reset it, CSI (C1)
NASTY = "\x1b[2J\x1b]0;PWNED\x07\x1b[?1049l\x1bc\x9b31m"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes "rm -rf ~" to the clipboard
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MARKUP = ("[link=x]", "[/red]", "[/oops]", "[bold", "[/]")


def stored_nasty(desk) -> Ticket:
    """A ticket whose tenant, place, note, opener and history hold escape sequences,
    inserted as rows (the services would refuse them now)."""
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="12F"))
    tenant = Tenant.create(name=f"Evil{NASTY}Ltd{OSC52}", units="")
    Staff.create(login="mallory", name=f"Mal{NASTY}lory", role="desk")
    Ticket.update(tenant=tenant, location=f"12F{NASTY}", note=f"note{OSC52}\x07end",
                  opened_by="mallory", last_actor="mallory").where(
        Ticket.id == ticket.id).execute()
    TicketEvent.create(ticket=ticket.id, at=desk.clock.now(), actor=f"x{NASTY}",
                       action="resolve", reason=f"why{OSC52}")
    return ticket


def stored_markup(desk) -> Ticket:
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="9F"))
    tenant = Tenant.create(name="[link=x]Shop[/red]", units="")
    Staff.create(login="[/oops]", name="[/oops]", role="desk")
    Ticket.update(tenant=tenant, location="[/red]9F[link=x]", note="[/oops] [bold",
                  opened_by="[/oops]", last_actor="[/oops]").where(
        Ticket.id == ticket.id).execute()
    TicketEvent.create(ticket=ticket.id, at=desk.clock.now(), actor="[/oops]",
                       action="hold", reason="[/red] [link=x]")
    return ticket


def screen_text(app) -> str:
    """Every character the screen would send, as the text between Textual's own codes."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert not CONTROL.search(text), repr(CONTROL.search(text).group())


# --- views ---------------------------------------------------------------------------

def test_safe_text_neutralises_every_control_and_stray_surrogate():
    shown = safe_text(NASTY + OSC52 + "\x00\x7f\udcff")
    assert_clean(shown)
    assert "PWNED" in shown  # the text itself stays readable


# --- the command line ----------------------------------------------------------------

@pytest.fixture
def cli_run(env, capsys, clock, db_url):  # noqa: F811
    def run(*args):
        capsys.readouterr()
        try:
            code = main(["--db", db_url, *map(str, args)], clock=clock)
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return Run(code, out.out, out.err)
    return run


def test_ticket_list_human_and_json_carry_no_control_codes(desk, cli_run):
    ticket = stored_nasty(desk)
    human = cli_run("ticket", "list")
    assert human.code == 0 and f"#{ticket.id}" in human.out
    assert_clean(human.out.replace("\n", ""))
    assert "12F" in human.out and "PWNED" in human.out
    as_json = cli_run("ticket", "list", "--json")
    assert as_json.code == 0
    # json escapes C0; C1 (U+009B CSI) and DEL must be escaped too, not sent raw
    assert_clean(as_json.out.replace("\n", ""))
    document = json.loads(as_json.out)
    assert document[0]["location"] == f"12F{NASTY}"  # the data itself is unchanged
    staff = cli_run("staff", "list")
    assert staff.code == 0 and "Mal" in staff.out
    assert_clean(staff.out.replace("\n", ""))


@pytest.mark.parametrize("args", [
    ("ticket", "add", "--service", f"x{NASTY}"),
    ("ticket", "add", "--service", "repair", "--tenant", f"Ghost{OSC52}"),
    ("ticket", "add", "--service", "repair", "--tier", f"x{NASTY}"),
    ("ticket", "step", f"1{NASTY}", "dispatch"),
    ("ticket", "step", "1", f"x{NASTY}"),
    ("ticket", "add", "--service", "umbrella", "--at", f"2026{NASTY}"),
    ("ticket", "add", "--service", "umbrella", "--at", "2026-11-26T10:00\udcff"),
    ("staff", "add", f"eve{NASTY}", "--name", "Eve", "--role", "desk"),
])
def test_error_messages_never_echo_control_codes(desk, cli_run, args):
    run = cli_run(*args)
    assert run.code == 2, run
    assert run.out == ""
    assert run.err.startswith("deskapp") or "usage" in run.err
    assert_clean(run.err.replace("\n", ""))
    run.err.encode("utf-8")  # no lone surrogate left to crash the terminal's encoder


def test_desk_error_messages_are_safe_on_the_dashboard_too():
    message = InvalidInput("error.unknown_tenant", name=f"Ghost{NASTY}").message()
    assert_clean(message)
    assert "Ghost" in message


# --- the dashboard -------------------------------------------------------------------

async def test_queue_detail_and_palette_send_no_control_codes(desk, db_url):
    stored_nasty(desk)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        line = app.screen.query_one(QueueTable).render_line(0).text
        assert "12F" in line
        assert_clean(screen_text(app))
        await pilot.press("enter")  # the detail: place, note, opener, timeline
        await until(pilot, lambda: app.screen.query_one("#detail-head"))
        await settle(pilot)
        head = str(app.screen.query_one("#detail-head").content)
        assert "note" in head and "Evil" in head
        assert_clean(screen_text(app))
        await pilot.press("escape", "ctrl+p", *"Evil")
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count)
        assert_clean(screen_text(app))
        assert "Evil" in screen_text(app)


async def test_markup_in_stored_text_shows_literally_everywhere(desk, db_url):
    ticket = stored_markup(desk)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        assert "[/red]9F" in app.screen.query_one(QueueTable).render_line(0).text
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#detail-events"))
        await settle(pilot)
        shown = screen_text(app)
        assert "[/oops]" in shown and "[/red] [link=x]" in shown
        await pilot.press("escape", "ctrl+p", *"Shop")
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count)
        await settle(pilot)
        assert "[link=x]Shop[/red]" in screen_text(app)
        await pilot.press("escape", "ctrl+p", *str(ticket.id))
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count)
        assert "[/red]9F[link=x]" in screen_text(app)
    assert app.return_code in (None, 0)


async def test_a_huge_number_in_the_palette_finds_nothing_and_does_not_crash(desk, db_url):
    open_ticket(desk, NewTicket(service="mail"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("ctrl+p", *"99999999999999999999")
        await settle(pilot, 6)
        assert app.return_code in (None, 0)
        assert app.screen.query_one("CommandList").option_count == 0


def test_services_refuse_what_the_rows_above_hold(desk):
    """What the dashboard must survive, the services never write."""
    for bad in (NASTY, OSC52, "a\x00b", "\udcff"):
        with pytest.raises(DeskError):
            open_ticket(desk, NewTicket(service="repair", tier="urgent", location=bad))
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="8F",
                                         note="line one\n\tline two"))
    assert Ticket.get_by_id(ticket.id).note == "line one\n\tline two"  # notes keep lines
    with pytest.raises(DeskError):
        step(desk, ticket.id, "hold", reason=f"x{NASTY}")
