"""Move-in (pushed from the tenants screen): the checklist of services/movein.py as a
modal at 80×24. Each item is a line with its state ([x] / [ ]) and the key that records
it; the keys, inspection, meter and booking take a small form. Enter completes once
everything is done; Esc goes back. Writes go through ``app.write`` to the services only;
tenant text is shown literally (rich Text, markup off), Chinese lined up by cell width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..i18n import t
from ..services import DeskError
from ..services import movein
from ..services.tenants import contacts_of, current_units, find_tenant
from ..views import fit, safe_text
from ..widgets.text_input import TextInput
from . import localise_bindings
from .confirm import dismiss_unless_kept
from .typeahead import TypeAhead, TypeAheadScreen

WIDTH = 76  # inside the dialog's border and padding at 80 columns
LABEL = 30  # cells for an item's name; the rest of the line is its detail


def cut(text: str, width: int) -> tuple[str, str]:
    """``text`` split after at most ``width`` terminal cells (a Chinese character is
    two), at the last space or "；" within the line when there is one."""
    if cell_len(text) <= width:
        return text, ""
    used, end = 0, 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            break
        end = index + 1
    head = text[:end]
    for sep in ("；", "; ", ", ", " "):
        at = head.rfind(sep)
        if at > width // 3:
            return text[:at + len(sep)].rstrip(), text[at + len(sep):].lstrip()
    return head, text[end:]


def literal(text: str) -> Text:
    """User text as it was typed: no markup, control characters made visible."""
    return Text(safe_text(text))


# --- the small forms --------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    label_key: str
    value: str = ""


class FieldInput(TypeAhead, TextInput):
    async def action_submit(self) -> None:
        self.screen.submitted(self)


class MoveFormScreen(TypeAheadScreen):
    """A few fields and one save: Tab moves on, Enter on the last field (or ctrl+s)
    saves through ``save(values)`` — a callable the app runs off the screen's thread; a
    refusal stays on the form with its message, typed values kept. Esc asks before
    throwing typed values away."""

    DEFAULT_CSS = """
    MoveFormScreen { align: center middle; }
    #move-form { width: 64; height: auto; }
    #move-form Input { height: 1; border: none; padding: 0 1; }
    #move-form .move-label { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "back", "key.back"), Binding("ctrl+s", "save", show=False)]

    def __init__(self, title: str, fields: list[Field], save: Callable[[dict], Callable]) -> None:
        super().__init__()
        localise_bindings(self)
        self.title_text = title
        self.fields = fields
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="move-form", classes="dialog"):
            yield Static(literal(self.title_text), classes="dialog-title")
            for field in self.fields:
                yield Static(t(field.label_key), classes="move-label", markup=False)
                yield FieldInput(value=field.value, id=f"f-{field.name}", max_length=500)
            yield Static("", id="form-error", classes="error", markup=False)
            yield Static(t("movein.form.hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.focus_first(self.query_one(f"#f-{self.fields[0].name}", Input))

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#f-{f.name}", Input).value for f in self.fields}

    def submitted(self, widget: Input) -> None:
        if widget.id == f"f-{self.fields[-1].name}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        try:
            call = self.save(self.values())
        except DeskError as exc:  # a value the form itself could not read
            self.refused(exc)
            return
        self.app.write(call, on_done=lambda result: self.dismiss(result),
                       on_error=self.refused)

    def refused(self, exc: DeskError) -> None:
        self.query_one("#form-error", Static).update(literal(exc.message()))

    def action_back(self) -> None:
        typed = any(v.strip() for v in self.values().values()) and any(
            self.values()[f.name] != f.value for f in self.fields)
        dismiss_unless_kept(self, typed=typed)


class NoticeScreen(ModalScreen):
    """The notice to the cashier just produced, to read out, print or copy; Esc back."""

    DEFAULT_CSS = """
    NoticeScreen { align: center middle; }
    #notice-box { width: 80; height: auto; max-height: 24; }
    #notice-text { height: auto; max-height: 18; }
    """
    BINDINGS = [Binding("escape,enter", "dismiss_none", "key.back")]

    def __init__(self, text: str) -> None:
        super().__init__()
        localise_bindings(self)
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="notice-box", classes="dialog"):
            with VerticalScroll(id="notice-text"):
                yield Static(Text("\n").join(literal(line) for line in self.text.splitlines()))
            yield Static(f"Esc {t('key.back')}", classes="hint", markup=False)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


# --- the checklist ------------------------------------------------------------------------------

class MoveScreen(ModalScreen):
    """What move-in and move-out share: the header, the item lines, Enter, Esc."""

    KIND = "in"
    PREFIX = "movein"
    # item code -> the key that records it (shown at the start of its line)
    ITEM_KEYS: dict[str, str] = {}
    DEFAULT_CSS = """
    MoveScreen { align: center middle; }
    #move-box { width: 80; height: auto; max-height: 24; }
    #move-items { height: auto; }
    """
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("enter", "complete", "key.move_done"),
                Binding("b", "book", "key.move_book")]

    def __init__(self, tenant_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.tenant_id = tenant_id
        self.tenant_name = find_tenant(tenant_id).name

    def compose(self) -> ComposeResult:
        with Vertical(id="move-box", classes="dialog"):
            yield Static(literal(t(f"{self.PREFIX}.title", name=self.tenant_name)),
                         id="move-title", classes="dialog-title")
            yield Static("", id="move-header", markup=False)
            yield Static("", id="move-items", markup=False)
            yield Static("", id="move-message", markup=False)
            yield Static("", id="move-keys", classes="hint", markup=False)

    POLL_SECONDS = 2.0  # what another session records shows within this

    def on_mount(self) -> None:
        self.seen = movein.last_change(self.tenant_id)
        self.refresh_list()
        self.set_interval(self.POLL_SECONDS, self.poll)

    def poll(self) -> None:
        latest = movein.last_change(self.tenant_id)
        if latest != self.seen:
            self.seen = latest
            self.refresh_list()

    # reading --------------------------------------------------------------------------

    def move(self):
        return movein.last_move(self.tenant_id, self.KIND)

    def lines(self) -> list[str]:
        move = self.move()
        if move is None:
            return []
        out = []
        rest = WIDTH - 4 - 2 - LABEL - 1  # the detail column's cells
        for item in movein.checklist(move):
            mark = "[x]" if item.done else "[ ]"
            key = self.ITEM_KEYS.get(item.code, " ")
            label = fit(t(f"{self.PREFIX}.item.{item.code}"), LABEL)
            head, tail = cut(item.detail, rest)
            out.append(f"{mark} {key} {label} {head}".rstrip())
            if tail:  # a second line under the detail column, then cut with …
                out.append(" " * (WIDTH - rest) + fit(tail, rest).rstrip())
        return out

    def refresh_list(self) -> None:
        move = self.move()
        header = self.query_one("#move-header", Static)
        items = self.query_one("#move-items", Static)
        if move is None:
            header.update(t(f"{self.PREFIX}.none"))
            items.update("")
        else:
            desk = self.app.desk
            at = movein.local(desk, move.booked_at)
            line = t(f"{self.PREFIX}.header", name=self.tenant_name, at=at,
                     ticket=move.ticket_id or "—")
            if move.done_at is not None:
                line += "  " + t("movein.done_line", at=movein.local(desk, move.done_at),
                                 by=move.done_by)
            header.update(literal(fit(line, WIDTH).rstrip()))
            items.update(Text("\n").join(literal(line) for line in self.lines()))
        ready = move is not None and move.done_at is None and not movein.still_to_do(move)
        self.query_one("#move-keys", Static).update(self.key_hint(ready))

    def key_hint(self, ready: bool) -> str:
        parts = [f"b {t('key.move_book')}", f"⏎ {t('key.move_done')}", f"Esc {t('key.back')}"]
        hint = "  ".join(parts)
        return t("movein.ready") + "  ·  " + hint if ready else hint

    # writing --------------------------------------------------------------------------

    def tell(self, text: str, kind: str = "info") -> None:
        self.app.say(text, kind)
        if self.is_attached:
            self.query_one("#move-message", Static).update(
                literal(text) if kind != "error" else Text(safe_text(text), "bold"))

    def run(self, call: Callable, done_text: str | None = None) -> None:
        """A service write off the screen's thread; the list is read again after it."""
        def done(_result) -> None:
            self.tell(done_text or t("movein.saved"))
            self.refresh_list()

        def failed(exc: DeskError) -> None:
            self.tell(exc.message(), "error")
            self.refresh_list()

        self.app.write(call, on_done=done, on_error=failed)

    # the items recorded by one key, no form: name -> service(desk, tenant_id)
    CALLS: dict[str, Callable] = {}

    def action_call(self, name: str) -> None:
        desk, call = self.desk(), self.CALLS[name]
        self.run(lambda: call(desk, self.tenant_id))

    def form(self, title_key: str, fields: list[Field], save: Callable[[dict], Callable]) -> None:
        def closed(result) -> None:
            if result is not None:
                self.tell(t("movein.saved"))
            self.refresh_list()

        title = t(title_key) + " · " + self.tenant_name
        self.app.push_screen(MoveFormScreen(title, fields, save), closed)

    def desk(self):
        return self.app.desk

    def action_book(self) -> None:
        from ..timeparse import parse_desk_time

        def save(values: dict):
            from ..services import InvalidInput

            desk = self.desk()
            moment = parse_desk_time(values["at"], desk.clock.now(), desk.profile().timezone)
            if moment is None:
                raise InvalidInput("error.bad_time", option=t("movein.form.at"),
                                   value=values["at"])
            return lambda: self.book(desk, moment)

        self.form("key.move_book", [Field("at", "movein.form.at")], save)

    def book(self, desk, moment):
        raise NotImplementedError

    def complete(self, desk):
        raise NotImplementedError

    def action_complete(self) -> None:
        desk = self.desk()

        def done(_result) -> None:
            self.tell(t(f"{self.PREFIX}.completed", name=self.tenant_name))
            self.dismiss(True)

        def failed(exc: DeskError) -> None:
            self.tell(exc.message(), "error")
            self.refresh_list()

        self.app.write(lambda: self.complete(desk), on_done=done, on_error=failed)

    def action_back(self) -> None:
        self.dismiss(None)


def signed(text: str) -> bool:
    return text.strip().lower() in ("y", "yes", "1", "是", "已签", "已签收")


class MoveInScreen(MoveScreen):
    """The move-in checklist of one incoming tenant."""

    KIND = "in"
    PREFIX = "movein"
    ITEM_KEYS = {"data": "d", "keys": "k", "inspection": "i", "meter": "m", "gift": "g",
                 "notice": "n", "visit": "v"}
    BINDINGS = [Binding("d", "call('data')", "key.move_data"),
                Binding("k", "keys", "key.move_keys"),
                Binding("i", "inspect", "key.move_inspect"),
                Binding("m", "meter", "key.move_meter"),
                Binding("g", "call('gift')", "key.move_gift"),
                Binding("n", "notice", "key.move_notice"),
                Binding("v", "call('visit')", "key.move_visit")]
    CALLS = {"data": movein.check_data, "gift": movein.give_gift,
             "visit": movein.schedule_visit}

    def __init__(self, tenant_id: int) -> None:
        super().__init__(tenant_id)
        self.notice = ""  # the last notice to the cashier produced here (to print)

    def book(self, desk, moment):
        return movein.book_move_in(desk, self.tenant_id, moment)

    def complete(self, desk):
        return movein.complete_move_in(desk, self.tenant_id)


    def action_notice(self) -> None:
        desk = self.desk()

        def done(text: str) -> None:
            self.notice = text
            self.tell(t("movein.notice_ready", lines=len(text.splitlines())))
            self.refresh_list()
            self.app.push_screen(NoticeScreen(text))

        self.app.write(lambda: movein.cashier_notice(desk, self.tenant_id), on_done=done,
                       on_error=lambda exc: self.tell(exc.message(), "error"))

    def action_keys(self) -> None:
        desk = self.desk()
        fields = [Field("key", "movein.form.key"), Field("count", "movein.form.count", "1"),
                  Field("to", "movein.form.to", contacts_of(self.tenant_id)[0].name
                        if contacts_of(self.tenant_id) else ""),
                  Field("signed", "movein.form.signed", "y")]
        self.form("movein.item.keys", fields, lambda v: lambda: movein.hand_key(
            desk, self.tenant_id, v["key"], v["count"], v["to"], signed(v["signed"])))

    def action_inspect(self) -> None:
        desk = self.desk()
        units = current_units(self.tenant_id)
        fields = [Field("unit", "movein.form.unit", units[0] if units else ""),
                  Field("item", "movein.form.item"), Field("defect", "movein.form.defect")]
        self.form("movein.item.inspection", fields, lambda v: lambda: movein.inspect_in(
            desk, self.tenant_id, v["unit"], v["item"], ok=not v["defect"].strip(),
            note=v["defect"]))

    def action_meter(self) -> None:
        desk = self.desk()
        fields = [Field("meter", "movein.form.meter"), Field("reading", "movein.form.reading")]
        self.form("movein.item.meter", fields, lambda v: lambda: movein.read_meter_in(
            desk, self.tenant_id, v["meter"], v["reading"]))
