"""The umbrella counter (借用雨伞): lend and take back without leaving the keyboard.

Lend: type the borrower's name (and, if they are a tenant's, the tenant), Enter — the
next free umbrella is lent and the counter ticket opened and closed in that one write.
Return: type the number ("3" is U-03), Enter. The dialog stays open for the next
person, and lists who has one and since when, the oldest first (overdue marked by a
word, not only a colour). Writes go through the app's writer (services.umbrellas).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from ..i18n import t
from ..services import DeskError
from ..services.tenants import tenant_names
from ..services.umbrellas import (free_numbers, is_overdue, lend_umbrella, loans,
                                  return_umbrella, stock)
from ..views import fit, safe_text
from . import localise_bindings
from .confirm import dismiss_unless_kept
from .new_ticket import FormInput
from .typeahead import TypeAheadScreen

SHOWN_OUT = 9  # who has one: as many lines as fit at 80×24 beside the fields


class UmbrellaScreen(TypeAheadScreen):
    DEFAULT_CSS = """
    UmbrellaScreen { align: center middle; }
    UmbrellaScreen #umbrella-form { width: 76; height: auto; max-height: 22; }
    UmbrellaScreen #umbrella-out { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "key.back")]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="umbrella-form", classes="dialog"):
            yield Static("", id="umbrella-title", classes="dialog-title", markup=False)
            suggest = SuggestFromList(tenant_names(), case_sensitive=False)
            for key, label, hint, extra in (
                    ("borrower", "umbrellaform.lend", "umbrellaform.borrower_hint", {}),
                    ("tenant", "umbrellaform.tenant", "umbrellaform.tenant_hint",
                     {"suggester": suggest}),
                    ("number", "umbrellaform.back", "umbrellaform.number_hint", {})):
                with Horizontal(classes="field", id=f"field-{key}"):
                    yield Label(t(label), classes="field-label")
                    yield FormInput(placeholder=t(hint), id=key, **extra)
            yield Static("", id="umbrella-next", markup=False)
            yield Static("", id="umbrella-out", markup=False)
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(t("umbrellaform.hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.refresh_lists()
        self.focus_first(self.query_one("#borrower", Input))

    def refresh_lists(self) -> None:
        """The counts, the next free number and who has one (read on the screen's
        thread: reads need no writer)."""
        desk = self.app.desk
        counts = stock(desk)
        self.query_one("#umbrella-title", Static).update(
            t("umbrellaform.title", free=counts["in"], out=counts["out"]))
        free = free_numbers()
        self.query_one("#umbrella-next", Static).update(
            t("umbrellaform.next_free", number=free[0]) if free else t("umbrellaform.none_free"))
        tz = desk.profile().timezone
        lines = []
        for loan in loans(out_only=True)[:SHOWN_OUT]:
            since = loan.lent_at.in_tz(tz).format("MM-DD HH:mm")
            who = loan.borrower + (f" · {loan.tenant.name}" if loan.tenant_id else "")
            line = t("umbrellaform.since", number=loan.umbrella.number,
                     borrower=fit(safe_text(who), 34), since=since)
            if is_overdue(desk, loan):
                line += f"  {t('umbrella.overdue')}"
            lines.append(line)
        self.query_one("#umbrella-out", Static).update(
            "\n".join(lines) or t("umbrella.none_out"))

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def submitted(self, field: Input) -> None:  # Enter on a field
        if field.id == "number":
            self._return()
        else:
            self._lend()

    def _lend(self) -> None:
        borrower, tenant = self._value("borrower"), self._value("tenant").strip() or None
        desk = self.app.desk
        self._run(lambda: lend_umbrella(desk, borrower, tenant),
                  lambda loan: t("umbrella.lent", number=loan.umbrella.number,
                                 borrower=loan.borrower), "#borrower")

    def _return(self) -> None:
        number, desk = self._value("number"), self.app.desk
        self._run(lambda: return_umbrella(desk, number),
                  lambda loan: t("umbrella.returned", number=loan.umbrella.number,
                                 borrower=loan.borrower), "#number")

    def _run(self, call, said, focus: str) -> None:
        if self._busy:
            return  # a second Enter while the first is on its way does nothing
        self._busy = True
        error = self.query_one("#form-error", Static)

        def done(loan) -> None:
            self._busy = False
            error.update("")
            for key in ("borrower", "tenant", "number"):
                self.query_one(f"#{key}", Input).value = ""
            self.app.say(said(loan))
            self.refresh_lists()
            self.set_focus(self.query_one(focus, Input))

        def failed(exc: DeskError) -> None:
            self._busy = False
            error.update(exc.message())

        self.app.write(call, done, failed)

    def action_cancel(self) -> None:
        typed = any(self._value(key).strip() for key in ("borrower", "tenant", "number"))
        dismiss_unless_kept(self, typed=typed)
