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
from deskapp.services.numbering import next_number
from deskapp.services.tenants import upsert_tenant

from .conftest import as_role
from .test_tenants_screen import shown
from .test_tui_desk import SIZE, make_app, settle, status, until

pytestmark = pytest.mark.asyncio


def notice(desk, tenant, month: str, due: dt.date, lines: dict[str, int], number: str):
    """A notice as billing.run_month leaves one, its number taken from the month's series
    (made here with the models, to pin exact figures: the screen only reads them)."""
    with desk.db.atomic():
        taken = next_number(desk, month)
    assert taken == number
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
        assert "2026-10-0001 2026-10  49,630.60  49,630.60 10-05" in text
        assert ("1 Queue" if lang == "en" else "1 队列") in text
        assert ("p Pay  w Waive  a GM  m Month  r Run" if lang == "en"
                else "p 收款  w 减免缓交  a 审批  m 月结  r 开通知书") in text


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


def paid_directly(desk, tenant, notice_row, fen: int, receipt: str) -> Payment:
    """Another session's payment, as payments.record_payment leaves it (a payment, its
    allocation, an audit row)."""
    payment = Payment.create(receipt_no=receipt, tenant=tenant, amount_fen=fen, method="cash",
                             received_on=dt.date(2026, 11, 26), recorded_at=desk.clock.now(),
                             recorded_by="lina")
    Allocation.create(payment=payment, notice=notice_row, amount_fen=fen)
    desk.audit("payment.record", "payment", payment.id)
    return payment


async def test_another_sessions_payment_repaints_its_line_and_an_idle_tick_nothing(
        desk, owing, db_url):
    app = make_app(desk, db_url, auto_tick=False)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        screen = app.screen
        await app.tick()
        await settle(pilot)
        repainted: list[int] = []
        original = records.refresh_line
        records.refresh_line = lambda y: (repainted.append(y), original(y))
        panes: list = []
        pane_update = screen._pane.update
        screen._pane.update = lambda content: (panes.append(content), pane_update(content))
        await app.tick()                                   # nothing written: nothing painted
        await settle(pilot)
        assert repainted == [] and panes == []
        red_notice = Notice.get(Notice.number == "2026-11-0002")
        paid_directly(desk, owing["red"], red_notice, 400_000, "R-2026-0001")
        await app.tick()
        await settle(pilot)
        assert repainted == [records.index_of[owing["red"].id]]   # its line, not the list
        assert panes == []                # the pane shows 星辰, whose figures did not move
        assert "6,000.00" in shown(app)
        paid_directly(desk, owing["red"], red_notice, 600_000, "R-2026-0002")
        await app.tick()
        await settle(pilot)
        assert owing["red"].id not in records.index_of            # square: off the list
        assert "Owing (2)" in shown(app)


