"""DeskApp: installs the screens once, runs the queue ticker, raises alerts."""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.signal import Signal

from .config import Settings
from .i18n import t
from .queue import DEPARTMENT_OF_ROLE, QueueModel, QueueUpdate
from .services import Desk
from .screens import localise_bindings
from .views import service_name
from .widgets.status_line import StatusBoard


# Without colour, Textual turns colours into greys (a red "late" became dark grey, dimmer
# than plain text): the marks use weight, underline, reverse video and glyphs instead, and
# nothing that means something is grey. !important: desk.tcss is read after this source
# and its equally specific rules won (late came out bold dark grey, not underlined).
NO_COLOR_CSS = """
QueueTable > .queue--breached { color: $text !important; text-style: bold underline !important; }
QueueTable > .queue--late { color: $text !important; text-style: bold underline !important; }
QueueTable > .queue--near { color: $text !important; text-style: reverse bold !important; }
QueueTable > .queue--extra-urgent { color: $text !important; text-style: bold !important; }
QueueTable > .queue--urgent { color: $text !important; text-style: none !important; }
QueueTable > .queue--held { color: $text !important; text-style: italic !important; }
QueueTable > .queue--dim { color: $text !important; }
QueueTable > .queue--cursor { background: $background !important; color: $text !important;
                              text-style: bold !important; }
QueueTable:focus > .queue--cursor { background: $background !important;
                                    color: $text !important; }
#colheader { color: $text !important; }
RecordList > .records--cursor, RecordList:focus > .records--cursor {
    background: $background !important; color: $text !important;
    text-style: bold reverse !important; }
RecordList > .records--dim { color: $text !important; text-style: strike !important; }
DayGrid > .grid--cursor { background: $background !important; color: $text !important;
                          text-style: bold reverse underline !important; }
"""


RINGS = frozenset({"extra_urgent", "breached", "assigned"})


def write_crash_report(report: str):
    """The traceback of an unexpected error, in ~/.local/state/deskapp (mode 0600);
    None when even that cannot be written."""
    from pathlib import Path

    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    path = Path(base) / "deskapp" / time.strftime("crash-%Y%m%d-%H%M%S.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(report)
    except OSError:
        return None
    return path


def stylesheet(name: str) -> Path:
    """styles/ sits at the top of the repository; the wheel ships it as deskapp/styles."""
    here = Path(__file__).resolve().parent
    for folder in (here / "styles", here.parent / "styles"):  # installed, then a checkout
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"deskapp stylesheet {name} not found beside {here}")


def _fault_message(exc: Exception, url: str | None) -> str:
    """What the status line says about a failed tick: the fault's own message."""
    from .db import describe, fault_of
    from .services import DeskError

    if isinstance(exc, DeskError):
        return exc.message()
    fault = fault_of(exc, describe(url))
    return fault.message() if fault is not None else str(exc)


def _ticket_provider():
    from .screens.commands import TicketProvider

    return TicketProvider


def _tenant_provider():
    from .screens.commands import TenantProvider

    return TenantProvider


def _preload() -> None:
    """Import the other screens' modules in the ticker's thread: the first 2 or 3 pressed
    then shows its screen at once instead of compiling and importing it (a first visit
    to the bookings screen was 0.4 s, most of it imports)."""
    import importlib

    for name in ("tenants", "tenant_detail", "bookings", "booking_form", "booking_detail",
                 "billing", "billing_forms"):
        importlib.import_module(f"{__package__}.screens.{name}")


def _screen(mode: str):
    if mode == "billing":
        from .screens.billing import BillingScreen

        return BillingScreen()
    if mode == "bookings":
        from .screens.bookings import BookingsScreen

        return BookingsScreen()
    if mode == "tenants":
        from .screens.tenants import TenantsScreen

        return TenantsScreen()
    from .screens.queue import QueueScreen

    return QueueScreen()


