"""The frame screens 2–4 share (1/2 switch from anywhere, the queue's header and alerts
on every screen) and the tenants screen itself, driven at 80×24 in both languages."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from deskapp import i18n
from deskapp.models import Tenant
from deskapp.services import Desk
from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket, open_ticket
from deskapp.widgets.record_list import RecordList

from .test_tui_desk import SIZE, make_app, settle, status, until

pytestmark = pytest.mark.asyncio


@pytest.fixture
def registry(desk):
    upsert_tenant(desk, "星辰科技有限公司", units=["12F-1201", "12F-1202"], contact="刘洋",
                  phone="13800001201", monthly_rent_fen=4_860_000)
    upsert_tenant(desk, "Acme Trading", units=["8F-805"], contact="Ann Lee", phone="021-5550805")
    upsert_tenant(desk, "[bold]北辰[/] Law", units=["15F-1503"])
    return desk


def shown(app) -> str:
    """The terminal's text: every visible line, joined."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(segment.text for segment in strip) for strip in update.strips)


def listed(records: RecordList) -> list[str]:
    """The names the tenants list shows, top to bottom."""
    return [records.rows[i].cells[0] for i in records.order]


async def on_tenants(pilot) -> RecordList:
    await pilot.press("2")
    await until(pilot, lambda: pilot.app.screen.id == "tenants-screen"
                and pilot.app.screen.records.order)
    return pilot.app.screen.records


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_2_opens_the_tenants_and_names_show_exactly_as_typed(registry, db_url, lang):
    i18n.set_language(lang)
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await settle(pilot)
        text = shown(app)
        assert "[bold]北辰[/]" in text and "\x1b" not in text       # data, never markup
        assert ("Tenants (3)" if lang == "en" else "租户 (3)") in text
        # the header of the queue is on this screen too: counts and clock
        assert ("Late 0" if lang == "en" else "超时 0") in text
        # every line is 80 cells: Chinese lines up by cell width
        for line in text.split("\n"):
            assert cell_len(line) == 80, line
        # the summary of the selected tenant beside the list
        records.follow(next(i for i, r in records.rows.items() if "星辰" in r.cells[0]))
        await settle(pilot)
        text = shown(app)
        assert "13800001201" in text and "48600.00" in text
        assert ("1 Queue 3 Bookings" if lang == "en" else "1 队列 3 预订") in text


