"""Command palette (ctrl+p): go to any ticket, open or closed, by number or tenant."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Matcher, Provider
from textual.content import Content

from ..models import Tenant, Ticket
from ..services import DeskError
from ..services.validate import MAX_ID
from ..i18n import t
from ..views import safe_text, service_name, state_label


def hit_label(label: str, matcher: Matcher) -> Content:
    """The prompt of a hit: tenant names and places are data, never markup (Textual's
    ``Matcher.highlight`` parses its candidate as markup), so the matched letters are
    styled on plain content here."""
    content = Content(label)
    score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    if score:
        for offset in offsets:
            if not label[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class TicketProvider(Provider):
    async def search(self, query: str) -> Hits:
        text = query.strip().lstrip("#")
        if not text:
            return
        try:
            rows = await self._find(text)
        except DeskError as exc:  # the database cannot be used just now: say so, find nothing
            self.app.say(exc.message(), "error")
            return
        matcher = self.matcher(query)
        for ticket_id, service, state, tenant, location in rows:
            label = safe_text(f"#{ticket_id} {service_name(service)} {tenant or ''} "
                              f"{location or ''} · {state_label(state)}")
            score = 1.0 if text.isdigit() else matcher.match(label)
            if score > 0:
                yield Hit(score, hit_label(label, matcher), partial(self._open, ticket_id),
                          text=label)

    async def _find(self, text: str):
        def query():
            base = (Ticket.select(Ticket.id, Ticket.service, Ticket.state, Tenant.name,
                                  Ticket.location)
                    .join(Tenant, on=(Ticket.tenant == Tenant.id), join_type="LEFT OUTER JOIN"))
            if text.isdigit():
                number = int(text) if len(text) < 20 else 0
                if not 1 <= number <= MAX_ID:  # 99999999999999999999 is no ticket
                    return []
                return list(base.where(Ticket.id == number).tuples())
            like = f"%{text}%"
            return list(base.where(Tenant.name ** like | Ticket.location ** like)
                        .order_by(Ticket.id.desc()).limit(20).tuples())

        return query()

    def _open(self, ticket_id: int) -> None:
        from .detail import TicketDetailScreen

        app = self.app
        app.push_screen(TicketDetailScreen(ticket_id))
        queue = app.screen_stack[0]
        if queue.id != "queue-screen":
            return

        def back(screen) -> None:
            """Coming back from the detail, the cursor is on the ticket that was picked,
            when it is (still, or again) on the queue."""
            if screen is not queue:
                return
            app.screen_change_signal.unsubscribe(queue)
            if ticket_id in queue.table.index_of:
                queue.table.follow(ticket_id)

        app.screen_change_signal.subscribe(queue, back)


class TenantProvider(Provider):
    """Tenants by name, unit, contact or phone (the registry's search text): picking one
    opens the tenants screen on it."""

    async def search(self, query: str) -> Hits:
        from ..services.tenants import find_tenants

        text = query.strip()
        if not text or text.lstrip("#").isdigit() and text.startswith("#"):
            return
        try:
            tenants = find_tenants(text, limit=20)
        except DeskError as exc:
            self.app.say(exc.message(), "error")
            return
        matcher = self.matcher(query)
        for tenant in tenants:
            contact = " ".join(p for p in (tenant.contact, tenant.phone) if p)
            label = safe_text(" ".join(p for p in (
                tenant.name, " ".join(tenant.unit_list), contact) if p)
                + f" · {t('palette.tenant')} {t(f'tenant_status.{tenant.status}')}")
            # the registry found the text in it: a unit or phone the fuzzy match misses
            score = max(matcher.match(label), 0.5)
            yield Hit(score, hit_label(label, matcher), partial(self._open, tenant.id),
                      text=label)

    async def _open(self, tenant_id: int) -> None:
        app = self.app
        await app.switch_mode("tenants")
        screen = app.screen_stack[0]
        select = getattr(screen, "select", None)
        if select is not None:
            select(tenant_id)