class DeskApp(App):
    CSS_PATH = str(stylesheet("desk.tcss"))
    TITLE = "deskapp"
    ENABLE_COMMAND_PALETTE = True

    # The palette finds tickets; Textual's own entries (theme, screenshot…) are not for
    # the lobby counter and do not speak Chinese.
    COMMANDS = {lambda: _ticket_provider(), lambda: _tenant_provider()}

    def __init__(self, desk: Desk, settings: Settings | None = None, *,
                 auto_tick: bool = True) -> None:
        super().__init__()
        localise_bindings(self)
        if os.environ.get("NO_COLOR"):
            self.stylesheet.add_source(NO_COLOR_CSS, read_from=("deskapp", "no-color"))
        self.desk = desk
        self.settings = settings or Settings()
        self.clock = desk.clock
        self.profile = desk.profile()
        self.model = QueueModel(desk.db, near_percent=self.profile.near_percent,
                                near_floors=self.profile.near_floors, user=desk.user,
                                answers=desk.allowed("ticket.answer"),
                                department=DEPARTMENT_OF_ROLE.get(desk.role))
        self.bell_enabled = self.settings.bell
        self.auto_tick = auto_tick
        self.last_update: QueueUpdate | None = None
        self.tick_error: str | None = None
        # One long-lived thread does every database read of the ticker, so ticks never
        # overlap and it keeps one connection (a thread per tick would open a new one).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deskapp-tick")
        self._wake = asyncio.Event()
        # alerts and confirmations go to every screen's status line, never as toasts
        self.status_board = StatusBoard()
        self.status_signal: Signal[None] = Signal(self, "status")
        self._expiry_timer = None
        self._live: dict = {}

    # The screens of the desk, each installed once (on its first visit) and kept with its
    # cursor and filter; 1–4 switch between them from anywhere.
    MODES = {"queue": lambda: _screen("queue"), "tenants": lambda: _screen("tenants"),
             "bookings": lambda: _screen("bookings"), "billing": lambda: _screen("billing")}
    DEFAULT_MODE = "queue"
    SCREEN_KEYS = (("1", "queue"), ("2", "tenants"), ("3", "bookings"), ("4", "billing"))

    BINDINGS = [
        *(Binding(key, f"mode('{mode}')", f"key.mode_{mode}", priority=True)
          for key, mode in SCREEN_KEYS),
        Binding("q", "ask_quit", "key.quit"),
        Binding("ctrl+q", "quit", "key.quit", show=False),
        Binding("question_mark", "keys", "key.keys"),
        Binding("b", "toggle_bell", "key.bell", show=False),
    ]

    def on_mount(self) -> None:
        from .widgets.partial_paint import install

        install(log=self.log.warning)
        if self.auto_tick:
            self.run_worker(self._tick_loop(), exclusive=True, group="ticker")

    async def tick(self) -> QueueUpdate:
        """Run one tick in the ticker thread and apply it (tests call this directly)."""
        loop = asyncio.get_running_loop()
        update = await loop.run_in_executor(self._executor, self.model.tick, self.clock.now())
        self._apply(update)
        for model, apply in list(self._live.items()):
            changes = await loop.run_in_executor(self._executor, model.poll)
            if changes is not None:
                apply(changes)
        return update

    def follow_changes(self, model, apply) -> None:
        """Poll ``model`` after each tick in the ticker's thread (``model.poll()``: None
        when nothing changed) and hand what changed to ``apply`` on the screen's thread."""
        self._live[model] = apply

    def all_screens(self):
        """Every installed screen of every mode: the queue keeps its rows current, and
        rings its alerts, while the desk is on another screen."""
        # Textual keeps one stack per mode; App.screen_stack is only the current mode's
        for stack in self._screen_stacks.values():
            yield from stack

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "mode":
            # from a screen of the desk itself, not from over a form or a dialog: the
            # form would wait, hidden, on the other screen's stack
            return len(self.screen_stack) == 1
        return True

    def action_mode(self, mode: str) -> None:
        if mode != self.current_mode:
            self.switch_mode(mode)

    async def _tick_loop(self) -> None:
        interval = self.settings.tick_seconds
        preloaded = False
        while True:
            started = time.monotonic()
            try:
                await self.tick()
                if self.tick_error is not None:
                    self.tick_error = None
                    self.say(t("fault.back"))
            except Exception as exc:  # noqa: BLE001 - a lost database must not kill the desk
                # ⚠ in the header until a tick succeeds again; the message once per fault
                message = _fault_message(exc, self.settings.database_url)
                if message != self.tick_error:
                    self.say(message, "error")
                self.tick_error = message
                self.log.error("tick failed", exc)
            if not preloaded:  # once the queue is up: the other screens' code, off screen
                preloaded = True
                await asyncio.get_running_loop().run_in_executor(self._executor, _preload)
            self._wake.clear()
            wait = max(0.05, interval - (time.monotonic() - started))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except asyncio.TimeoutError:
                pass

    def write(self, call, on_done=None, on_error=None) -> None:
        """Run a service write in the ticker's thread, off the screen's: a write waiting
        for another session's lock (up to the busy timeout) must not freeze the clock
        and the keys. One thread for ticks and writes: one connection, never two at once;
        a tick asked for after the write sees it. ``on_done(result)`` or
        ``on_error(DeskError)`` run back on the screen's thread."""
        from .services import DeskError

        async def run() -> None:
            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(self._executor, call)
            except DeskError as exc:
                if on_error is not None:
                    on_error(exc)
                else:
                    self.say(exc.message(), "error")
            else:
                if on_done is not None:
                    on_done(result)
            self.request_tick()

        self.run_worker(run(), group="writes")

    def request_tick(self) -> None:
        """After a write from this session: show it now, not at the next second."""
        self._wake.set()

    def _apply(self, update: QueueUpdate) -> None:
        quiet = not (update.changed or update.order_changed or update.alerts)
        self.last_update = update
        if quiet:  # the countdown is the screen's own second timer; nothing else moved
            return
        for screen in self.all_screens():
            handler = getattr(screen, "queue_updated", None)
            if handler is not None:
                handler(update)
        for alert in update.alerts:
            row = alert.row
            place = " ".join(p for p in (row.location, row.tenant) if p)
            who = self.model.staff_names().get(row.last_actor, row.last_actor)
            self.say(t(f"alert.{alert.kind}", id=row.id, service=service_name(row.service),
                       place=place, who=who), "alert")
        # once per tick, however many alerts it brought; work coming back done is news
        # for the status line, not a ring
        if self.bell_enabled and any(a.kind in RINGS for a in update.alerts):
            self.bell()

    def say(self, text: str, kind: str = "info", seconds: float | None = None) -> None:
        """Put a message on every screen's status line: info, error or alert."""
        self.status_board.add(text, kind, seconds)
        self._status_changed()

    def _status_changed(self) -> None:
        self.status_signal.publish(None)
        expiry = self.status_board.next_expiry()
        if self._expiry_timer is not None:
            self._expiry_timer.stop()
            self._expiry_timer = None
        if expiry is not None:
            self._expiry_timer = self.set_timer(max(0.05, expiry - time.monotonic()),
                                                self._status_changed)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=t("palette.placeholder"),
                                            id="--command-palette"))

    def action_keys(self) -> None:
        from .screens.keys import KeysScreen

        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen())

    _quit_asked_at = 0.0

    def action_ask_quit(self) -> None:
        """A stray q at the lobby counter must not close the desk: q twice quits."""
        now = time.monotonic()
        if now - self._quit_asked_at < 3.0:
            self.exit()
            return
        self._quit_asked_at = now
        self.say(t("toast.quit_again"), seconds=3)

    def action_toggle_bell(self) -> None:
        self.bell_enabled = not self.bell_enabled
        self.say(t("alert.bell_on" if self.bell_enabled else "alert.bell_off"))
        for screen in self.all_screens():
            handler = getattr(screen, "bell_changed", None)
            if handler is not None:
                handler()

    def _fatal_error(self) -> None:
        """An unexpected error still ends the desk, but the terminal gets one line in the
        user's language, not a traceback (Textual's own report printed every frame's
        locals: ticket notes, names, URLs). The traceback, without locals, goes to a
        crash file only its user can read, for whoever looks after deskapp."""
        import sys
        import traceback

        from rich.text import Text

        from .views import safe_text

        error = sys.exc_info()[1]
        report = "".join(traceback.format_exception(error)) if error else "(no exception)"
        path = write_crash_report(report)
        what = f"{type(error).__name__}: {error}" if error else "?"
        self.bell()
        self._exit_renderables.append(Text(safe_text(
            t("error.crashed", error=what, path=str(path) if path else "—"))))
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
