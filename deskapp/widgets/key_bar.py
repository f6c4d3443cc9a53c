"""The footer line of keys: one Static redrawn in place, fitted to the width.

Textual's Footer recomposes a FooterKey widget per key on every bindings change and
data-binds each to itself, so the old keys are never freed (textual #6666): measured,
400 cursor moves over tickets in different states grew the process by 72 MB. The
desk changes its offered keys with the selected ticket, so it needs a footer that
allocates nothing per change.

At 80 columns not every key fits (the English detail screen was cut mid-word): the
screen's keys are offered in the order it declares them, most useful first, as many as
fit in whole; the app's own keys follow; and `?` (all keys) is always there. The keys
that switch to the other screens (1 queue, 2 tenants…) lead, always, as one group.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

GAP = "  "
ALWAYS = "keys"  # the action that is never dropped: the keys screen lists the rest
SCREENS = "mode("  # the actions that switch screens: shown first, as one group


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self._shown: str | None = None
        self._parts: list[tuple[str, str]] = []
        self._always: tuple[str, str] | None = None
        self._screens: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._render_parts()

    def _bindings_changed(self, screen) -> None:
        own: list[tuple[str, str]] = []
        app_keys: list[tuple[str, str]] = []
        self._always = None
        self._screens = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            part = (self.app.get_key_display(binding), binding.description)
            if binding.action.startswith(SCREENS):
                # the other screens: the one on the terminal names itself in its title
                if binding.action != f"mode('{getattr(screen, 'MODE', '')}')":
                    self._screens.append(part)
            elif binding.action == ALWAYS:
                self._always = part
            elif node is self.app:
                app_keys.append(part)
            else:
                own.append(part)
        self._parts = own + app_keys
        self._render_parts()

    def fitted(self, width: int) -> list[tuple[str, str]]:
        """The keys that fit in ``width`` cells, in order, with `?` always last."""
        always = [self._always] if self._always else []
        room = width - sum(cell_len(f"{k} {d}") for k, d in always) - (
            len(GAP) if always else 0) - self._screens_cells()
        kept: list[tuple[str, str]] = []
        used = 0
        for key, text in self._parts:
            size = cell_len(f"{key} {text}") + (len(GAP) if kept else 0)
            if used + size > room:
                continue  # a shorter key further on may still fit
            kept.append((key, text))
            used += size
        return kept + always

    def _screens_cells(self) -> int:
        if not self._screens:
            return 0
        return cell_len(" ".join(f"{k} {d}" for k, d in self._screens)) + len(GAP)

    def _render_parts(self) -> None:
        width = self.content_region.width or (self.app.size.width - 2)
        parts = self.fitted(width)
        screens = " ".join(f"{k} {d}" for k, d in self._screens)
        plain = (screens + GAP if screens else "") + GAP.join(
            f"{key} {text}" for key, text in parts)
        if plain == self._shown:
            return
        self._shown = plain
        line = Text(no_wrap=True, overflow="crop")
        for index, (key, text) in enumerate(self._screens):
            if index:
                line.append(" ")
            line.append(key, "bold reverse")
            line.append(f" {text}")
        if self._screens:
            line.append(GAP)
        for index, (key, text) in enumerate(parts):
            if index:
                line.append(GAP)
            line.append(key, "bold reverse")
            line.append(f" {text}")
        self.update(line, layout=False)
