"""What the billing screen shows, read in the ticker's thread (no Textual here).

The list holds the tenants whose account is not square (owing first, most overdue at
the top; those in credit last). Every figure comes from ``services/balances.py``, the
one place that says what is owed. A poll costs one look at the change token; when
another session wrote, only the tenants a new payment, notice or decided adjustment
names are read again, and only their lines change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from .db import change_token, is_sqlite
from .i18n import t
from .models import Adjustment, Allocation, Notice, Payment, Tenant
from .money import fen_to_yuan
from .services import balances
from .views import rjust_cells, safe_text
from .widgets.record_list import Row

# on PostgreSQL ids are taken before commit: a row committed late has a lower id than
# one already seen, so each poll looks back this far (db.change_token's window)
PG_LOOKBACK = 1000
NOTICES_SHOWN = 6  # the detail pane's notices: every open one, then the newest paid
WATCHED = (Payment, Allocation, Notice, Adjustment)  # what moves an account
READ_EACH = 8  # more tenants touched at once than this: read every account in one go


def grouped_yuan(fen: int) -> str:
    """Yuan with thousands separators and two decimals, as finance reads a figure on
    screen ("10,300.60"); the JSON form (money.format_yuan) has no separators."""
    return f"{fen_to_yuan(fen):,.2f}" if fen >= 0 else f"-{fen_to_yuan(-fen):,.2f}"


def short_day(day: dt.date) -> str:
    """MM-DD: five cells beside a notice's number or month, which carry the year."""
    return day.strftime("%m-%d")


@dataclass(frozen=True)
class Owing:
    """One tenant's account as the list shows it."""

    tenant_id: int
    name: str
    balance_fen: int  # > 0 owes, < 0 in credit
    overdue_fen: int
    oldest_due: dt.date | None  # the earliest due date of a notice still owed

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.oldest_due).days if self.oldest_due and self.oldest_due < today else 0


@dataclass(frozen=True)
class NoticeView:
    id: int
    number: str
    month: str
    total_fen: int
    balance_fen: int
    due: dt.date  # after an approved deferral


@dataclass
class BillingUpdate:
    rows: dict[int, Row]
    order: list[int] | None  # None: the order stands
    full: bool = False
    changed: set[int] = field(default_factory=set)  # tenants whose figures moved


def owing_of(tenant_id: int, name: str, tz: str, today: dt.date) -> Owing:
    open_dues = [balances.due_date(n) for n in Notice.select().where(Notice.tenant == tenant_id)
                 if balances.outstanding_fen(n, tz) > 0]
    oldest = min(open_dues, default=None)
    # nothing owed is past due: nothing overdue (and its notices need no second reading)
    overdue = balances.overdue_fen(tenant_id, tz, today) if oldest and oldest < today else 0
    return Owing(tenant_id, name, balances.balance_fen(tenant_id), overdue, oldest)


def row_of(owing: Owing, today: dt.date) -> Row:
    days = owing.days_overdue(today)
    if owing.balance_fen <= 0:
        since = t("billing_ui.credit_short")
    elif days:
        since = t("billing_ui.days", n=days)
    else:
        since = short_day(owing.oldest_due) if owing.oldest_due else "—"
    name = safe_text(owing.name)
    return Row(owing.tenant_id, (name, rjust_cells(grouped_yuan(owing.balance_fen), 12), since),
               owing.name.casefold())


def _sort_key(owing: Owing) -> tuple:
    # owing before credit; the oldest due first (most days overdue); then the larger sum
    return (owing.balance_fen <= 0, owing.oldest_due or dt.date.max, -owing.balance_fen,
            owing.name.casefold(), owing.tenant_id)


