"""The header every screen carries: the queue's tier counts and late count (what the
manager glances at, on whatever screen the desk is), the database, the date and the
clock (the proof the screen is alive).

Only the clock's eight cells change each second; the title and the place beside the
clock are Statics updated without a layout (a layout here once re-drew the queue's
scrollbar every second: 2,800 B/s through a pty, bench_terminal.py). A screen not on
the terminal skips its clock: it catches up when it is shown again.
"""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..db import describe
from ..i18n import language, t
from ..views import fit
from .clock import Clock

NO_COUNTS = {"extra_urgent": 0, "urgent": 0, "normal": 0, "breached": 0}


class DeskHeader(Horizontal):
    def __init__(self, title_of: Callable[[], str] | None = None) -> None:
        super().__init__(id="topbar")
        # what the title says before the counts (the queue names the engineering scope)
        self._title_of = title_of
        self.counts: dict | None = None
        self.day = None
        self._where: str | None = None
        self._where_parts: tuple[str, str, str] | None = None
        self._where_shown = ""
        self._summary_cells = 40

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield Static("", id="where", markup=False)
        yield Clock(id="clock")

    def on_mount(self) -> None:
        self._clock = self.query_one(Clock)
        self._title_box = self.query_one("#title", Static)
        self._where_box = self.query_one("#where", Static)
        self._db_name = describe(self.app.settings.database_url)

    def on_resize(self) -> None:
        self.show_title()

    def set_counts(self, counts: dict) -> bool:
        """The queue's counts; True when they differ from what was shown."""
        if counts == self.counts:
            return False
        self.counts = counts
        self.show_title()
        return True

    def show_title(self) -> None:
        if not self.is_mounted:
            return
        counts = self.counts or NO_COUNTS
        summary = t("header.counts", eu=counts["extra_urgent"], u=counts["urgent"],
                    n=counts["normal"], late=counts["breached"])
        title = (self._title_of() if self._title_of else None) or t(
            "app.title", building=self.app.profile.name(language()))
        box = self._title_box
        text = Text(no_wrap=True, overflow="ellipsis")
        # the counts are what the manager glances at: the building's name gives way first
        room = box.size.width - 2 if box.size.width else 80
        if cell_len(title) + 2 + cell_len(summary) <= room:
            text.append(title, "bold")
            text.append("  ")
        text.append(summary)
        box.update(text, layout=False)  # 1fr wide: a layout would repaint the scrollbar whole
        self._summary_cells = cell_len(summary)
        self._fit_where()

    def _fit_where(self) -> None:
        """The database and date beside the clock give way to the counts: a long file
        name and 'bell off' once pushed the late count off an 80-column header."""
        if not self._where_parts:
            return
        bell, where, day = self._where_parts
        # title padding 2, where padding 1, clock 8 + margins 2, one cell to spare
        room = (self.app.size.width or 80) - self._summary_cells - 14
        fixed = cell_len(bell) + 2 + cell_len(day)
        if fixed + cell_len(where) > room:
            where = fit(where, room - fixed).rstrip() if room - fixed >= 4 else ""
        text = f"{bell}{where}  {day}" if where else f"{bell}{day}"
        if text != self._where_shown:
            self._where_shown = text
            self._where_box.update(text)
            # the title's width follows once laid out: fit the building's name again then
            self.call_after_refresh(self.show_title)

    def second(self, now) -> bool:
        """The clock, and the place and date beside it; True when the day (or the
        database's state) changed."""
        local = now.in_tz(self.app.profile.timezone)
        self._clock.show(local.format("HH:mm:ss"))
        where = ("⚠ " if self.app.tick_error else "") + self._db_name
        bell = "" if self.app.bell_enabled else t("header.bell_off") + "  "
        if local.date() == self.day and (bell + where) == self._where:
            return False
        self.day, self._where = local.date(), bell + where
        day = local.format("MM-DD ddd", locale="zh" if language() == "zh" else "en")
        self._where_parts = (bell, where, day)
        self._fit_where()
        return True
