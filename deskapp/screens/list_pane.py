"""The frame of a screen that is a list on the left, with its `/` filter and count above
it, and the selected record's pane on the right (tenants, screen 2; billing, screen 4):
the parts, how they are found, the count, and the filter's keys, said once.

A screen names its widgets' ids (``IDS``: the tests and the styles find them by id) and
its texts (``TEXTS``: i18n keys), and may answer ``filter_typed`` / ``filter_cleared``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from ..i18n import t
from ..services import DeskError
from ..widgets.desk_header import DeskHeader
from ..widgets.key_bar import KeyBar
from ..widgets.record_list import RecordList
from ..widgets.status_line import StatusLine
from ..widgets.text_input import TextInput
from .frame import FrameScreen


class ListPaneScreen(FrameScreen):
    LIST_WIDTHS: tuple[int, ...] = ()
    # body, left, bar, count, filter, list, pane
    IDS: dict[str, str] = {}
    # filter_hint, no_match, none, title ({n}), title_filtered ({shown}, {n})
    TEXTS: dict[str, str] = {}

    _ready = False
    _shown_count = None

    def compose(self) -> ComposeResult:
        ids, texts = self.IDS, self.TEXTS
        yield DeskHeader()
        with Horizontal(id=ids["body"]):
            with Vertical(id=ids["left"]):
                with Horizontal(id=ids["bar"]):
                    yield Static("", id=ids["count"], markup=False)
                    yield TextInput(placeholder=t(texts["filter_hint"]), id=ids["filter"])
                yield RecordList(self.LIST_WIDTHS, lambda any_: t(
                    texts["no_match"] if any_ else texts["none"]), id=ids["list"])
            yield Static("", id=ids["pane"], markup=False)
        yield StatusLine(id="status")
        yield KeyBar()

    @property
    def records(self) -> RecordList:
        return self.query_one(RecordList)

    def start_list(self, model, apply) -> None:
        """Find the parts, load the model and follow its changes (on_mount)."""
        self._list = self.records
        self._filter = self.query_one(f"#{self.IDS['filter']}", Input)
        self._pane = self.query_one(f"#{self.IDS['pane']}", Static)
        self._count = self.query_one(f"#{self.IDS['count']}", Static)
        self.model = model
        self._list.focus()
        self._ready = True
        self.start_frame()
        try:
            apply(model.load())
        except DeskError as exc:
            self.app.say(exc.message(), "error")
        self.follow(model, apply)

    def _show_count(self) -> None:
        total, shown = len(self._list.all_order), len(self._list.order)
        text = (t(self.TEXTS["title"], n=total) if shown == total
                else t(self.TEXTS["title_filtered"], shown=shown, n=total))
        if text != self._shown_count:
            self._shown_count = text
            self._count.update(text)

    # -- the filter ---------------------------------------------------------------------
    def filter_typed(self) -> None:
        """After the list answered a key typed into the filter."""

    def filter_cleared(self) -> None:
        """After the filter was emptied."""

    def action_filter(self) -> None:
        self.set_focus(self._filter)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self._filter:
            self._list.set_filter(event.value)
            self._show_count()
            self.filter_typed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is self._filter:
            self._list.focus()

    def action_clear_filter(self) -> None:
        if self._filter.value or self.focused is self._filter:
            self._filter.value = ""
            self._list.set_filter("")
            self._list.focus()
            self._show_count()
            self.filter_cleared()
