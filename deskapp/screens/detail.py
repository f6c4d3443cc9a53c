"""Ticket detail (Enter): targets, the timeline of events, and the steps by key."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ..i18n import t
from ..queue import QueueUpdate
from ..services import DeskError
from ..services.tickets import find_ticket, history, target_rows
from ..views import safe_text, service_name, state_label, tier_label
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine
from . import localise_bindings
from .queue import offered, run_step


# the key that takes the step meeting a target, so the desk knows what "done" means
STEP_KEY = {"dispatch": ("d", "dispatch"), "arrive": ("a", "arrive"),
            "resolve": ("r", "resolve"), "answer": ("c", "answer"),
            "reply": ("t", "reply"), "written_reply": ("w", "reply_written")}


class TicketDetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("d", "step('dispatch')", "key.dispatch"),
        Binding("a", "step('arrive')", "key.arrive"),
        Binding("r", "step('resolve')", "key.resolve"),
        Binding("t", "reply(False)", "key.reply"),
        Binding("w", "reply(True)", "key.reply_written"),
        Binding("c", "step('answer')", "key.answer"),
        Binding("u", "step('resume')", "key.resume"),
        Binding("o", "step('reopen')", "key.reopen"),
        Binding("h", "step('hold')", "key.hold"),
        Binding("x", "step('cancel')", "key.cancel"),
        Binding("m", "move_up", "key.move_up"),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        localise_bindings(self)
        self.ticket_id = ticket_id
        self.version: int | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static("", id="detail-head", markup=False)
            yield Static("", id="detail-targets", markup=False)
            yield Static("", id="detail-events", markup=False)
        yield StatusLine()
        yield KeyBar()

    state: str | None = None
    ticket = None

    def on_mount(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Offer only the steps this ticket can take now."""
        if action in ("step", "reply", "move_up"):
            return offered(self.app.desk, self.ticket, action, parameters)
        return True

    def queue_updated(self, update: QueueUpdate) -> None:
        if self.ticket_id in update.changed or update.full:
            self.reload()

    def reload(self) -> None:
        desk = self.app.desk
        try:
            ticket = find_ticket(self.ticket_id)
        except DeskError as exc:
            self.query_one("#detail-head", Static).update(exc.message())
            return
        changed = ticket.version != self.version
        self.version = ticket.version
        self.ticket = ticket
        self.state = ticket.state
        if changed:  # a reply recorded changes what may follow (c) without a new state
            self.refresh_bindings()
        tz = self.app.profile.timezone
        now = self.app.clock.now()

        def when(moment) -> str:
            return moment.in_tz(tz).format("MM-DD HH:mm:ss") if moment else "—"

        head = Text()
        head.append(t("detail.title", id=ticket.id, service=service_name(ticket.service)) + "\n",
                    "bold")
        head.append(f"{tier_label(ticket.tier)}  {t('detail.state')}: "
                    f"{state_label(ticket.state)}\n")
        place = " ".join(p for p in ((ticket.tenant.name if ticket.tenant_id else ""),
                                     ticket.location) if p)
        head.append(f"{t('detail.place')}: {safe_text(place) or '—'}\n")
        people = self.app.model.staff_names()
        head.append(t("detail.opened", at=when(ticket.opened_at),
                      who=safe_text(people.get(ticket.opened_by, ticket.opened_by))) + "\n")
        if ticket.assigned_to:
            head.append(safe_text(t("detail.assigned", who=people.get(ticket.assigned_to,
                                                                       ticket.assigned_to),
                                    login=ticket.assigned_to)) + "\n")
        facts = []
        if ticket.agreed_at:
            facts.append(f"{t('form.agreed')}: {when(ticket.agreed_at)}")
        if ticket.people and ticket.people > 1:
            facts.append(f"{t('form.people')}: {ticket.people}")
        if ticket.scope:
            facts.append(f"{t('form.scope')}: {t(f'scope.{ticket.scope}')}")
        if ticket.written:
            facts.append(t("form.written"))
        if ticket.moved_up_at:
            facts.append(f"↑ {t('action.move_up')} {when(ticket.moved_up_at)}")
        if facts:
            head.append("  ·  ".join(facts) + "\n")
        if ticket.note:
            head.append(f"{t('detail.note')}: {safe_text(ticket.note)}\n")
        self.query_one("#detail-head", Static).update(head)

        targets = Table(title=t("detail.targets"), title_justify="left", expand=True,
                        box=None, pad_edge=False)
        for title in (t("detail.col_target"), t("detail.due"), t("detail.col_done"),
                      t("detail.col_state"), t("detail.met_by")):
            targets.add_column(title)
        for target, state in target_rows(ticket, now, self.app.profile.rules()):
            mark = "!" if state == "breached" else ""
            label = t(f"target_state.{state}")
            if not ticket.is_open and target.met_at is None and state != "breached":
                label = t("target_state.closed_unmet")
            key, step_name = STEP_KEY.get(target.met_by, ("", target.met_by))
            targets.add_row(t(f"target.{target.name}"),
                            when(target.due_at) + ("*" if target.provisional else ""),
                            when(target.met_at), f"{label} {mark}",
                            # a closed ticket takes no step: nothing to offer
                            f"{key} {t(f'action.{step_name}')}" if ticket.is_open else "—")
        self.query_one("#detail-targets", Static).update(targets)

        events = Table(title=t("detail.timeline"), title_justify="left", expand=True,
                       box=None, pad_edge=False)
        for _ in range(4):
            events.add_column("")
        for event in history(ticket):
            what = t(f"action.{event.action}")
            if event.to_login:
                what += " → " + people.get(event.to_login, event.to_login)
            events.add_row(when(event.at), Text(safe_text(people.get(event.actor, event.actor))),
                           Text(safe_text(what)), Text(safe_text(event.reason or "")))
        self.query_one("#detail-events", Static).update(events)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_step(self, action: str) -> None:
        run_step(self.app, self.ticket_id, action, self.version, done=self.reload)

    def action_reply(self, written: bool) -> None:
        run_step(self.app, self.ticket_id, "reply_written" if written else "reply",
                 self.version, done=self.reload)

    def action_move_up(self) -> None:
        run_step(self.app, self.ticket_id, "move_up", self.version, done=self.reload)
