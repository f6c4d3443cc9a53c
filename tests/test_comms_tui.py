"""The tenant communication report on screen at 80×24, in both languages."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from deskapp import i18n
from deskapp.screens.comms_report import CommsReportScreen

from .conftest import as_role
from .test_comms import ACME, HOSTILE_NAME, STAR, building, october  # noqa: F401 - fixtures
from .test_hostile_text import screen_text
from .test_tui import SIZE, make_app


async def open_report(app, pilot, month="2026-10") -> CommsReportScreen:
    app.push_screen(CommsReportScreen(month))
    for _ in range(20):
        await pilot.pause(0.05)
        if isinstance(app.screen, CommsReportScreen) and app.screen.lines:
            break
    return app.screen


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_report_shows_the_months_figures_lined_up(october, db_url, lang):
    i18n.set_language(lang)
    app = make_app(october, db_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(app, pilot)
        lines = screen.lines
        mail_items = "信报件数" if lang == "zh" else "mail items"
        [figure] = [line for line in lines if line.startswith(mail_items)]
        assert figure.rstrip().endswith(" 5")
        # every figure's number ends in the same cell, Chinese labels included
        figures = lines[:19]
        assert {cell_len(line) for line in figures} == {66}
        assert all(cell_len(line) <= 72 for line in lines)  # beside the scrollbar
        assert any(HOSTILE_NAME[:20] in line for line in lines)  # as typed, not a formula
        assert any("空调已调好" in line for line in lines)
        title = str(screen.query_one("#comms-report-title").content)
        assert "2026-10" in title
        await pilot.press("pagedown")
        await pilot.pause()
        shown = screen_text(app)
        replied = "1 小时内答复: 是" if lang == "zh" else "Replied in 1 h: yes"
        assert any(line.startswith("│ #1") and replied in line for line in shown.split("\n"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CommsReportScreen)


async def test_a_role_that_may_not_see_it_reads_why(october, db_url):
    app = make_app(as_role(october, "engineering"), db_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(app, pilot)
        assert "may not" in screen.lines[0]
