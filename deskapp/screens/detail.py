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
from ..models.records import OPEN_STATES
from ..services.tickets import TRANSITIONS, find_ticket, history, target_rows
from ..views import service_name, state_label, tier_label
from ..widgets.key_bar import KeyBar
from . import localise_bindings
from .queue import run_step


# the key that takes the step meeting a target, so the desk knows what "done" means
STEP_KEY = {"dispatch": "d", "arrive": "a", "resolve": "r", "answer": "c"}


class TicketDetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("d", "step('dispatch')", "key.dispatch"),
        Binding("a", "step('arrive')", "key.arrive"),
        Binding("r", "step('resolve')", "key.resolve"),
        Binding("c", "step('answer')", "key.answer"),
        Binding("h", "step('hold')", "key.hold"),
        Binding("u", "step('resume')", "key.resume"),
        Binding("x", "step('cancel')", "key.cancel"),
        Binding("o", "step('reopen')", "key.reopen"),
        Binding("m", "step('move_up')", "key.move_up"),
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
        yield KeyBar()

    state: str | None = None

    def on_mount(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Offer only the steps this ticket can take now."""
        if action == "step" and parameters and self.state is not None:
            if not self.app.desk.allowed(f"ticket.{parameters[0]}"):
                return False
            if parameters[0] == "move_up":
                return self.state in OPEN_STATES
            return self.state in TRANSITIONS[parameters[0]][0]
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
        self.version = ticket.version
        if self.state != ticket.state:
            self.state = ticket.state
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
        head.append(f"{t('detail.place')}: {place or '—'}\n")
        people = self.app.model.staff_names()
        head.append(t("detail.opened", at=when(ticket.opened_at),
                      who=people.get(ticket.opened_by, ticket.opened_by)) + "\n")
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
            head.append(f"{t('detail.note')}: {ticket.note}\n")
        self.query_one("#detail-head", Static).update(head)

        targets = Table(title=t("detail.targets"), title_justify="left", expand=True,
                        box=None, pad_edge=False)
        for title in ("", t("detail.due"), t("detail.met"), "", t("detail.met_by")):
            targets.add_column(title)
        for target, state in target_rows(ticket, now, self.app.profile.rules()):
            mark = "!" if state == "breached" else ""
            targets.add_row(t(f"target.{target.name}"),
                            when(target.due_at) + ("*" if target.provisional else ""),
                            when(target.met_at), f"{t(f'target_state.{state}')} {mark}",
                            f"{STEP_KEY[target.met_by]} {t(f'action.{target.met_by}')}")
        self.query_one("#detail-targets", Static).update(targets)

        events = Table(title=t("detail.timeline"), title_justify="left", expand=True,
                       box=None, pad_edge=False)
        for _ in range(4):
            events.add_column("")
        for event in history(ticket):
            events.add_row(when(event.at), people.get(event.actor, event.actor),
                           t(f"action.{event.action}"),
                           Text(event.reason or ""))
        self.query_one("#detail-events", Static).update(events)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_step(self, action: str) -> None:
        run_step(self.app, self.ticket_id, action, self.version, done=self.reload)
