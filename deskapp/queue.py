"""The live queue as the dashboard sees it: open tickets, their order and their states.

Pure of Textual: the app runs ``QueueModel.tick`` in one long-lived thread about once a
second and hands the resulting ``QueueUpdate`` to the screen. A tick only reads:

- one cheap query for the change counter (the newest audit id); only when it moved are
  the tickets whose ``change_seq`` is newer read back (a diff, not a reload);
- states move with time alone, so each row carries the moments it turns near and
  breached, kept in a heap: a quiet tick pops nothing and costs microseconds.

Deadlines themselves are computed when a ticket changes (services), never here.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field

from peewee import JOIN, Database

from .db import change_token, is_sqlite
from .models import Service, Staff, Tenant, Ticket
from .sla import near_lead
from .views import remember_service_names

# The roles whose sessions work one department's share of the queue (the engineering
# office opens on it, and hears only its alerts).
DEPARTMENT_OF_ROLE = {"engineering": "engineering", "security": "security"}

# On PostgreSQL concurrent transactions may commit out of id order; re-reading a few
# ids back makes a late commit visible on the next tick instead of never.
PG_LOOKBACK = 1000  # the same window as db.change_token on PostgreSQL


@dataclass(frozen=True)
class QueueRow:
    id: int
    tier: str
    tier_rank: int
    state: str
    service: str
    tenant: str
    location: str
    assignee: str  # whom the Who column names: who was sent, else who took the last step
    assigned_to: str  # who was dispatched ("" before)
    department: str  # whose staff work it (engineering, security, desk)
    counter: bool  # served at the counter: never alerts as new
    written: bool  # a complaint that owes a written reply
    last_actor: str  # who took the last step
    cycle: int  # 1, then 2… after each reopen
    opened_ts: float
    due_ts: float | None
    near_ts: float | None
    late: bool
    moved_up_ts: float | None
    provisional: bool
    version: int
    search: str

    @property
    def sort_key(self) -> tuple:
        """SPEC §9 order; the latest moved-up ticket leads its tier."""
        return (self.tier_rank,
                self.moved_up_ts is None, -(self.moved_up_ts or 0.0),
                self.due_ts is None, self.due_ts or 0.0,
                self.opened_ts, self.id)

    def status(self, now_ts: float) -> str:
        """ok | near | breached | held, at ``now_ts``."""
        if self.late or (self.due_ts is not None and now_ts >= self.due_ts):
            return "breached"
        if self.state == "on_hold":
            return "held"
        if self.near_ts is not None and now_ts >= self.near_ts:
            return "near"
        return "ok"

    def next_change(self, now_ts: float) -> float | None:
        """When this row's status will next change by time alone."""
        for moment in (self.near_ts, self.due_ts):
            if moment is not None and moment > now_ts and not self.late:
                return moment
        return None


@dataclass(frozen=True)
class Alert:
    ticket_id: int
    # "extra_urgent" | "breached" | "assigned" (dispatched to this session's user)
    # | "resolved" (someone else finished it: customer service answers the tenant)
    kind: str
    row: QueueRow


@dataclass(frozen=True)
class QueueUpdate:
    """What one tick found. The UI may keep these objects: the model never mutates a
    dict or tuple it has handed out, it builds a new one when something changed."""

    rows: dict[int, QueueRow]
    order: tuple[int, ...]
    status: dict[int, str]
    counts: dict[str, int]
    changed: frozenset[int]
    order_changed: bool
    alerts: tuple[Alert, ...]
    now_ts: float
    full: bool = False


# where is_open and change_seq sit in a raw row of QueueModel.query
_OPEN, _SEQ = 16, 17


def _ts(micros: int | None) -> float | None:
    return None if micros is None else micros / 1_000_000


