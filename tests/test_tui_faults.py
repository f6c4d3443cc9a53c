"""The dashboard on a database fault: the message on the status line, the desk stays
up, and the ticker retries with ⚠ in the header until the database is back."""

from __future__ import annotations

import sqlite3

import pytest

from deskapp.config import Settings
from deskapp.app import DeskApp
from deskapp.db import open_database, sqlite_path
from deskapp.models import Ticket
from deskapp.services import DatabaseUnusable, Desk
from deskapp.services.staff import add_staff
from deskapp.services.tickets import NewTicket, open_ticket

from .conftest import PG_URL
from .test_tui_desk import settle, status, until

SIZE = (80, 24)


def desk_with_timeout(desk, db_url, busy_timeout: float):
    """The desk's app on its own connection with this busy timeout, and a second raw
    connection that plays the other session holding the write lock."""
    db = open_database(db_url, busy_timeout=busy_timeout)
    app = DeskApp(Desk(db=db, clock=desk.clock, user=desk.user, role=desk.role),
                  Settings(database_url=db_url, bell=False), auto_tick=False)
    return app, sqlite3.connect(sqlite_path(db_url), isolation_level=None)



@pytest.mark.skipif(bool(PG_URL), reason="the SQLite write lock")
@pytest.mark.parametrize("key", ["a", "d"])
async def test_a_step_on_a_locked_database_says_so_and_the_desk_stays_up(desk, db_url, key):
    add_staff(desk, "ligong", "李工", "engineering")
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="12F"))
    app, holder = desk_with_timeout(desk, db_url, 0.2)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.tick()
            await settle(pilot)
            holder.execute("BEGIN IMMEDIATE")  # another session mid-write, for too long
            await pilot.press(key)
            if key == "d":  # the picker: choose who goes, then the write meets the lock
                await until(pilot, lambda: app.screen.query_one("OptionList").option_count)
                await pilot.press("enter")
            await until(pilot, lambda: "busy" in status(app))
            assert "busy" in status(app) and "nothing was written" in status(app)
            assert app.return_code is None and app.is_running
            holder.execute("ROLLBACK")
            await app.tick()  # the desk carries on: the same key now works
            await settle(pilot)
            assert Ticket.get_by_id(ticket.id).state == "accepted"
            await pilot.press("a")
            await until(pilot, lambda: Ticket.get_by_id(ticket.id).state == "on_site")
            assert Ticket.get_by_id(ticket.id).state == "on_site"
    finally:
        holder.close()


async def test_the_ticker_retries_with_a_warning_until_the_database_is_back(desk, db_url):
    open_ticket(desk, NewTicket(service="mail"))
    app = DeskApp(desk, Settings(database_url=db_url, bell=False, tick_seconds=0.05))
    real_tick = app.model.tick
    failures = []

    def failing_tick(now):
        if len(failures) < 1000 and not back:
            failures.append(now)
            raise DatabaseUnusable("fault.cannot_open", db="desk.db", detail="gone")
        return real_tick(now)

    back = False
    app.model.tick = failing_tick
    async with app.run_test(size=SIZE) as pilot:
        where = app.screen.query_one("#where")
        await until(pilot, lambda: "⚠" in str(where.content), tries=80)
        assert "⚠" in str(where.content)
        assert "cannot open the database" in status(app)
        tries = len(failures)
        await pilot.pause(0.3)
        assert len(failures) > tries  # still retrying, the desk still up
        assert app.is_running
        back = True
        await until(pilot, lambda: "⚠" not in str(where.content), tries=80)
        assert "⚠" not in str(where.content)
        assert "back" in status(app)


async def test_the_form_and_the_palette_on_a_fault_say_so_and_stay_up(desk, db_url,
                                                                       monkeypatch):
    from deskapp.screens import commands, new_ticket

    open_ticket(desk, NewTicket(service="mail", location="8F"))

    def unusable(*_args, **_kw):
        raise DatabaseUnusable("fault.locked", db="desk.db", detail="")

    app = DeskApp(desk, Settings(database_url=db_url, bell=False), auto_tick=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        monkeypatch.setattr(new_ticket, "services", unusable)
        await pilot.press("n")
        await until(pilot, lambda: "busy" in status(app))
        assert "busy" in status(app) and app.is_running
        monkeypatch.setattr(commands.TicketProvider, "_find", unusable)
        await pilot.press("ctrl+p", *"8F")
        await settle(pilot, 6)
        assert app.is_running and app.return_code is None


def test_a_crash_report_never_prints_locals(desk, db_url, monkeypatch, tmp_path):
    """Textual's own report shows every local of every frame (notes, names, URLs): the
    terminal gets one line saying where the traceback is; the file has no locals."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = DeskApp(desk, Settings(database_url=db_url, bell=False), auto_tick=False)
    monkeypatch.setattr(app, "_close_messages_no_wait", lambda: None)
    monkeypatch.setattr(app, "bell", lambda: None)

    def crash():
        tenant_note = "-".join(("secret", "note"))  # noqa: F841 - a local in the frame
        raise RuntimeError("boom")

    try:
        crash()
    except RuntimeError:
        app._fatal_error()
    shown = "".join(str(renderable) for renderable in app._exit_renderables)
    assert "boom" in shown and "Traceback" not in shown and "secret-note" not in shown
    [report] = (tmp_path / "deskapp").glob("crash-*.log")
    assert str(report) in shown
    assert "Traceback" in report.read_text() and "in crash" in report.read_text()
    assert "secret-note" not in report.read_text()
    assert oct(report.stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite write lock")
async def test_a_write_waiting_for_a_lock_does_not_freeze_the_desk(desk, db_url):
    """The step waits for the other session in the writer thread: meanwhile the keys
    work, and when the lock goes the step lands."""
    import asyncio

    from deskapp.widgets.queue_table import QueueTable

    first = open_ticket(desk, NewTicket(service="mail", location="3F"))
    open_ticket(desk, NewTicket(service="mail", location="5F"))
    app, holder = desk_with_timeout(desk, db_url, 4)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.tick()
            await settle(pilot)
            table = app.screen.query_one(QueueTable)
            assert table.cursor_id == first.id
            holder.execute("BEGIN IMMEDIATE")
            await pilot.press("r")                 # waits for the holder …
            await asyncio.sleep(0.3)
            await pilot.press("down")              # … while the desk answers keys
            await settle(pilot)
            assert table.cursor_id != first.id
            assert Ticket.get_by_id(first.id).state == "accepted"
            holder.execute("ROLLBACK")
            await until(pilot, lambda: Ticket.get_by_id(first.id).state == "resolved")
            assert Ticket.get_by_id(first.id).state == "resolved"
    finally:
        holder.close()
