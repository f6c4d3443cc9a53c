"""The repaint and the keys and clicks of the desk's line-API lists (the queue, the tenants…): one row
up or down, a page, the ends, Enter to open, a click to select. The list provides
``order``, ``index_of``, ``cursor_id``, ``_move_to(index)`` and ``selected(id)``."""

from __future__ import annotations

from textual.binding import Binding

LIST_BINDINGS = [
    Binding("up,k", "cursor(-1)", show=False),
    Binding("down,j", "cursor(1)", show=False),
    Binding("pageup", "page(-1)", show=False),
    Binding("pagedown", "page(1)", show=False),
    Binding("home,g", "jump(0)", show=False),
    Binding("end,G", "jump(-1)", show=False),
]


class ChangedLines:
    """Repaint only the screen lines whose ``_line_key(index)`` differs from the key
    ``render_line`` stored in ``_painted`` when it last drew that line."""

    def _repaint_changed(self) -> None:
        top = self.scroll_offset.y
        painted = self._painted
        for y in range(self.size.height):
            if painted.get(y, ()) != self._line_key(top + y):
                self.refresh_line(top + y)


class ListKeys(ChangedLines):
    def action_cursor(self, delta: int) -> None:
        self._move_to(self.index_of.get(self.cursor_id, 0) + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.index_of.get(self.cursor_id, 0)
                      + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self._move_to(0 if where == 0 else len(self.order) - 1)

    def on_key(self, event) -> None:
        if event.key == "enter" and self.cursor_id is not None:
            event.stop()
            self.selected(self.cursor_id)

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.order):
            self._move_to(index)

    @property
    def has_focus_within_screen(self) -> bool:
        return True
