"""The keys of the desk (?), in the user's language — shorter than Textual's panel."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from . import localise_bindings

KEYS = [
    ("↑ ↓  PgUp PgDn  Home End", "help.move"),
    ("Enter", "help.detail"),
    ("n", "help.new"),
    ("d", "help.dispatch"),
    ("a", "help.arrive"),
    ("r", "help.resolve"),
    ("t", "help.reply"),
    ("w", "help.reply_written"),
    ("c", "help.answer"),
    ("h / u", "help.hold"),
    ("x", "help.cancel"),
    ("o", "help.reopen"),
    ("m", "help.move_up"),
    ("/  Esc", "help.filter"),
    ("v", "help.scope"),
    ("ctrl+p", "help.palette"),
    ("b", "help.bell"),
    ("q q / ctrl+q", "help.quit"),
]


class KeysScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "key.back")]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, text in KEYS:
            table.add_row(key, t(text))
        with VerticalScroll(id="keys", classes="dialog"):
            yield Static(t("help.title"), classes="dialog-title", markup=False)
            yield Static(table)
            yield Static(t("help.legend"), classes="hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
