"""Booking a slot (Enter on a free slot of the day grid) and the finder (f: "a room for
10 people tomorrow 14:00–16:00" lists what is free). One keyboard form each; the
bookings service checks the clash, the hours and the role when it saves."""

from __future__ import annotations

import pendulum
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ..i18n import t
from ..models import Resource
from ..services import DeskError, validate
from ..services.tenants import tenant_names
from ..timeparse import parse_desk_time
from ..views import fit, safe_text
from ..widgets.check_box import CheckBox
from . import localise_bindings
from .confirm import dismiss_unless_kept
from .tenant_form_base import field_row
from .new_ticket import FormCheckBox, FormInput, FormSelect, match_tenant
from .typeahead import SavingForm, TypeAheadScreen

MINUTES = "HH:mm"


class BookingFormScreen(SavingForm):
    """Book a resource: prefilled with the slot the cursor was on."""

    def __init__(self, resource_id: int, start: pendulum.DateTime,
                 end: pendulum.DateTime) -> None:
        super().__init__()
        self.resource = Resource.get_or_none(Resource.id == resource_id)
        if self.resource is None:
            raise DeskError("error.no_resource", name=str(resource_id))
        self.start, self.end = start, end
        self.tenants = tenant_names()
        self.ticket_id: int | None = None

    def compose(self) -> ComposeResult:
        tz = self.app.profile.timezone
        with VerticalScroll(id="form", classes="dialog", can_focus=False):
            yield Static(t("booking_form.title", resource=safe_text(self.resource.name)),
                         classes="dialog-title", markup=False)
            yield from field_row("from", t("booking_form.from"), FormInput(
                value=self.start.in_tz(tz).format("YYYY-MM-DD HH:mm"), id="from"))
            yield from field_row("to", t("booking_form.to"), FormInput(
                value=self.end.in_tz(tz).format(MINUTES), placeholder=t("booking_form.to_hint"),
                id="to"))
            yield from field_row("tenant", t("booking_form.tenant"), FormInput(
                placeholder=t("form.tenant_hint"), id="tenant",
                suggester=SuggestFromList(self.tenants, case_sensitive=False)))
            yield from field_row("applicant", t("booking_form.applicant"), FormInput(id="applicant"))
            yield from field_row("borrow", t("booking_form.borrow"), FormCheckBox(id="borrow"))
            yield from field_row("repeat", t("booking_form.repeat"), FormSelect(
                [(t("booking_form.once"), ""), (t("booking_form.daily"), "daily"),
                 (t("booking_form.weekly"), "weekly")], value="", allow_blank=False,
                id="repeat"))
            yield from field_row("count", t("booking_form.count"), FormInput(
                value="1", type="integer", id="count"))
            yield from field_row("settle", t("booking_form.settle"), FormSelect(
                [(t("booking_form.settle_later"), ""), (t("booking_form.settle_paid"), "paid"),
                 (t("booking_form.settle_monthly"), "monthly")], value="", allow_blank=False,
                id="settle"))
            yield from field_row("signed_by", t("booking_form.signed_by"), FormInput(id="signed_by"))
            yield from field_row("note", t("booking_form.note"), FormInput(id="note"))
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(f"{t('form.save')}   {t('form.cancel')}", classes="hint", markup=False)

    def on_mount(self) -> None:
        self._untouched = self._typed()
        self._show_fields()
        self.focus_first(self.query_one("#to", Input))
        from ..services.bookings import start_registration

        # a meeting room or notice board: registering it is the 5-minute counter service
        self.app.write(lambda: start_registration(self.app.desk, self.resource.name),
                       self._registering, lambda _exc: None)

    def on_select_changed(self, _event) -> None:
        self._show_fields()

    def _show_fields(self) -> None:
        """How many times only for a repeat; who signed only for the monthly account."""
        self.query_one("#field-count").display = bool(self.query_one("#repeat", Select).value)
        self.query_one("#field-signed_by").display = (
            self.query_one("#settle", Select).value == "monthly")

    def _registering(self, ticket_id: int | None) -> None:
        self.ticket_id = ticket_id

    def _moments(self):
        tz = self.app.profile.timezone
        now = self.app.clock.now()
        start = parse_desk_time(self.query_one("#from", Input).value, now, tz)
        if start is None:
            raise DeskError("error.bad_desk_time", option=t("booking_form.from"),
                            value=self.query_one("#from", Input).value)
        # a bare end time is on the start's day
        end_text = self.query_one("#to", Input).value
        end = parse_desk_time(end_text, start, tz)
        if end is None:
            raise DeskError("error.bad_desk_time", option=t("booking_form.to"), value=end_text)
        return start, end

    def request(self) -> dict:
        start, end = self._moments()
        repeat = self.query_one("#repeat", Select).value or None
        count = validate.number(self.query_one("#count", Input).value.strip() or "1",
                                t("booking_form.count"), low=1, high=366) if repeat else None
        from ..services.rental_charges import Settlement

        how = self.query_one("#settle", Select).value
        signer = self.query_one("#signed_by", Input).value.strip()
        if how == "monthly" and not signer:
            raise DeskError("error.rental_settle_how")
        settle = Settlement(paid=how == "paid", signed_by=signer if how == "monthly" else None)
        return dict(start=start, end=end, settle=settle,
                    tenant=match_tenant(self.query_one("#tenant", Input).value, self.tenants),
                    borrow=self.query_one("#borrow", CheckBox).value,
                    applicant=self.query_one("#applicant", Input).value,
                    note=self.query_one("#note", Input).value,
                    repeat_rule=repeat, count=count)

    def save(self, request: dict):
        from ..services.bookings import add_booking

        return add_booking(self.app.desk, self.resource.name, request["start"], request["end"],
                           tenant=request["tenant"], borrow=request["borrow"],
                           applicant=request["applicant"], note=request["note"],
                           repeat_rule=request["repeat_rule"], count=request["count"],
                           ticket_id=self.ticket_id, settle=request["settle"])

    def saved(self, outcome):
        return outcome.bookings[0] if outcome.bookings else None

    def submitted(self, field: Input) -> None:
        if field.id == "note":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        ticket_id = self.ticket_id

        def not_booked() -> None:
            if ticket_id is not None:  # the registration the form opened: not made
                from ..services.tickets import step

                self.app.write(lambda: step(self.app.desk, ticket_id, "cancel",
                                            reason=t("booking_form.not_booked")),
                               lambda _t: None, lambda _exc: None)

        dismiss_unless_kept(self, typed=self._typed() != self._untouched, then=not_booked)


