"""The billing screen's forms: a payment for the selected tenant (p) and a waiver or
deferral asked on one of its notices (w), and the confirm every money step passes.

Each form checks what was typed first (the amount read exactly, the day), then a
confirm states the amount and what it will do — which notices a payment pays, the
credit left — and only y writes it, through the service, once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from ..billing_model import NoticeView, allocation, grouped_yuan
from ..i18n import t
from ..models import ADJUSTMENT_KINDS, PAYMENT_METHODS
from ..services import DeskError, InvalidInput, validate
from ..services.tenants import today
from ..views import safe_text
from . import localise_bindings
from .new_ticket import FormInput, FormSelect
from .tenant_form_base import TenantFormScreen, field_row


class ConfirmScreen(ModalScreen[bool]):
    """States what will happen; only y does it (Esc, n or a reflex Enter go back)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm-box { width: 70; height: auto; max-height: 20; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "key.billing_yes"),
        Binding("escape,n,enter", "answer(False)", "key.back"),
    ]

    def __init__(self, title: str, lines: list[str], yes: str) -> None:
        super().__init__()
        localise_bindings(self)
        self.title_text, self.lines, self.yes = title, lines, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(Text("\n".join(self.lines)), id="confirm-body", markup=False)
            yield Static(t("billing_ui.confirm_keys", yes=self.yes), classes="hint",
                         markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConfirmedForm(TenantFormScreen):
    """A SavingForm whose ctrl+s checks the form, then asks ``confirm(request)`` before
    writing; the service's refusal shows on the form."""

    DEFAULT_CSS = """
    ConfirmedForm { align: center middle; }
    ConfirmedForm #billing-form { width: 76; height: auto; max-height: 22; }
    """

    def confirm(self, request) -> tuple[str, list[str], str]:
        raise NotImplementedError

    def _say(self, message: str) -> None:
        self.query_one(f"#{self.ERROR_ID}", Static).update(message)

    def action_save(self) -> None:
        if self._saving:
            return
        try:
            request = self.request()
        except DeskError as exc:
            self._say(exc.message())
            return

        def answered(yes: bool | None) -> None:
            if yes and not self._saving:
                self._saving = True
                self.app.write(lambda: self.save(request),
                               lambda result: self.dismiss(self.saved(result)), failed)

        def failed(exc: DeskError) -> None:
            self._saving = False
            self._say(exc.message())

        self.app.push_screen(ConfirmScreen(*self.confirm(request)), answered)

    def submitted(self, field: Input) -> None:  # Enter on a one-line field
        if field.id == self.LAST_FIELD:
            self.action_save()
        else:
            self.focus_next()

    LAST_FIELD = ""


def notice_label(notice: NoticeView) -> str:
    return t("billing_ui.notice_option", number=safe_text(notice.number), month=notice.month,
             left=grouped_yuan(notice.balance_fen))


class PaymentForm(ConfirmedForm):
    """Money received from the selected tenant: amount in yuan, how, on which day, the
    bank reference."""

    LAST_FIELD = "reference"

    def __init__(self, tenant_id: int, notices: list[NoticeView]) -> None:
        super().__init__(tenant_id)
        self.notices = notices

    def compose(self) -> ComposeResult:
        with Vertical(id="billing-form", classes="dialog"):
            yield self.title_row("billing_ui.pay_title")
            yield from field_row("amount", t("billing_ui.pay_amount"), FormInput(id="amount"))
            yield from field_row("method", t("billing_ui.pay_method"), FormSelect(
                [(t(f"method.{m}"), m) for m in PAYMENT_METHODS], value="transfer",
                allow_blank=False, id="method"))
            yield from field_row("received_on", t("billing_ui.pay_on"), FormInput(
                value=today(self.app.desk).isoformat(), id="received_on"))
            yield from field_row("reference", t("billing_ui.pay_reference"), FormInput(
                id="reference"))
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(t("billing_ui.form_hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self._untouched = self._typed()
        self.focus_first(self.query_one("#amount", Input))

    def request(self) -> dict:
        amount = validate.yuan(self.query_one("#amount", Input).value, t("billing_ui.pay_amount"))
        if amount == 0:
            raise InvalidInput("billing_ui.error_zero", field=t("billing_ui.pay_amount"))
        day = validate.day(self.query_one("#received_on", Input).value, t("billing_ui.pay_on"),
                           today(self.app.desk), "applied", required=True)
        return dict(amount_fen=amount, method=self.query_one("#method", Select).value,
                    received_on=day, reference=self.query_one("#reference", Input).value.strip())

    def confirm(self, request: dict) -> tuple[str, list[str], str]:
        paid, left = allocation(self.notices, request["amount_fen"])
        lines = [t("billing_ui.pay_confirm", amount=grouped_yuan(request["amount_fen"]),
                   tenant=safe_text(self.tenant.name), method=t(f"method.{request['method']}"),
                   day=request["received_on"].isoformat())]
        for notice, part in paid:
            lines.append(t("billing_ui.pay_pays", number=safe_text(notice.number),
                           month=notice.month, amount=grouped_yuan(part),
                           left=grouped_yuan(notice.balance_fen - part)))
        lines.append(t("billing_ui.pay_credit", amount=grouped_yuan(left)))
        return t("billing_ui.pay_confirm_title"), lines, t("billing_ui.pay_yes")

    def save(self, request: dict):
        from ..services.payments import record_payment

        return record_payment(self.app.desk, tenant_id=self.tenant.id, **request)

    def saved(self, payment):
        self.app.say(t("billing_ui.paid", amount=grouped_yuan(payment.amount_fen),
                       tenant=self.tenant.name, receipt=payment.receipt_no))
        return payment.id


class AdjustmentForm(ConfirmedForm):
    """Ask the GM to waive part of a notice or to move its due date, with the reason."""

    LAST_FIELD = "reason"

    def __init__(self, tenant_id: int, notices: list[NoticeView]) -> None:
        super().__init__(tenant_id)
        if not notices:
            raise InvalidInput("billing_ui.error_no_open_notice", tenant=self.tenant.name)
        self.notices = {n.id: n for n in notices}

    def compose(self) -> ComposeResult:
        first = next(iter(self.notices.values()))
        with Vertical(id="billing-form", classes="dialog"):
            yield self.title_row("billing_ui.adjust_title")
            yield from field_row("notice", t("billing_ui.adjust_notice"), FormSelect(
                [(notice_label(n), n.id) for n in self.notices.values()], value=first.id,
                allow_blank=False, id="notice"))
            yield from field_row("kind", t("billing_ui.adjust_kind"), FormSelect(
                [(t(f"billing_ui.kind_{k}"), k) for k in ADJUSTMENT_KINDS], value="waiver",
                allow_blank=False, id="kind"))
            yield from field_row("amount", t("billing_ui.adjust_amount"), FormInput(
                id="amount"))
            yield from field_row("defer_to", t("billing_ui.adjust_defer_to"), FormInput(
                placeholder="YYYY-MM-DD", id="defer_to"))
            yield from field_row("reason", t("billing_ui.adjust_reason"), FormInput(
                id="reason"))
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(t("billing_ui.form_hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self._untouched = self._typed()
        self._show_fields()
        self.focus_first(self.query_one("#notice", Select))

    def on_select_changed(self, _event) -> None:
        self._show_fields()

    def _kind(self) -> str:
        return self.query_one("#kind", Select).value

    def _show_fields(self) -> None:
        """An amount for a waiver, a new due date for a deferral."""
        self.query_one("#field-amount").display = self._kind() == "waiver"
        self.query_one("#field-defer_to").display = self._kind() == "deferral"

    def request(self) -> dict:
        kind = self._kind()
        notice = self.notices[self.query_one("#notice", Select).value]
        request = dict(kind=kind, notice_id=notice.id,
                       reason=validate.text(self.query_one("#reason", Input).value.strip(),
                                            t("billing_ui.adjust_reason"), limit=500,
                                            required=True))
        if kind == "waiver":
            request["amount_fen"] = validate.yuan(self.query_one("#amount", Input).value,
                                                  t("billing_ui.adjust_amount"))
        else:
            request["defer_to"] = validate.day(
                self.query_one("#defer_to", Input).value, t("billing_ui.adjust_defer_to"),
                today(self.app.desk), "lease", required=True)
        return request

    def confirm(self, request: dict) -> tuple[str, list[str], str]:
        notice = self.notices[request["notice_id"]]
        what = (t("billing_ui.ask_waiver", amount=grouped_yuan(request["amount_fen"]))
                if request["kind"] == "waiver" else
                t("billing_ui.ask_deferral", day=request["defer_to"].isoformat(),
                  due=notice.due.isoformat()))
        lines = [t("billing_ui.ask_confirm", what=what, number=safe_text(notice.number),
                   tenant=safe_text(self.tenant.name), left=grouped_yuan(notice.balance_fen)),
                 t("billing_ui.ask_reason", reason=safe_text(request["reason"])),
                 t("billing_ui.ask_gm")]
        return t("billing_ui.ask_title"), lines, t("billing_ui.ask_yes")

    def save(self, request: dict):
        from ..services import adjustments

        return adjustments.ask(self.app.desk, **request)

    def saved(self, adjustment):
        self.app.say(t("billing_ui.asked", id=adjustment.id, tenant=self.tenant.name))
        return adjustment.id
