"""A check box that reads ticked or not by its glyph, not by its colour."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class CheckBox(Checkbox):
    """``[x]`` ticked, ``[ ]`` not. Textual's Checkbox draws the same ``▐X▌`` either way
    and tells them apart by colour only, which NO_COLOR (and many SSH terminals) lose.
    ASCII on purpose: ☑/☐ are East-Asian ambiguous width and shift a Chinese line."""

    @property
    def _button(self) -> Content:
        return Content.styled("[x]" if self.value else "[ ]",
                              self.get_visual_style("toggle--label"))
