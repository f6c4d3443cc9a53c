"""What the tenants screen shows, read in the ticker's thread (no Textual here).

The list holds every tenant as a small row (name, units, status, the ``/`` text); a
poll costs one look at the change token, and when another session wrote, only the
tenants its audit rows name are read again — an import of thousands reloads the lot.
The summary beside the list (``summary_lines``) is read for the selected tenant only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .db import change_token, is_sqlite
from .i18n import t
from .models import Audit, Tenant
from .models.records import TENANT_STATUSES
from .views import safe_text
from .widgets.record_list import Row

# on PostgreSQL audit ids are taken before commit: look back over the same window as
# db.change_token, so a transaction committed late is still seen
PG_LOOKBACK = 1000
FULL_RELOAD = 300  # more tenants than this changed at once (an import): read them all

STATUS_RANK = {status: rank for rank, status in enumerate(("moving_out", "incoming",
                                                           "active", "gone"))}
STYLE = {"gone": "dim", "incoming": "new"}


@dataclass
class TenantsUpdate:
    rows: dict[int, Row]
    order: list[int] | None  # None: the order stands (only rows' texts changed)
    full: bool = False
    token: int = 0
    changed: set[int] = field(default_factory=set)


def row_of(record) -> Row:
    tenant_id, name, units, status, search = record
    shown_units = " ".join(u for u in (units or "").split(";") if u)
    return Row(tenant_id, (safe_text(name), safe_text(shown_units),
                           t(f"tenant_status.{status}")),
               search or name.casefold(), STYLE.get(status, ""))


def _sort_key(row: Row, status: str) -> tuple:
    return (STATUS_RANK.get(status, 9), row.cells[0].casefold(), row.id)


class TenantsModel:
    def __init__(self, db) -> None:
        self.db = db
        self.rows: dict[int, Row] = {}
        self.status: dict[int, str] = {}
        self._token: int | None = None
        self._seen = 0  # the newest audit id read

    @staticmethod
    def _query():
        return Tenant.select(Tenant.id, Tenant.name, Tenant.units, Tenant.status, Tenant.search)

    def order(self) -> list[int]:
        return sorted(self.rows, key=lambda i: _sort_key(self.rows[i], self.status[i]))

    def load(self) -> TenantsUpdate:
        token = change_token(self.db)
        self.rows, self.status = {}, {}
        for record in self._query().tuples():
            self.rows[record[0]] = row_of(record)
            self.status[record[0]] = record[3]
        self._token = token
        self._seen = self._newest()
        return TenantsUpdate(dict(self.rows), self.order(), full=True, token=token)

    def _newest(self) -> int:
        value = self.db.execute_sql(f"SELECT max(id) FROM {Audit._meta.table_name}").fetchone()[0]
        return int(value or 0)

    def poll(self) -> TenantsUpdate | None:
        """None while nothing was written; else the rows that changed."""
        if self._token is None:
            return self.load()
        token = change_token(self.db)
        if token == self._token:
            return None
        since = self._seen if is_sqlite(self.db) else max(0, self._seen - PG_LOOKBACK)
        touched = (Audit.select(Audit.entity_id).where(
            (Audit.id > since) & (Audit.entity == "tenant")).distinct()
            .limit(FULL_RELOAD + 1).tuples())
        ids = {int(entity_id) for (entity_id,) in touched if entity_id}
        self._token = token
        if len(ids) > FULL_RELOAD:
            return self.load()
        self._seen = self._newest()
        changed: dict[int, Row] = {}
        reorder = False
        found = set()
        for record in self._query().where(Tenant.id.in_(ids)).tuples() if ids else ():
            tenant_id = record[0]
            found.add(tenant_id)
            row = row_of(record)
            if self.rows.get(tenant_id) != row or self.status.get(tenant_id) != record[3]:
                old = self.rows.get(tenant_id)
                reorder |= (old is None or old.cells[0] != row.cells[0]
                            or self.status.get(tenant_id) != record[3])
                self.rows[tenant_id] = row
                self.status[tenant_id] = record[3]
                changed[tenant_id] = row
        for tenant_id in ids - found:  # deleted (no service deletes, but a restore may)
            if self.rows.pop(tenant_id, None) is not None:
                self.status.pop(tenant_id, None)
                reorder = True
        return TenantsUpdate(changed, self.order() if reorder else None, token=token,
                             changed=set(changed))


def status_counts(status: dict[int, str]) -> dict[str, int]:
    counts = {name: 0 for name in TENANT_STATUSES}
    for value in status.values():
        counts[value] = counts.get(value, 0) + 1
    return counts
