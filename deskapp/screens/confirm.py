"""Asks before Esc throws away what was typed into a form or dialog (keyboard only)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from . import localise_bindings


class DiscardScreen(ModalScreen[bool]):
    """True: discard the typed work; False: back to it. Only y discards: a reflex Esc
    then Enter (or a second Esc) goes back to the work, never loses it."""

    BINDINGS = [
        Binding("y", "answer(True)", "key.discard"),
        Binding("escape,n,enter", "answer(False)", "key.keep"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-box", classes="dialog"):
            yield Static(t("discard.title"), classes="dialog-title", markup=False)
            yield Static(t("discard.hint"), classes="hint", markup=False)

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)


def dismiss_unless_kept(screen: ModalScreen, typed: bool, then=None) -> None:
    """Esc on a form: close at once when nothing was typed, else ask first; ``then()``
    runs once the form is closed (what it set going, undone)."""
    if not typed:
        screen.dismiss(None)
        if then is not None:
            then()
        return

    def answered(discard: bool | None) -> None:
        if discard:
            screen.dismiss(None)
            if then is not None:
                then()

    screen.app.push_screen(DiscardScreen(), answered)