async def test_the_filter_narrows_the_list_and_esc_clears_it(desk, owing, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        await pilot.press("/", *"acme")
        await settle(pilot)
        assert names(records) == ["[bold]Acme"]
        assert "Owing (1/3)" in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(records.order) == 3


def confirm_text(app) -> str:
    return str(app.screen.query_one("#confirm-body").content)


async def until_screen(pilot, name: str) -> None:
    await until(pilot, lambda: pilot.app.screen.__class__.__name__ == name)
    await settle(pilot)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_payment_is_confirmed_with_what_it_pays_and_the_balance_follows(
        desk, owing, db_url, lang):
    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        assert records.cursor_id == owing["star"].id
        await pilot.press("p")
        await until_screen(pilot, "PaymentForm")
        # amount, method (bank transfer), received on (today), the bank's reference
        await pilot.press(*"50,000.00", "tab", "tab", "tab", *"HSBC-1126", "ctrl+s")
        await until_screen(pilot, "ConfirmScreen")
        text = confirm_text(app)
        assert "50,000.00" in text and "2026-11-26" in text
        # oldest first: October in full, the rest off November
        pays = text.split("\n")[1:]
        assert "2026-10-0001" in pays[0] and "49,630.60" in pays[0] and "0.00" in pays[0]
        assert "2026-11-0001" in pays[1] and "369.40" in pays[1] and "48,230.60" in pays[1]
        assert pays[2].endswith("0.00")                          # no credit left
        assert Payment.select().count() == 0                    # nothing before y
        await pilot.press("y")
        await until(pilot, lambda: app.screen.id == "billing-screen")
        await app.tick()
        await settle(pilot)
        payment = Payment.get()
        assert (payment.amount_fen, payment.method, payment.reference) == (
            5_000_000, "transfer", "HSBC-1126")
        assert records.rows[owing["star"].id].cells[1].strip() == "48,230.60"
        text = shown(app)
        assert "48,230.60" in text
        # the statement's tail: the payment, its receipt, the balance after it
        paid_line = next(line for line in text.split("\n") if payment.receipt_no in line)
        assert ("Paid" if lang == "en" else "收款") in paid_line
        assert paid_line.rstrip().endswith("-50,000.00  48,230.60")


async def test_a_bad_amount_is_refused_on_the_form_before_any_confirm(desk, owing, db_url):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_billing(pilot)
        for typed in ("1,5", "12.345", "-3", "５０"):
            await pilot.press("p")
            await until_screen(pilot, "PaymentForm")
            await pilot.press(*typed, "ctrl+s")
            await settle(pilot)
            assert app.screen.__class__.__name__ == "PaymentForm", typed
            assert str(app.screen.query_one("#form-error").content), typed
            await pilot.press("escape")
            await until_screen(pilot, "DiscardScreen")
            await pilot.press("y")
            await until(pilot, lambda: app.screen.id == "billing-screen")
        assert Payment.select().count() == 0


async def ask_waiver(pilot, records, tenant, amount: str, reason: str) -> None:
    records.follow(tenant.id)
    await settle(pilot)
    await pilot.press("w")
    await until_screen(pilot, "AdjustmentForm")
    # the notice (the only one owed), the kind (waiver), the amount, the reason
    await pilot.press("tab", "tab", *amount, "tab", *reason, "ctrl+s")
    await until_screen(pilot, "ConfirmScreen")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_finance_asks_a_waiver_the_gm_approves_it_and_its_maker_cannot(
        desk, owing, db_url, lang):
    i18n.set_language(lang)
    finance = as_role(desk, "finance", "lina")
    app = make_app(finance, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        await ask_waiver(pilot, records, owing["red"], "1000", "停水三天")
        assert "1,000.00" in confirm_text(app) and "2026-11-0002" in confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: app.screen.id == "billing-screen")
        asked = Adjustment.get()
        assert (asked.kind, asked.amount_fen, asked.state, asked.asked_by) == (
            "waiver", 100_000, "pending", "lina")
        # the maker presses y on her own request: the service says no, on the status line
        await pilot.press("a")
        await until_screen(pilot, "ApprovalsScreen")
        assert "[/red]" in shown(app) and "1,000.00" in shown(app)
        await pilot.press("y")
        await until_screen(pilot, "ConfirmScreen")
        assert "1,000.00" in confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ApprovalsScreen"
                    and status(app))
        assert Adjustment.get().state == "pending"
        assert status(app) and "Traceback" not in status(app)
    gm = as_role(desk, "gm", "zhao")
    app = make_app(gm, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        await pilot.press("a")
        await until_screen(pilot, "ApprovalsScreen")
        await pilot.press("y")
        await until_screen(pilot, "ConfirmScreen")
        assert "1,000.00" in confirm_text(app) and "lina" in confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: Adjustment.get().state == "approved")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.id == "billing-screen")
        await app.tick()
        await settle(pilot)
        assert records.rows[owing["red"].id].cells[1].strip() == "9,000.00"