class BillingModel:
    def __init__(self, desk, today) -> None:
        self.desk, self.db, self.tz = desk, desk.db, desk.profile().timezone
        self._today = today  # () -> the building's date now (the injected clock)
        self.owing: dict[int, Owing] = {}
        self.rows: dict[int, Row] = {}
        self._token: int | None = None
        self._day: dt.date | None = None
        self._seen: dict[str, int] = {}
        self._recent: dict[str, set[int]] = {}
        self._pending: dict[int, int] = {}  # adjustment id -> tenant id, awaiting the GM

    def order(self) -> list[int]:
        return sorted(self.owing, key=lambda i: _sort_key(self.owing[i]))

    # -- reading -------------------------------------------------------------------------
    def _everyone(self) -> dict[int, Owing]:
        """Every account, read per table (payments.balances: a handful of queries for
        thousands of tenants, where balances.py per tenant took 20 ms each)."""
        from .services.payments import balances as accounts

        return {row.tenant_id: Owing(row.tenant_id, row.name, row.balance_fen,
                                     row.overdue_fen, row.oldest_due)
                for row in accounts(self.desk)}

    def _some(self, tenant_ids: set[int]) -> dict[int, Owing]:
        """These tenants' accounts, from balances.py (what a payment just moved)."""
        today = self._today()
        return {tid: owing_of(tid, name, self.tz, today) for tid, name in
                Tenant.select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids)).tuples()}

    def load(self) -> BillingUpdate:
        self._token = change_token(self.db)
        self._day = self._today()
        for model in WATCHED:
            self._mark_seen(model)
        self._pending = dict(Adjustment.select(Adjustment.id, Adjustment.tenant)
                             .where(Adjustment.state == "pending").tuples())
        self.owing = {tid: o for tid, o in self._everyone().items() if o.balance_fen != 0}
        today = self._today()
        self.rows = {tid: row_of(o, today) for tid, o in self.owing.items()}
        return BillingUpdate(dict(self.rows), self.order(), full=True, changed=set(self.rows))

    def _mark_seen(self, model) -> None:
        name = model._meta.table_name
        top = int(model.select(fn.MAX(model.id)).scalar() or 0)
        self._seen[name] = top
        self._recent[name] = set() if is_sqlite(self.db) else {
            rid for (rid,) in model.select(model.id).where(model.id > top - PG_LOOKBACK).tuples()}

    def _take_new(self, model) -> list[tuple[int, int]]:
        """The rows of ``model`` committed since the last look (PostgreSQL's late
        commits included), as (id, tenant id)."""
        name = model._meta.table_name
        seen = self._seen[name]
        since = seen if is_sqlite(self.db) else max(0, seen - PG_LOOKBACK)
        recent = self._recent[name]
        query = (model.select(model.id, Payment.tenant).join(Payment) if model is Allocation
                 else model.select(model.id, model.tenant))
        found = [(rid, tid) for rid, tid in query.where(model.id > since).tuples()
                 if rid not in recent]
        if found:
            self._seen[name] = max(seen, max(rid for rid, _ in found))
        if not is_sqlite(self.db):
            floor = self._seen[name] - PG_LOOKBACK
            recent.update(rid for rid, _ in found)
            recent.difference_update({rid for rid in recent if rid <= floor})
        return found

    def poll(self) -> BillingUpdate | None:
        """None while nothing about money was written; else the lines that changed."""
        if self._token is None or self._today() != self._day:
            return self.load()  # a new day: every "days overdue" moved
        token = change_token(self.db)
        if token == self._token:
            return None
        self._token = token
        # a payment, a notice, credit applied to a new notice (allocations alone)
        touched = {tid for model in (Payment, Allocation, Notice)
                   for _rid, tid in self._take_new(model)}
        # a request changes no figure until the GM decides it: watch the pending ones
        self._pending.update(self._take_new(Adjustment))
        if self._pending:
            for aid, tid in (Adjustment.select(Adjustment.id, Adjustment.tenant)
                             .where(Adjustment.id.in_(list(self._pending)),
                                    Adjustment.state != "pending").tuples()):
                del self._pending[aid]
                touched.add(tid)
        return self.refresh(touched) if touched else None

    def refresh(self, tenant_ids: set[int]) -> BillingUpdate:
        """Read these tenants again; the lines whose figures moved come back."""
        if len(tenant_ids) > READ_EACH:  # a billing run, an import: everyone at once
            fresh = self._everyone()
            fresh.update({tid: None for tid in tenant_ids - fresh.keys()})
        else:
            fresh = self._some(tenant_ids)
        today = self._today()
        changed: dict[int, Row] = {}
        reorder = False
        for tid, owing in fresh.items():
            old = self.owing.get(tid)
            if owing == old:
                continue
            if owing is None or owing.balance_fen == 0:  # square now: off the list
                if old is not None:
                    del self.owing[tid]
                    del self.rows[tid]
                    reorder = True
                continue
            reorder |= old is None or _sort_key(old) != _sort_key(owing)
            self.owing[tid] = owing
            self.rows[tid] = changed[tid] = row_of(owing, today)
        return BillingUpdate(changed, self.order() if reorder else None,
                             changed=set(changed) | tenant_ids)

    # -- the selected tenant --------------------------------------------------------------
    def notices(self, tenant_id: int) -> list[NoticeView]:
        """The tenant's notices still owed, then the newest paid, oldest month first."""
        views = [NoticeView(n.id, n.number, n.month, n.total_fen,
                            balances.outstanding_fen(n, self.tz), balances.due_date(n))
                 for n in Notice.select().where(Notice.tenant == tenant_id)
                 .order_by(Notice.month.desc(), Notice.id.desc())]
        open_ = [v for v in views if v.balance_fen > 0]
        paid = [v for v in views if v.balance_fen <= 0][:max(0, NOTICES_SHOWN - len(open_))]
        return sorted(open_ + paid, key=lambda v: (v.month, v.id))

    @staticmethod
    def statement_tail(desk, tenant_id: int, count: int) -> list:
        """The last payments, waivers and deferrals of the tenant's statement
        (payments.statement's lines, running balance and all); its notices are listed
        above them already."""
        from .services.payments import statement

        return [line for line in statement(desk, tenant_id) if line.kind != "notice"][-count:]


def month_after(month: str, step: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + step
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def allocation(notices: list[NoticeView], amount_fen: int) -> tuple[list[tuple[NoticeView, int]], int]:
    """What a payment of ``amount_fen`` will pay, oldest notice first (the rule of
    payments.record_payment: due date after any deferral, then number), and the credit
    left over: what the confirm states before anything is written."""
    paid, left = [], amount_fen
    for notice in sorted(notices, key=lambda v: (v.due, v.number)):
        if left <= 0:
            break
        if notice.balance_fen > 0:
            part = min(left, notice.balance_fen)
            paid.append((notice, part))
            left -= part
    return paid, left