async def test_the_filter_narrows_by_unit_contact_or_phone_and_esc_clears_it(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await pilot.press("/", *"805")
        await settle(pilot)
        assert listed(records) == ["Acme Trading"]
        assert "Tenants (1/3)" in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(records.order) == 3
        await pilot.press("/", *"刘洋")
        await settle(pilot)
        assert listed(records) == ["星辰科技有限公司"]


async def test_each_screen_keeps_its_cursor_and_filter_across_switches(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await pilot.press("/", *"acme", "enter")
        await settle(pilot)
        picked = records.cursor_id
        await pilot.press("1")
        await until(pilot, lambda: app.screen.id == "queue-screen")
        await pilot.press("2")
        await until(pilot, lambda: app.screen.id == "tenants-screen")
        assert app.screen.records is records                 # installed once
        assert records.cursor_id == picked and records.filter_text == "acme"


async def test_digits_typed_into_a_form_are_text_not_a_screen_switch(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: app.screen.__class__.__name__ == "NewTicketScreen")
        await pilot.press(*"mail", "tab", "tab", *"2")
        await settle(pilot)
        assert app.current_mode == "queue"
        assert app.screen.__class__.__name__ == "NewTicketScreen"


async def test_another_sessions_write_shows_within_a_tick_and_repaints_only_its_line(
        registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await settle(pilot)
        other = Desk(db=registry.db, clock=registry.clock, user="lina", role="desk")
        acme = Tenant.get(Tenant.name == "Acme Trading")
        painted_before = dict(records._painted)
        repainted: list[int] = []
        original = records.refresh_line
        records.refresh_line = lambda y: (repainted.append(y), original(y))
        upsert_tenant(other, "Acme Trading", units=["8F-806"])    # another session
        await app.tick()
        await settle(pilot)
        assert "8F-806" in shown(app)
        # one tenant changed: its own line, not the list
        assert repainted == [records.index_of[acme.id]], (repainted, painted_before)
        upsert_tenant(other, "Zenith Labs", units=["30F"])        # a new tenant appears
        await app.tick()
        await settle(pilot)
        assert "Zenith Labs" in shown(app) and "Tenants (4)" in shown(app)


async def test_the_queues_alerts_reach_the_desk_on_the_tenants_screen(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await on_tenants(pilot)
        ticket = open_ticket(registry, NewTicket(service="salesperson", location="8F"))
        await app.tick()
        await settle(pilot)
        assert f"#{ticket.id}" in status(app)                  # said on this screen
        assert "X-urg 1 ·" in shown(app)                       # and counted in its header
        await pilot.press("1")
        await until(pilot, lambda: app.screen.id == "queue-screen")
        await settle(pilot)
        assert ticket.id in app.screen.table.order          # the queue kept up meanwhile


async def test_ctrl_p_finds_a_tenant_by_phone_and_opens_it(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"5550805")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.id == "tenants-screen"
                    and app.screen.records.cursor_row is not None
                    and app.screen.records.cursor_row.cells[0] == "Acme Trading")
        assert app.screen.records.cursor_row.cells[0] == "Acme Trading"


async def test_enter_opens_the_detail_with_tabs_and_esc_comes_back(registry, db_url):
    star = Tenant.get(Tenant.name == "星辰科技有限公司")
    ticket = open_ticket(registry, NewTicket(service="mail", tenant=star.name))
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        records.follow(star.id)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenantDetailScreen")
        await settle(pilot)
        assert "13800001201" in shown(app)
        await pilot.press("right")
        await settle(pilot)
        assert f"#{ticket.id} Mail" in shown(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.id == "tenants-screen")
        assert records.cursor_id == star.id


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_new_tenant_is_checked_as_typed_and_saved_incoming(registry, db_url, lang):
    i18n.set_language(lang)
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await pilot.press("n")
        await until(pilot, lambda: app.screen.__class__.__name__ == "NewTenantScreen")
        await pilot.press(*"宏远设计", "tab", *"20F", "tab", *"王芳", "tab", *"13900000020",
                          "tab", *"1e5")
        await settle(pilot)
        error = str(app.screen.query_one("#form-error").content)
        assert "1e5" in error                                   # refused as it is typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Tenant.get_or_none(Tenant.name == "宏远设计") is None   # nothing half-written
        await pilot.press("backspace", "backspace", "backspace", *"23800.00", "ctrl+s")
        await until(pilot, lambda: app.screen.id == "tenants-screen")
        made = Tenant.get(Tenant.name == "宏远设计")
        assert (made.status, made.units, made.monthly_rent_fen) == ("incoming", "20F", 2_380_000)
        await app.tick()
        await until(pilot, lambda: records.cursor_id == made.id)


async def test_esc_on_a_typed_new_tenant_asks_before_throwing_it_away(registry, db_url):
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_tenants(pilot)
        await pilot.press("n")
        await until(pilot, lambda: app.screen.__class__.__name__ == "NewTenantScreen")
        await pilot.press(*"Half typed", "escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "DiscardScreen"
        await pilot.press("n")                                  # keep typing
        await settle(pilot)
        assert app.screen.__class__.__name__ == "NewTenantScreen"


async def test_a_viewer_is_not_offered_a_new_tenant(registry, db_url):
    viewer = Desk(db=registry.db, clock=registry.clock, user="guest", role="viewer")
    app = make_app(viewer, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_tenants(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.id == "tenants-screen"
        assert "New tenant" not in shown(app)


async def test_a_filter_typed_on_matches_what_a_fresh_filter_would(registry, db_url):
    """Each key narrows what the filter showed; a tenant another session renames into
    (or out of) the filter joins (or leaves) the list at once."""
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        await pilot.press("/", *"ac")
        await settle(pilot)
        assert listed(records) == ["Acme Trading"]
        other = Desk(db=registry.db, clock=registry.clock, user="lina", role="desk")
        upsert_tenant(other, "Acme Trading", contact="Zoe")
        upsert_tenant(other, "Pacific Games", units=["9F"])   # "ac" in its name
        await app.tick()
        await settle(pilot)
        assert sorted(listed(records)) == [
            "Acme Trading", "Pacific Games"]
        await pilot.press("m")                                 # "acm"
        await settle(pilot)
        assert listed(records) == ["Acme Trading"]
        await pilot.press("backspace", "backspace", "backspace", *"pac")
        await settle(pilot)
        assert listed(records) == ["Pacific Games"]


async def test_s_orders_a_sign_for_the_selected_tenant_and_its_tab_shows_it(registry, db_url):
    """The signage form opens on the tenant under the cursor; what it ordered is on the
    tenant's signage tab and in the summary's to do."""
    from deskapp.services import signage

    star = Tenant.get(Tenant.name == "星辰科技有限公司")
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        records.follow(star.id)
        await pilot.press("s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "SignageOrderScreen")
        assert app.screen.tenant.id == star.id
        await pilot.press("escape")
        await settle(pilot)
        signage.apply(registry, signage.Application(
            tenant_id=star.id, kind="directory", text="星辰科技有限公司",
            position="大堂水牌 第12行", applicant="刘洋", received="2026-11-26"))
        await app.tick()
        await settle(pilot)
        assert "Signs being made 1" in shown(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenantDetailScreen")
        await pilot.press("right", "right", "right")                # profile, tickets, keys
        await settle(pilot)
        assert "“星辰科技有限公司” 大堂水牌 第12行" in shown(app)


async def test_i_runs_the_move_in_of_an_incoming_tenant_and_o_is_for_those_in(registry, db_url):
    """i is offered on an incoming tenant only, o on one in the building; the keys handed
    and the meter baseline show in the summary once the move-in recorded them."""
    from deskapp.services import movein
    from deskapp.services.tenants import TenantData, add_tenant

    newcomer = add_tenant(registry, TenantData(name="宏远设计", units=("20F",), contact="王芳",
                                               phone="13900000020", monthly_rent_fen=2_380_000,
                                               due_day=5, lease_start=registry.clock.now().date()))
    star = Tenant.get(Tenant.name == "星辰科技有限公司")
    app = make_app(registry, db_url)
    async with app.run_test(size=SIZE) as pilot:
        records = await on_tenants(pilot)
        records.follow(star.id)
        await settle(pilot)
        assert "Move out" in shown(app) and "Move in" not in shown(app)
        records.follow(newcomer.id)
        await settle(pilot)
        assert "Move in" in shown(app) and "Move out" not in shown(app)
        await pilot.press("i")
        await until(pilot, lambda: app.screen.__class__.__name__ == "MoveInScreen")
        await pilot.press("escape")
        await settle(pilot)
        movein.book_move_in(registry, newcomer.id, registry.clock.now().add(minutes=30))
        movein.hand_key(registry, newcomer.id, "20F main door", 3, "王芳", signed=True)
        movein.read_meter_in(registry, newcomer.id, "E-2001", "1450.50")
        await app.tick()
        await settle(pilot)
        assert "Keys 3/3" in shown(app) and "Meter E-2001 1450.50 (11-26)" in shown(app)
