"""Screen 1: the live queue (SCREENS.md)."""

from __future__ import annotations

from functools import lru_cache

import pendulum
from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

from ..calendar import official_year_known
from ..db import describe
from ..i18n import language, t
from ..queue import QueueUpdate
from ..services import DeskError
from ..services.tickets import REASON_REQUIRED, TRANSITIONS, move_up, step
from ..views import service_name
from ..widgets.queue_table import QueueTable
from ..widgets.clock import Clock
from ..widgets.key_bar import KeyBar
from . import localise_bindings

STEP_KEYS = {"dispatch": "d", "arrive": "a", "resolve": "r", "answer": "c", "hold": "h",
             "resume": "u", "cancel": "x", "reopen": "o"}


class QueueScreen(Screen):
    BINDINGS = [
        Binding("n", "new_ticket", "key.new"),
        Binding("enter", "detail", "key.detail", show=False),
        Binding("d", "step('dispatch')", "key.dispatch"),
        Binding("a", "step('arrive')", "key.arrive"),
        Binding("r", "step('resolve')", "key.resolve"),
        Binding("c", "step('answer')", "key.answer"),
        Binding("h", "step('hold')", "key.hold", show=False),
        Binding("u", "step('resume')", "key.resume"),
        Binding("x", "step('cancel')", "key.cancel", show=False),
        Binding("o", "step('reopen')", "key.reopen"),
        Binding("m", "move_up", "key.move_up", show=False),
        Binding("slash", "filter", "key.filter"),
        Binding("escape", "clear_filter", "key.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="queue-screen")
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("", id="title", markup=False)
            yield Static("", id="where", markup=False)
            yield Clock(id="clock")
        yield Static("", id="banner", markup=False)
        yield Static("", id="colheader", markup=False)
        yield QueueTable(id="queue")
        yield Input(placeholder=t("filter.placeholder"), id="filter")
        yield KeyBar()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self._counts = None
        self._day = None
        self._where = None
        self._clock = self.query_one(Clock)
        self._table = self.table
        self._db_name = describe(self.app.settings.database_url)
        self._second()
        self._colheader()
        self.set_interval(1.0, self._second, name="second")
        # paused while nothing is near breach: an idle desk wakes once a second, not three times
        self._flash_timer = self.set_interval(0.5, self._flash, name="flash", pause=True)
        self.table.focus()
        if self.app.last_update is not None:
            self.queue_updated(self.app.last_update)

    # -- the live parts ----------------------------------------------------------------
    def queue_updated(self, update: QueueUpdate) -> None:
        table = self.table
        table.people = self.app.model.staff_names() or table.people
        table.apply(update)
        self._offer_steps_for(table.cursor_row)
        counts = update.counts
        if counts != self._counts:
            self._counts = counts
            self._title()
            if counts.get("near"):
                self._flash_timer.resume()

    def _set_day(self, local) -> None:
        """Once a day (and at start): what "today" and a date read like in the table."""
        tz = self.app.profile.timezone
        table = self.table
        table.today_end_ts = local.end_of("day").replace(microsecond=0).timestamp()

        @lru_cache(maxsize=8192)
        def date_of(ts: float) -> str:  # asked every second for every visible row
            return pendulum.from_timestamp(ts, tz=tz).format("MM-DD")

        table.date_of = date_of

    def _title(self) -> None:
        counts = self._counts or {"extra_urgent": 0, "urgent": 0, "normal": 0, "breached": 0}
        summary = t("header.counts", eu=counts["extra_urgent"], u=counts["urgent"],
                    n=counts["normal"], late=counts["breached"])
        title = t("app.title", building=self.app.profile.name(language()))
        box = self.query_one("#title", Static)
        text = Text(no_wrap=True, overflow="ellipsis")
        # the counts are what the manager glances at: the building's name gives way first
        room = box.size.width - 2 if box.size.width else 80
        if cell_len(title) + 2 + cell_len(summary) <= room:
            text.append(title, "bold")
            text.append("  ")
        text.append(summary)
        box.update(text, layout=False)  # 1fr wide: a layout would repaint the scrollbar whole

    def on_resize(self) -> None:
        self._title()

    def _colheader(self) -> None:
        self.query_one("#colheader", Static).update(self.table.header_text())

    def on_queue_table_columns_changed(self, _message) -> None:
        self._colheader()  # the scrollbar came or went, the width or the number column moved

    def _second(self) -> None:
        now = self.app.clock.now()
        local = now.in_tz(self.app.profile.timezone)
        # Only the eight clock cells change each second. (A layout here once re-drew the
        # queue's scrollbar every second: 2,800 B/s through a pty, bench_terminal.py.)
        self._clock.show(local.format("HH:mm:ss"))
        where = ("⚠ " if self.app.tick_error else "") + self._db_name
        if local.date() != self._day or where != self._where:
            self._day, self._where = local.date(), where
            day = local.format("MM-DD ddd", locale="zh" if language() == "zh" else "en")
            self.query_one("#where", Static).update(f"{where}  {day}")
            self._banner(local)
            self._set_day(local)
        self._table.tick_display(now.timestamp())

    def _banner(self, local) -> None:
        banner = self.query_one("#banner", Static)
        year = local.year + 1 if local.month >= 11 else local.year
        missing = not official_year_known(year)
        text = t("header.provisional", year=year) if missing else ""
        if banner.display != bool(text):
            banner.display = bool(text)
        if text and str(banner.content) != text:
            banner.update(text)

    def _flash(self) -> None:
        table = self.table
        if table.flash_on or (self._counts or {}).get("near"):
            table.flash(not table.flash_on)
        else:
            self._flash_timer.pause()

    # -- actions -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Offer (and show in the footer) only the steps the selected ticket can take."""
        if action == "step" and parameters:
            row = self.table.cursor_row if self.is_mounted else None
            return (row is not None and row.state in TRANSITIONS[parameters[0]][0]
                    and self.app.desk.allowed(f"ticket.{parameters[0]}"))
        if action in ("new_ticket", "move_up"):
            return self.app.desk.allowed(f"ticket.{'open' if action == 'new_ticket' else 'move_up'}")
        return True

    def on_queue_table_cursor_moved(self, _message) -> None:
        self._offer_steps_for(self.table.cursor_row)

    _offered_state: str | None = None

    def _offer_steps_for(self, row) -> None:
        """Re-check the offered steps only when the selected ticket's state differs."""
        state = row.state if row is not None else None
        if state != self._offered_state:
            self._offered_state = state
            self.refresh_bindings()

    def on_queue_table_selected(self, message: QueueTable.Selected) -> None:
        self._open_detail(message.ticket_id)

    def action_detail(self) -> None:
        row = self.table.cursor_row
        if row is not None:
            self._open_detail(row.id)

    def _open_detail(self, ticket_id: int) -> None:
        from .detail import TicketDetailScreen

        self.app.push_screen(TicketDetailScreen(ticket_id))

    def action_new_ticket(self) -> None:
        from .new_ticket import NewTicketScreen

        def opened(ticket_id: int | None) -> None:
            if ticket_id is not None:
                self.app.notify(t("toast.opened", id=ticket_id), timeout=3)
                self.table.follow(ticket_id)
                self.app.request_tick()

        self.app.push_screen(NewTicketScreen(), opened)

    def action_step(self, action: str) -> None:
        row = self.table.cursor_row
        if row is not None:
            run_step(self.app, row.id, action, row.version)

    def action_move_up(self) -> None:
        row = self.table.cursor_row
        if row is not None:
            run_step(self.app, row.id, "move_up", row.version)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.table.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.table.set_filter("")
            self.table.focus()


def run_step(app, ticket_id: int, action: str, version: int | None, done=None) -> None:
    """Ask for a reason when one is required, then call the service; report the outcome."""
    from .reason import ReasonScreen

    def perform(reason: str | None) -> None:
        try:
            if action == "move_up":
                move_up(app.desk, ticket_id, reason or "", expected_version=version)
            else:
                step(app.desk, ticket_id, action, reason=reason, expected_version=version)
        except DeskError as exc:
            app.notify(exc.message(), severity="error", markup=False)
        else:
            app.notify(t("toast.done", id=ticket_id, action=t(f"action.{action}")), timeout=3)
        app.request_tick()
        if done is not None:
            done()

    if action in REASON_REQUIRED:
        def answered(reason: str | None) -> None:
            if reason:
                perform(reason)

        app.push_screen(ReasonScreen(t(f"action.{action}"), ticket_id), answered)
    else:
        perform(None)


__all__ = ["QueueScreen", "run_step", "service_name"]