async def test_the_gm_cannot_approve_a_request_of_her_own(desk, owing, db_url):
    gm = as_role(desk, "gm", "zhao")
    app = make_app(gm, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        await ask_waiver(pilot, records, owing["red"], "500", "装修噪音")
        await pilot.press("y")
        await until(pilot, lambda: app.screen.id == "billing-screen")
        await pilot.press("a")
        await until_screen(pilot, "ApprovalsScreen")
        await pilot.press("y")
        await until_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ApprovalsScreen"
                    and status(app))
        assert "zhao" in status(app)                         # the service's own words
        assert Adjustment.get().state == "pending"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_month_end_figures_line_up_by_cell_width(lang):
    from deskapp.screens.billing_month import FIGURE_WIDTH, figure_lines

    i18n.set_language(lang)
    report = {"notices": 3, "billed": {"rent": 8_240_000, "electricity": 103_060,
                                       "late_fee": 0, "total": 8_343_060},
              "collected": {"total": 5_000_000}, "waived": {"count": 1, "total": 100_000},
              "opening": 0, "closing": 3_243_060, "closing_by_tenant": 3_243_060,
              "reconciles": True, "tenants_in_arrears": 2,
              "arrears": {"overdue": 1_900_000, "days_1_30": 900_000, "days_31_60": 1_000_000,
                          "days_61_90": 0, "days_over_90": 0}}
    lines = figure_lines(report)
    money = [line for line in lines if line.endswith(("0", "5"))]
    assert money and all(cell_len(line) == FIGURE_WIDTH for line in money)
    assert any(line.endswith("82,400.00") for line in lines)         # rent
    assert not any("Late fee" in line or "滞纳金" in line for line in lines)  # 0: not listed
    assert any(line.endswith("32,430.60") for line in lines)          # closing balance
    assert ("✓ Reconciles" if lang == "en" else "✓ 与各户余额相符") in "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_month_end_shows_the_figures_and_closes_october_after_a_confirm(
        desk, owing, db_url, lang):
    from deskapp.models import MonthClose

    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_billing(pilot)
        await pilot.press("m")
        await until_screen(pilot, "MonthEndScreen")
        text = shown(app)
        assert "2026-11" in text and "82,400.00" in text              # November billed
        assert "▇" in text and "░" not in text.split("\n")[3]        # nothing collected yet
        for line in text.split("\n"):
            assert cell_len(line) == 80, line
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "2026-10" in shown(app) and "49,630.60" in shown(app)
        await pilot.press("c")
        await until_screen(pilot, "ConfirmScreen")
        assert "2026-10" in confirm_text(app) and "49,630.60" in confirm_text(app)
        assert MonthClose.select().count() == 0                    # nothing before y
        await pilot.press("y")
        await until(pilot, lambda: MonthClose.select().count() == 1)
        await until_screen(pilot, "MonthEndScreen")
        assert MonthClose.get().month == "2026-10"
        assert ("closed by wangfang" if lang == "en" else "已结账：wangfang") in shown(app)
        assert "c Close" not in shown(app) and "c 结账" not in shown(app)   # closed once


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_r_issues_this_months_notices_after_a_confirm_and_says_what_it_did(
        desk, owing, db_url, lang):
    i18n.set_language(lang)
    zenith = upsert_tenant(desk, "Zenith Labs", units=["30F"], monthly_rent_fen=1_200_000,
                           due_day=5, lease_start=dt.date(2026, 1, 1))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        await pilot.press("r")
        await until_screen(pilot, "ConfirmScreen")
        assert "2026-11" in confirm_text(app)
        assert Notice.select().count() == 4                        # nothing before y
        await pilot.press("y")
        await until(pilot, lambda: "2026-11:" in status(app))
        assert ("issued 1 (12,000.00), already issued 3, held 0" if lang == "en"
                else "开具 1 份（12,000.00），已开具 3 份，暂缓 0 份") in status(app)
        issued = Notice.get(Notice.tenant == zenith.id)
        assert (issued.month, issued.total_fen) == ("2026-11", 1_200_000)
        await app.tick()
        await settle(pilot)
        assert records.rows[zenith.id].cells[1].strip() == "12,000.00"


