"""Screen 3: bookings (SCREENS.md) — the day grid (resources down, hours across, ←/→ a
slot, [ ] a day, t today), w for the week of the resource under the cursor, Enter on a
free slot to book it, on a booking to see it; f finds what is free.

The window is read in the ticker's thread (bookings_model) and read again only when
something about bookings was written; the grid repaints only the rows that changed.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ..bookings_model import BookingsModel
from ..i18n import language, t
from ..services import DeskError
from ..services.tenants import today
from ..widgets.day_grid import DayGrid
from ..widgets.desk_header import DeskHeader
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine
from . import localise_bindings
from .frame import FrameScreen


class BookingsScreen(FrameScreen):
    MODE = "bookings"
    BINDINGS = [
        Binding("enter", "open", "key.book_open", key_display="⏎"),
        Binding("left_square_bracket", "day(-1)", "key.day_prev", key_display="["),
        Binding("right_square_bracket", "day(1)", "key.day_next", key_display="]"),
        Binding("t", "today", "key.today"),
        Binding("w", "week", "key.week"),
        Binding("f", "finder", "key.finder", priority=True),
        Binding("u", "umbrellas", "key.umbrellas", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="bookings-screen")
        localise_bindings(self)
        self._ready = False
        self._shown_info = None
        self._shown_title = None
        self._shown_axis = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="grid-title", markup=False)
        yield Static("", id="grid-axis", markup=False)
        yield DayGrid(id="day-grid")
        yield Static("", id="grid-info", markup=False)
        yield StatusLine(id="status")
        yield KeyBar()

    @property
    def grid(self) -> DayGrid:
        return self.query_one(DayGrid)

    def on_mount(self) -> None:
        self._grid = self.grid
        self.model = BookingsModel(self.app.desk.db, self.app.profile.timezone)
        self.start_frame()
        self._grid.focus()
        self._ready = True
        try:
            self._show(self.model.show_day(today(self.app.desk)))
        except DeskError as exc:
            self.app.say(exc.message(), "error")
        self._grid.set_slot_at(self._now_hour())
        self._info()
        self.follow(self.model, self._show)

    def _now_hour(self) -> float:
        local = self.app.clock.now().in_tz(self.app.profile.timezone)
        return local.hour + local.minute / 60

    # -- live parts ----------------------------------------------------------------------
    def _show(self, rows) -> None:
        self._grid.set_rows(rows, self.model.hours())
        self._title()
        axis = self._grid.axis_text()
        if axis != self._shown_axis:  # a Static repaints its whole line on every update
            self._shown_axis = axis
            self.query_one("#grid-axis", Static).update(axis)
        self._info()

    def _title(self) -> None:
        day = self.model.day
        date = pendulum.date(day.year, day.month, day.day).format(
            "YYYY-MM-DD ddd", locale="zh" if language() == "zh" else "en")
        if self.model.week_of is not None:
            name = next((r.name for r in self.model.resources if r.id == self.model.week_of), "")
            text = t("bookings.week_title", resource=name, date=date)
        else:
            text = t("bookings.day_title", date=date, n=len(self.model.resources))
        if text != self._shown_title:
            self._shown_title = text
            self.query_one("#grid-title", Static).update(Text(text, "bold"))

    def _info(self) -> None:
        """The line under the grid: what the cursor slot holds, in words."""
        grid = self._grid
        row = grid.current_row
        if row is None:
            text = t("bookings.no_resources")
        else:
            tz = self.app.profile.timezone
            span = grid.span_at()
            if span is None:
                start, end = grid.slot_range()
                text = t("bookings.free_slot", resource=self._resource_name(row.resource_id),
                         start=_hm(start, tz), end=_hm(end, tz))
            else:
                text = t("bookings.taken_slot", id=span.booking_id, who=span.who or "—",
                         start=_hm(span.start, tz), end=_hm(span.end, tz),
                         kind=t(f"booking_kind.{span.kind}"),
                         state=t(f"booking_state.{span.state}"))
        if text != self._shown_info:
            self._shown_info = text
            self.query_one("#grid-info", Static).update(text)

    def _resource_name(self, resource_id: int) -> str:
        return next((r.name for r in self.model.resources if r.id == resource_id), "")

    def on_day_grid_cursor_moved(self, _message) -> None:
        self._info()

    # -- actions -------------------------------------------------------------------------
    def _reload(self) -> None:
        try:
            if self.model.week_of is not None:
                rows = self.model.show_week(self.model.week_of, self.model.day)
            else:
                rows = self.model.show_day(self.model.day)
        except DeskError as exc:
            self.app.say(exc.message(), "error")
            return
        self._show(rows)

    def action_day(self, step: int) -> None:
        self.model.day += dt.timedelta(days=7 * step if self.model.week_of else step)
        self._reload()

    def action_today(self) -> None:
        self.model.day = today(self.app.desk)
        self._reload()
        self._grid.set_slot_at(self._now_hour())
        self._info()

    def action_week(self) -> None:
        """The week of the resource under the cursor, or back to the day grid."""
        row = self._grid.current_row
        if self.model.week_of is not None:
            day = row.key[1] if row is not None and row.key[0] == "day" else self.model.day
            self.model.week_of = None
            self.model.day = day
            rows = self.model.show_day(day)
            self._grid.cursor_row = 0
        elif row is not None:
            rows = self.model.show_week(row.resource_id, self.model.day)
            self._grid.cursor_row = self.model.day.weekday()
        else:
            return
        self._show(rows)

    def on_day_grid_selected(self, _message) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Enter: the booking under the cursor, or a new one on the free slot."""
        grid = self._grid
        row = grid.current_row
        if row is None:
            return
        span = grid.span_at()
        if span is not None:
            from .booking_detail import BookingDetailScreen

            self.app.push_screen(BookingDetailScreen(span.booking_id))
            return
        start, end = grid.slot_range()
        self._book(row.resource_id, start, end)

    def _book(self, resource_id: int, start: float, end: float) -> None:
        from .booking_form import BookingFormScreen

        def booked(booking) -> None:
            if booking is not None:
                self.app.say(t("toast.booked", id=booking.id))
                self.app.request_tick()

        try:
            form = BookingFormScreen(resource_id, pendulum.from_timestamp(start),
                                     pendulum.from_timestamp(end))
        except DeskError as exc:
            self.app.say(exc.message(), "error")
            return
        self.app.push_screen(form, booked)

    def action_finder(self) -> None:
        from .booking_form import FinderScreen

        def picked(choice) -> None:
            if choice is not None:
                resource_id, start, end = choice
                self._book(resource_id, start.timestamp(), end.timestamp())

        self.app.push_screen(FinderScreen(self.model), picked)

    def action_umbrellas(self) -> None:
        from .umbrellas import UmbrellaScreen

        self.app.push_screen(UmbrellaScreen())

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "finder":
            return self.app.desk.allowed("booking.add")
        if action == "umbrellas":
            return self.app.desk.allowed("umbrella.lend")
        return True


def _hm(ts: float, tz: str) -> str:
    return pendulum.from_timestamp(ts, tz=tz).format("HH:mm")