@dataclass
class QueueModel:
    db: Database
    near_percent: int = 20
    near_floors: dict[str, float] = field(default_factory=dict)  # per tier (sla.Profile)
    user: str = ""  # this session's login: a work order sent to them alerts them
    answers: bool = False  # customer service: told when others resolve (有解必答)
    # the engineering or security office: alerted for its own department's work only
    # (it heard every umbrella loan's breach before)
    department: str | None = None
    rows: dict[int, QueueRow] = field(default_factory=dict)
    order: tuple[int, ...] = ()
    status: dict[int, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _keys: list[tuple] = field(default_factory=list)  # sort keys, in queue order
    _token: int = -1
    _seq: int = 0
    _heap: list[tuple[float, int]] = field(default_factory=list)
    _alerted: dict[int, set[tuple[str, object]]] = field(default_factory=dict)
    _services: dict[str, tuple[str, str]] = field(default_factory=dict)
    _service_facts: dict[str, tuple[str, bool]] = field(default_factory=dict)  # dept, counter
    _staff: dict[str, str] = field(default_factory=dict)
    _loaded: bool = False

    # -- reading -------------------------------------------------------------------
    @staticmethod
    def query(where):
        """The columns a queue row is made of, in ``_row``'s order."""
        return (Ticket.select(
            Ticket.id, Ticket.tier, Ticket.tier_rank, Ticket.state, Ticket.service,
            Tenant.name, Ticket.location, Ticket.last_actor, Ticket.assigned_to,
            Ticket.opened_at, Ticket.next_due_at, Ticket.next_start_at, Ticket.late,
            Ticket.moved_up_at, Ticket.provisional, Ticket.version, Ticket.is_open,
            Ticket.change_seq, Ticket.note, Ticket.written, Ticket.cycle)
            .join(Tenant, JOIN.LEFT_OUTER, on=(Ticket.tenant == Tenant.id))
            .where(where))

    def _fetch(self, where) -> list[tuple]:
        """Raw rows: times stay integer microseconds. Converting four time columns of
        10,000 rows to pendulum was 70 % of the first load (bench/bench_tick.py)."""
        sql, params = self.query(where).sql()
        return self.db.execute_sql(sql, params).fetchall()

    def _row(self, record: tuple) -> QueueRow:
        (ticket_id, tier, tier_rank, state, service, tenant, location, last_actor,
         assigned_to, opened, due, start, late, moved, provisional, version, _open, _seq,
         note, written, cycle) = record
        opened_ts = _ts(opened) or 0.0
        due_ts = _ts(due)
        near_ts = None
        if due_ts is not None:
            start_ts = _ts(start) if start is not None else opened_ts
            near_ts = due_ts - near_lead(due_ts - start_ts, self.near_percent,
                                         self.near_floors.get(tier, 0))
        names = self._services.get(service, (service, service))
        department, counter = self._service_facts.get(service, ("desk", False))
        # nobody is "on" a ticket just accepted; after that, who was sent or who did it
        who = assigned_to or ("" if state == "accepted" else last_actor or "")
        search = " ".join([f"#{ticket_id}", service, names[0], names[1], tenant or "",
                           location or "", note or "", who,
                           self._staff.get(who, "")]).lower()
        return QueueRow(
            id=ticket_id, tier=tier, tier_rank=tier_rank, state=state, service=service,
            tenant=tenant or "", location=location or "", assignee=who,
            assigned_to=assigned_to or "", department=department, counter=bool(counter),
            written=bool(written), last_actor=last_actor or "", cycle=cycle,
            opened_ts=opened_ts, due_ts=due_ts, near_ts=near_ts, late=bool(late),
            moved_up_ts=_ts(moved), provisional=bool(provisional), version=version,
            search=search)

    def staff_names(self) -> dict[str, str]:
        return dict(self._staff)

    def _load_names(self) -> None:
        self._staff = dict(Staff.select(Staff.login, Staff.name).tuples())
        rows = list(Service.select(Service.code, Service.name_zh, Service.name_en,
                                   Service.department, Service.counter).tuples())
        self._services = {code: (zh, en) for code, zh, en, _, _ in rows}
        self._service_facts = {code: (dept, bool(counter)) for code, _, _, dept, counter in rows}
        remember_service_names(self._services)

    def _read_all(self) -> None:
        self._load_names()
        token = change_token(self.db)
        rows = {}
        top = 0
        for record in self._fetch(Ticket.is_open == True):  # noqa: E712
            rows[record[0]] = self._row(record)
            top = max(top, record[_SEQ])
        self.rows = rows
        self._keys = sorted(row.sort_key for row in rows.values())
        self._seq = max(top, token)
        self._token = token

    def _read_changes(self, token: int) -> tuple[set[int], set[int]]:
        """(changed or new ids, ids that left the queue), applied to rows and order."""
        since = self._seq if is_sqlite(self.db) else max(0, self._seq - PG_LOOKBACK)
        records = self._fetch(Ticket.change_seq > since)
        self._token = token
        if not records:
            self._seq = max(self._seq, token) if is_sqlite(self.db) else self._seq
            return set(), set()
        rows = dict(self.rows)
        changed, gone = set(), set()
        top = self._seq
        unknown_names = False
        for record in records:
            ticket_id, is_open, seq = record[0], record[_OPEN], record[_SEQ]
            top = max(top, seq)
            old = rows.get(ticket_id)
            if is_open:
                row = self._row(record)
                if old != row:
                    if old is not None:
                        self._unsort(old)
                    rows[ticket_id] = row
                    bisect.insort(self._keys, row.sort_key)
                    changed.add(ticket_id)
                    unknown_names |= row.service not in self._services or bool(
                        row.assignee and row.assignee not in self._staff)
            elif old is not None:
                self._unsort(old)
                del rows[ticket_id]
                gone.add(ticket_id)
        if unknown_names:
            self._load_names()
        self.rows = rows
        self._seq = max(top, token) if is_sqlite(self.db) else top
        return changed, gone

    def _unsort(self, row: QueueRow) -> None:
        key = row.sort_key
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]

    # -- ticking -------------------------------------------------------------------
    def tick(self, now) -> QueueUpdate:
        """Read what changed since the last tick and what time alone changed.

        A quiet tick costs one indexed query and a look at the heap top: no pass over
        the rows (bench/bench_tick.py measures it at 10,000 open tickets).
        """
        now_ts = now.timestamp()
        full = not self._loaded
        gone: set[int] = set()
        if full:
            self._read_all()
            self._loaded = True
            changed = set(self.rows)
        else:
            token = change_token(self.db)
            changed, gone = self._read_changes(token) if token != self._token else (set(), set())
        order_changed = False
        if changed or gone or full:
            order = tuple(key[-1] for key in self._keys)
            order_changed = order != self.order
            self.order = order
        timed = set()
        while self._heap and self._heap[0][0] <= now_ts:
            _, ticket_id = heapq.heappop(self._heap)
            if ticket_id in self.rows:
                timed.add(ticket_id)
        touched = changed | timed
        status_changed = set()
        if touched or gone:
            status = dict(self.status)
            for ticket_id in gone:
                status.pop(ticket_id, None)
            for ticket_id in touched:
                row = self.rows[ticket_id]
                new = row.status(now_ts)
                if status.get(ticket_id) != new:
                    status_changed.add(ticket_id)
                status[ticket_id] = new
                upcoming = row.next_change(now_ts)
                if upcoming is not None:
                    heapq.heappush(self._heap, (upcoming, ticket_id))
            self.status = status
            self.counts = self._count()
        if gone:  # a closed ticket's alert keys go with it: a day-long session stays flat
            for ticket_id in gone:
                self._alerted.pop(ticket_id, None)
        alerts = self._alerts(touched, full, now_ts)
        if len(self._heap) > 4 * max(len(self.rows), 64):
            self._heap = [(ts, i) for ts, i in self._heap if i in self.rows]
            heapq.heapify(self._heap)
        return QueueUpdate(rows=self.rows, order=self.order, status=self.status,
                           counts=self.counts,
                           changed=frozenset(changed | status_changed | gone),
                           order_changed=order_changed or full, alerts=tuple(alerts),
                           now_ts=now_ts, full=full)

    def _count(self) -> dict[str, int]:
        counts = {"extra_urgent": 0, "urgent": 0, "normal": 0, "breached": 0, "near": 0,
                  "provisional": 0}
        for row in self.rows.values():
            counts[row.tier] += 1
            counts["provisional"] += row.provisional
        for state in self.status.values():
            if state in ("breached", "near"):
                counts[state] += 1
        return counts

    def _alerts(self, touched, full, now_ts: float) -> list[Alert]:
        """Once per ticket per event (R-2.7): a ticket new to the queue in the extra-urgent
        tier, and a breach. A breach alerts again only for a new deadline that passes
        (after a resume or reopen); later steps of a ticket already late stay quiet."""
        alerts = []
        for ticket_id in sorted(touched):
            row = self.rows[ticket_id]
            seen = self._alerted.setdefault(ticket_id, set())
            events = []
            theirs = self.department is None or row.department == self.department
            # a counter service's tenant is standing at the desk: no ring as "new"
            if (theirs and row.tier == "extra_urgent" and not row.counter
                    and ("extra_urgent", None) not in seen):
                events.append(("extra_urgent", None))
            if self.user and row.assigned_to == self.user and row.state == "dispatched":
                events.append(("assigned", self.user))
            # a work order coming back done (not a colleague's umbrella loan)
            if (self.answers and row.state == "resolved" and row.assigned_to
                    and row.last_actor != self.user):
                events.append(("resolved", row.cycle))
            if theirs and self.status.get(ticket_id) == "breached":
                live = row.due_ts is not None and now_ts >= row.due_ts
                if live:
                    events.append(("breached", row.due_ts))
                elif not any(kind == "breached" for kind, _ in seen):
                    events.append(("breached", "late"))
            for event in events:
                if event in seen:
                    continue
                seen.add(event)
                if not full:  # what was already on the queue at start-up is not news
                    alerts.append(Alert(ticket_id, event[0], row))
        return alerts
