"""The queue as a line-API widget that repaints only the cells that change.

Textual's DataTable keeps every row in Python and an ``update_cell`` redraws the whole
table: measured, five flashing cells at 2 Hz cost about 10,900 bytes/s to the terminal.
This widget renders rows on demand (``render_line``) and, each second, refreshes only
the regions of the time-left cells whose text changed, and on each flash phase only the
at-risk rows' time cell and marker — so an SSH link pays for what actually changed.
When the queue itself changes (another session's write), only the screen lines whose
ticket, data, status or cursor differ from what was painted there are repainted, and the
scrollbar cells whose thumb moved (bench/bench_sessions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from ..i18n import t
from .list_keys import LIST_BINDINGS, ListKeys
from ..queue import QueueRow, QueueUpdate
from ..views import (fit, left_text, rjust_cells, safe_text, service_name, state_label,
                     tier_label)


@dataclass(frozen=True)
class Column:
    key: str
    x: int
    width: int


FIXED = (("cursor", 1), ("id", 5), ("tier", 6), ("left", 7), ("mark", 2), ("service", 14),
         ("place", 0), ("step", 10), ("who", 7))
MIN_PLACE = 12


def layout(width: int, id_width: int = 5) -> list[Column]:
    fixed = sum(w for key, w in FIXED if key != "id") + id_width
    gaps = len(FIXED) - 1  # a space after every column but the cursor
    place = max(MIN_PLACE, width - fixed - gaps)
    columns, x = [], 0
    for key, w in FIXED:
        w = id_width if key == "id" else (place if key == "place" else w)
        columns.append(Column(key, x, w))
        x += w + (0 if key == "cursor" else 1)
    return columns


class QueueTable(ListKeys, ScrollView, can_focus=True):
    """Open tickets in queue order; Enter opens one."""

    COMPONENT_CLASSES = {
        "queue--cursor", "queue--near", "queue--breached", "queue--late", "queue--held",
        "queue--extra-urgent", "queue--urgent", "queue--dim",
    }
    DEFAULT_CSS = """
    QueueTable { height: 1fr; overflow-x: hidden; }
    """
    BINDINGS = LIST_BINDINGS

    class ColumnsChanged(Message):
        """The columns moved (the scrollbar came or went, the width or the number column
        changed): whoever shows ``header_text`` must show it again."""

    class CursorMoved(Message):
        """The selected ticket changed (the screen re-checks which steps apply)."""

    class Selected(Message):
        def __init__(self, ticket_id: int) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: dict[int, QueueRow] = {}
        self.status: dict[int, str] = {}
        self.all_order: tuple[int, ...] = ()
        self.order: list[int] = []
        self.index_of: dict[int, int] = {}
        self.people: dict[str, str] = {}  # login -> name, for the "who" column
        self.filter_text = ""
        self.department: str | None = None  # only this department's work (engineering)
        self.cursor_id: int | None = None
        self.now_ts = 0.0
        self.today_end_ts = 0.0
        self.date_of = lambda ts: ""
        self.flash_on = False
        self._left_shown: dict[int, str] = {}
        # what render_line last drew on each screen line: a change repaints only the
        # lines whose key moved (a full refresh per insertion was 5,900 B/s through a pty
        # with 60 open tickets, bench/bench_sessions.py)
        self._painted: dict[int, tuple | None] = {}
        self._columns = layout(80)
        self._id_width = 5

    # -- data --------------------------------------------------------------------------
    def apply(self, update: QueueUpdate) -> None:
        """Take a tick's result; repaint only what it changed."""
        self.now_ts = update.now_ts
        self.rows, self.status = update.rows, update.status
        if update.order_changed or update.full:
            self.all_order = update.order
            self._refilter(keep_place=True)
            if self._follow is not None and self._follow in self.index_of:
                self.follow(self._follow)
            return
        self._repaint_changed()

    def follow(self, ticket_id: int) -> None:
        """Put the cursor on this ticket as soon as it is on the queue (a new ticket)."""
        self._follow = ticket_id
        if ticket_id in self.index_of:
            self._move_to(self.index_of[ticket_id])
            self._follow = None

    _follow: int | None = None

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._refilter()

    def set_department(self, department: str | None) -> None:
        self.department = department
        self._refilter()

    def _refilter(self, keep_place: bool = False) -> None:
        needle = self.filter_text
        rows = self.rows
        scope = self.department
        was_at = self.index_of.get(self.cursor_id, 0) if keep_place else 0
        if needle or scope:
            self.order = [i for i in self.all_order
                          if (not needle or needle in rows[i].search)
                          and (not scope or rows[i].department == scope)]
        else:
            self.order = list(self.all_order)
        self.index_of = {ticket_id: index for index, ticket_id in enumerate(self.order)}
        if self.order and (self.cursor_id not in self.index_of):
            # the selected ticket left the queue (closed): stay at its place, on the
            # ticket that took it, not back at the top; a new filter starts at the top
            self.cursor_id = self.order[min(was_at, len(self.order) - 1)]
        elif not self.order:
            self.cursor_id = None
        if len(self._left_shown) > 4 * max(len(self.order), 64):  # closed tickets' texts
            self._left_shown = {i: v for i, v in self._left_shown.items() if i in self.index_of}
        largest = max(self.order, default=0)
        self._id_width = max(4, len(str(largest)) + 1)
        self._set_virtual_size()
        if not self._relayout_columns():
            self._repaint_changed()

    def _set_virtual_size(self) -> None:
        size = Size(self._width, max(len(self.order), 1))
        if size == self.virtual_size:
            return
        bar = size.height > self.container_size.height
        if self.is_mounted and self.container_size and bar == self.show_vertical_scrollbar:
            # no scrollbar comes or goes: move its thumb, skip the layout of the screen
            # (a layout per insertion was 42 % of the busy time, bench_sessions --profile)
            self.set_reactive(QueueTable.virtual_size, size)
            self._move_thumb(size.height)
        else:
            self.virtual_size = size

    def _move_thumb(self, height: int) -> None:
        """The queue grew or shrank: repaint only the scrollbar cells that change (a
        whole 19-row scrollbar is ~700 bytes; the thumb's ends move by eighths of a cell)."""
        if not self.show_vertical_scrollbar:  # none shown, none to build
            return
        bar = self.vertical_scrollbar
        before = self._thumb(bar)
        bar.set_reactive(ScrollBar.window_virtual_size, height)
        for y, (old, new) in enumerate(zip(before, self._thumb(bar))):
            if old != new:
                bar.refresh(Region(0, y, bar.size.width, 1))
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    @staticmethod
    def _thumb(bar: ScrollBar) -> list:
        window = bar.window_size if bar.window_size < bar.window_virtual_size else 0
        return list(bar.renderer.render_bar(
            size=bar.size.height, virtual_size=ceil(bar.window_virtual_size),
            window_size=ceil(window), position=bar.position, thickness=bar.thickness,
            vertical=True).segments)

    def _relayout_columns(self) -> bool:
        """Lay the columns out for the width rows have now; repaint all if they moved."""
        columns = layout(self._width, self._id_width)
        if columns == self._columns:
            return False
        self._columns = columns
        self._painted.clear()
        self.refresh()
        self.post_message(self.ColumnsChanged())
        return True

    def watch_show_vertical_scrollbar(self) -> None:
        self._relayout_columns()

    def _line_key(self, index: int) -> tuple | None:
        """What line ``index`` of the queue shows; equal keys paint equal lines."""
        if index >= len(self.order):
            return ("empty", bool(self.all_order)) if index == 0 else None
        ticket_id = self.order[index]
        status = self.status.get(ticket_id, "ok")
        return (ticket_id, self.rows[ticket_id], status, ticket_id == self.cursor_id,
                self.flash_on and status == "near")


    @property
    def cursor_row(self) -> QueueRow | None:
        return self.rows.get(self.cursor_id) if self.cursor_id is not None else None

    # -- time passing --------------------------------------------------------------------
    def tick_display(self, now_ts: float) -> None:
        """Each second: repaint the time-left cells whose text changed, nothing else."""
        self.now_ts = now_ts
        column = self._column("left")
        for index in self._visible_indexes():
            ticket_id = self.order[index]
            text = self._left(self.rows[ticket_id])
            if self._left_shown.get(ticket_id) != text:
                self._left_shown[ticket_id] = text
                # the marker only changes with the status, which repaints the row
                self._refresh_cells(index, column.x, column.width)

    def flash(self, on: bool) -> None:
        """Flip the flash phase: restyle only the visible near-breach rows' time cells."""
        self.flash_on = on
        column = self._column("left")
        for index in self._visible_indexes():
            if self.status.get(self.order[index]) == "near":
                self._refresh_cells(index, column.x, column.width + 3)

    def _refresh_cells(self, index: int, x: int, width: int) -> None:
        self.refresh(Region(x, index - self.scroll_offset.y, width, 1))

    def _visible_indexes(self) -> range:
        top = self.scroll_offset.y
        return range(top, min(top + self.size.height, len(self.order)))

    def _column(self, key: str) -> Column:
        return next(c for c in self._columns if c.key == key)

    @property
    def _width(self) -> int:
        """Cells a row may use: the vertical scrollbar, when shown, takes its own."""
        return self.scrollable_content_region.width or self.size.width or 80

    def on_resize(self) -> None:
        self._set_virtual_size()
        if not self._relayout_columns():
            self._painted.clear()
            self.refresh()

    # -- rendering -------------------------------------------------------------------------
    def _left(self, row: QueueRow) -> str:
        if row.state == "on_hold" and not row.late:
            return t("state.on_hold")
        text = left_text(row.due_ts, self.now_ts, today_end_ts=self.today_end_ts,
                         local_date=self.date_of(row.due_ts) if row.due_ts else "")
        return text + ("*" if row.provisional and row.due_ts else "")

    def render_line(self, y: int) -> Strip:
        width = self._width
        index = self.scroll_offset.y + y
        base = self.rich_style
        self._painted[y] = self._line_key(index)
        if index >= len(self.order):
            if index == 0:
                text = t("queue.no_match" if self.all_order else "queue.empty")
                return Strip([Segment(fit("  " + text, width), base)], width)
            return Strip.blank(width, base)
        row = self.rows[self.order[index]]
        return Strip(self._segments(row, base)).crop_extend(0, width, base)

    def _part(self, name: str) -> Style:
        """A component's own attributes only, so a cell keeps its row's background
        (the late band, the cursor) under a tier colour or a time cell's mark."""
        return self.get_component_rich_style(name, partial=True)

    def _segments(self, row: QueueRow, base: Style) -> list[Segment]:
        status = self.status.get(row.id, "ok")
        selected = row.id == self.cursor_id and self.has_focus_within_screen
        style = base
        if status == "breached":
            # late is the whole row, readable from across the counter, not only its time
            # (a late extra-urgent row differed from a healthy one by its time cell alone);
            # it is painted once when the row turns late, then only the countdown changes
            style = style + self._part("queue--late")
        if selected:
            style = style + self._part("queue--cursor")
        tier_style = style
        if row.tier == "extra_urgent":
            tier_style = style + self._part("queue--extra-urgent")
        elif row.tier == "urgent":
            tier_style = style + self._part("queue--urgent")
        if status == "breached" and not selected:  # bold, in the late row's colours
            tier_style = tier_style + self._part("queue--late")
        left_style = style
        mark = "↑" if row.moved_up_ts else " "  # moved up out of turn
        if status == "breached":
            left_style = style + self._part("queue--breached")
            mark = "!" + mark.strip()
        elif status == "near":
            mark = "•" + mark.strip()
            if self.flash_on:
                left_style = style + self._part("queue--near")
        elif status == "held":
            left_style = style + self._part("queue--held")
        # the place first: when the column cuts, the unit (where to go) must survive
        place = safe_text(" ".join(p for p in (row.location, row.tenant) if p))
        service = safe_text(service_name(row.service))
        left = self._left_shown[row.id] = self._left(row)  # tick_display repaints on change
        cells = {
            "cursor": ("▶" if row.id == self.cursor_id else " ", style),
            "id": (str(row.id).rjust(self._id_width - 1) + " ", style),
            "tier": (tier_label(row.tier), tier_style),
            "left": (rjust_cells(left, 7), left_style),
            "mark": (mark, left_style),
            "service": (service, style),
            "place": (place, style),
            "step": (state_label(row.state), style),
            "who": (safe_text(self.people.get(row.assignee, row.assignee)) or "—", style),
        }
        segments = []
        for column in self._columns:
            text, cell_style = cells[column.key]
            if column.key == "left":
                # time, gap and marker as one segment: a countdown or flash repaint then
                # carries one style sequence instead of three (bench_terminal.py: the
                # flashing screen went from about 1,090 to 590 B/s)
                mark_text, _ = cells["mark"]
                mark_width = self._column("mark").width
                segments.append(Segment(fit(text, column.width) + " "
                                        + fit(mark_text, mark_width), cell_style))
                segments.append(Segment(" ", style))
                continue
            if column.key == "mark":
                continue
            segments.append(Segment(fit(text, column.width), cell_style))
            if column.key != "cursor":
                segments.append(Segment(" ", style))
        return segments

    def header_text(self) -> str:
        """The column titles, laid out like the rows."""
        titles = {"cursor": "", "id": t("col.id").rjust(self._id_width - 1),
                  "tier": t("col.tier"), "left": t("col.left"), "mark": "",
                  "service": t("col.service"), "place": t("col.place"), "step": t("col.step"),
                  "who": t("col.who")}
        parts = []
        for column in self._columns:
            parts.append(fit(titles[column.key], column.width))
            if column.key != "cursor":
                parts.append(" ")
        return "".join(parts)

    # -- keys --------------------------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        if not self.order:
            return
        index = max(0, min(index, len(self.order) - 1))
        old = self.index_of.get(self.cursor_id) if self.cursor_id is not None else None
        self.cursor_id = self.order[index]
        if old is not None:
            self.refresh_line(old)
        self.refresh_line(index)
        self.post_message(self.CursorMoved())
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)

    def selected(self, ticket_id: int) -> None:
        self.post_message(self.Selected(ticket_id))
