"""The new-ticket form, the reason dialog and the palette, as the desk uses them."""

from __future__ import annotations

import pytest

from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket, open_ticket, step
from deskapp.widgets.queue_table import QueueTable
from tests.test_tui import SIZE, make_app


@pytest.fixture
def tenants(desk):
    upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    upsert_tenant(desk, "Acme Trading", units=["8F-805"])


async def open_form(pilot, **fields: str):
    """Press n and fill the named fields (``service="mail"``); the form screen."""
    await pilot.press("n")
    await pilot.pause()
    form = pilot.app.screen
    for name, value in fields.items():
        form.query_one(f"#{name}").value = value
    await pilot.pause()
    return form


def screen_text(app) -> str:
    """What the terminal shows, as plain text: glyphs only, no colours (as under NO_COLOR)."""
    import io

    from rich.console import Console

    console = Console(width=SIZE[0], height=SIZE[1], file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def open_palette_and_pick(app, pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    for _ in range(30):  # the palette searches in the background
        await pilot.pause(0.05)
        if app.screen.query_one("CommandList").option_count:
            break
    await pilot.press("enter")
    await pilot.pause()


# -- the palette ---------------------------------------------------------------------------
async def test_palette_shows_markup_in_names_and_places_literally(desk, db_url):
    upsert_tenant(desk, "[link=http://evil]Evil[/link] Ltd [/red]", units=["3F-301"])
    ticket = open_ticket(desk, NewTicket(service="repair", tier="normal",
                                         tenant="[link=http://evil]Evil[/link] Ltd [/red]",
                                         location="[b]3F[/b] [/red]"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"evil")
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.query_one("CommandList").option_count:
                break
        shown = screen_text(app)
        assert f"#{ticket.id}" in shown
        assert "[link=http://evil]Evil[/link] Ltd [/red]" in shown
        assert "[b]3F[/b] [/red]" in shown


async def test_palette_pick_puts_the_queue_cursor_on_the_ticket(desk, db_url, tenants):
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    open_ticket(desk, NewTicket(service="umbrella", tenant="Acme Trading"))
    wanted = open_ticket(desk, NewTicket(service="mail", tenant="星辰科技",
                                         location="12F-1201"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        table = app.screen.query_one(QueueTable)
        assert table.cursor_id != wanted.id
        await open_palette_and_pick(app, pilot, str(wanted.id))
        assert app.screen.__class__.__name__ == "TicketDetailScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "queue-screen"
        assert table.cursor_id == wanted.id
        assert "▶" in table.render_line(table.order.index(wanted.id)).text


# -- check boxes -----------------------------------------------------------------------------
async def test_written_reply_box_reads_ticked_or_not_without_colour(desk, db_url, tenants,
                                                                     monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, service="complaint")
        line = next(l for l in screen_text(app).splitlines() if "Written reply" in l)
        assert "[ ]" in line and "[x]" not in line
        form.query_one("#written").focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert form.query_one("#written").value is True
        line = next(l for l in screen_text(app).splitlines() if "Written reply" in l)
        assert "[x]" in line and "[ ]" not in line


# -- Esc on typed work -----------------------------------------------------------------------
async def test_esc_on_a_filled_form_asks_before_discarding(desk, db_url, tenants):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")  # untouched: closes at once
        await pilot.pause()
        assert app.screen.id == "queue-screen"

        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"mail", "escape")
        await pilot.pause()
        assert "Discard what you typed?" in screen_text(app)
        await pilot.press("escape")  # keep editing: nothing lost
        await pilot.pause()
        assert app.screen.__class__.__name__ == "NewTicketScreen"
        assert app.screen.query_one("#service").value.startswith("mail")
        await pilot.press("escape", "enter")  # a reflex Enter keeps the work too
        await pilot.pause()
        assert app.screen.__class__.__name__ == "NewTicketScreen"
        await pilot.press("escape", "y")  # only y discards
        await pilot.pause()
        assert app.screen.id == "queue-screen"

        await pilot.press("n")
        await pilot.pause()
        burst(app, *"mail", "escape", "y")  # typed ahead: y answers the dialog
        await settle(pilot)
        assert app.screen.id == "queue-screen"


async def test_esc_on_a_typed_reason_asks_first(desk, db_url, tenants):
    from deskapp import i18n

    i18n.set_language("zh")
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", tenant="星辰科技"))
    step(desk, ticket.id, "dispatch")
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert app.screen.id == "queue-screen"
        await pilot.press("h", *"parts", "escape")
        await pilot.pause()
        assert "放弃已填写的内容" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#reason").value == "parts"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert app.screen.id == "queue-screen"
        assert app.model.rows[ticket.id].state == "dispatched"


# -- keys typed ahead ------------------------------------------------------------------------
def burst(app, *keys: str) -> None:
    """Keys as one read over a slow SSH link brings them: all at once, no pause between
    (Pilot.press waits for the app to go idle after every key, which hides the bug)."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause(0.02)


@pytest.mark.parametrize("keys", [
    ("n", *"mail", "tab", *"星辰", "tab", *"12F"),              # straight from the queue
    ("n", *"mail", "enter", *"星辰", "enter", *"12F"),
    ("n", *"repair", "tab", "tab", *"星辰", "tab", *"12F"),     # repair shows the tier
])
async def test_keys_typed_ahead_land_in_the_field_focused_when_each_is_handled(
        desk, db_url, tenants, keys):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        burst(app, *keys)
        await settle(pilot)
        form = app.screen
        assert form.__class__.__name__ == "NewTicketScreen"
        typed = "".join(keys[1:keys.index(next(k for k in keys if len(k) > 1))])
        assert form.query_one("#service").value.split()[0] == typed
        assert form.query_one("#tenant").value == "星辰"
        assert form.query_one("#location").value == "12F"
        assert form.focused.id == "location"


async def test_a_burst_into_the_open_form_moves_on_at_each_tab(desk, db_url, tenants):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        # service, tier, tenant, place, written reply, note (no agreed time: a
        # complaint's limits count from when it is accepted)
        burst(app, *"complaint", "tab", "tab", *"Acme", "tab", *"8F", "tab", "space",
              "tab", *"noisy")
        await settle(pilot)
        form = app.screen
        assert [form.query_one(f"#{name}").value for name in ("tenant", "location", "note")] \
            == ["Acme", "8F", "noisy"]
        assert form.query_one("#written").value is True


# -- the service field -----------------------------------------------------------------------
def listed(app) -> list[str]:
    listing = app.screen.query_one("#service-list")
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_service_field_lists_what_it_may_mean_and_picks_by_keys(desk, db_url, tenants):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert len(listed(app)) == 21  # an empty field lists every service
        assert "  repair            Repair" in screen_text(app)
        await pilot.press(*"fit")
        await pilot.pause()
        assert [line[2:].split()[0] for line in listed(app)] == ["fitout_approval",
                                                              "fitout_acceptance"]
        shown = screen_text(app)
        assert "> fitout_approval   Fit-out review" in shown
        assert "fitout_acceptance Fit-out check" in shown

        def marked(row: int) -> bool:  # the highlighted one, by a glyph, not by colour
            return listed(app)[row].startswith("> ")

        assert marked(0) and not marked(1)
        await pilot.press("down")
        assert marked(1) and not marked(0)
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#service").value == "fitout_acceptance Fit-out check"
        assert form.focused.id != "service"
        assert not form.query_one("#service-list").display  # only while in the field
        assert "Targets:" in str(form.query_one("#preview").content)

        await pilot.press("shift+tab")
        await pilot.pause()
        form.query_one("#service").value = ""
        await pilot.press(*"umb", "tab")  # Tab takes the highlighted one too
        await pilot.pause()
        assert form.query_one("#service").value == "umbrella Umbrella"
        assert form.focused.id == "tenant"

        await pilot.press("shift+tab")
        form.query_one("#service").value = ""
        await pilot.press(*"xyz")
        await pilot.pause()
        assert "no service matches 'xyz'" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(form.query_one("#form-error").content)
        assert "xyz" in error and "known" not in error


async def test_service_list_in_chinese_fits_the_form(desk, db_url, tenants):
    from rich.cells import cell_len

    from deskapp import i18n

    i18n.set_language("zh")
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"装修")
        await pilot.pause()
        # 装修验收 begins with it, 二次装修审批 has it inside
        assert [line[2:].split()[0] for line in listed(app)] == ["fitout_acceptance",
                                                              "fitout_approval"]
        lines = screen_text(app).splitlines()
        rows = [line for line in lines if "fitout_" in line]
        assert len(rows) == 2 and "装修验收" in rows[0] and "二次装修审批" in rows[1]
        # the names start in one column and the dialog's right border stays put
        assert cell_len(rows[0][:rows[0].index("装修验收")]) == \
            cell_len(rows[1][:rows[1].index("二次装修审批")])
        assert all(cell_len(row) <= SIZE[0] and row.rstrip().endswith("│") for row in rows)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#service").value == "fitout_acceptance 装修验收"


async def test_n_typed_into_the_filter_is_text_not_a_new_ticket(desk, db_url, tenants):
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.press("slash", *"nothing")
        await pilot.pause()
        assert app.screen.id == "queue-screen"
        assert app.screen.query_one("#filter").value == "nothing"


async def test_the_place_shows_the_tenants_unit_until_one_is_typed(desk, db_url, tenants):
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, service="mail", tenant="星辰科技")
        place = form.query_one("#location")
        assert place.placeholder == "12F-1201"
        place.value = "大堂"
        await pilot.pause()
        assert place.placeholder == ""


async def test_the_tier_list_picks_by_keys_and_esc_leaves_it(desk, db_url, tenants):
    """Opening the tier list once froze the whole session (its keys bubbled up to the
    Select, which handed them back to the list, for ever)."""
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"repair", "enter")      # on to the tier
        await settle(pilot)
        form = app.screen
        assert form.focused.id == "tier"
        await pilot.press("enter")                 # open the list
        await settle(pilot)
        await pilot.press("up", "up", "enter")     # normal -> urgent -> extra urgent
        await settle(pilot)
        assert form.query_one("#tier").value == "extra_urgent"
        await pilot.press("enter", "escape")       # open it again, and leave it
        await settle(pilot)
        assert app.screen is form and form.query_one("#tier").value == "extra_urgent"


async def test_a_reason_typed_ahead_with_its_key_lands_whole(desk, db_url, tenants):
    ticket = open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        burst(app, "h", *"parts", "enter")
        await settle(pilot)
        await app.tick()
        await settle(pilot)
        assert app.model.rows[ticket.id].state == "on_hold"
        from deskapp.services.tickets import find_ticket, history

        assert history(find_ticket(ticket.id))[-1].reason == "parts"


async def test_who_goes_typed_ahead_with_d_lands_whole(desk, db_url, tenants):
    from deskapp.services.staff import add_staff

    add_staff(desk, "ligong", "李工", "engineering")
    add_staff(desk, "zhanggong", "张工", "engineering")
    ticket = open_ticket(desk, NewTicket(service="repair", tier="urgent", location="8F"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        burst(app, "d", "张", "enter")
        await settle(pilot)
        await app.tick()
        await settle(pilot)
        assert app.model.rows[ticket.id].assigned_to == "zhanggong"


async def test_a_filter_typed_ahead_with_its_slash_is_text(desk, db_url, tenants):
    """/hold typed in one burst: the letters are the filter's, not the queue's keys."""
    open_ticket(desk, NewTicket(service="mail", tenant="Acme Trading"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await pilot.pause()
        burst(app, "slash", *"hxm")
        await settle(pilot)
        assert app.screen.id == "queue-screen"
        assert app.screen.query_one("#filter").value == "hxm"
