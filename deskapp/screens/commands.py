"""Command palette (ctrl+p): go to any ticket, open or closed, by number or tenant."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider

from ..models import Tenant, Ticket
from ..services import DeskError
from ..services.validate import MAX_ID
from ..views import safe_text, service_name, state_label


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
                # a Text, not a str: the palette reads a str prompt as markup ([/red])
                yield Hit(score, Text(label), partial(self._open, ticket_id), text=label)

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

        self.app.push_screen(TicketDetailScreen(ticket_id))
