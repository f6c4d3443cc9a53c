"""Screen 2: the tenants (SCREENS.md) — the list with its `/` filter on the left, the
selected tenant's summary beside it, its actions in the key bar; Enter opens the detail.

The list is read in the ticker's thread (tenants_model) and follows other sessions'
writes within a tick, repainting only the lines that changed; the summary is read again
only when the selection moves or something was written.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from ..i18n import t
from ..services import DeskError
from ..services.tenants import today
from ..tenant_facts import summary
from ..tenants_model import TenantsModel, TenantsUpdate
from ..views import fit
from ..widgets.record_list import RecordList
from . import localise_bindings
from .list_pane import ListPaneScreen

# name, units, status (the name takes what is left of the list's width)
LIST_WIDTHS = (0, 14, 8)


def _signage_form():
    from .signage import SignageOrderScreen

    return SignageOrderScreen


def _pass_form():
    from .passes import PassScreen

    return PassScreen


def _move_in():
    from .move_in import MoveInScreen

    return MoveInScreen


def _move_out():
    from .move_out import MoveOutScreen

    return MoveOutScreen


# the move screens are offered for the tenants they are about
MOVE_STATUSES = {"move_in": ("incoming",), "move_out": ("active", "moving_out")}

# the forms about one tenant (each says what it did): (its screen class, the permission)
OPENS = {
    "move_in": (_move_in, "move.edit"),
    "move_out": (_move_out, "move.edit"),
    "signage": (_signage_form, "signage.order"),
    "passes": (_pass_form, "pass.issue"),
}


class TenantsScreen(ListPaneScreen):
    MODE = "tenants"
    BINDINGS = [
        Binding("enter", "detail", "key.detail", key_display="⏎"),
        Binding("n", "new_tenant", "key.new_tenant", priority=True),
        Binding("i", "open('move_in')", "key.move_in", priority=True),
        Binding("o", "open('move_out')", "key.move_out", priority=True),
        Binding("s", "open('signage')", "key.sign_order", priority=True),
        Binding("p", "open('passes')", "key.passes", priority=True),
        Binding("slash", "filter", "key.filter", key_display="/", priority=True),
        Binding("r", "report", "key.comms_report", priority=True),
        Binding("escape", "clear_filter", "key.back", show=False),
    ]

    LIST_WIDTHS = LIST_WIDTHS
    IDS = {"body": "tenants-body", "left": "tenants-left", "bar": "tenants-bar",
           "count": "tenants-count", "filter": "tenant-filter", "list": "tenant-list",
           "pane": "tenant-pane"}
    TEXTS = {"filter_hint": "tenants.filter_hint", "no_match": "tenants.no_match",
             "none": "tenants.none", "title": "tenants.title",
             "title_filtered": "tenants.title_filtered"}

    def __init__(self) -> None:
        super().__init__(id="tenants-screen")
        localise_bindings(self)
        self._shown_summary = None

    def on_mount(self) -> None:
        self.start_list(TenantsModel(self.app.desk.db), self.tenants_changed)

    # -- live parts ----------------------------------------------------------------------
    def tenants_changed(self, update: TenantsUpdate) -> None:
        if update.full:
            self._list.set_rows(update.rows, update.order)
        else:
            self._list.update_rows(update.rows, update.order)
        if self._pending_follow is not None and self._pending_follow in self._list.index_of:
            self._list.follow(self._pending_follow)
            self._pending_follow = None
        self._show_count()
        self._offer_for_selected()
        # something was written: the summary may have changed (its keys, tickets, visits)
        self._show_summary()

    def on_record_list_cursor_moved(self, _message) -> None:
        self._offer_for_selected()
        if self._ready and self.focused is self._filter:
            self._summary_soon()  # typing: the list first, the summary once typing pauses
        else:
            self._show_summary()

    _offered_status: str | None = None

    def _offer_for_selected(self) -> None:
        """The keys offered follow the selected tenant's status (i for one coming in,
        o for one in the building): re-checked only when that status differs."""
        status = self.model.status.get(self._list.cursor_id) if self._ready else None
        if status != self._offered_status:
            self._offered_status = status
            self.refresh_bindings()

    def _summary_soon(self) -> None:
        if self._summary_timer is not None:
            self._summary_timer.stop()
        self._summary_timer = self.set_timer(0.12, self._show_summary)

    def _show_summary(self) -> None:
        tenant_id = self._list.cursor_id
        if tenant_id is None:
            key = ("none",)
            text = Text(t("tenants.pick"), "dim")
        else:
            try:
                name, status, lines = summary(tenant_id, today(self.app.desk),
                                              self.app.profile.timezone)
            except DeskError as exc:
                name, status, lines = exc.message(), "", []
            key = (tenant_id, name, status, tuple(lines))
            text = self._pane_text(name, status, lines)
        if key != self._shown_summary:  # an unchanged summary repaints nothing
            self._shown_summary = key
            self._pane.update(text)

    def _pane_text(self, name: str, status: str, lines) -> Text:
        width = max(10, (self._pane.content_region.width or 36))
        text = Text(no_wrap=True, overflow="ellipsis")
        room = width - len(status) - 2 if status else width
        text.append(fit(name, max(4, room)).rstrip(), "bold")
        if status:
            text.append("  " + status)
        for line, style in lines:
            text.append("\n")
            text.append(line, style)
        return text

    def on_resize(self) -> None:
        self._shown_summary = None
        if self._ready:
            self._show_summary()

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if self.focused is self._filter_or_none() and action not in ("clear_filter", "detail"):
            return False  # letters typed into the filter are text
        if action == "new_tenant":
            return self.app.desk.allowed("tenant.edit")
        if action == "open":
            what = parameters[0]
            if not (self._ready and self._list.cursor_id is not None
                    and self.app.desk.allowed(OPENS[what][1])):
                return False
            # a move-in is for a tenant coming in, a move-out for one in the building
            status = self.model.status.get(self._list.cursor_id)
            return MOVE_STATUSES.get(what, (status,)).__contains__(status)
        if action == "report":
            return self.app.desk.allowed("comms.report")
        if action == "detail":
            return self._ready and self._list.cursor_id is not None
        return True

    def _filter_or_none(self):
        return self._filter if self._ready else object()

    def on_record_list_selected(self, message: RecordList.Selected) -> None:
        self._open_detail(message.record_id)

    def action_detail(self) -> None:
        if self.focused is self._filter:
            self._list.focus()
            return
        if self._list.cursor_id is not None:
            self._open_detail(self._list.cursor_id)

    def _open_detail(self, tenant_id: int) -> None:
        from .tenant_detail import TenantDetailScreen

        self.app.push_screen(TenantDetailScreen(tenant_id))

    def select(self, tenant_id: int) -> None:
        """Put the cursor on a tenant (the palette's pick), clearing a filter hiding it."""
        if tenant_id not in self._list.index_of and self._filter.value:
            self._filter.value = ""
            self._list.set_filter("")
        self._list.follow(tenant_id)
        self._list.focus()

    def action_new_tenant(self) -> None:
        from .tenant_form import NewTenantScreen

        def added(tenant) -> None:
            if tenant is not None:
                self.app.say(t("toast.tenant_added", name=tenant.name))
                self._pending_follow = tenant.id
                self.app.request_tick()

        self.app.push_screen(NewTenantScreen(), added)

    _pending_follow: int | None = None

    def action_open(self, what: str) -> None:
        """A form about the selected tenant (a sign order, passes…)."""
        tenant_id = self._list.cursor_id
        if tenant_id is None:
            return
        screen_of, _permission = OPENS[what]
        try:
            form = screen_of()(tenant_id)
        except DeskError as exc:
            self.app.say(exc.message(), "error")
            return

        def done(result) -> None:
            if result:
                self.app.request_tick()

        self.app.push_screen(form, done)

    def action_report(self) -> None:
        from .comms_report import CommsReportScreen

        self.app.push_screen(CommsReportScreen())

    def on_descendant_focus(self, _event) -> None:
        self.refresh_bindings()

    def filter_typed(self) -> None:
        # the list answers the key; the summary (six reads) follows once typing pauses,
        # so a burst of keys pays for it once
        self._summary_soon()

    _summary_timer = None

    def filter_cleared(self) -> None:
        self._show_summary()
