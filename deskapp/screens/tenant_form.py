"""New tenant (n on the tenants screen): the registry's fields in one keyboard form,
each checked by the services' validation layer as it is typed; saved as incoming (the
move-in makes it active). Esc asks before throwing typed work away."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Static

from ..i18n import t
from ..services import DeskError, validate
from ..services.tenants import TenantData, add_tenant, checked, today
from .new_ticket import FormInput
from .typeahead import SavingForm

# units as the desk types them: spaces, commas (either width), 、 or ; between them
_UNIT_GAPS = re.compile(r"[\s,，、;；]+")

FIELDS = (("name", ""), ("units", "tenant_form.units_hint"), ("contact", ""), ("phone", ""),
          ("rent", "tenant_form.yuan_hint"), ("due_day", ""),
          ("lease_start", "tenant_form.date_hint"), ("lease_end", "tenant_form.date_hint"),
          ("deposit", "tenant_form.yuan_hint"))


class NewTenantScreen(SavingForm):
    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="dialog", can_focus=False):
            yield Static(t("tenant_form.title"), classes="dialog-title", markup=False)
            for key, hint in FIELDS:
                with Horizontal(classes="field", id=f"field-{key}"):
                    yield Label(t(f"tenant_form.{key}"), classes="field-label")
                    yield FormInput(placeholder=t(hint) if hint else "", id=key,
                                    value="1" if key == "due_day" else "")
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(f"{t('tenant_form.save')}   {t('tenant_form.cancel')}",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        self._untouched = self._typed()
        self.focus_first(self.query_one("#name", Input))

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def data(self) -> TenantData:
        """The tenant as typed, through the same validation the import uses; the field
        named in a refusal is the form's own label."""
        day = today(self.app.desk)

        def label(key: str) -> str:
            return t(f"tenant_form.{key}")

        rent = self._value("rent").strip()
        deposit = self._value("deposit").strip()
        data = TenantData(
            name=validate.text(self._value("name"), label("name"), limit=200, required=True),
            units=tuple(u for u in _UNIT_GAPS.split(self._value("units").strip()) if u),
            contact=self._value("contact"),
            phone=self._value("phone"),
            monthly_rent_fen=validate.yuan(rent, label("rent")) if rent else 0,
            due_day=validate.number(self._value("due_day").strip() or "1", label("due_day"),
                                    low=1, high=28),
            lease_start=validate.day(self._value("lease_start").strip() or None,
                                     label("lease_start"), day, "lease"),
            lease_end=validate.day(self._value("lease_end").strip() or None,
                                   label("lease_end"), day, "lease"),
            deposit_fen=validate.yuan(deposit, label("deposit")) if deposit else 0,
        )
        return checked(data, day)

    def on_input_changed(self, _event) -> None:
        error = self.query_one("#form-error", Static)
        if not self._value("name").strip():
            error.update("")
            return
        try:
            self.data()
        except DeskError as exc:
            error.update(exc.message())
        else:
            error.update("")

    def submitted(self, field: Input) -> None:
        if field.id == FIELDS[-1][0]:
            self.action_save()
        else:
            self.focus_next()

    def request(self) -> TenantData:
        return self.data()

    def save(self, data: TenantData):
        return add_tenant(self.app.desk, data)
