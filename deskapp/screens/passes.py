"""Issue access passes (出入证) for several people of one tenant at once.

A modal form: the kind of pass, the people (one name a line), valid from and to (a day
``YYYY-MM-DD`` or a moment ``YYYY-MM-DDTHH:MM``). What the counter ticket will be (N
people, 2 minutes each) shows live; ctrl+s issues them through the app's writer, Esc
asks before throwing typed names away.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select, Static, TextArea

from ..i18n import t
from ..models import PASS_KINDS
from ..services import DeskError
from ..services.passes import issue_passes
from ..services.tenants import today
from ..services.tickets import NewTicket, check_new_ticket
from .new_ticket import FormInput, FormSelect
from .tenant_form_base import TenantFormScreen, field_row
from .typeahead import TypeAhead


class NamesArea(TypeAhead, TextArea):
    """One name a line; Tab leaves it (the default tab behaviour of TextArea)."""


def names_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class PassScreen(TenantFormScreen):
    # styles/ is the lead's; what only this form needs is set here. The app's ".field"
    # rule (one line) outranks DEFAULT_CSS, so the names' height is set on mount.
    DEFAULT_CSS = """
    PassScreen { align: center middle; }
    PassScreen #pass-form { width: 76; height: auto; max-height: 22; }
    PassScreen #names { width: 1fr; border: none; padding: 0; }
    """
    NAME_LINES = 5

    def compose(self) -> ComposeResult:
        day = today(self.app.desk).isoformat()
        with Vertical(id="pass-form", classes="dialog"):
            yield self.title_row("passform.title")
            yield from field_row("kind", t("passform.kind"), FormSelect(
                [(t(f"pass.kind.{kind}"), kind) for kind in PASS_KINDS], value="staff",
                allow_blank=False, id="kind"))
            yield from field_row("names", t("passform.names"), NamesArea(id="names"))
            yield from field_row("from", t("passform.from"), FormInput(value=day, id="from"))
            yield from field_row("to", t("passform.to"), FormInput(value=day, id="to"))
            yield Static("", id="pass-preview", markup=False)
            yield Static("", id="pass-error", classes="error", markup=False)
            yield Static(t("passform.hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        for widget in (self.query_one("#field-names"), self.query_one("#names")):
            widget.styles.height = self.NAME_LINES
        self._untouched = self._typed()
        self.focus_first(self.query_one("#names", TextArea))
        self._preview()

    def _typed(self) -> tuple:
        return (self.query_one("#kind", Select).value, self.query_one("#names", TextArea).text,
                self.query_one("#from", Input).value, self.query_one("#to", Input).value)

    def _names(self) -> list[str]:
        return names_of(self.query_one("#names", TextArea).text)

    def _preview(self) -> None:
        """How long the counter has: the catalogue's target for this many people."""
        preview = self.query_one("#pass-preview", Static)
        people = self._names()
        if not people:
            preview.update(t("passform.nobody"))
            return
        try:
            checked = check_new_ticket(self.app.desk, NewTicket(
                service="access_pass", tenant=self.tenant.name, people=len(people)))
        except DeskError as exc:
            preview.update(exc.message())
            return
        due = checked.planned[0].due_at
        minutes = int((due - checked.opened_at).total_seconds() // 60)
        preview.update(t("passform.preview", people=len(people), minutes=minutes,
                         due=due.in_tz(self.app.profile.timezone).format("HH:mm")))

    def on_text_area_changed(self, _event) -> None:
        self._preview()

    def submitted(self, field: Input) -> None:  # Enter on a one-line field
        if field.id == "to":
            self.action_save()
        else:
            self.focus_next()

    ERROR_ID = "pass-error"

    def request(self) -> dict:
        people = self._names()
        if not people:
            raise DeskError("error.required", field=t("passform.names"))
        return dict(kind=self.query_one("#kind", Select).value, people=people,
                    start=self.query_one("#from", Input).value,
                    end=self.query_one("#to", Input).value)

    def save(self, request: dict):
        return issue_passes(self.app.desk, self.tenant.name, request["kind"],
                            request["people"], request["start"], request["end"])

    def saved(self, made):
        self.app.say(t("passform.issued", count=len(made), tenant=self.tenant.name))
        return [p.id for p in made]
