"""The monthly tenant communication report on screen (R-5.4): the month's figures, then
its visits, complaints (with what each tenant was told) and suggestions; scrollable at
80×24, columns lined up in terminal cells (Chinese is double width: views.fit).

It reads through services.comms_report only, on the app's database thread
(``app.write``); stored text reaches the terminal as plain Text through safe_text,
never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from ..views import fit, rjust_cells, safe_text
from . import localise_bindings

WIDTH = 72  # cells inside the 78-cell dialog (border, padding and the scrollbar)
LABEL, FIGURE = 60, 6


def _when(text: str | None) -> str:
    return "" if not text else f"{text[5:10]} {text[11:16]}"  # "10-05 10:00"


def report_lines(report: dict) -> list[tuple[str, str]]:
    """The report as (line, style) pairs, each line exactly WIDTH cells or less."""
    from ..services.comms_report import summary_rows

    lines: list[tuple[str, str]] = []
    for label, value in summary_rows(report):
        lines.append((fit(label, LABEL) + rjust_cells(str(value), FIGURE), ""))

    def section(key: str, rows: list[tuple[str, str]]) -> None:
        lines.append(("", ""))
        lines.append((t(key), "bold"))
        lines.extend(rows or [("  " + t("comms_report.nothing"), "")])

    visits = []
    for item in report["visits"]["items"]:
        late = t("comms.late") if item["late"] else ""
        visits.append((" ".join((fit(_when(item["at"]), 11), fit(safe_text(item["tenant"]), 24),
                                 fit(t(f"comms.visit_kind.{item['kind']}"), 10),
                                 fit(safe_text(item["visitor"]), 12), late)).rstrip(), ""))
        visits.append(("  " + fit(safe_text(item["feedback"]), WIDTH - 2), "dim"))
        if item["issues"]:
            visits.append(("  ! " + fit(safe_text(item["issues"]), WIDTH - 4), "dim"))
    section("comms_report.visits", visits)
    complaints = []
    for item in report["complaints"]["items"]:
        hour = t("comms_report.yes") if item["replied_within_hour"] else t("comms_report.no")
        complaints.append((" ".join((
            fit(f"#{item['id']}", 6), fit(_when(item["opened_at"]), 11),
            fit(safe_text(item["tenant"] or "—"), 22), fit(t(f"state.{item['state']}"), 10),
            f"{t('comms_report.col_replied_hour')}: {hour}")), ""))
        for reply in item["replies"]:
            complaints.append(("  → " + fit(safe_text(reply["note"]), WIDTH - 4), "dim"))
    section("comms_report.complaints", complaints)
    suggestions = [(" ".join((fit(_when(item["at"]), 11), fit(safe_text(item["tenant"]), 24),
                              fit(t(f"comms_report.via_{item['via']}"), 6),
                              fit(safe_text(item["text"]), WIDTH - 44))), "")
                   for item in report["suggestions"]["items"]]
    section("comms_report.suggestions", suggestions)
    return lines


class CommsReportScreen(ModalScreen[None]):
    """``CommsReportScreen("2026-10")``: Esc closes; ↑↓ PgUp PgDn scroll."""

    DEFAULT_CSS = """
    #comms-report { width: 78; height: 22; }
    #comms-report-body { width: 100%; height: auto; }
    """
    BINDINGS = [Binding("escape,q", "close", "key.back")]

    def __init__(self, month: str | None = None) -> None:
        super().__init__()
        self.month = month
        self.lines: list[str] = []
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="comms-report", classes="dialog"):
            yield Static(t("comms_report.title"), id="comms-report-title",
                         classes="dialog-title", markup=False)
            yield Static("…", id="comms-report-body", markup=False)
            yield Static(t("comms_report.keys"), classes="hint", markup=False)

    def on_mount(self) -> None:
        from ..services.comms_report import communication_report

        desk, month = self.app.desk, self.month
        self.query_one("#comms-report", VerticalScroll).focus()
        self.app.write(lambda: communication_report(desk, month), on_done=self._show,
                       on_error=self._failed)

    def _show(self, report: dict) -> None:
        self.month = report["month"]
        pairs = report_lines(report)
        self.lines = [line for line, _ in pairs]
        body = Text()
        for index, (line, style) in enumerate(pairs):
            body.append(line, style=style or None)
            if index < len(pairs) - 1:
                body.append("\n")
        self.query_one("#comms-report-title", Static).update(
            Text(t("comms_report.screen_title", month=self.month), style="bold"))
        self.query_one("#comms-report-body", Static).update(body)

    def _failed(self, error) -> None:
        self.lines = [error.message()]
        self.query_one("#comms-report-body", Static).update(Text(safe_text(error.message())))

    def action_close(self) -> None:
        self.dismiss(None)
