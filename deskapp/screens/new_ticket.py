"""New ticket (n): one small keyboard form; the targets it will get show live."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Select, Static

from ..i18n import language, t
from ..models import Service
from ..services import DeskError, validate
from ..services.tenants import tenant_names
from ..services.tickets import (MAX_PEOPLE, NewTicket, check_new_ticket, open_ticket,
                                services)
from ..sla import TIERS
from ..timeparse import parse_desk_time
from . import localise_bindings


def service_choice(row: Service) -> str:
    name = row.name_zh if language() == "zh" else row.name_en
    return f"{row.code} {name}"


def match_service(text: str, rows: list[Service]) -> Service | None:
    """A code, a Chinese or English name, or a unique beginning of any of them."""
    needle = text.strip().lower()
    if not needle:
        return None
    first = needle.split()[0]
    for row in rows:
        if first == row.code or needle in (row.name_zh.lower(), row.name_en.lower()):
            return row
    hits = [row for row in rows
            if any(s.lower().startswith(needle) for s in (row.code, row.name_zh, row.name_en))]
    if not hits:  # "报修" finds 室内报修: a part of the name, when only one has it
        hits = [row for row in rows
                if any(needle in s.lower() for s in (row.code, row.name_zh, row.name_en))]
    return hits[0] if len(hits) == 1 else None


def match_tenant(text: str, names: list[str]) -> str | None:
    """The tenant meant by what was typed: exact, or the only one it begins or is part of
    (type-ahead shows the suggestion; Enter should not need → first)."""
    needle = text.strip().lower()
    if not needle:
        return None
    for name in names:
        if name.lower() == needle:
            return name
    for test in (str.startswith, str.__contains__):
        hits = [name for name in names if test(name.lower(), needle)]
        if len(hits) == 1:
            return hits[0]
    return text.strip()  # unknown: the service says so, in words


class NewTicketScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.rows = services()
        self.tenants = tenant_names()

    def compose(self) -> ComposeResult:
        names = self.tenants
        choices = [service_choice(r) for r in self.rows]
        choices += [r.name_zh for r in self.rows] + [r.name_en for r in self.rows]
        with VerticalScroll(id="form", classes="dialog"):
            yield Static(t("form.title"), classes="dialog-title", markup=False)
            yield from self._field("service", t("form.service"), Input(
                placeholder=t("form.service_hint"), id="service",
                suggester=SuggestFromList(choices, case_sensitive=False)))
            yield from self._field("tier", t("form.tier"), Select(
                [(t(f"tier_long.{tier}"), tier) for tier in TIERS], value="normal",
                allow_blank=False, id="tier"))
            yield from self._field("tenant", t("form.tenant"), Input(
                placeholder=t("form.tenant_hint"), id="tenant",
                suggester=SuggestFromList(names, case_sensitive=False)))
            yield from self._field("location", t("form.location"), Input(id="location"))
            yield from self._field("people", t("form.people"),
                                   Input(value="1", type="integer", id="people"))
            yield from self._field("agreed", t("form.agreed"),
                                   Input(placeholder=t("form.agreed_hint"), id="agreed"))
            yield from self._field("scope", t("form.scope"), Select(
                [(t("scope.simple"), "simple"), (t("scope.systems"), "systems")],
                value="simple", allow_blank=False, id="scope"))
            yield from self._field("written", t("form.written"), Checkbox(id="written"))
            yield from self._field("note", t("form.note"), Input(id="note"))
            yield Static("", id="preview", markup=False)
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(f"{t('form.save')}   {t('form.cancel')}", classes="hint",
                         markup=False)

    def _field(self, key: str, label: str, widget) -> ComposeResult:
        with Horizontal(classes="field", id=f"field-{key}"):
            yield Label(label, classes="field-label")
            yield widget

    _ready = False

    def on_mount(self) -> None:
        self._ready = True
        self._show_fields(None)
        self.query_one("#service", Input).focus()
        self._preview()

    # -- live form -------------------------------------------------------------------------
    def _show_fields(self, service: Service | None) -> None:
        self.query_one("#field-tier").display = bool(service and service.tier_chosen)
        self.query_one("#field-people").display = bool(service and service.uses_people)
        self.query_one("#field-scope").display = bool(service and service.uses_scope)
        self.query_one("#field-written").display = bool(service and service.code == "complaint")

    def _request(self) -> NewTicket:
        service = match_service(self.query_one("#service", Input).value, self.rows)
        if service is None:
            text = self.query_one("#service", Input).value.strip()
            raise DeskError("error.unknown_service" if text else "error.required",
                            code=text, field=t("form.service"),
                            known=", ".join(r.name_zh if language() == "zh" else r.name_en
                                            for r in self.rows[:6]) + "…")
        people_text = self.query_one("#people", Input).value.strip() or "1"
        people = validate.number(people_text, t("form.people"), low=1, high=MAX_PEOPLE)
        agreed_text = self.query_one("#agreed", Input).value
        agreed = parse_desk_time(agreed_text, self.app.clock.now(), self.app.profile.timezone)
        if agreed_text.strip() and agreed is None:
            raise DeskError("error.bad_desk_time", option=t("form.agreed"), value=agreed_text)
        tenant = match_tenant(self.query_one("#tenant", Input).value, self.tenants)
        location = self.query_one("#location", Input).value
        goes_on_site = service.code == "patrol" or any(
            rule["met_by"] == "arrive" for rule in service.target_rules())
        if goes_on_site and not (tenant or location.strip()):
            raise DeskError("error.where_required", service=service.code)
        return NewTicket(
            service=service.code,
            tier=self.query_one("#tier", Select).value if service.tier_chosen else None,
            tenant=tenant,
            location=location,
            people=people if service.uses_people else 1,
            agreed_at=agreed,
            scope=self.query_one("#scope", Select).value if service.uses_scope else None,
            written=self.query_one("#written", Checkbox).value if service.code == "complaint"
            else False,
            note=self.query_one("#note", Input).value,
        )

    def _preview(self) -> NewTicket | None:
        if not self._ready:  # change events from widgets still being composed
            return None
        service = match_service(self.query_one("#service", Input).value, self.rows)
        self._show_fields(service)
        preview = self.query_one("#preview", Static)
        error = self.query_one("#form-error", Static)
        try:
            request = self._request()
            checked = check_new_ticket(self.app.desk, request)
        except DeskError as exc:
            preview.update(t("form.no_targets") if service is None else "")
            error.update(exc.message() if service is not None else "")
            return None
        tz = self.app.profile.timezone
        text = Text(t("form.targets") + ": ", "bold")
        for planned in checked.planned:
            due = (planned.due_at.in_tz(tz).format("MM-DD HH:mm")
                   + ("*" if planned.provisional else "")) if planned.due_at else t("form.untimed")
            text.append(f"{t(f'target.{planned.name}')} {due}   ", "")
        preview.update(text)
        error.update("")
        return request

    def on_input_changed(self, _event) -> None:
        self._preview()

    def on_select_changed(self, _event) -> None:
        self._preview()

    def on_checkbox_changed(self, _event) -> None:
        self._preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note":
            self.action_save()
        else:
            self.focus_next()

    # -- saving --------------------------------------------------------------------------------
    def action_save(self) -> None:
        error = self.query_one("#form-error", Static)
        try:
            request = self._request()
            ticket = open_ticket(self.app.desk, request)
        except DeskError as exc:
            error.update(exc.message())
            return
        self.dismiss(ticket.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
