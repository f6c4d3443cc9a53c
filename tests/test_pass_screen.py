"""The pass form at 80×24, in English and Chinese: several people typed one a line,
the counter's time shown live, ctrl+s issues them, Esc asks before losing names."""

from __future__ import annotations

import pytest

from deskapp import i18n
from deskapp.models import AccessPass, Ticket
from deskapp.screens.passes import PassScreen, names_of
from deskapp.services.tenants import upsert_tenant
from tests.test_form import screen_text
from tests.test_tui import SIZE, make_app


@pytest.fixture
def tenant(desk):
    return upsert_tenant(desk, "[b]星辰[/b]科技", units=["12F-1201"])


async def wait_for(pilot, condition, tries: int = 60) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("timed out")


@pytest.mark.parametrize("lang, preview, issued", [
    ("en", "3 people: 6 min at the counter (by 14:06)", "3 passes issued for [b]星辰[/b]科技"),
    ("zh", "3 人：柜台限时 6 分钟（14:06 前）", "已为 [b]星辰[/b]科技 办理 3 张出入证"),
])
async def test_issue_passes_for_three_people(desk, db_url, tenant, lang, preview, issued):
    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PassScreen(tenant.id))
        await pilot.pause()
        shown = screen_text(app)
        assert "[b]星辰[/b]科技" in shown  # the name as typed, not markup
        await pilot.press(*"Zhang Wei", "enter", *"李娜", "enter", *"王芳")
        await pilot.pause()
        assert preview in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PassScreen))
        assert issued in screen_text(app)
    people = [p.person for p in AccessPass.select().order_by(AccessPass.id)]
    assert people == ["Zhang Wei", "李娜", "王芳"]
    ticket = Ticket.get()
    assert (ticket.service, ticket.people, ticket.state) == ("access_pass", 3, "closed")


async def test_a_refusal_stays_in_the_form_and_esc_asks(desk, db_url, tenant):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PassScreen(tenant.id))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "People is required" in screen_text(app)
        await pilot.press(*"张伟", "tab", "tab")  # to "valid to"
        app.screen.query_one("#to").value = "2026-11-25"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "must not come before" in screen_text(app))
        assert isinstance(app.screen, PassScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PassScreen)  # the discard question is up
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PassScreen)
    assert AccessPass.select().count() == 0


def test_names_one_a_line():
    assert names_of(" 张伟 \n\n李娜\r\n  ") == ["张伟", "李娜"]
