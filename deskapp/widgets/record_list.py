"""A list of records (tenants; later resources and accounts) as a line-API widget.

The queue's lessons, for any list the desk keeps open: rows are rendered on demand
(5,000 tenants cost what the visible twenty cost), the ``/`` filter is a substring test
over a casefolded text each row carries, and when the data changes only the screen lines
whose record, text or cursor differ from what was painted there are repainted — an idle
screen, or another session's write to a row off screen, costs the terminal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..views import fit
from .list_keys import LIST_BINDINGS, ListKeys


@dataclass(frozen=True)
class Row:
    """One record as the list shows it: its cells (already plain, safe text) and the
    casefolded text ``/`` looks in. ``style`` names a component class or ''."""

    id: int
    cells: tuple[str, ...]
    search: str
    style: str = ""


class RecordList(ListKeys, ScrollView, can_focus=True):
    """Columns of fixed widths, the one given as 0 taking what is left."""

    COMPONENT_CLASSES = {"records--cursor", "records--dim", "records--new"}
    DEFAULT_CSS = """
    RecordList { height: 1fr; overflow-x: hidden; }
    RecordList > .records--cursor { background: $accent-muted; text-style: bold; }
    RecordList:focus > .records--cursor { background: $accent; color: $text; }
    RecordList > .records--dim { color: $text-muted; }
    RecordList > .records--new { text-style: italic; }
    """
    BINDINGS = LIST_BINDINGS

    class CursorMoved(Message):
        def __init__(self, record_id: int | None) -> None:
            super().__init__()
            self.record_id = record_id

    class Selected(Message):
        def __init__(self, record_id: int) -> None:
            super().__init__()
            self.record_id = record_id

    def __init__(self, widths: tuple[int, ...], empty_text: Callable[[bool], str],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.widths = widths
        self._empty_text = empty_text  # (has records at all) -> what an empty list says
        self.rows: dict[int, Row] = {}
        self.all_order: list[int] = []
        self.order: list[int] = []
        self.index_of: dict[int, int] = {}
        self.filter_text = ""
        self.cursor_id: int | None = None
        self._painted: dict[int, Hashable] = {}
        self._filtered_by = ""  # the needle and the list self.order was filtered with
        self._filtered_from: list[int] | None = None

    # -- data --------------------------------------------------------------------------
    def set_rows(self, rows: dict[int, Row], order: list[int]) -> None:
        """All records, in the order they are listed; repaints only changed lines."""
        self.rows = rows
        self.all_order = order
        self._refilter(keep_place=True)

    def update_rows(self, changed: dict[int, Row], order: list[int] | None = None) -> None:
        """Some records changed (another session's write): their lines, nothing else."""
        self.rows.update(changed)
        if changed:  # a changed text may now match, or no longer: filter all again
            self._filtered_from = None
        if order is not None or (changed and self.filter_text):
            if order is not None:
                self.all_order = order
            self._refilter(keep_place=True)
        else:
            self._repaint_changed()

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().casefold()
        self._refilter()

    def _refilter(self, keep_place: bool = False) -> None:
        needle = self.filter_text
        rows = self.rows
        was_at = self.index_of.get(self.cursor_id, 0) if keep_place else 0
        before = self.cursor_id
        # a key typed onto the filter narrows what it showed: only those need a look
        narrowing = (needle and self._filtered_by and needle.startswith(self._filtered_by)
                     and self._filtered_from is self.all_order)
        pool = self.order if narrowing else self.all_order
        self.order = ([i for i in pool if needle in rows[i].search] if needle
                      else list(self.all_order))
        self._filtered_by, self._filtered_from = needle, self.all_order
        self.index_of = {record_id: index for index, record_id in enumerate(self.order)}
        if self.order and self.cursor_id not in self.index_of:
            self.cursor_id = self.order[min(was_at, len(self.order) - 1)]
        elif not self.order:
            self.cursor_id = None
        size = Size(self._width, max(len(self.order), 1))
        if size != self.virtual_size:
            self.virtual_size = size
        if not keep_place and self.order:
            self.scroll_to(y=0, animate=False, immediate=True)
        elif self.cursor_id is not None and self.is_mounted:
            # the selection stays in sight when rows come or go around it (an import)
            self.scroll_to_region(Region(0, self.index_of[self.cursor_id], 1, 1),
                                  animate=False, immediate=True)
        self._repaint_changed()
        if self.cursor_id != before:
            self.post_message(self.CursorMoved(self.cursor_id))

    def follow(self, record_id: int) -> None:
        """Put the cursor on this record, when the filter shows it."""
        if record_id in self.index_of:
            self._move_to(self.index_of[record_id])

    @property
    def cursor_row(self) -> Row | None:
        return self.rows.get(self.cursor_id) if self.cursor_id is not None else None

    # -- painting ------------------------------------------------------------------------
    @property
    def _width(self) -> int:
        return self.scrollable_content_region.width or self.size.width or 40

    def _line_key(self, index: int) -> Hashable:
        if index >= len(self.order):
            return ("empty", bool(self.all_order)) if index == 0 else None
        record_id = self.order[index]
        return (self.rows[record_id], record_id == self.cursor_id)

    def on_resize(self) -> None:
        self._painted.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self._width
        index = self.scroll_offset.y + y
        base = self.rich_style
        self._painted[y] = self._line_key(index)
        if index >= len(self.order):
            if index == 0:
                return Strip([Segment(fit("  " + self._empty_text(bool(self.all_order)),
                                          width), base)], width)
            return Strip.blank(width, base)
        row = self.rows[self.order[index]]
        style = base
        if row.style:
            style = style + self.get_component_rich_style(f"records--{row.style}",
                                                          partial=True)
        if row.id == self.cursor_id:
            style = style + self.get_component_rich_style("records--cursor", partial=True)
        return Strip([Segment(self._text(row, width), style)], width)

    def _text(self, row: Row, width: int) -> str:
        marker = "▶" if row.id == self.cursor_id else " "
        fixed = sum(w for w in self.widths if w) + len(self.widths)
        flexible = max(4, width - 1 - fixed)
        parts = [fit(cell, w or flexible) for cell, w in zip(row.cells, self.widths)]
        return fit(marker + " ".join(parts), width)

    # -- keys ----------------------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        if not self.order:
            return
        index = max(0, min(index, len(self.order) - 1))
        if self.order[index] == self.cursor_id:
            return
        old = self.index_of.get(self.cursor_id) if self.cursor_id is not None else None
        self.cursor_id = self.order[index]
        if old is not None:
            self.refresh_line(old)
        self.refresh_line(index)
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.post_message(self.CursorMoved(self.cursor_id))

    def selected(self, record_id: int) -> None:
        self.post_message(self.Selected(record_id))
