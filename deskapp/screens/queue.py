"""Screen 1: the live queue (SCREENS.md)."""

from __future__ import annotations

from functools import lru_cache

import pendulum
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from ..i18n import language, t
from ..queue import DEPARTMENT_OF_ROLE, QueueUpdate
from ..services import DeskError
from ..services.context import VIEWER
from ..services.staff import managers
from ..services.tickets import (MOVE_UP_STATES, REASON_REQUIRED, TRANSITIONS, move_up,
                                owes_written_reply, step)
from ..views import fit, service_name
from ..widgets.queue_table import QueueTable
from ..widgets.desk_header import DeskHeader
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine
from . import localise_bindings



class QueueScreen(Screen):
    MODE = "queue"
    # In the order the key bar offers them when the width runs out: the steps the
    # selected ticket can take first, then opening it, then the rest. The keys that open
    # a dialog are priority bindings: they run when the key arrives, so what is typed
    # right after them over a slow link reaches the dialog (typeahead.py).
    BINDINGS = [
        Binding("d", "step('dispatch')", "key.dispatch", priority=True),
        Binding("a", "step('arrive')", "key.arrive"),
        Binding("r", "step('resolve')", "key.resolve"),
        Binding("t", "reply(False)", "key.reply", priority=True),
        Binding("w", "reply(True)", "key.reply_written", priority=True),
        Binding("c", "step('answer')", "key.answer"),
        Binding("u", "step('resume')", "key.resume"),
        Binding("o", "step('reopen')", "key.reopen", priority=True),
        Binding("enter", "detail", "key.detail", key_display="⏎"),
        Binding("n", "new_ticket", "key.new", priority=True),
        Binding("slash", "filter", "key.filter", key_display="/", priority=True),
        Binding("v", "toggle_scope", "key.scope"),
        Binding("h", "step('hold')", "key.hold", priority=True),
        Binding("x", "step('cancel')", "key.cancel", priority=True),
        Binding("m", "move_up", "key.move_up", priority=True),
        Binding("escape", "clear_filter", "key.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="queue-screen")
        localise_bindings(self)
        # set before mount: the first tick may reach the screen before it is mounted
        self._counts: dict | None = None
        self._day = None
        self._offered: tuple | None = None
        # True from the end of on_mount (Textual's is_mounted turns True a little later:
        # a tick in between would be lost)
        self._ready = False

    def compose(self) -> ComposeResult:
        yield DeskHeader(self._scope_title)
        yield Static("", id="colheader", markup=False)
        yield QueueTable(id="queue")
        yield Input(placeholder=t("filter.placeholder"), id="filter")
        yield StatusLine(id="status")
        yield KeyBar()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self._header = self.query_one(DeskHeader)
        self._table = self.table
        self._status = self.query_one(StatusLine)
        self._department = DEPARTMENT_OF_ROLE.get(self.app.desk.role)
        self._table.set_department(self._department)
        self._second()
        self._title()
        self.call_after_refresh(self._title)  # once the title knows its width
        self._colheader()
        self.set_interval(1.0, self._second, name="second")
        # paused while nothing is near breach: an idle desk wakes once a second, not three times
        self._flash_timer = self.set_interval(0.5, self._flash, name="flash", pause=True)
        self.table.focus()
        self._ready = True
        if self.app.last_update is not None:
            self.queue_updated(self.app.last_update)

    # -- the live parts ----------------------------------------------------------------
    def queue_updated(self, update: QueueUpdate) -> None:
        if not self._ready:  # on_mount applies the latest update itself
            return
        table = self.table
        table.people = self.app.model.staff_names() or table.people
        table.apply(update)
        self._offer_steps_for(table.cursor_row)
        counts = update.counts
        if counts != self._counts:
            self._counts = counts
            self._header.set_counts(counts)
            self._provisional_note()
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
        self._header.show_title()

    def _scope_title(self) -> str | None:
        """The engineering office's header names its department instead of the building."""
        if self._ready and self._table.department:
            return t("header.scope", department=t(f"department.{self._table.department}"))
        return None

    def _colheader(self) -> None:
        self.query_one("#colheader", Static).update(self.table.header_text())

    def on_queue_table_columns_changed(self, _message) -> None:
        self._colheader()  # the scrollbar came or went, the width or the number column moved

    def _second(self) -> None:
        now = self.app.clock.now()
        if self._header.second(now):
            self._day = self._header.day
            self._set_day(now.in_tz(self.app.profile.timezone))
            self._provisional_note()
        self._table.tick_display(now.timestamp())

    def bell_changed(self) -> None:
        self._second()

    def _provisional_note(self) -> None:
        """What the status line says while no message is live: which part of the queue
        this is (the engineering office's own work), and the guessed-calendar note only
        while a ticket on the queue has a target computed on a guessed calendar."""
        if not self._ready or self._day is None:
            return
        notes = []
        if self.app.desk.role == VIEWER:
            notes.append(t("status.read_only", login=self.app.desk.user,
                           managers=", ".join(managers()) or "—"))
        if self._table.department:
            notes.append(t("status.scope",
                           department=t(f"department.{self._table.department}")))
        if (self._counts or {}).get("provisional"):
            year = self._day.year + (1 if self._day.month >= 11 else 0)
            notes.append(t("header.provisional", year=year))
        self._status.set_idle(" · ".join(notes))

    def _flash(self) -> None:
        table = self.table
        if table.flash_on or (self._counts or {}).get("near"):
            table.flash(not table.flash_on)
        else:
            self._flash_timer.pause()

    # -- actions -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Offer (and show in the key bar) only what the selected ticket can take and
        the user's role may do."""
        if self.focused is not None and self.focused.id == "filter" and action != "clear_filter":
            return False  # a letter typed into the filter is text, not a key
        return offered(self.app.desk, self.table.cursor_row if self._ready else None,
                       action, parameters, department=self._scope_role())

    def _scope_role(self) -> bool:
        return self.app.desk.role in DEPARTMENT_OF_ROLE

    def on_queue_table_cursor_moved(self, _message) -> None:
        self._offer_steps_for(self.table.cursor_row)

    def _offer_steps_for(self, row) -> None:
        """Re-check the offered steps only when what decides them differs."""
        # for a complaint owing a written reply, its version too: recording the reply
        # leaves state and flags as they were, and c (close) becomes possible
        key = None if row is None else (
            row.state, row.written, (row.id, row.version) if row.written else None)
        if key != self._offered:
            self._offered = key
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
                self.app.say(t("toast.opened", id=ticket_id))
                self.table.follow(ticket_id)
                self.app.request_tick()

        try:
            form = NewTicketScreen()  # reads the catalogue and the tenants
        except DeskError as exc:  # the database cannot be used just now
            self.app.say(exc.message(), "error")
            return
        self.app.push_screen(form, opened)

    def action_step(self, action: str) -> None:
        row = self.table.cursor_row
        if row is not None:
            run_step(self.app, row.id, action, row.version)

    def action_reply(self, written: bool) -> None:
        row = self.table.cursor_row
        if row is not None:
            run_step(self.app, row.id, "reply_written" if written else "reply", row.version)

    def action_move_up(self) -> None:
        row = self.table.cursor_row
        if row is not None:
            run_step(self.app, row.id, "move_up", row.version)

    def action_toggle_scope(self) -> None:
        """The engineering office: its own department's work, or the whole queue."""
        department = DEPARTMENT_OF_ROLE.get(self.app.desk.role)
        self._table.set_department(None if self._table.department else department)
        self._title()
        self._provisional_note()
        self._colheader()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        self.set_focus(box)  # now: the letters typed right after / are the filter's

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


def offered(desk, row, action: str, parameters: tuple, *, department: bool = False) -> bool:
    """Whether a key is offered for the selected ticket ``row`` (a QueueRow or a Ticket):
    its state allows the step, the role may take it, and it makes sense now."""
    if action == "step" and parameters:
        step_name = parameters[0]
        if step_name == "answer" and row is not None and row.written and \
                row.state == "resolved" and owes_written_reply(row.id):
            return False  # closing waits for the written reply (w): not offered before
        return (row is not None and row.state in TRANSITIONS[step_name][0]
                and desk.allowed(f"ticket.{step_name}"))
    if action == "reply":
        written = bool(parameters and parameters[0])
        return (row is not None and row.state in TRANSITIONS["reply"][0]
                and desk.allowed("ticket.reply") and (not written or bool(row.written))
                and (written or row.service == "complaint"))
    if action == "move_up":
        return (row is not None and row.state in MOVE_UP_STATES
                and desk.allowed("ticket.move_up"))
    if action == "new_ticket":
        return desk.allowed("ticket.open")
    if action == "detail":
        return row is not None
    if action == "toggle_scope":
        return department
    return True


STEP_NEEDS = {"reply": "reply.prompt", "reply_written": "reply.prompt_written"}


def run_step(app, ticket_id: int, action: str, version: int | None, done=None) -> None:
    """Ask what the step needs (a reason, who goes, what the tenant was told), then call
    the service; the outcome goes to the status line."""
    from .reason import ReasonScreen

    def perform(answer: str | None) -> None:
        def call() -> None:
            if action == "move_up":
                move_up(app.desk, ticket_id, answer or "", expected_version=version)
            elif action in STEP_NEEDS:
                step(app.desk, ticket_id, "reply", note=answer,
                     written=action == "reply_written", expected_version=version)
            elif action == "dispatch":
                step(app.desk, ticket_id, action, to=answer, expected_version=version)
            else:
                step(app.desk, ticket_id, action, reason=answer, expected_version=version)

        def succeeded(_result) -> None:
            app.say(t("toast.done", id=ticket_id, action=t(f"action.{action}")))
            if done is not None:
                done()

        def failed(exc: DeskError) -> None:
            app.say(exc.message(), "error")
            if done is not None:
                done()

        app.write(call, succeeded, failed)

    def answered(answer: str | None) -> None:
        if answer:
            perform(answer)

    if action == "dispatch":
        from .dispatch import DispatchScreen

        try:
            picker = DispatchScreen(ticket_id)
        except DeskError as exc:  # the ticket went meanwhile
            app.say(exc.message(), "error")
            return
        app.push_screen(picker, _dispatched(perform))
    elif action in REASON_REQUIRED:
        app.push_screen(ReasonScreen(t(f"action.{action}"), ticket_id), answered)
    elif action in STEP_NEEDS:
        app.push_screen(ReasonScreen(t(f"action.{action}"), ticket_id,
                                     prompt=t(STEP_NEEDS[action])), answered)
    else:
        perform(None)


def _dispatched(perform):
    """The picker answers a login, "" for the department without a name, None for Esc."""
    def picked(login: str | None) -> None:
        if login is not None:
            perform(login or None)
    return picked


__all__ = ["QueueScreen", "run_step", "service_name"]