async def test_a_deferral_asked_states_both_dates_and_the_gm_refuses_it_with_a_note(
        desk, owing, db_url):
    i18n.set_language("zh")
    finance = as_role(desk, "finance", "lina")
    app = make_app(finance, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        records.follow(owing["red"].id)
        await settle(pilot)
        await pilot.press("w")
        await until_screen(pilot, "AdjustmentForm")
        await pilot.press("tab", "enter", "down", "enter")        # the kind: deferral
        await settle(pilot)
        assert not app.screen.query_one("#field-amount").display
        await pilot.press("tab", *"2026-12-15", "tab", *"资金周转", "ctrl+s")
        await until_screen(pilot, "ConfirmScreen")
        assert "由 2026-11-05 延至 2026-12-15" in confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: Adjustment.select().count() == 1)
    gm = as_role(desk, "gm", "zhao")
    app = make_app(gm, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_billing(pilot)
        await pilot.press("a")
        await until_screen(pilot, "ApprovalsScreen")
        assert "2026-12-15" in shown(app) and "资金周转" in shown(app)
        await pilot.press("n")
        await until_screen(pilot, "ReasonScreen")
        await pilot.press(*"已缓交过一次", "enter")
        await until_screen(pilot, "ConfirmScreen")
        assert "不批准" in confirm_text(app) and "已缓交过一次" in confirm_text(app)
        await pilot.press("y")
        await until(pilot, lambda: Adjustment.get().state == "refused")
        assert Adjustment.get().decision_note == "已缓交过一次"
        await until(pilot, lambda: "没有待审批的申请" in shown(app))


async def test_credit_is_listed_last_and_the_pane_follows_its_tenants_payment(
        desk, owing, db_url):
    app = make_app(desk, db_url, auto_tick=False)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_billing(pilot)
        bold_notice = Notice.get(Notice.number == "2026-11-0003")
        paid_directly(desk, owing["bold"], bold_notice, 2_380_000, "R-2026-0001")
        extra = Payment.create(receipt_no="R-2026-0002", tenant=owing["bold"],
                               amount_fen=50_000, method="cash",
                               received_on=dt.date(2026, 11, 26),
                               recorded_at=desk.clock.now(), recorded_by="lina")
        desk.audit("payment.record", "payment", extra.id)
        await app.tick()
        await settle(pilot)
        assert names(records)[-1] == "[bold]Acme"
        assert records.rows[owing["bold"].id].cells[1:] == ("     -500.00", "cred.")
        records.follow(owing["bold"].id)
        await settle(pilot)
        assert "credit 500.00" in shown(app)
        records.follow(owing["star"].id)
        await settle(pilot)
        star_notice = Notice.get(Notice.number == "2026-10-0001")
        paid_directly(desk, owing["star"], star_notice, 1_000_000, "R-2026-0003")
        await app.tick()
        await settle(pilot)
        assert "owes 88,230.60" in shown(app)                # the pane, read again
        assert "39,630.60" in shown(app)                     # October, still owed


async def test_the_desk_sees_who_owes_but_is_not_offered_a_payment_or_the_run(
        desk, owing, db_url):
    app = make_app(as_role(desk, "desk", "xiaoli"), db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_billing(pilot)
        bar = str(app.screen.query_one("KeyBar").content)
        assert "w Waive" in bar and "a GM" in bar                 # the desk may ask
        assert "p Pay" not in bar and "r Run" not in bar
        await pilot.press("p", "r")
        await settle(pilot)
        assert app.screen.id == "billing-screen"


async def test_a_new_day_reads_every_account_again_for_its_days_overdue(desk, owing):
    from deskapp.billing_model import BillingModel

    day = [dt.date(2026, 11, 26)]
    model = BillingModel(desk, lambda: day[0])
    model.load()
    assert model.poll() is None                                    # nothing written
    day[0] = dt.date(2026, 11, 27)
    update = model.poll()
    assert update is not None and update.full
    assert update.rows[owing["red"].id].cells[2] == "22d"          # due 11-05


async def test_a_request_asked_at_another_desk_shows_on_the_gms_open_list(desk, owing, db_url):
    from deskapp.services import adjustments

    app = make_app(as_role(desk, "gm", "zhao"), db_url, auto_tick=False)
    async with app.run_test(size=SIZE) as pilot:
        await on_billing(pilot)
        await pilot.press("a")
        await until_screen(pilot, "ApprovalsScreen")
        assert "Nothing is waiting." in shown(app)
        await app.tick()
        await settle(pilot)
        red_notice = Notice.get(Notice.number == "2026-11-0002")
        adjustments.ask(as_role(desk, "finance", "lina"), kind="waiver", notice_id=red_notice.id,
                        amount_fen=25_050, reason="空调停机")
        await app.tick()
        await settle(pilot)
        assert "250.50" in shown(app) and "Waiting for the general manager (1)" in shown(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.id == "billing-screen")
        await settle(pilot)
        assert [type(m).__name__ for m in app._live] == ["BillingModel"]   # list let go
