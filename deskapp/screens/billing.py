"""Screen 4: billing (SCREENS.md) — who owes what since when on the left (most overdue
first, ``/`` filters), the selected tenant's notices and the tail of its statement on
the right; p takes a payment, w asks a waiver or deferral, a opens the GM's approvals,
m the month-end figures, r issues this month's notices. Nothing that moves money goes
without a confirm stating the amount, and every write is a service's.

The list is read in the ticker's thread (billing_model) and follows other sessions'
payments and notices within a tick, repainting only the lines that changed; the pane
is read again only when the selection moves or its tenant's figures moved.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from ..billing_model import BillingModel, BillingUpdate, grouped_yuan, short_day
from ..i18n import t
from ..services import DeskError
from ..services.closing import month_of
from ..services.tenants import today
from ..views import fit, rjust_cells, safe_text
from . import localise_bindings
from .list_pane import ListPaneScreen

# name, owed, since (the name takes what is left of the list's width)
LIST_WIDTHS = (0, 12, 5)
STATEMENT_SHOWN = 8


class BillingScreen(ListPaneScreen):
    MODE = "billing"
    DEFAULT_CSS = """
    #billing-body { height: 1fr; }
    #billing-left { width: 32; height: 1fr; border-right: vkey $panel-lighten-2; }
    #billing-bar { height: 1; }
    #billing-count { width: auto; height: 1; padding: 0 1; text-style: bold; }
    #billing-filter { width: 1fr; height: 1; border: none; padding: 0; }
    #billing-pane { width: 1fr; height: 1fr; padding: 0; text-wrap: nowrap; }
    """
    BINDINGS = [
        Binding("p", "payment", "key.billing_pay", priority=True),
        Binding("w", "adjust", "key.billing_adjust", priority=True),
        Binding("a", "approvals", "key.billing_approvals", priority=True),
        Binding("m", "month_end", "key.billing_month", priority=True),
        Binding("r", "run", "key.billing_run", priority=True),
        Binding("slash", "filter", "key.filter", key_display="/", priority=True),
        Binding("escape", "clear_filter", "key.back", show=False),
    ]

    LIST_WIDTHS = LIST_WIDTHS
    IDS = {"body": "billing-body", "left": "billing-left", "bar": "billing-bar",
           "count": "billing-count", "filter": "billing-filter", "list": "billing-list",
           "pane": "billing-pane"}
    TEXTS = {"filter_hint": "billing_ui.filter_hint", "no_match": "billing_ui.no_match",
             "none": "billing_ui.none", "title": "billing_ui.title",
             "title_filtered": "billing_ui.title_filtered"}

    def __init__(self) -> None:
        super().__init__(id="billing-screen")
        localise_bindings(self)
        self._shown_pane = None

    def on_mount(self) -> None:
        desk = self.app.desk
        self.start_list(BillingModel(desk, lambda: today(desk)), self.accounts_changed)

    # -- live parts ----------------------------------------------------------------------
    def accounts_changed(self, update: BillingUpdate) -> None:
        if update.full:
            self._list.set_rows(update.rows, update.order)
        else:
            self._list.update_rows(update.rows, update.order)
        self._show_count()
        if update.full or self._list.cursor_id in update.changed:
            self._shown_pane = None  # its figures moved: read the pane again
        self._show_pane()
        self.refresh_bindings()

    def on_record_list_cursor_moved(self, _message) -> None:
        self._show_pane()
        self.refresh_bindings()

    def _show_pane(self) -> None:
        tenant_id = self._list.cursor_id if self._ready else None
        key = (tenant_id, self._pane.size.width)
        if key == self._shown_pane:
            return  # the same tenant, its figures unmoved: nothing is repainted
        self._shown_pane = key
        if tenant_id is None:
            self._pane.update(Text(t("billing_ui.pick"), "dim"))
            return
        try:
            self._pane.update(self._pane_text(tenant_id))
        except DeskError as exc:
            self._pane.update(exc.message())

    def _pane_text(self, tenant_id: int) -> Text:
        width = max(20, self._pane.content_region.width or 48)
        day = today(self.app.desk)
        owing = self.model.owing[tenant_id]
        text = Text(no_wrap=True, overflow="ellipsis")
        if owing.balance_fen >= 0:
            figure = t("billing_ui.owes", amount=grouped_yuan(owing.balance_fen))
        else:
            figure = t("billing_ui.credit", amount=grouped_yuan(-owing.balance_fen))
        text.append(fit(safe_text(owing.name), max(4, width - cell_len(figure) - 1)) + " ", "bold")
        text.append(figure + "\n", "bold")
        if owing.overdue_fen:
            text.append(t("billing_ui.overdue", amount=grouped_yuan(owing.overdue_fen),
                          since=owing.oldest_due.isoformat(),
                          days=owing.days_overdue(day)) + "\n")
        elif owing.oldest_due:
            text.append(t("billing_ui.next_due", day=owing.oldest_due.isoformat()) + "\n")
        text.append(notice_header() + "\n", "underline")
        for notice in self.model.notices(tenant_id):
            # fitted: a figure wider than its column cuts the line, never wraps it
            text.append(fit(notice_line(notice), width) + "\n",
                        "" if notice.balance_fen else "dim")
        lines = self.model.statement_tail(self.app.desk, tenant_id, STATEMENT_SHOWN)
        if lines:
            text.append(t("billing_ui.statement") + "\n", "underline")
        for line in lines:
            text.append(fit(statement_line(line, width), width) + "\n")
        text.rstrip()
        return text

    def on_resize(self) -> None:
        self._shown_pane = None
        if self._ready:
            self._show_pane()

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if not self._ready:
            return action not in ("payment", "adjust")
        if self.focused is self._filter and action != "clear_filter":
            return False  # letters typed into the filter are text
        desk = self.app.desk
        selected = self._list.cursor_id
        if action == "payment":
            return selected is not None and desk.allowed("payment.record")
        if action == "adjust":
            return (selected is not None and desk.allowed("adjustment.ask")
                    and self.model.owing[selected].balance_fen > 0)
        if action == "approvals":
            # the service decides who may decide (the GM, never the asker): a finance
            # session sees the list and hears the refusal from the service
            return desk.allowed("adjustment.ask") or desk.allowed("adjustment.decide")
        if action == "run":
            return desk.allowed("billing.run")
        return True

    def _open(self, make) -> None:
        """A form or view over the screen; what it wrote shows at once."""
        try:
            screen = make()
        except DeskError as exc:  # the tenant went meanwhile, nothing left to ask about
            self.app.say(exc.message(), "error")
            return

        def done(result) -> None:
            if result:
                self.app.request_tick()

        self.app.push_screen(screen, done)

    def action_payment(self) -> None:
        from .billing_forms import PaymentForm

        tenant_id = self._list.cursor_id
        if tenant_id is not None:
            self._open(lambda: PaymentForm(tenant_id, self.model.notices(tenant_id)))

    def action_adjust(self) -> None:
        from .billing_forms import AdjustmentForm

        tenant_id = self._list.cursor_id
        if tenant_id is not None:
            self._open(lambda: AdjustmentForm(tenant_id, [
                n for n in self.model.notices(tenant_id) if n.balance_fen > 0]))

    def action_approvals(self) -> None:
        from .billing_approvals import ApprovalsScreen

        self._open(ApprovalsScreen)

    def action_month_end(self) -> None:
        from .billing_month import MonthEndScreen

        self._open(lambda: MonthEndScreen(month_of(today(self.app.desk))))

    def action_run(self) -> None:
        from ..services import billing
        from .billing_forms import ConfirmScreen

        month = month_of(today(self.app.desk))

        def ran(summary: dict) -> None:
            self.app.say(t("billing_ui.run_done", month=month, **run_counts(summary)))

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.write(lambda: billing.run_month(self.app.desk, month), ran)

        self.app.push_screen(ConfirmScreen(t("billing_ui.run_title", month=month),
                                           [t("billing_ui.run_what", month=month)],
                                           t("billing_ui.run_yes")), answered)

    def on_descendant_focus(self, _event) -> None:
        self.refresh_bindings()


def run_counts(summary: dict) -> dict:
    """What the status line says of a run: issued, already, held, the total billed."""
    return dict(issued=summary["issued"], already=summary["already"], held=summary["held"],
                total=grouped_yuan(summary["total_fen"]))


# -- the pane's lines: 48 cells (number 13, month 7, total 11, owed 11, due 6: a space
# before each, so 100,000.00 and more still stand apart) -------------------------------------
def notice_header() -> str:
    return (fit(t("billing_ui.col_number"), 13) + fit(t("billing_ui.col_month"), 7)
            + rjust_cells(t("billing_ui.col_total"), 11) + rjust_cells(t("billing_ui.col_left"), 11)
            + rjust_cells(t("billing_ui.col_due"), 6))


def notice_line(notice) -> str:
    return (fit(safe_text(notice.number), 12) + " " + fit(notice.month, 7)
            + rjust_cells(grouped_yuan(notice.total_fen), 11)
            + rjust_cells(grouped_yuan(notice.balance_fen), 11)
            + rjust_cells(short_day(notice.due), 6))


def statement_line(line, width: int) -> str:
    """day, what (kind and number), debit or credit, the running balance."""
    amount = grouped_yuan(line.debit_fen) if line.debit_fen else (
        "-" + grouped_yuan(line.credit_fen) if line.credit_fen else "")
    what = f"{t(f'billing_ui.stmt_{line.kind}')} {safe_text(line.number)}"
    room = max(4, width - 6 - 11 - 11)
    return (short_day(line.day) + " " + fit(what, room) + rjust_cells(amount, 11)
            + rjust_cells(grouped_yuan(line.balance_fen), 11))
