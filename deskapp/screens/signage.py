"""Signage (SPEC §3): take a tenant's application and place the order; an order's
timeline with its next step one key away.

Both screens only read here; every write goes through services/signage in the app's
writer thread (``app.write``). Text a person typed is shown literally (markup=False,
or rich Text), Chinese lined up by terminal cells (views.fit).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from ..i18n import t
from ..models import SignOrder
from ..services import DeskError, signage
from ..services.tenants import contacts_of, today
from ..views import fit
from . import localise_bindings
from .new_ticket import FormInput, FormSelect, match_tenant
from .reason import ReasonScreen
from .tenant_form_base import TenantFormScreen, field_row

FIELDS = ("kind", "text", "position", "applicant", "received", "ref", "supplier", "price")


class SignageOrderScreen(TenantFormScreen):
    """The tenant's application (申请书) typed in as it is on paper; ctrl+s places the
    order. Dismisses with the new order's id, or None."""

    def __init__(self, tenant_id: int) -> None:
        super().__init__(tenant_id)
        self.suppliers = signage.supplier_names()
        self.contacts = [c.name for c in contacts_of(self.tenant.id) if c.name]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="dialog", can_focus=False):
            yield self.title_row("signage.form_title")
            yield from self._field("kind", FormSelect(
                [(t("sign_kind.directory"), "directory"),
                 (t("sign_kind.name_plate"), "name_plate")],
                value="directory", allow_blank=False, id="kind"))
            yield from self._field("text", FormInput(id="text", max_length=signage.MAX_TEXT))
            yield from self._field("position", FormInput(
                id="position", placeholder=t("signage.position_hint_directory")))
            yield from self._field("applicant", FormInput(
                id="applicant", suggester=SuggestFromList(self.contacts, case_sensitive=False)))
            yield from self._field("received", FormInput(
                id="received", placeholder=t("signage.received_hint")))
            yield from self._field("ref", FormInput(id="ref", max_length=signage.MAX_REF,
                                                    placeholder=t("signage.ref_hint")))
            yield from self._field("supplier", FormInput(
                id="supplier", placeholder=t("signage.supplier_hint"),
                suggester=SuggestFromList(self.suppliers, case_sensitive=False)))
            yield from self._field("price", FormInput(id="price",
                                                      placeholder=t("signage.price_hint")))
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(t("signage.form_hint"), classes="hint", markup=False)

    def _field(self, key: str, widget) -> ComposeResult:
        label = t("sign_field.kind") if key == "kind" else t(
            f"sign_field.{'supplier' if key == 'supplier' else 'sign_' + key}")
        return field_row(key, label, widget)

    _ready = False

    def on_mount(self) -> None:
        # the day the desk has it in hand, unless the paper says otherwise
        self.query_one("#received", Input).value = today(self.app.desk).isoformat()
        self._untouched = self._typed()
        self._ready = True
        self.focus_first(self.query_one("#kind"))

    # -- the application --------------------------------------------------------------------
    def request(self) -> signage.Application:
        """The application, if it would be accepted (else the refusal raised)."""
        application = self._application()
        signage.check_application(self.app.desk, application)
        return application

    def _application(self) -> signage.Application:
        values = {name: self.query_one(f"#{name}").value for name in FIELDS}
        kind = values["kind"]
        position = values["position"]
        if kind == "name_plate" and not position.strip() and self.tenant.unit_list:
            position = self.tenant.unit_list[0]  # the plate goes at the tenant's unit
        supplier = match_tenant(values["supplier"], self.suppliers)  # the one name begun
        return signage.Application(
            tenant_id=self.tenant.id, kind=kind, text=values["text"], position=position,
            applicant=values["applicant"], received=values["received"],
            supplier=supplier, price=values["price"], ref=values["ref"])

    def _check(self) -> signage.Application | None:
        """The application if it would be accepted, else None with the reason shown."""
        error = self.query_one("#form-error", Static)
        try:
            request = self.request()
        except DeskError as exc:
            error.update(exc.message())
            return None
        error.update("")
        return request

    def on_select_changed(self, event) -> None:
        if not self._ready:
            return
        plate = event.value == "name_plate"
        position = self.query_one("#position", Input)
        unit = self.tenant.unit_list[0] if self.tenant.unit_list else ""
        position.placeholder = (unit or t("signage.position_hint_plate")) if plate \
            else t("signage.position_hint_directory")

    def on_input_changed(self, _event) -> None:
        if self._ready and self.query_one("#form-error", Static).content:
            self._check()  # a shown refusal goes once it is put right

    def submitted(self, field: Input) -> None:
        if field.id == FIELDS[-1]:
            self.action_save()
        else:
            self.focus_next()

    # -- saving ------------------------------------------------------------------------------
    def save(self, request: signage.Application) -> SignOrder:
        return signage.apply(self.app.desk, request)

    def saved(self, order: SignOrder):
        self.app.say(t("signage.placed", id=order.id))
        return order.id

    def _typed(self) -> tuple:
        return tuple(self.query_one(f"#{name}").value for name in FIELDS)


