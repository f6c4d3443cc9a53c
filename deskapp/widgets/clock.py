"""The header clock: eight cells repainted once a second, nothing else.

A Static re-runs Textual's content pipeline and repaints its whole width on every
update; the clock is the one thing on an idle desk that changes each second, so it
renders its line directly (the line API) and only its own cells.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget


class Clock(Widget):
    DEFAULT_CSS = """
    Clock { width: 8; height: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = "--:--:--"

    def show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        return Strip([Segment(self.text[:width].ljust(width), self.rich_style)], width)
