"""What every screen of the desk shares (screens 2–4 and their details): the queue's
header on top — its counts follow each tick, its clock ticks only while the screen is
on the terminal — and, for the screens that follow data, a model polled after each
tick and dropped when the screen goes."""

from __future__ import annotations

from textual.screen import Screen

from ..queue import QueueUpdate
from ..widgets.desk_header import DeskHeader


class FrameScreen(Screen):
    """Subclasses yield a DeskHeader in compose, call ``start_frame()`` in on_mount and
    ``follow(model, apply)`` for the data they show."""

    _frame_ready = False

    def start_frame(self) -> None:
        self._header = self.query_one(DeskHeader)
        self.set_interval(1.0, self._second, name="second")
        self._frame_ready = True
        self._second()
        if self.app.last_update is not None:
            self._header.set_counts(self.app.last_update.counts)

    def follow(self, model, apply) -> None:
        """Poll ``model`` after each tick while this screen is installed."""
        self._followed = model
        self.app.follow_changes(model, apply)

    def on_unmount(self) -> None:
        model = getattr(self, "_followed", None)
        if model is not None:
            self.app._live.pop(model, None)

    def queue_updated(self, update: QueueUpdate) -> None:
        if self._frame_ready:
            self._header.set_counts(update.counts)

    def _second(self) -> None:
        if self._frame_ready and self.is_current:  # a screen not shown catches up later
            self._header.second(self.app.clock.now())

    def on_screen_resume(self) -> None:
        if self._frame_ready:
            self._second()
            self._header.show_title()
