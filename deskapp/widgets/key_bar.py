"""The footer line of keys: one Static redrawn in place.

Textual's Footer recomposes a FooterKey widget per key on every bindings change and
data-binds each to itself, so the old keys are never freed (textual #6666): measured,
400 cursor moves over tickets in different states grew the process by 72 MB. The
desk changes its offered keys with the selected ticket, so it needs a footer that
allocates nothing per change.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self._shown: str | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        parts: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            parts.append((self.app.get_key_display(binding), binding.description))
        plain = "  ".join(f"{key} {text}" for key, text in parts)
        if plain == self._shown:
            return
        self._shown = plain
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, (key, text) in enumerate(parts):
            if index:
                line.append("  ")
            line.append(key, "bold reverse")
            line.append(f" {text}")
        self.update(line, layout=False)
