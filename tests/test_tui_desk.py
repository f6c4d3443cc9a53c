"""The desk through a whole shift: start-up, the engineering office, dispatch to people,
alerts on a status line (never toasts over the rows), the key bar at 80 columns."""

from __future__ import annotations

import pendulum
import pytest

from deskapp import i18n
from deskapp.app import DeskApp
from deskapp.widgets.desk_header import DeskHeader
from deskapp.config import Settings
from deskapp.services import Desk
from deskapp.services.errors import InvalidInput
from deskapp.services.staff import add_staff
from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket, open_ticket, step
from deskapp.widgets.queue_table import QueueTable
from deskapp.widgets.status_line import StatusLine

from .conftest import TZ

SIZE = (80, 24)


def make_app(desk, db_url, **kw) -> DeskApp:
    return DeskApp(desk, Settings(database_url=db_url, bell=kw.pop("bell", False)), **kw)


def status(app) -> str:
    return app.screen.query_one(StatusLine).shown


async def settle(pilot, times: int = 3) -> None:
    """Let messages, signals and a pushed screen's mount run."""
    for _ in range(times):
        await pilot.pause()


async def until(pilot, condition, tries: int = 40) -> None:
    """Pause until ``condition()`` holds (a loaded machine mounts screens later)."""
    for _ in range(tries):
        try:
            if condition():
                return
        except Exception:  # noqa: BLE001 - not mounted yet
            pass
        await pilot.pause(0.05)


def keys(app) -> str:
    return str(app.screen.query_one("KeyBar").content)


def row_ids(app) -> list[int]:
    return list(app.screen.query_one(QueueTable).order)


@pytest.fixture
def crew(desk):
    upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    add_staff(desk, "ligong", "李工", "engineering")
    add_staff(desk, "zhanggong", "张工", "engineering")
    add_staff(desk, "laochen", "老陈", "security")


def engineer(desk, login="ligong") -> Desk:
    return Desk(db=desk.db, clock=desk.clock, user=login, role="engineering")


async def test_first_frame_has_the_building_and_no_fault_mark(desk, db_url):
    app = make_app(desk, db_url, auto_tick=True)
    async with app.run_test(size=(100, 24)) as pilot:  # room for the name beside the counts
        await pilot.pause()
        assert "Golden Tower" in str(app.screen.query_one("#title").content)
        await pilot.pause(1.3)
        assert app.tick_error is None
        assert "⚠" not in str(app.screen.query_one("#where").content)


