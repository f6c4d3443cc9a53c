"""The billing screen (4) at 80×24 in both languages: who owes what since when, a
payment through the form and its confirm, a waiver asked and decided (and refused to
its maker), the month-end figures and their close, the billing run key, and another
session's payment showing within a tick on its own line."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len

from deskapp import i18n
from deskapp.billing_model import allocation, grouped_yuan, NoticeView
from deskapp.models import Adjustment, Allocation, Notice, NoticeLine, Payment
from deskapp.screens.billing_month import chart_lines
from deskapp.services.tenants import upsert_tenant

from .conftest import as_role
from .test_tenants_screen import shown
from .test_tui_desk import SIZE, make_app, settle, status, until

pytestmark = pytest.mark.asyncio


def notice(desk, tenant, month: str, due: dt.date, lines: dict[str, int], number: str):
    """A notice as billing.run_month leaves one (made here with the models: the screen
    only reads them)."""
    row = Notice.create(number=number, tenant=tenant, month=month, due_date=due,
                        total_fen=sum(lines.values()), issued_at=desk.clock.now(),
                        issued_by="finance1")
    for position, (kind, fen) in enumerate(lines.items(), 1):
        NoticeLine.create(notice=row, position=position, kind=kind, quantity_milli=1000,
                          unit_price_fen=fen, amount_fen=fen)
    desk.audit("notice.issue", "notice", row.id)
    return row


@pytest.fixture
def owing(desk):
    star = upsert_tenant(desk, "星辰科技有限公司北京分公司", units=["12F-1201"])
    red = upsert_tenant(desk, "[/red]", units=["8F-805"])
    bold = upsert_tenant(desk, "[bold]Acme", units=["15F-1503"])
    upsert_tenant(desk, "Paid Up Ltd", units=["3F"])
    # 星辰: October overdue (due 10-05: 52 days on Thu 26 Nov), November not yet late
    notice(desk, star, "2026-10", dt.date(2026, 10, 5),
           {"rent": 4_860_000, "electricity": 103_060}, "2026-10-0001")
    notice(desk, star, "2026-11", dt.date(2026, 11, 30), {"rent": 4_860_000}, "2026-11-0001")
    notice(desk, red, "2026-11", dt.date(2026, 11, 5), {"rent": 1_000_000}, "2026-11-0002")
    notice(desk, bold, "2026-11", dt.date(2026, 12, 5), {"rent": 2_380_000}, "2026-11-0003")
    return dict(star=star, red=red, bold=bold)


async def on_billing(pilot):
    await pilot.press("4")
    await until(pilot, lambda: pilot.app.screen.id == "billing-screen"
                and pilot.app.screen.records.order)
    await pilot.pause(0.1)  # the first layout of the screen
    await settle(pilot)
    return pilot.app.screen.records


def names(records) -> list[str]:
    return [records.rows[i].cells[0] for i in records.order]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_4_lists_who_owes_most_overdue_first_names_as_typed(desk, owing, db_url, lang):
    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        # 星辰 since 10-05, [/red] since 11-05, Acme not yet due; Paid Up owes nothing
        assert names(records) == ["星辰科技有限公司北京分公司", "[/red]", "[bold]Acme"]
        text = shown(app)
        for line in text.split("\n"):
            assert cell_len(line) == 80, line
        assert "[/red]" in text and "[bold]Acme" in text        # data, never markup
        assert "98,230.60" in text                                 # 48,600 + 1,030.60 + 48,600
        assert ("52d" if lang == "en" else "52天") in text
        assert ("21d" if lang == "en" else "21天") in text          # [/red]: due 11-05
        assert "12-05" in text                                     # Acme: not yet due
        # the pane: the selected tenant's notices, number, month, total, owed, due
        assert "2026-10-0001 2026-10 49,630.60 49,630.60 10-05" in text
        assert ("1 Queue" if lang == "en" else "1 队列") in text
        assert ("p Payment" if lang == "en" else "p 收款") in text


async def test_the_chart_draws_two_bars_a_month_scaled_half_up():
    history = [("2026-09", 100_000, 0), ("2026-10", 100_000, 50_000), ("2026-11", 100_000, 1)]
    lines = chart_lines(history, height=4)
    assert lines == [" ▇  ▇  ▇ ",
                     " ▇  ▇  ▇ ",
                     " ▇  ▇░ ▇ ",
                     " ▇  ▇░ ▇░",      # one fen collected still shows
                     " 09 10 11"]


async def test_what_a_payment_pays_is_stated_oldest_notice_first():
    october = NoticeView(1, "2026-10-0001", "2026-10", 4_963_060, 4_963_060, dt.date(2026, 10, 5))
    november = NoticeView(2, "2026-11-0001", "2026-11", 4_860_000, 4_860_000, dt.date(2026, 11, 30))
    paid, credit = allocation([november, october], 5_000_000)
    assert [(n.number, fen) for n, fen in paid] == [("2026-10-0001", 4_963_060),
                                                   ("2026-11-0001", 36_940)]
    assert credit == 0
    paid, credit = allocation([november, october], 10_000_000)
    assert credit == 10_000_000 - 4_963_060 - 4_860_000
    assert grouped_yuan(-1_234_567_89) == "-1,234,567.89"
