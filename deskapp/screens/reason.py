"""Asks for the reason of a hold, cancel, reopen or move-up; Esc abandons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ..i18n import t
from ..widgets.text_input import TextInput
from . import localise_bindings
from .confirm import dismiss_unless_kept
from .typeahead import TypeAhead, TypeAheadScreen


class ReasonInput(TypeAhead, TextInput):
    async def action_submit(self) -> None:
        # at once: keys typed after Enter (over a slow link) belong to the queue again
        self.screen.submit(self.value)


class ReasonScreen(TypeAheadScreen):
    """``h parts⏎`` typed in one burst lands whole: the dialog keeps the keys that came
    before it was up (typeahead.py)."""

    BINDINGS = [Binding("escape", "dismiss_none", "key.back")]

    def __init__(self, action_label: str, ticket_id: int, prompt: str | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.action_label = action_label
        self.ticket_id = ticket_id
        self.prompt = prompt or t("reason.prompt")

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box", classes="dialog"):
            yield Static(t("reason.title", action=self.action_label, id=self.ticket_id),
                         classes="dialog-title", markup=False)
            yield ReasonInput(placeholder=self.prompt, id="reason", max_length=500)
            yield Static("", id="reason-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#reason", Input))

    def submit(self, value: str) -> None:
        text = value.strip()
        if not text:
            self.query_one("#reason-error", Static).update(
                t("error.required", field=self.prompt))
            return
        self.dismiss(text)

    def action_dismiss_none(self) -> None:
        dismiss_unless_kept(self, typed=bool(self.query_one("#reason", Input).value))
