"""The queue table repaints what changed, and its header follows its columns."""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region

from deskapp.services.tickets import NewTicket, open_ticket
from deskapp.views import state_label
from deskapp.widgets.queue_table import QueueTable

from .test_tui import SIZE, make_app


def open_many(desk, count: int, service: str = "mail") -> list[int]:
    return [open_ticket(desk, NewTicket(service=service, location=f"{i + 1}F")).id
            for i in range(count)]


async def started(app, pilot) -> QueueTable:
    await app.tick()
    await pilot.pause()
    return app.screen.query_one(QueueTable)


class RefreshSpy:
    """Which regions of the table were asked to repaint (None: the whole widget)."""

    def __init__(self, table: QueueTable, monkeypatch) -> None:
        self.regions: list[Region | None] = []
        original = table.refresh

        def refresh(*regions, **kwargs):
            self.regions.extend(regions or [None])
            return original(*regions, **kwargs)

        monkeypatch.setattr(table, "refresh", refresh)

    def rows_touched(self, height: int) -> set[int]:
        touched = set()
        for region in self.regions:
            span = range(height) if region is None else range(region.y, region.bottom)
            touched.update(y for y in span if 0 <= y < height)
        return touched


async def test_a_ticket_added_below_the_fold_repaints_no_visible_row(desk, db_url, monkeypatch):
    """Another session's insertion off screen: the header counts change, the rows do not
    (a whole-table repaint per insertion was 5,900 B/s over SSH, bench_sessions.py)."""
    open_many(desk, 40)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        assert len(table.order) > table.size.height  # some are below the fold
        spy = RefreshSpy(table, monkeypatch)
        late_comer = open_many(desk, 1)[0]  # same service, opened last: sorts last
        update = await app.tick()
        await pilot.pause()
        assert update.order_changed and table.order[-1] == late_comer
        assert "Norm 41" in str(app.screen.query_one("#title").content)
        assert spy.rows_touched(table.size.height) == set()


async def test_an_insertion_on_screen_repaints_the_rows_that_moved(desk, db_url, monkeypatch):
    open_many(desk, 40)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        spy = RefreshSpy(table, monkeypatch)
        open_ticket(desk, NewTicket(service="repair", tier="urgent", location="9F"))
        await app.tick()
        await pilot.pause()
        # the urgent one leads: every visible line now shows another ticket
        assert spy.rows_touched(table.size.height) == set(range(table.size.height))
        assert "Urg" in table.render_line(0).text


def header_follows_rows(app) -> None:
    """Each title starts where its column starts in the rows, at the width they use."""
    header = str(app.screen.query_one("#colheader").content)
    table = app.screen.query_one(QueueTable)
    line = table.render_line(0).text
    step = state_label(table.rows[table.order[0]].state)
    assert cell_len(header[:header.index("Step")]) == cell_len(line[:line.index(step)]), (
        header, line)
    assert cell_len(line) == table.scrollable_content_region.width  # as wide as the scrollbar leaves
    assert cell_len(header) == cell_len(line)


async def test_column_header_follows_the_scrollbar(desk, db_url):
    open_many(desk, 3)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        assert not table.show_vertical_scrollbar
        header_follows_rows(app)
        open_many(desk, 30)  # another session: now more rows than fit
        await app.tick()
        await pilot.pause()
        assert table.show_vertical_scrollbar
        header_follows_rows(app)
        await pilot.press("slash", *"#1")  # few rows: the scrollbar goes
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        header_follows_rows(app)
        await pilot.press("escape", "escape")  # cleared: it comes back
        await pilot.pause()
        assert table.show_vertical_scrollbar
        header_follows_rows(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        header_follows_rows(app)


async def test_a_filter_that_matches_nothing_says_so(desk, db_url):
    open_many(desk, 3)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        await pilot.press("slash", *"zzz")
        await pilot.pause()
        shown = table.render_line(0).text
        assert "No open ticket matches the filter" in shown
        assert "No open tickets" not in shown


async def test_cursor_keeps_its_place_when_the_selected_ticket_closes(desk, db_url):
    from deskapp.services.tickets import step

    ids = open_many(desk, 6)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        await pilot.press("down", "down", "down")
        assert table.cursor_id == ids[3]
        step(desk, ids[3], "cancel", reason="duplicate")  # another session closes it
        await app.tick()
        await pilot.pause()
        assert table.cursor_id == ids[4]  # the next one, at the same place
        assert table.render_line(3).text.startswith("▶")
        assert table.order.index(table.cursor_id) == 3
