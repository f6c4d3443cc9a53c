"""The day grid of the bookings screen: rows (resources, or the days of one resource's
week) down, the hours across in half-hour slots, a cursor on one slot.

A line-API widget like the queue: rows are drawn on demand, and when the bookings change
(another session's write) or the cursor moves, only the lines whose row or cursor differ
from what was painted there are repainted. Bars read without colour: a confirmed
rental is reverse video, a confirmed borrowing reverse and underlined, a borrowing
awaiting the general manager ``░``; the booker's name is written inside the bar.
"""

from __future__ import annotations

from typing import Hashable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..bookings_model import GridRow, Span
from ..views import fit
from .list_keys import ChangedLines

SLOT_SECONDS = 1800  # half an hour
LABEL = 18  # cells for the resource (or day) name


class DayGrid(ChangedLines, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"grid--cursor", "grid--rental", "grid--borrowing", "grid--pending",
                         "grid--closed", "grid--label-cursor"}
    DEFAULT_CSS = """
    DayGrid { height: 1fr; overflow-x: hidden; }
    DayGrid > .grid--cursor { background: $accent; color: $text; text-style: bold; }
    DayGrid > .grid--rental { text-style: reverse; }
    DayGrid > .grid--borrowing { text-style: reverse underline; }
    DayGrid > .grid--pending { text-style: italic; }
    DayGrid > .grid--closed { color: $text-muted; }
    DayGrid > .grid--label-cursor { text-style: bold; }
    """
    BINDINGS = [
        Binding("left,h", "slot(-1)", show=False),
        Binding("right,l", "slot(1)", show=False),
        Binding("up,k", "row(-1)", show=False),
        Binding("down,j", "row(1)", show=False),
        Binding("home", "slot(-99)", show=False),
        Binding("end", "slot(99)", show=False),
    ]

    class CursorMoved(Message):
        pass

    class Selected(Message):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[GridRow] = []
        self.first_hour, self.last_hour = 8, 22
        self.cursor_row = 0
        self.cursor_slot = 0
        self._painted: dict[int, Hashable] = {}

    # -- data --------------------------------------------------------------------------
    @property
    def slots(self) -> int:
        return (self.last_hour - self.first_hour) * 3600 // SLOT_SECONDS

    @property
    def cells(self) -> int:
        """Cells per slot: 2 when the hours fit at 80 columns, else 1."""
        room = (self.scrollable_content_region.width or self.size.width or 80) - LABEL - 1
        return 2 if room >= self.slots * 2 else 1

    def set_rows(self, rows: list[GridRow], hours: tuple[int, int]) -> None:
        moved = hours != (self.first_hour, self.last_hour)
        key = self.current_key
        self.rows = rows
        self.first_hour, self.last_hour = hours
        if key is not None:  # stay on the same resource (or day) when it is still there
            for index, row in enumerate(rows):
                if row.key == key:
                    self.cursor_row = index
                    break
        self.cursor_row = max(0, min(self.cursor_row, len(rows) - 1))
        self.cursor_slot = max(0, min(self.cursor_slot, self.slots - 1))
        size = Size(self.size.width or 80, max(1, len(rows)))
        if size.height != self.virtual_size.height:
            self.virtual_size = size
        if moved:
            self._painted.clear()
            self.refresh()
        else:
            self._repaint_changed()

    @property
    def current_key(self):
        return self.rows[self.cursor_row].key if 0 <= self.cursor_row < len(self.rows) else None

    @property
    def current_row(self) -> GridRow | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def slot_range(self, row: GridRow | None = None, slot: int | None = None) -> tuple[float, float]:
        """The cursor slot's [start, end) in epoch seconds."""
        row = row or self.current_row
        slot = self.cursor_slot if slot is None else slot
        start = row.day_start + self.first_hour * 3600 + slot * SLOT_SECONDS
        return start, start + SLOT_SECONDS

    def span_at(self, row: GridRow | None = None, slot: int | None = None) -> Span | None:
        row = row or self.current_row
        if row is None:
            return None
        start, end = self.slot_range(row, slot)
        for span in row.spans:
            if span.start < end and span.end > start:
                return span
        return None

    def set_slot_at(self, hour: float) -> None:
        self.cursor_slot = max(0, min(self.slots - 1,
                                      int((hour - self.first_hour) * 3600 // SLOT_SECONDS)))
        self._repaint_changed()

    # -- painting ------------------------------------------------------------------------
    def axis_text(self) -> str:
        """The hours across, lined up with the slots (the screen shows it above)."""
        cells = self.cells
        per_hour = cells * 3600 // SLOT_SECONDS
        parts = [" " * LABEL]
        for hour in range(self.first_hour, self.last_hour):
            parts.append(f"{hour:02d}".ljust(per_hour) if per_hour >= 2 else f"{hour % 10}")
        return "".join(parts)

    def _line_key(self, index: int) -> Hashable:
        if index >= len(self.rows):
            return None
        on_row = index == self.cursor_row
        return (self.rows[index], self.cells, self.cursor_slot if on_row else None,
                self.has_focus)

    def on_resize(self) -> None:
        self._painted.clear()
        self.refresh()

    def on_focus(self) -> None:
        self._repaint_changed()

    def on_blur(self) -> None:
        self._repaint_changed()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width or 80
        index = self.scroll_offset.y + y
        base = self.rich_style
        self._painted[y] = self._line_key(index)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        here = index == self.cursor_row
        label_style = base + (self.get_component_rich_style("grid--label-cursor", partial=True)
                              if here else Style())
        segments = [Segment(("▶" if here else " ") + fit(row.label, LABEL - 2) + " ", label_style)]
        segments.extend(self._slots(row, here, base))
        return Strip(segments).crop_extend(0, width, base)

    def _style(self, name: str, base: Style) -> Style:
        return base + self.get_component_rich_style(f"grid--{name}", partial=True)

    def _slots(self, row: GridRow, here: bool, base: Style) -> list[Segment]:
        cells = self.cells
        out: list[Segment] = []
        slot = 0
        while slot < self.slots:
            span = self.span_at(row, slot)
            if span is None:
                text = ("·" + " " * (cells - 1)) if slot % 2 == 0 else " " * cells
                style = base
                if here and slot == self.cursor_slot:
                    style = self._style("cursor", base)
                out.append(Segment(text, style))
                slot += 1
                continue
            # the run of slots this booking covers: one bar with the booker inside
            run = 1
            while slot + run < self.slots and self.span_at(row, slot + run) == span:
                run += 1
            name = ("rental" if span.kind == "rental" else "borrowing") \
                if span.state == "confirmed" else "pending"
            if name == "pending":  # awaiting the GM: ░, its name, then ░ to the bar's end
                bar = ("░" + fit(span.who, run * cells - 1)).rstrip()
                bar += "░" * (run * cells - cell_len(bar))
            else:
                bar = fit(span.who, run * cells)
            cursor_in = here and slot <= self.cursor_slot < slot + run
            style = self._style("cursor" if cursor_in else name, base)
            out.append(Segment(bar, style))
            slot += run
        return out

    # -- keys ----------------------------------------------------------------------------
    def action_slot(self, step: int) -> None:
        self.cursor_slot = max(0, min(self.slots - 1, self.cursor_slot + step))
        self._repaint_changed()
        self.post_message(self.CursorMoved())

    def action_row(self, step: int) -> None:
        if not self.rows:
            return
        old = self.cursor_row
        self.cursor_row = max(0, min(len(self.rows) - 1, self.cursor_row + step))
        if old != self.cursor_row:
            self.scroll_to_region(Region(0, self.cursor_row, 1, 1), animate=False,
                                  immediate=True)
            self._repaint_changed()
            self.post_message(self.CursorMoved())

    def on_key(self, event) -> None:
        if event.key == "enter" and self.rows:
            event.stop()
            self.post_message(self.Selected())

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.cursor_row = index
            if event.x >= LABEL:
                self.cursor_slot = max(0, min(self.slots - 1, (event.x - LABEL) // self.cells))
            self._repaint_changed()
            self.post_message(self.CursorMoved())
