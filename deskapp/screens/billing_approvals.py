"""The GM's approvals (a on the billing screen): the waivers and deferrals waiting for
a decision, oldest first; y approves, n refuses with a note, each after a confirm that
states the amount or the date. Who may decide is the service's rule (the GM, never the
person who asked): anyone else who presses y hears the service's refusal on the status
line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..billing_model import grouped_yuan
from ..db import change_token
from ..i18n import t
from ..models import Adjustment
from ..services import DeskError
from ..views import rjust_cells, safe_text
from ..widgets.key_bar import KeyBar
from ..widgets.record_list import RecordList, Row
from ..widgets.status_line import StatusLine
from . import localise_bindings
from .billing_forms import ConfirmScreen

# tenant, notice, kind, amount or new date, asked by
WIDTHS = (0, 12, 8, 12, 8)


def what_of(row) -> str:
    """The amount a waiver forgives, the new due date a deferral sets."""
    return grouped_yuan(row.amount_fen or 0) if row.kind == "waiver" else row.defer_to.isoformat()


class PendingRequests:
    """What the list shows, polled after each tick (app.follow_changes): read again only
    when another session wrote and the pending requests are not those shown."""

    def __init__(self, db) -> None:
        self.db, self._token, self._shown = db, None, None

    def read(self) -> list:
        from ..services import adjustments

        self._token = change_token(self.db)
        rows = adjustments.pending()
        self._shown = tuple(row.id for row in rows)
        return rows

    def poll(self) -> list | None:
        token = change_token(self.db)
        if token == self._token:
            return None
        self._token = token
        ids = tuple(aid for (aid,) in Adjustment.select(Adjustment.id)
                    .where(Adjustment.state == "pending").order_by(Adjustment.asked_at,
                                                                   Adjustment.id).tuples())
        return None if ids == self._shown else self.read()


class ApprovalsScreen(ModalScreen):
    DEFAULT_CSS = """
    ApprovalsScreen { align: center top; }
    #approvals-box { width: 80; height: 1fr; }
    #approvals-list { height: 1fr; }
    #approvals-detail { height: 4; }
    """
    BINDINGS = [
        Binding("y", "decide(True)", "key.billing_approve"),
        Binding("n", "decide(False)", "key.billing_refuse"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="approvals-screen")
        localise_bindings(self)
        self.requests: dict[int, object] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="approvals-box", classes="dialog"):
            yield Static(t("billing_ui.approvals_title"), id="approvals-title",
                         classes="dialog-title", markup=False)
            yield RecordList(WIDTHS, lambda _any: t("billing_ui.approvals_none"),
                             id="approvals-list")
            yield Static("", id="approvals-detail", markup=False)
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RecordList).focus()
        self.pending = PendingRequests(self.app.desk.db)
        self.reload()
        # a request asked at another desk shows while the GM has the list open
        self.app.follow_changes(self.pending, self.show)

    def on_unmount(self) -> None:
        self.app._live.pop(self.pending, None)

    def reload(self) -> None:
        self.show(self.pending.read())

    def show(self, pending: list) -> None:
        self.requests = {row.id: row for row in pending}
        rows = {row.id: Row(row.id, (safe_text(row.tenant.name), safe_text(row.notice.number),
                                     t(f"billing_ui.kind_{row.kind}"), rjust_cells(what_of(row), 12),
                                     safe_text(row.asked_by)),
                            row.tenant.name.casefold())
                for row in self.requests.values()}
        self.query_one(RecordList).set_rows(rows, list(rows))
        self.query_one("#approvals-title", Static).update(
            t("billing_ui.approvals_title_n", n=len(rows)))
        self._detail()
        self.refresh_bindings()

    def on_record_list_cursor_moved(self, _message) -> None:
        self._detail()

    def _selected(self):
        return self.requests.get(self.query_one(RecordList).cursor_id)

    def _detail(self) -> None:
        row = self._selected()
        box = self.query_one("#approvals-detail", Static)
        if row is None:
            box.update("")
            return
        tz = self.app.profile.timezone
        box.update(Text("\n".join((
            t("billing_ui.approvals_reason", reason=safe_text(row.reason)),
            t("billing_ui.approvals_asked", who=safe_text(row.asked_by),
              when=row.asked_at.in_tz(tz).format("YYYY-MM-DD HH:mm"),
              month=row.notice.month, due=row.notice.due_date.isoformat())))))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "decide":
            return self.is_mounted and self._selected() is not None
        return True

    def action_decide(self, approve: bool) -> None:
        row = self._selected()
        if row is None:
            return
        if approve:
            self._confirm(row, True, "")
            return
        from .reason import ReasonScreen

        def noted(note: str | None) -> None:
            if note:
                self._confirm(row, False, note)

        self.app.push_screen(ReasonScreen(t("key.billing_refuse"), row.id,
                                          prompt=t("billing_ui.refuse_note")), noted)

    def _confirm(self, row, approve: bool, note: str) -> None:
        from ..services import adjustments

        verb = "approve" if approve else "refuse"
        what = (t("billing_ui.ask_waiver", amount=what_of(row)) if row.kind == "waiver" else
                t("billing_ui.ask_deferral", day=what_of(row), due=row.notice.due_date.isoformat()))
        lines = [t(f"billing_ui.decide_{verb}", what=what, number=safe_text(row.notice.number),
                   tenant=safe_text(row.tenant.name), asker=safe_text(row.asked_by))]
        if note:
            lines.append(t("billing_ui.decide_note", note=safe_text(note)))

        def decided(result) -> None:
            self.app.say(t(f"billing_ui.decided_{verb}", id=result.id,
                           tenant=row.tenant.name))
            self.reload()

        def refused(exc: DeskError) -> None:
            self.app.say(exc.message(), "error")
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.write(lambda: adjustments.decide(self.app.desk, row.id,
                                                          approve=approve, note=note),
                               decided, refused)

        self.app.push_screen(ConfirmScreen(t(f"billing_ui.decide_{verb}_title"), lines,
                                           t(f"key.billing_{verb}")), answered)

    def action_back(self) -> None:
        self.dismiss(None)
