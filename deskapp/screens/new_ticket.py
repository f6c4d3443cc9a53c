"""New ticket (n): one small keyboard form; the targets it will get show live."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ..i18n import language, t
from ..models import Service
from ..services import DeskError, validate
from ..services.tenants import tenant_names
from ..services.tickets import (MAX_PEOPLE, NewTicket, check_new_ticket, open_ticket,
                                service_rule, services, uses_agreed_time)
from ..sla import TIERS
from ..timeparse import parse_desk_time
from ..views import fit
from ..widgets.check_box import CheckBox
from ..widgets.text_input import TextInput
from .typeahead import SavingForm, TypeAhead


def service_name_of(row: Service) -> str:
    return row.name_zh if language() == "zh" else row.name_en


def service_choice(row: Service) -> str:
    return f"{row.code} {service_name_of(row)}"


def _service_hits(text: str, rows: list[Service]) -> tuple[list[Service], list[Service]]:
    """(the one a fragment names, if any: a code, a Chinese or English name, a picked
    "code name"; those it begins; those it is part of, as "报修" is of 室内报修)."""
    needle = text.strip().lower()
    first = needle.split()[0]
    for row in rows:
        if first == row.code or needle in (row.name_zh.lower(), row.name_en.lower()):
            return [row], []
    names = [(row, (row.code, row.name_zh.lower(), row.name_en.lower())) for row in rows]
    begins = [row for row, words in names if any(w.startswith(needle) for w in words)]
    inside = [row for row, words in names
              if row not in begins and any(needle in w for w in words)]
    return begins, inside


def matching_services(text: str, rows: list[Service]) -> list[Service]:
    """What the service field lists: all for an empty field, else what it may mean."""
    if not text.strip():
        return list(rows)
    begins, inside = _service_hits(text, rows)
    return begins + inside


def match_service(text: str, rows: list[Service]) -> Service | None:
    """The service meant: the one named, else the only one begun, else the only one it
    is part of."""
    if not text.strip():
        return None
    begins, inside = _service_hits(text, rows)
    hits = begins or inside
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


class FormInput(TypeAhead, TextInput):
    async def action_submit(self) -> None:
        # at once, not through an Input.Submitted message: keys typed after Enter go to
        # the next field (see typeahead.py)
        self.screen.submitted(self)


class FormSelect(TypeAhead, Select):
    pass


class FormCheckBox(TypeAhead, CheckBox):
    pass


class ServiceList(OptionList, can_focus=False):
    """The services the service field may mean; driven from the field, never focused.
    The highlighted one is marked by a glyph, not only by colour (NO_COLOR)."""

    _labels: list[str] = []

    def fill(self, labels: list[str], highlighted: int | None, empty: str) -> None:
        self._labels = labels
        self.set_options([Option(self._prompt(i, i == highlighted)) for i in range(len(labels))]
                         or [Option(Content(empty), disabled=True)])
        self.highlighted = highlighted

    def _prompt(self, index: int, marked: bool) -> Content:
        return Content(("> " if marked else "  ") + self._labels[index])

    def move(self, step: int) -> None:
        if not self._labels:
            return
        old = self.highlighted
        new = 0 if old is None else max(0, min(len(self._labels) - 1, old + step))
        if old is not None:
            self.replace_option_prompt_at_index(old, self._prompt(old, False))
        self.replace_option_prompt_at_index(new, self._prompt(new, True))
        self.highlighted = new


class ServiceInput(FormInput):
    """The service field: ↑/↓ move through the matching services listed under it,
    Enter or Tab picks the highlighted one."""

    async def key_now(self, event) -> bool:
        if event.key in ("up", "down"):
            self.screen.query_one(ServiceList).move(-1 if event.key == "up" else 1)
            return True
        if event.key in ("enter", "tab"):
            self.screen.pick_service()
        return await super().key_now(event)


class NewTicketScreen(SavingForm):
    def __init__(self) -> None:
        super().__init__()
        self.rows = services()
        self.tenants = tenant_names()

    def compose(self) -> ComposeResult:
        names = self.tenants
        with VerticalScroll(id="form", classes="dialog", can_focus=False):
            yield Static(t("form.title"), classes="dialog-title", markup=False)
            yield from self._field("service", t("form.service"), ServiceInput(
                placeholder=t("form.service_hint"), id="service"))
            yield ServiceList(id="service-list")
            yield from self._field("tier", t("form.tier"), FormSelect(
                [(t(f"tier_long.{tier}"), tier) for tier in TIERS], value="normal",
                allow_blank=False, id="tier"))
            yield from self._field("tenant", t("form.tenant"), FormInput(
                placeholder=t("form.tenant_hint"), id="tenant",
                suggester=SuggestFromList(names, case_sensitive=False)))
            yield from self._field("location", t("form.location"), FormInput(id="location"))
            yield from self._field("people", t("form.people"),
                                   FormInput(value="1", type="integer", id="people"))
            yield from self._field("agreed", t("form.agreed"),
                                   FormInput(placeholder=t("form.agreed_hint"), id="agreed"))
            yield from self._field("scope", t("form.scope"), FormSelect(
                [(t("scope.simple"), "simple"), (t("scope.systems"), "systems")],
                value="simple", allow_blank=False, id="scope"))
            yield from self._field("written", t("form.written"), FormCheckBox(id="written"))
            yield from self._field("note", t("form.note"), FormInput(id="note"))
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
        service = self.query_one("#service", Input)
        # at once, as the service changes: the fields shown are the focus chain the next
        # Tab of a burst typed ahead walks (typeahead.py)
        self.watch(service, "value", self._service_typed)
        self._untouched = self._typed()
        self.focus_first(service)
        self._preview()

    # -- the service field and its list ------------------------------------------------------
    def _service_typed(self, text: str) -> None:
        self._show_fields(match_service(text, self.rows))
        self._listed = matching_services(text, self.rows)
        width = max(cell_len(row.code) for row in self.rows) + 1
        self.query_one(ServiceList).fill(
            [fit(row.code, width) + service_name_of(row) for row in self._listed],
            0 if text.strip() and self._listed else None,
            t("form.no_service_match", text=text.strip()))

    def pick_service(self) -> None:
        """Enter or Tab on the service field takes the service highlighted in the list."""
        index = self.query_one(ServiceList).highlighted
        if index is not None and index < len(self._listed):
            service = self.query_one("#service", Input)
            service.value = service_choice(self._listed[index])
            service.cursor_position = len(service.value)

    def on_descendant_focus(self, event) -> None:
        listing = event.widget.id == "service"
        self.query_one("#service-list").display = listing
        self.query_one("#field-service").set_class(listing, "-listing")

    # -- live form -------------------------------------------------------------------------
    def _show_fields(self, service: Service | None) -> None:
        self.query_one("#field-tier").display = bool(service and service.tier_chosen)
        self.query_one("#field-people").display = bool(service and service.uses_people)
        self.query_one("#field-scope").display = bool(service and service.uses_scope)
        self.query_one("#field-written").display = bool(service and service.code == "complaint")
        self.query_one("#field-agreed").display = bool(
            service and uses_agreed_time(service_rule(service)))

    def _request(self) -> NewTicket:
        service = match_service(self.query_one("#service", Input).value, self.rows)
        if service is None:
            text = self.query_one("#service", Input).value.strip()
            raise DeskError("form.no_service_match" if text else "error.required",
                            text=text, field=t("form.service"))
        people_text = self.query_one("#people", Input).value.strip() or "1"
        people = validate.number(people_text, t("form.people"), low=1, high=MAX_PEOPLE)
        # a hidden field keeps what was typed, but a service it does not apply to ignores it
        agreed_text = (self.query_one("#agreed", Input).value
                       if uses_agreed_time(service_rule(service)) else "")
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
            written=self.query_one("#written", CheckBox).value if service.code == "complaint"
            else False,
            note=self.query_one("#note", Input).value,
        )

    def _preview(self) -> NewTicket | None:
        if not self._ready:  # change events from widgets still being composed
            return None
        service = match_service(self.query_one("#service", Input).value, self.rows)
        preview = self.query_one("#preview", Static)
        error = self.query_one("#form-error", Static)
        try:
            request = self._request()
            checked = check_new_ticket(self.app.desk, request)
        except DeskError as exc:
            preview.update(t("form.no_targets") if service is None else "")
            error.update(exc.message() if service is not None else "")
            return None
        place = self.query_one("#location", Input)
        unit = checked.location if not place.value.strip() else ""
        if place.placeholder != unit:  # the tenant's unit is the place unless one is typed
            place.placeholder = unit
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

    def submitted(self, field: Input) -> None:
        if field.id == "note":
            self.action_save()
        else:
            self.focus_next()

    # -- saving --------------------------------------------------------------------------------
    def request(self) -> NewTicket:
        return self._request()

    def save(self, request: NewTicket):
        return open_ticket(self.app.desk, request)

    def saved(self, ticket):
        return ticket.id
