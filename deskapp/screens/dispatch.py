"""Dispatch (d): who goes. Type-ahead over the active staff of the service's department,
the last one sent for that service first; Enter sends, Esc abandons."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import t
from ..services.tickets import dispatch_candidates, find_ticket, last_dispatched_to
from ..models import Service
from ..views import safe_text, service_name
from . import localise_bindings
from .typeahead import TypeAheadScreen

NOBODY = ""  # the option "the department, nobody named" (first dispatch only)


class DispatchScreen(TypeAheadScreen):
    """Who goes. ``d 李⏎`` in one burst lands whole (typeahead.py)."""

    DEFAULT_CSS = """
    DispatchScreen { align: center middle; }
    #dispatch-box { width: 60; height: auto; max-height: 20; }
    #dispatch-box OptionList { height: auto; max-height: 10; border: none; }
    #dispatch-box Input { border: none; height: 1; padding: 0; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_none", "key.back"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.ticket_id = ticket_id
        ticket = find_ticket(ticket_id)
        self.ticket = ticket
        self.current = ticket.assigned_to
        self.department = Service.get(Service.code == ticket.service).department
        people = [p for p in dispatch_candidates(ticket.service) if p.login != self.current]
        default = last_dispatched_to(ticket.service)
        people.sort(key=lambda p: p.login != default)  # stable: the default first
        self.people = people

    def compose(self) -> ComposeResult:
        place = " ".join(p for p in (self.ticket.location,
                                     self.ticket.tenant.name if self.ticket.tenant_id else "")
                         if p)
        title = t("dispatch.title", id=self.ticket_id, service=service_name(self.ticket.service),
                  place=place)
        with Vertical(id="dispatch-box", classes="dialog"):
            yield Static(Text(safe_text(title)), classes="dialog-title")
            yield Input(placeholder=t("dispatch.prompt"), id="who")
            yield OptionList(id="people")
            yield Static("", id="dispatch-note", classes="hint", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.focus_first(self.query_one("#who", Input))

    def _matches(self, text: str) -> list:
        needle = text.strip().lower()
        return [p for p in self.people
                if not needle or needle in p.login.lower() or needle in p.name.lower()]

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for person in self._matches(text):
            label = Text(safe_text(person.name))
            label.append(f"  {safe_text(person.login)}", "dim")
            options.add_option(Option(label, id=person.login))
        if self.ticket.state == "accepted" and not text.strip():
            options.add_option(Option(
                Text(t("dispatch.nobody", department=t(f"department.{self.department}"))),
                id="\0nobody"))
        note = self.query_one("#dispatch-note", Static)
        if not options.option_count:
            note.update(t("dispatch.none", department=t(f"department.{self.department}")))
        else:
            note.update(t("dispatch.hint"))
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._pick()

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self._pick()

    def _pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            return
        option = options.get_option_at_index(options.highlighted)
        self.dismiss(NOBODY if option.id == "\0nobody" else option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