class FinderScreen(TypeAheadScreen):
    """What is free: people, from, to → the resources with room and nothing held then;
    Enter on one books it."""

    BINDINGS = [Binding("escape", "cancel", "key.back")]

    def __init__(self, model) -> None:
        super().__init__()
        localise_bindings(self)
        self.model = model
        self._found: list = []
        self._window = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="dialog", can_focus=False):
            yield Static(t("finder.title"), classes="dialog-title", markup=False)
            yield from field_row("people", t("finder.people"),
                              FormInput(placeholder="10", type="integer", id="people"))
            yield from field_row("from", t("booking_form.from"), FormInput(
                placeholder=t("finder.from_hint"), id="from"))
            yield from field_row("to", t("booking_form.to"), FormInput(
                placeholder=t("booking_form.to_hint"), id="to"))
            yield Static("", id="form-error", classes="error", markup=False)
            yield OptionList(id="finder-results")
            yield Static(t("finder.hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#people", Input))

    def submitted(self, field: Input) -> None:
        if field.id == "to":
            self._search()
        else:
            self.focus_next()

    def _search(self) -> None:
        error = self.query_one("#form-error", Static)
        results = self.query_one(OptionList)
        try:
            people_text = self.query_one("#people", Input).value.strip()
            people = validate.number(people_text, t("finder.people"), low=1,
                                     high=10000) if people_text else None
            tz = self.app.profile.timezone
            now = self.app.clock.now()
            start = parse_desk_time(self.query_one("#from", Input).value, now, tz)
            if start is None:
                raise DeskError("error.bad_desk_time", option=t("booking_form.from"),
                                value=self.query_one("#from", Input).value)
            end = parse_desk_time(self.query_one("#to", Input).value, start, tz)
            if end is None or end <= start:
                raise DeskError("error.bad_desk_time", option=t("booking_form.to"),
                                value=self.query_one("#to", Input).value)
            self._found = self.model.free(start, end, people)
        except DeskError as exc:
            error.update(exc.message())
            return
        error.update("")
        self._window = (start, end)
        results.set_options([Option(Text(fit(safe_text(r.name), 24) + " " + (
            t("finder.capacity", n=r.capacity) if r.capacity else ""))) for r in self._found]
            or [Option(Text(t("finder.none")), disabled=True)])
        if self._found:
            results.highlighted = 0
            results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self._found and self._window:
            self.dismiss((self._found[event.option_index].id, *self._window))

    def action_cancel(self) -> None:
        self.dismiss(None)
