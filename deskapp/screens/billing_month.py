"""Month-end (m on the billing screen): the month's figures as month_end.report states
them — billed by kind, collected, waived, opening and closing balance, arrears by age,
and whether the closing balance agrees with the tenants' accounts — beside the last
twelve months of billed against collected drawn in text (▇ billed, ░ collected: two
glyphs, legible without colour). [ and ] change the month; c closes it, after a
confirm that states the month and its totals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..billing_model import grouped_yuan, month_after
from ..i18n import t
from ..models import NOTICE_LINE_KINDS, MonthClose
from ..services import DeskError
from ..views import fit, rjust_cells, safe_text
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine
from . import localise_bindings
from .billing_forms import ConfirmScreen

BILLED, COLLECTED = "▇", "░"
CHART_HEIGHT = 12
FIGURE_WIDTH = 38
AGES = ("days_1_30", "days_31_60", "days_61_90", "days_over_90")


def chart_lines(history: list[tuple[str, int, int]], height: int = CHART_HEIGHT) -> list[str]:
    """Two bars a month, side by side, scaled to the largest figure; a month with any
    money shows at least one cell of it (a small sum is not nothing)."""
    top = max((max(billed, collected) for _m, billed, collected in history), default=0)

    def cells(fen: int) -> int:
        if fen <= 0 or top <= 0:
            return 0
        return max(1, (fen * height * 2 + top) // (2 * top))  # half up, integers only

    levels = [(cells(billed), cells(collected)) for _m, billed, collected in history]
    lines = ["".join(" " + (BILLED if b >= y else " ") + (COLLECTED if c >= y else " ")
                     for b, c in levels) for y in range(height, 0, -1)]
    lines.append("".join(" " + month[5:7] for month, _b, _c in history))
    return lines


def figure(label: str, fen: int, indent: int = 0) -> str:
    return fit(" " * indent + label, FIGURE_WIDTH - 14) + rjust_cells(grouped_yuan(fen), 14)


def figure_lines(report: dict) -> list[str]:
    """month_end.report's figures, one a line, amounts right-aligned by cell width."""
    billed, waived, arrears = report["billed"], report["waived"], report["arrears"]
    lines = [t("billing_ui.me_billed", n=report["notices"])]
    lines += [figure(t(f"billing.kind.{kind}"), billed[kind], 2)
              for kind in NOTICE_LINE_KINDS if billed.get(kind)]
    lines += [figure(t("billing_ui.me_total"), billed["total"], 2),
              figure(t("billing_ui.me_collected"), report["collected"]["total"]),
              figure(t("billing_ui.me_waived", n=waived["count"]), waived["total"]),
              figure(t("billing_ui.me_opening"), report["opening"]),
              figure(t("billing_ui.me_closing"), report["closing"]),
              figure(t("billing_ui.me_by_tenant"), report["closing_by_tenant"]),
              t("billing_ui.me_reconciles" if report["reconciles"]
                else "billing_ui.me_not_reconciled"),
              figure(t("billing_ui.me_arrears", n=report["tenants_in_arrears"]),
                     arrears["overdue"])]
    lines += [figure(t(f"billing_ui.me_{age}"), arrears[age], 2) for age in AGES]
    return lines


class MonthEndScreen(ModalScreen):
    DEFAULT_CSS = """
    MonthEndScreen { align: center top; }
    #month-box { width: 80; height: 1fr; }
    #month-body { height: 1fr; }
    #month-figures { width: 39; height: 1fr; text-wrap: nowrap; }
    #month-chart { width: 1fr; height: 1fr; text-wrap: nowrap; }
    """
    BINDINGS = [
        Binding("left_square_bracket", "month(-1)", "key.billing_month_prev", key_display="["),
        Binding("right_square_bracket", "month(1)", "key.billing_month_next", key_display="]"),
        Binding("c", "close_month", "key.billing_close"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, month: str) -> None:
        super().__init__(id="month-end-screen")
        localise_bindings(self)
        self.month = month
        self.report: dict = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="month-box", classes="dialog"):
            yield Static("", id="month-title", classes="dialog-title", markup=False)
            with Horizontal(id="month-body"):
                yield Static("", id="month-figures", markup=False)
                yield Static("", id="month-chart", markup=False)
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show(self.month)

    def show(self, month: str) -> None:
        """The month's figures; a month the service refuses (one not begun) leaves the
        one shown as it was, and says why."""
        from ..services import month_end

        try:
            report = month_end.report(self.app.desk, month)
            history = month_end.history(self.app.desk, months=12, until=month)
        except DeskError as exc:
            self.app.say(exc.message(), "error")
            return
        self.month, self.report = month, report
        closed = MonthClose.get_or_none(MonthClose.month == self.month)
        tz = self.app.profile.timezone
        title = (t("billing_ui.me_title_closed", month=self.month, by=safe_text(closed.closed_by),
                   at=closed.closed_at.in_tz(tz).format("YYYY-MM-DD HH:mm")) if closed
                 else t("billing_ui.me_title_open", month=self.month))
        self.query_one("#month-title", Static).update(title)
        self.query_one("#month-figures", Static).update(Text("\n".join(figure_lines(self.report))))
        chart = chart_lines(history)
        top = max((max(b, c) for _m, b, c in history), default=0)
        chart.append(t("billing_ui.me_legend", billed=BILLED, collected=COLLECTED))
        chart.append(t("billing_ui.me_scale", amount=grouped_yuan(top)))
        self.query_one("#month-chart", Static).update(Text("\n".join(chart)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "close_month":
            return (self.app.desk.allowed("month.close") and bool(self.report)
                    and not self.report["closed"])
        return True

    def action_month(self, step: int) -> None:
        self.show(month_after(self.month, step))

    def action_close_month(self) -> None:
        from ..services import month_end

        month, report = self.month, self.report
        lines = [t("billing_ui.close_what", month=month,
                   billed=grouped_yuan(report["billed"]["total"]),
                   collected=grouped_yuan(report["collected"]["total"]),
                   waived=grouped_yuan(report["waived"]["total"]),
                   closing=grouped_yuan(report["closing"])),
                 t("billing_ui.close_after", month=month)]

        def closed(_row) -> None:
            self.app.say(t("billing_ui.closed", month=month))
            self.show(month)

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.write(lambda: month_end.close(self.app.desk, month), closed,
                               lambda exc: self.app.say(exc.message(), "error"))

        self.app.push_screen(ConfirmScreen(t("billing_ui.close_title", month=month), lines,
                                           t("key.billing_close")), answered)

    def action_back(self) -> None:
        self.dismiss(None)
