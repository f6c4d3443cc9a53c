"""A tenant's detail (Enter on the tenants screen): one tab at a time — profile,
tickets, visits, and each area's own (keys, signage, fit-out, passes, mail) as they
are on file. ←/→ turn the tabs; Esc goes back to the list where it was."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import t
from ..queue import QueueUpdate
from ..services import DeskError
from ..services.tenants import find_tenant
from ..tenant_facts import TABS, tab_lines
from ..views import safe_text
from ..widgets.desk_header import DeskHeader
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine
from . import localise_bindings
from .frame import FrameScreen


class TenantDetailScreen(FrameScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("right,tab", "tab(1)", "key.tab_next", key_display="→"),
        Binding("left,shift+tab", "tab(-1)", "key.tab_prev", key_display="←"),
    ]

    def __init__(self, tenant_id: int, tab: str = "profile") -> None:
        super().__init__()
        localise_bindings(self)
        self.tenant_id = tenant_id
        self.tab = tab if tab in TABS else "profile"
        self._shown = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="tenant-detail-title", markup=False)
        yield Static("", id="tenant-tabs", markup=False)
        with VerticalScroll(id="tenant-detail"):
            yield Static("", id="tenant-tab-body", markup=False)
        yield StatusLine()
        yield KeyBar()

    def on_mount(self) -> None:
        self.start_frame()
        self.show()

    def queue_updated(self, update: QueueUpdate) -> None:
        super().queue_updated(update)
        if self.is_mounted:
            self.show()  # a write anywhere: this tenant's tabs may have moved on

    def show(self) -> None:
        tz = self.app.profile.timezone
        try:
            tenant = find_tenant(self.tenant_id)
            title = t("tenant_detail.title", name=safe_text(tenant.name),
                      status=t(f"tenant_status.{tenant.status}"))
            lines = tab_lines(self.tenant_id, self.tab, tz)
        except DeskError as exc:
            title, lines = exc.message(), []
        key = (title, self.tab, tuple(lines))
        if key == self._shown:
            return
        self._shown = key
        self.query_one("#tenant-detail-title", Static).update(Text(title, "bold"))
        tabs = Text(no_wrap=True, overflow="ellipsis")
        for index, name in enumerate(TABS):
            if index:
                tabs.append(" │ ", "dim")
            tabs.append(t(f"tab.{name}"), "bold reverse" if name == self.tab else "")
        self.query_one("#tenant-tabs", Static).update(tabs)
        body = Text()
        for index, (line, style) in enumerate(lines):
            if index:
                body.append("\n")
            body.append(line, style)
        self.query_one("#tenant-tab-body", Static).update(body)

    def action_tab(self, step: int) -> None:
        names = list(TABS)
        self.tab = names[(names.index(self.tab) + step) % len(names)]
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