class SignageStepScreen(ModalScreen):
    """An order's timeline: who took each step when; Enter takes the next step, c cancels
    (asking why). Esc goes back. (Not a TypeAheadScreen: with no field to focus, that one
    would keep every key for a field that never comes.)"""

    BINDINGS = [
        Binding("escape", "dismiss_none", "key.back"),
        Binding("enter", "next_step", "key.sign_step"),
        Binding("c", "cancel_order", "key.sign_cancel"),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.order_id = order_id

    def compose(self) -> ComposeResult:
        with Vertical(id="form", classes="dialog"):
            yield Static(t("signage.step_title", id=self.order_id), classes="dialog-title",
                         markup=False)
            yield Static("", id="sign-head")
            yield Static("", id="sign-timeline")
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static("", id="sign-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.refresh_order()

    def refresh_order(self) -> None:
        order = signage.find_order(self.order_id)
        self.order = order
        desk = self.app.desk
        doc = signage.order_document(desk, order)
        head = Text()
        kind = t(f"sign_kind.{order.kind}")
        if order.purpose != "new":
            kind += t(f"sign_purpose.{order.purpose}")
        head.append(f"{kind}  {doc['tenant'] or ''}\n")
        head.append(f"{doc['text']}\n")
        head.append(f"{doc['position']}  {doc['supplier'] or '—'}")
        self.query_one("#sign-head", Static).update(head)
        tz = desk.profile().timezone
        lines = Text()
        for state, at, who in signage.timeline(order):
            lines.append(f"{fit(t(f'sign_state.{state}'), 14)} "
                         f"{at.in_tz(tz).format('YYYY-MM-DD HH:mm')}  {who}\n")
        if order.cancel_reason:
            lines.append(order.cancel_reason + "\n")
        action = signage.next_action(order)
        if action is not None:
            lines.append(t("signage.next", step=t(f"sign_action.{action}")), "bold")
        self.query_one("#sign-timeline", Static).update(lines)
        self.query_one("#sign-hint", Static).update(
            t("signage.step_hint", step=t(f"sign_action.{action}")) if action
            else t("signage.step_done_hint"))

    def _take(self, action: str, reason: str | None = None) -> None:
        desk, version = self.app.desk, self.order.version

        def done(_order) -> None:
            self.query_one("#form-error", Static).update("")
            self.refresh_order()

        def failed(exc: DeskError) -> None:
            self.query_one("#form-error", Static).update(exc.message())

        self.app.write(lambda: signage.step(desk, self.order_id, action, reason=reason,
                                            expected_version=version), done, failed)

    def action_next_step(self) -> None:
        action = signage.next_action(self.order)
        if action is None:
            self.query_one("#form-error", Static).update(t("signage.no_step"))
            return
        self._take(action)

    def action_cancel_order(self) -> None:
        if signage.next_action(self.order) is None:
            self.query_one("#form-error", Static).update(t("signage.no_step"))
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._take("cancel", reason)

        self.app.push_screen(ReasonScreen(t("sign_action.cancel"), self.order_id), answered)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
