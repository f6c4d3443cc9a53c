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


def cells(strip, texts: dict[str, str]) -> dict[str, list]:
    """The segments of a rendered row that carry each named piece of text."""
    found = {name: [] for name in texts}
    for segment in strip:
        for name, text in texts.items():
            if text in segment.text:
                found[name].append(segment)
    return found


async def late_near_and_healthy(desk, db_url, clock, app_hook=None):
    late = open_ticket(desk, NewTicket(service="repair", tier="extra_urgent", location="12F"))
    clock.advance(minutes=10)
    near = open_ticket(desk, NewTicket(service="umbrella", location="1F"))
    clock.advance(minutes=4, seconds=1)  # the umbrella's last 20 %
    healthy = open_ticket(desk, NewTicket(service="repair", tier="extra_urgent", location="3F"))
    return late.id, near.id, healthy.id


def brightness(style) -> float:
    r, g, b = style.color.get_truecolor()
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


async def test_a_late_row_is_late_from_end_to_end(desk, db_url, clock):
    """A late extra-urgent row differed from a healthy one only by its time cell."""
    late, _near, healthy = await late_near_and_healthy(desk, db_url, clock)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        table.cursor_id = None  # neither row selected
        lines = {table.order[y]: table.render_line(y) for y in range(len(table.order))}
        marks = {"service": "Repair", "id": f" {late} ", "tier": "X-urg"}
        late_cells = cells(lines[late], {**marks, "id": f" {late} "})
        healthy_cells = cells(lines[healthy], {**marks, "id": f" {healthy} "})
        for name in marks:  # every cell of the row, not only the time
            assert late_cells[name][0].style.bgcolor != healthy_cells[name][0].style.bgcolor, name
        assert "!" in lines[late].text and "!" not in lines[healthy].text


async def test_without_colour_late_is_the_loudest_and_nothing_is_grey(desk, db_url, clock,
                                                                        monkeypatch):
    """NO_COLOR: late came out bold dark grey, dimmer than healthy rows, not underlined."""
    from textual.filter import Monochrome

    monkeypatch.setenv("NO_COLOR", "1")
    late, near, healthy = await late_near_and_healthy(desk, db_url, clock)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        table = await started(app, pilot)
        table.cursor_id = None
        table.flash(True)
        mono = Monochrome()
        seen = {table.order[y]: mono.apply(list(table.render_line(y)), None)
                for y in range(len(table.order))}
        plain = next(s for s in seen[healthy] if "Repair" in s.text).style
        for segment in seen[late]:  # the whole late row: bold, underlined, not dimmer
            assert segment.style.bold and segment.style.underline, segment
            assert brightness(segment.style) >= brightness(plain), segment
        time_cell = next(s for s in seen[late] if "!" in s.text)
        assert "-" in time_cell.text
        label = next(s for s in seen[healthy] if "X-urg" in s.text).style
        assert label.bold and brightness(label) >= brightness(plain)
        assert not any(s.style.underline for s in seen[healthy])
        flashing = next(s for s in seen[near] if "•" in s.text).style
        assert flashing.reverse
