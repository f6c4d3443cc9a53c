"""The bookings screen (3) at 80×24: the day grid, its keys, the week view, and what
another session books showing without a key press, repainting only its row."""

from __future__ import annotations

import pendulum
import pytest
from rich.cells import cell_len

from deskapp import i18n
from deskapp.models import Booking
from deskapp.services import bookings as bk
from deskapp.services.tenants import upsert_tenant
from deskapp.widgets.day_grid import DayGrid

from .conftest import TZ
from .test_tenants_screen import shown
from .test_tui_desk import SIZE, make_app, settle, until

pytestmark = pytest.mark.asyncio


def at(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, tz=TZ).in_tz("UTC")


def booking(desk, resource, start, end, tenant=None, kind="rental"):
    """A booking made through the bookings service, as any session makes one."""
    return bk.add_booking(desk, resource.name, start, end,
                          tenant=tenant.name if tenant else None,
                          borrow=kind == "borrowing").bookings[0]


@pytest.fixture
def rooms(desk):
    star = upsert_tenant(desk, "星辰科技有限公司", units=["12F-1201"])
    acme = upsert_tenant(desk, "[bold]Acme[/]", units=["8F-805"])
    big = bk.add_resource(desk, "会议室 A", "meeting_room", capacity=12)
    small = bk.add_resource(desk, "Room B", "meeting_room", capacity=6)
    board = bk.add_resource(desk, "告示牌 1F", "notice_board")
    booking(desk, big, at(26, 14), at(26, 16), star)               # the clock is 26th 14:00
    booking(desk, small, at(26, 9), at(26, 10, 30), acme, kind="borrowing")   # awaits the GM
    booking(desk, board, at(26, 8), at(26, 22), acme)
    booking(desk, big, at(27, 10), at(27, 11), star)               # tomorrow
    return dict(big=big, small=small, board=board, star=star, acme=acme)


async def to_row(pilot, resource) -> None:
    grid = pilot.app.screen.grid
    while grid.current_row.resource_id != resource.id:
        await pilot.press("down")
    await settle(pilot)


async def on_bookings(pilot) -> DayGrid:
    await pilot.press("3")
    await until(pilot, lambda: pilot.app.screen.id == "bookings-screen"
                and pilot.app.screen.grid.rows)
    await settle(pilot)
    return pilot.app.screen.grid


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_3_opens_the_day_grid_with_each_booking_as_a_bar(desk, rooms, db_url, lang):
    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        text = shown(app)
        for line in text.split("\n"):
            assert cell_len(line) in (0, 80), line                # lines up in Chinese too
        assert "2026-11-26" in text and "08  09  10" in text
        assert "星辰科…" in text and "[bold]Acme[/]" in text      # data, not markup
        # the cursor starts on the slot of the clock (14:00)
        await to_row(pilot, rooms["big"])
        assert grid.span_at() is not None and grid.span_at().who == "星辰科技有限公司"
        assert "#1 星辰科技有限公司 14:00–16:00" in shown(app)


async def test_arrows_move_by_slot_and_brackets_by_day(desk, rooms, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        await to_row(pilot, rooms["big"])
        await pilot.press("right", "right", "right", "right")    # 16:00: free again
        assert grid.span_at() is None
        assert "16:00–16:30" in shown(app)
        await pilot.press("right_square_bracket")                # tomorrow
        await settle(pilot)
        assert "2026-11-27" in shown(app)
        grid.set_slot_at(10)
        await settle(pilot)
        assert grid.span_at() is not None                        # tomorrow 10:00, booked
        await pilot.press("t")                                   # back to today
        await settle(pilot)
        assert "2026-11-26" in shown(app)


async def test_w_shows_the_week_of_the_resource_under_the_cursor(desk, rooms, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        await to_row(pilot, rooms["big"])
        await pilot.press("w")
        await settle(pilot)
        assert [row.key[0] for row in grid.rows] == ["day"] * 7
        assert grid.cursor_row == 3                              # Thursday 26th
        assert "会议室 A" in shown(app)
        booked_days = [row.label[:5] for row in grid.rows if row.spans]
        assert booked_days == ["11-26", "11-27"]
        await pilot.press("w")
        await settle(pilot)
        assert [row.key[0] for row in grid.rows] == ["resource"] * 3


async def test_another_sessions_booking_appears_and_repaints_only_its_row(desk, rooms, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        small_row = next(i for i, r in enumerate(grid.rows) if r.resource_id == rooms["small"].id)
        repainted: list[int] = []
        original = grid.refresh_line
        grid.refresh_line = lambda y: (repainted.append(y), original(y))
        booking(desk, rooms["small"], at(26, 18), at(26, 19), rooms["star"])
        await app.tick()
        await settle(pilot)
        assert repainted == [small_row]
        assert any(span.start == at(26, 18).timestamp() for span in grid.rows[small_row].spans)


async def test_a_pending_borrowing_reads_without_colour(desk, rooms, db_url, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_bookings(pilot)
        assert "░" in shown(app)                                 # awaiting the GM


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_enter_on_a_free_slot_books_it_in_a_few_keys(desk, rooms, db_url, lang):
    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        await to_row(pilot, rooms["small"])
        grid.set_slot_at(15)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "BookingFormScreen")
        await settle(pilot)
        # the end is focused: 16:00 → 16:30, the tenant, save
        await pilot.press(*["backspace"] * 5, *"16:30", "tab", *"星辰", "ctrl+s")
        await until(pilot, lambda: app.screen.id == "bookings-screen")
        made = Booking.get(Booking.resource == rooms["small"].id, Booking.state == "confirmed")
        assert (made.starts_at, made.ends_at) == (at(26, 15), at(26, 16, 30))
        assert made.tenant_id == rooms["star"].id
        await app.tick()
        await settle(pilot)
        assert grid.span_at() is not None and grid.span_at().booking_id == made.id


async def test_a_clash_is_refused_on_the_form_naming_what_is_in_the_way(desk, rooms, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        grid = await on_bookings(pilot)
        await to_row(pilot, rooms["big"])
        grid.set_slot_at(13)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "BookingFormScreen")
        await pilot.press(*["backspace"] * 5, *"15:00", "ctrl+s")      # into #1 14:00–16:00
        await settle(pilot)
        assert app.screen.__class__.__name__ == "BookingFormScreen"
        assert "#1" in str(app.screen.query_one("#form-error").content)
        assert Booking.select().count() == 4                           # nothing written


async def test_the_gm_approves_a_borrowing_and_the_desk_is_not_offered_it(desk, rooms, db_url):
    from deskapp.services import Desk

    pending = Booking.get(Booking.state == "pending")
    for role, offered in (("desk", False), ("gm", True)):
        person = Desk(db=desk.db, clock=desk.clock, user=f"{role}1", role=role)
        app = make_app(person, db_url)
        async with app.run_test(size=SIZE) as pilot:
            grid = await on_bookings(pilot)
            await to_row(pilot, rooms["small"])
            grid.set_slot_at(9)
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.__class__.__name__ == "BookingDetailScreen")
            await settle(pilot)
            assert ("a Approve" in shown(app)) is offered
            await pilot.press("a")
            await settle(pilot)
            await settle(pilot)
            state = Booking.get_by_id(pending.id).state
            assert state == ("confirmed" if offered else "pending")