async def test_an_update_before_the_screen_is_mounted_is_kept_for_it(desk, db_url, clock):
    from deskapp.screens.queue import QueueScreen

    ticket = open_ticket(desk, NewTicket(service="mail", location="3F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        update = await app.tick()
        QueueScreen().queue_updated(update)     # not mounted yet: no AttributeError
        await pilot.pause()
        assert ticket.id in row_ids(app)


async def test_the_engineering_office_opens_on_its_own_work(desk, db_url, crew):
    burst = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="12F"))
    mail = open_ticket(desk, NewTicket(service="mail", location="3F"))
    sales = open_ticket(desk, NewTicket(service="salesperson", location="8F"))
    app = make_app(engineer(desk), db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        assert row_ids(app) == [burst.id]
        assert "engineering work only" in status(app)
        bar = keys(app)
        assert "a On site" in bar and "r Resolve" in bar and "Dispatch" not in bar
        await pilot.press("v")               # everything
        await settle(pilot)
        assert set(row_ids(app)) == {burst.id, mail.id, sales.id}
        assert status(app) == ""
        await pilot.press("v")
        await pilot.pause()
        assert row_ids(app) == [burst.id]


async def test_dispatch_picks_who_goes_and_the_who_column_names_them(desk, db_url, crew):
    first = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="12F"))
    step(desk, first.id, "dispatch", to="zhanggong")
    ticket = open_ticket(desk, NewTicket(service="repair", tier="extra_urgent",
                                         location="8F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        assert row_ids(app)[0] == ticket.id
        await pilot.press("d")
        await until(pilot, lambda: app.screen.query_one("OptionList").option_count)
        picker = app.screen
        options = picker.query_one("OptionList")
        first_choice = options.get_option_at_index(0).id
        assert first_choice == "zhanggong"        # the last one sent for repairs
        await pilot.press(*"李", "enter")         # type-ahead: 李工
        await until(pilot, lambda: app.screen is not picker)
        await app.tick()
        await settle(pilot)
        assert app.model.rows[ticket.id].assigned_to == "ligong"
        line = app.screen.query_one(QueueTable).render_line(0).text
        assert "李工" in line


async def test_a_work_order_alerts_its_engineer_in_their_own_session(desk, db_url, crew):
    ticket = open_ticket(desk, NewTicket(service="repair", tier="normal", location="12F"))
    app = make_app(engineer(desk), db_url, bell=True)
    rings = []
    async with app.run_test(size=SIZE) as pilot:
        app.bell = lambda: rings.append(1)
        await app.tick()
        step(desk, ticket.id, "dispatch", to="ligong")
        await app.tick()
        await settle(pilot)
        assert f"#{ticket.id} sent to you" in status(app)
        assert rings == [1]
        await app.tick()
        await app.tick()
        assert rings == [1]                  # once


async def test_alerts_fold_into_the_status_line_and_never_cover_rows(desk, db_url, clock):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        made = [open_ticket(desk, NewTicket(service="salesperson", location=f"{n}F"))
                for n in (3, 5, 7)]
        await app.tick()
        await settle(pilot)
        assert "(+2 more)" in status(app)
        assert not app._notifications        # no toast stacked over the queue
        table = app.screen.query_one(QueueTable)
        assert all(f"{n}F" in table.render_line(i).text for i, n in enumerate((3, 5, 7)))
        assert len(made) == 3


async def test_counter_services_do_not_ring(desk, db_url):
    app = make_app(desk, db_url, bell=True)
    rings = []
    async with app.run_test(size=SIZE) as pilot:
        app.bell = lambda: rings.append(1)
        await app.tick()
        open_ticket(desk, NewTicket(service="umbrella", location="大堂"))
        open_ticket(desk, NewTicket(service="access_pass", location="大堂", people=2))
        await app.tick()
        await pilot.pause()
        assert rings == [] and status(app) == ""


async def test_the_bell_state_shows_in_the_header(desk, db_url):
    app = make_app(desk, db_url, bell=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "bell off" not in str(app.screen.query_one("#where").content)
        await pilot.press("b")
        await pilot.pause()
        assert "bell off" in str(app.screen.query_one("#where").content)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_key_bar_fits_80_columns_and_always_offers_keys(desk, db_url, lang):
    from rich.cells import cell_len

    i18n.set_language(lang)
    ticket = open_ticket(desk, NewTicket(service="complaint", tier="normal", location="15F",
                                         written=True))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        for screen_keys in ("queue", "detail"):
            if screen_keys == "detail":
                await pilot.press("enter")
                await settle(pilot)
            bar = app.screen.query_one("KeyBar")
            text = str(bar.content)
            assert cell_len(text) <= bar.content_region.width, text
            assert text.rstrip().endswith(("? Keys", "? 按键")), text
            assert "t " in text                    # reply, for a complaint
        assert ticket.id


async def test_the_queue_offers_hold_enter_and_not_cancel_on_done_work(desk, db_url):
    waiting = open_ticket(desk, NewTicket(service="mail", location="3F"))
    done = open_ticket(desk, NewTicket(service="large_item", location="9F"))
    step(desk, done.id, "resolve")
    app = make_app(desk, db_url)
    async with app.run_test(size=(120, 24)) as pilot:
        await app.tick()
        await until(pilot, lambda: "h Hold" in keys(app))
        table = app.screen.query_one(QueueTable)
        assert table.cursor_id == waiting.id
        bar = keys(app)
        assert "h Hold" in bar and "⏎ Detail" in bar and "x Cancel" in bar
        await pilot.press("down")
        await until(pilot, lambda: "c Close" in keys(app))
        assert table.cursor_id == done.id
        bar = keys(app)
        assert "Cancel" not in bar and "Move up" not in bar and "c Close" in bar


async def test_the_guessed_calendar_note_shows_only_with_a_guessed_target(desk, db_url, clock):
    clock.set(pendulum.datetime(2026, 12, 28, 10, 0, tz=TZ))   # 2027 is not published
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        assert status(app) == ""                   # no row for the banner
        open_ticket(desk, NewTicket(service="signage", location="18F"))  # due in 2027
        await app.tick()
        await settle(pilot)
        assert "2027" in status(app) and "provisional" in status(app)


async def test_step_confirmation_reads_well_in_chinese(desk, db_url):
    i18n.set_language("zh")
    ticket = open_ticket(desk, NewTicket(service="large_item", location="9F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("r")
        await settle(pilot)
        assert status(app) == f"#{ticket.id} 已处理完成"


def test_the_say_where_message_names_the_service_in_chinese():
    i18n.set_language("zh")
    message = InvalidInput("error.where_required", service="repair").message()
    assert "室内报修" in message and "repair" not in message


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_counts_are_never_cut_by_a_long_database_name(desk, db_url, lang):
    i18n.set_language(lang)
    for _ in range(3):
        open_ticket(desk, NewTicket(service="salesperson", location="8F"))
    app = make_app(desk, db_url)                     # bell off: "bell off" in the header
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        header = screen.query_one(DeskHeader)
        header._db_name = "terminal_flashing_benchmark.db"
        header._where = None
        screen._second()
        await app.tick()
        await settle(pilot)
        title = str(screen.query_one("#title").content)
        late = "Late 0" if lang == "en" else "超时 0"
        assert title.endswith(late) and "…" not in title, title
        where = str(screen.query_one("#where").content)
        assert where.startswith(("bell off", "铃声关")) and "…" in where


async def test_an_unlisted_login_gets_a_read_only_desk_that_says_whom_to_ask(desk, db_url):
    open_ticket(desk, NewTicket(service="mail", location="3F"))
    stranger = Desk.for_login(desk.db, desk.clock, "visitor")
    app = make_app(stranger, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        assert "Read only" in status(app) and "wangfang" in status(app)
        bar = keys(app)
        assert "Dispatch" not in bar and "New" not in bar and "? Keys" in bar
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.id == "queue-screen"


async def test_a_pasted_reason_keeps_all_its_lines(desk, db_url):
    """Textual's Input kept the first line of a paste and dropped the rest silently."""
    from textual import events

    ticket = open_ticket(desk, NewTicket(service="mail", location="3F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        await pilot.press("h")
        await until(pilot, lambda: app.screen.query_one("#reason"))
        box = app.screen.query_one("#reason")
        box.post_message(events.Paste("租户要求改期\n明天上午\t再送\x07"))
        await settle(pilot)
        assert box.value == "租户要求改期 明天上午 再送"
        await pilot.press("enter")
        await until(pilot, lambda: app.model.rows.get(ticket.id) is not None)
        from deskapp.services.tickets import history, find_ticket

        await until(pilot, lambda: history(find_ticket(ticket.id))[-1].action == "hold")
        assert history(find_ticket(ticket.id))[-1].reason == "租户要求改期 明天上午 再送"


async def test_the_building_name_shows_when_there_is_room(desk, db_url):
    i18n.set_language("zh")
    app = make_app(desk, db_url, bell=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await settle(pilot)
        title = str(app.screen.query_one("#title").content)
        where = str(app.screen.query_one("#where").content)
        from rich.cells import cell_len

        free = 80 - cell_len(title) - cell_len(where) - 14
        assert "金座大厦" in title or free < cell_len("金座大厦 客服台  "), (title, where)


async def test_a_long_message_is_read_to_its_end(desk, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        message = ("the database desk.db is busy: another session held it past the "
                   "timeout; nothing was written, try again")
        app.say(message, "error")
        await settle(pilot)
        line = app.screen.query_one(StatusLine)
        assert line.size.height == 2
        rendered = " ".join(line.render_line(y).text.strip() for y in range(2))
        assert rendered.endswith("try again")
        app.say("#3: resolve recorded")
        await settle(pilot)
        assert line.size.height == 1


async def test_close_is_offered_only_once_the_written_reply_is_on_record(desk, db_url):
    from deskapp.services.tickets import step as take

    ticket = open_ticket(desk, NewTicket(service="complaint", tier="normal", location="15F",
                                         written=True))
    take(desk, ticket.id, "resolve")
    app = make_app(desk, db_url)
    async with app.run_test(size=(120, 24)) as pilot:
        await app.tick()
        await until(pilot, lambda: "w Written reply" in keys(app))
        assert "c Close" not in keys(app)
        take(desk, ticket.id, "reply", note="书面答复函 12-01", written=True)
        await app.tick()
        await until(pilot, lambda: "c Close" in keys(app))
        assert "c Close" in keys(app)
