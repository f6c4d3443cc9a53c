"""Keys typed ahead land where the focus is when each key is handled, not when it came.

Over a slow SSH link a burst like ``n mail ⇥ 星辰 ⇥ 12F`` arrives in one read. Textual's
App routes every key the moment it arrives, to the widget focused *then*
(``App.on_event``: ``(self.focused or self.screen)._forward_event(event)``), and runs
key bindings only when the key has bubbled back up to the App. So the whole burst is
queued on one field before its Tab has moved the focus (everything ends up in the
service field), and keys routed to a screen that has not mounted yet are dropped
(``Screen._forward_event`` ignores keys). The pieces here restore the order:

- ``TypeAhead`` widgets pass a key they hold but no longer have focus for on to the
  widget that has it (or to a dialog an earlier key opened), and run the bindings of
  the widget and its screen (Tab, Enter, Esc…) at once, so the focus has moved before
  the next key of the burst is looked at;
- ``TypeAheadScreen`` keeps the keys that arrive before it has mounted and hands them,
  in order, to the widget it first focuses; and it moves the focus in the order the
  fields are composed. Textual sorts its focus chain by where widgets were at the last
  layout (``Widget._focus_sort_key``), so a field just shown (the tier, once "repair" is
  recognised) sits at 0,0 — first — until the screen lays out again, and a Tab in the
  same burst skipped it.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widget import Widget


def pass_on(event: events.Key, widget: Widget) -> None:
    """Hand a key to another widget: a fresh event at the end of its queue."""
    event.stop()
    event.prevent_default()
    widget.post_message(events.Key(event.key, event.character))


class TypeAhead:
    """Mixin for a form's focusable widgets; list it before the Textual widget class."""

    async def _on_key(self, event: events.Key) -> None:
        app = self.app
        if self.screen is not app.screen:  # a dialog an earlier key opened (Esc: discard?)
            pass_on(event, app.focused or app.screen)
            return
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            return  # bubbling up from our own part (a Select's open list): its key
        if focused is not None and focused is not self:
            pass_on(event, focused)
        elif await self.key_now(event):
            event.stop()
            event.prevent_default()  # the widget's own handler must not see it again

    async def key_now(self, event: events.Key) -> bool:
        """Run the key's binding on this widget or a container up to its screen (Tab,
        Enter, Esc, ctrl+s…) now, in order, rather than once it has bubbled up to the
        App. True when one ran. (Priority bindings already ran when the key arrived.)"""
        node = self
        while node is not None:
            for binding in node._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, node):
                    return True
            if node is self.screen:
                break
            node = node.parent
        return False


class TypeAheadScreen(ModalScreen):
    """A dialog that keeps the keys typed before it was up (see the module doc)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._early_keys: list[events.Key] = []

    def _forward_event(self, event: events.Event) -> None:
        # Textual's Screen drops a key forwarded to it; it is forwarded here only while
        # nothing in the dialog has focus yet, i.e. before it has mounted.
        if isinstance(event, events.Key) and not event.is_forwarded:
            event._set_forwarded()
            if self.focused is not None:
                pass_on(event, self.focused)
            else:
                self._early_keys.append(event)
            return
        super()._forward_event(event)

    def _fields(self) -> list[Widget]:
        focusable = set(self.focus_chain)  # Textual's rules for shown, enabled, focusable
        return [widget for widget in self.query("*") if widget in focusable]

    def _focus_step(self, step: int) -> Widget | None:
        fields = self._fields()
        if not fields:
            return None
        here = fields.index(self.focused) if self.focused in fields else -step
        self.set_focus(fields[(here + step) % len(fields)])
        return self.focused

    def focus_next(self, selector: str | type = "*") -> Widget | None:
        return self._focus_step(1)

    def focus_previous(self, selector: str | type = "*") -> Widget | None:
        return self._focus_step(-1)

    def focus_first(self, widget: Widget) -> None:
        """Focus now (``Widget.focus`` waits for the App's next turn, and keys routed
        meanwhile would go nowhere), then hand over the keys typed ahead of the dialog."""
        self.set_focus(widget)
        early, self._early_keys = self._early_keys, []
        for event in early:
            pass_on(event, widget)


class SavingForm(TypeAheadScreen):
    """A form that saves once: ``action_save`` validates here (``request()`` raises the
    first refusal into ``#<ERROR_ID>``), then writes ``save(request)`` in the app's writer
    thread (a held lock must not freeze the desk) and dismisses with ``saved(result)``.
    A second ctrl+s while the first is on its way does nothing. Esc asks before typed
    work is thrown away: ``_typed()`` is compared with ``_untouched``, which the form
    sets on mount."""

    BINDINGS = [
        Binding("escape", "cancel", "key.back"),
        Binding("ctrl+s", "save", "key.save"),
    ]
    ERROR_ID = "form-error"

    _saving = False
    _untouched: tuple = ()

    def __init__(self, *args, **kwargs) -> None:
        from . import localise_bindings

        super().__init__(*args, **kwargs)
        localise_bindings(self)

    def _typed(self) -> tuple:
        """Every value the desk can change in the form, to tell an untouched one."""
        return tuple(widget.value for widget in self.query("Input, Select, CheckBox"))

    def action_cancel(self) -> None:
        from .confirm import dismiss_unless_kept

        dismiss_unless_kept(self, typed=self._typed() != self._untouched)

    def request(self):
        raise NotImplementedError

    def save(self, request):
        raise NotImplementedError

    def saved(self, result):
        return result

    def action_save(self) -> None:
        from textual.widgets import Static

        from ..services import DeskError

        if self._saving:
            return
        error = self.query_one(f"#{self.ERROR_ID}", Static)

        def say(message: str) -> None:
            error.update(message)
            # a long form scrolls: the refusal must be in sight, not below the fold
            self.call_after_refresh(error.scroll_visible, animate=False)

        try:
            request = self.request()
        except DeskError as exc:
            say(exc.message())
            return
        self._saving = True

        def failed(exc: DeskError) -> None:
            self._saving = False
            say(exc.message())

        self.app.write(lambda: self.save(request),
                       lambda result: self.dismiss(self.saved(result)), failed)
