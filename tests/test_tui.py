"""The dashboard at 80×24, driven by keys through Textual's Pilot."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deskapp.app import DeskApp
from deskapp.config import Settings
from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket, open_ticket, step
from deskapp.widgets.queue_table import QueueTable

SIZE = (80, 24)


def make_app(desk, db_url, auto_tick=False) -> DeskApp:
    return DeskApp(desk, Settings(database_url=db_url, bell=False), auto_tick=auto_tick)


def table_lines(app) -> list[str]:
    table = app.screen.query_one(QueueTable)
    return [table.render_line(y).text for y in range(min(table.size.height, len(table.order)))]


def row_ids(app) -> list[int]:
    return list(app.screen.query_one(QueueTable).order)


@pytest.fixture
def tenants(desk):
    upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    upsert_tenant(desk, "Acme Trading", units=["8F-805"])


async def test_queue_opens_sorted_with_counts(desk, db_url, tenants, clock):
    normal = open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    extra = open_ticket(desk, NewTicket(service="repair", tier="extra_urgent",
                                        tenant="星辰科技", location="12F-1201"))
    urgent = open_ticket(desk, NewTicket(service="breaker_trip", location="8F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        assert row_ids(app) == [extra.id, urgent.id, normal.id]
        title = str(app.screen.query_one("#title").content)
        assert "X-urg 1" in title and "Urg 1" in title and "Norm 1" in title
        first = table_lines(app)[0]
        assert "X-urg" in first and "1:59" not in first  # work order: 2:00 left at open
        assert "2:00" in first and "星辰科技" in first


async def test_chinese_lines_up(desk, db_url, tenants):
    from deskapp import i18n
    from rich.cells import cell_len

    i18n.set_language("zh")
    open_ticket(desk, NewTicket(service="repair", tier="urgent", tenant="星辰科技",
                                location="12F-1201"))
    open_ticket(desk, NewTicket(service="umbrella", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        lines = table_lines(app)
        width = app.screen.query_one(QueueTable).size.width
        assert width >= 78 and all(cell_len(line) == width for line in lines), [cell_len(l) for l in lines]
        # the service column starts at the same cell on every row
        starts = [cell_len(line[:line.index(svc)]) for line, svc in
                  zip(lines, ("借用雨伞", "室内报修"))]
        assert starts[0] == starts[1]


async def test_new_ticket_form_puts_it_in_place(desk, db_url, tenants, clock):
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    open_ticket(desk, NewTicket(service="breaker_trip", location="8F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#service").value = "repair"
        await pilot.pause()
        form.query_one("#tier").value = "extra_urgent"
        form.query_one("#tenant").value = "星辰科技"
        form.query_one("#location").value = "12F-1201"
        await pilot.pause()
        preview = str(form.query_one("#preview").content)
        assert "work order" in preview and "on site" in preview
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.tick()
        await pilot.pause()
        ids = row_ids(app)
        assert len(ids) == 3
        new = app.model.rows[ids[0]]
        assert new.service == "repair" and new.tier == "extra_urgent"


@pytest.mark.parametrize(("service", "tenant", "message"), [
    ("umbrella", "Nobody Ltd", "Nobody Ltd"),   # unknown tenant
    ("repair", "", "say where"),                # on-site work needs a tenant or a place
])
async def test_form_refuses_bad_input_and_writes_nothing(desk, db_url, service, tenant,
                                                         message):
    from deskapp.models import Ticket

    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#service").value = service
        app.screen.query_one("#tenant").value = tenant
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message in str(app.screen.query_one("#form-error").content)
        assert Ticket.select().count() == 0


async def test_row_turns_near_then_breached_and_alerts_once(desk, db_url, tenants, clock):
    ticket = open_ticket(desk, NewTicket(service="umbrella", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    notes = []
    async with app.run_test(size=SIZE) as pilot:
        app.say = lambda message, *a, **kw: notes.append(message)
        await app.tick()
        assert app.model.status[ticket.id] == "ok"
        clock.advance(minutes=4, seconds=1)  # last 20 % of a 5-minute target
        await app.tick()
        await pilot.pause()
        assert app.model.status[ticket.id] == "near"
        table = app.screen.query_one(QueueTable)
        table.tick_display(clock.now().timestamp())
        assert "0:59 •" in table.render_line(0).text
        clock.advance(seconds=60)
        await app.tick()
        await pilot.pause()
        assert app.model.status[ticket.id] == "breached"
        table.tick_display(clock.now().timestamp())
        assert "-0:01 !" in table.render_line(0).text
        for _ in range(3):
            clock.advance(seconds=1)
            await app.tick()
        breach_alerts = [n for n in notes if f"#{ticket.id} is late" in n]
        assert len(breach_alerts) == 1


async def test_new_extra_urgent_alerts_the_desk(desk, db_url, tenants):
    app = make_app(desk, db_url)
    notes = []
    async with app.run_test(size=SIZE):
        app.say = lambda message, *a, **kw: notes.append(message)
        await app.tick()
        ticket = open_ticket(desk, NewTicket(service="salesperson", location="8F lobby"))
        await app.tick()
        await app.tick()
        assert [n for n in notes if f"extra-urgent ticket #{ticket.id}" in n] and len(notes) == 1


async def test_steps_by_key_with_reason(desk, db_url, tenants):
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", tenant="星辰科技"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")  # nobody on file yet: engineering, nobody named
        await app.tick()
        await pilot.pause()
        assert app.model.rows[ticket.id].state == "dispatched"
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("enter")  # an empty reason is refused
        await pilot.pause()
        assert app.screen.query_one("#reason-error").content
        await pilot.press(*"parts", "enter")
        await app.tick()
        await pilot.pause()
        assert app.model.rows[ticket.id].state == "on_hold"
        await pilot.press("u")
        await app.tick()
        await pilot.press("x", *"dup", "enter")
        await app.tick()
        await pilot.pause()
        assert ticket.id not in app.model.rows


async def test_filter_and_detail(desk, db_url, tenants):
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    target = open_ticket(desk, NewTicket(service="repair", tier="normal", tenant="星辰科技",
                                         note="burst pipe"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("slash", *"pipe")
        await pilot.pause()
        assert row_ids(app) == [target.id]
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(row_ids(app)) == 2
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TicketDetailScreen"
        head = str(app.screen.query_one("#detail-head").content)
        assert f"#{target.id}" in head and "burst pipe" in head


async def test_ticket_from_another_process_appears(desk, db_url, tenants):
    app = make_app(desk, db_url, auto_tick=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        env = dict(os.environ, DESKAPP_USER="wangfang")
        subprocess.run([sys.executable, "-m", "deskapp.cli", "--db", db_url, "ticket", "add",
                        "--service", "mail", "--tenant", "Acme Trading"],
                       check=True, env=env, capture_output=True)
        for _ in range(20):  # within 2 seconds, without a key press
            await pilot.pause(0.1)
            if row_ids(app):
                break
        assert len(row_ids(app)) == 1


async def test_moving_the_cursor_all_day_allocates_no_widgets(desk, db_url, tenants):
    """The key bar changes with the selected ticket's state; it must not leak widgets
    (Textual's Footer does: textual #6666, 72 MB after 400 moves in bench_memory.py)."""
    import gc

    from textual.widget import Widget

    first = open_ticket(desk, NewTicket(service="repair", tier="urgent", tenant="星辰科技"))
    step(desk, first.id, "dispatch")
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()

        def live_widgets() -> int:
            gc.collect()
            return sum(1 for o in gc.get_objects() if isinstance(o, Widget))

        before = live_widgets()
        for _ in range(100):
            await pilot.press("down", "up")
        await pilot.pause()
        assert live_widgets() <= before + 5
        keys = str(app.screen.query_one("KeyBar").content)
        assert "Reopen" not in keys and "On site" in keys  # the first row is dispatched


async def test_routine_steps_raise_no_alerts(desk, db_url, tenants, clock):
    """Steps on a ticket the desk already knows must not ring again: not "new
    extra-urgent" for one that was on the queue at start-up, not "late" twice."""
    known = open_ticket(desk, NewTicket(service="repair", tier="extra_urgent",
                                        tenant="星辰科技"))
    app = make_app(desk, db_url)
    notes = []
    async with app.run_test(size=SIZE):
        app.say = lambda message, *a, **kw: notes.append(message)
        await app.tick()
        step(desk, known.id, "dispatch")
        await app.tick()
        assert notes == []
        clock.advance(minutes=6)  # on site was due after 5 minutes
        await app.tick()
        assert len([n for n in notes if "is late" in n]) == 1
        for action in ("arrive", "resolve"):
            clock.advance(seconds=30)
            step(desk, known.id, action)
            await app.tick()
        assert len([n for n in notes if "is late" in n]) == 1
        assert not [n for n in notes if "extra-urgent" in n]


def test_form_matches_fragments_of_tenants_and_services():
    from types import SimpleNamespace

    from deskapp.screens.new_ticket import match_service, match_tenant

    names = ["北辰律师事务所", "星辰科技", "Acme Trading"]
    assert match_tenant("北辰", names) == "北辰律师事务所"
    assert match_tenant("acme", names) == "Acme Trading"
    assert match_tenant("辰", names) == "辰"  # two tenants have it: not guessed
    rows = [SimpleNamespace(code="repair", name_zh="室内报修", name_en="Repair"),
            SimpleNamespace(code="complaint", name_zh="客户投诉", name_en="Complaint")]
    assert match_service("报修", rows).code == "repair"
    assert match_service("投诉", rows).code == "complaint"
    assert match_service("rep", rows).code == "repair"



async def test_engineering_is_offered_only_its_own_steps(desk, db_url, tenants):
    from deskapp.services import Desk

    open_ticket(desk, NewTicket(service="repair", tier="urgent", tenant="星辰科技"))
    engineer = Desk(db=desk.db, clock=desk.clock, user="ligong", role="engineering")
    app = make_app(engineer, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        keys = str(app.screen.query_one("KeyBar").content)
        assert "On site" in keys and "Resolve" in keys
        assert "New" not in keys and "Dispatch" not in keys
        await pilot.press("n")  # not offered, and does nothing
        await pilot.pause()
        assert app.screen.__class__.__name__ == "QueueScreen"
