"""The audit trail as a hash chain: a forged, deleted or reordered row is found.

On SQLite the file is the boundary (everyone who may write it could also drop the
append-only triggers), so each row carries ``hash = sha256(previous hash + the row)``:
``deskapp audit verify`` walks the rows in order and names the first one whose hash
does not follow. On PostgreSQL the same chain runs, and the roles do the rest: staff
may only INSERT into the audit (db.grant_roles).

Rows are chained in id order. SQLite's IMMEDIATE write transactions already run one at
a time; on PostgreSQL a transaction-scoped advisory lock, taken before the previous
hash is read, keeps two writers from chaining onto the same row.
"""

from __future__ import annotations

import hashlib
import json

from peewee import Database

from ..db import is_sqlite
from ..models import Audit
from ..models.base import to_micros

# any constant: the advisory lock every audit append takes on PostgreSQL
_CHAIN_LOCK = 0x6465736B  # "desk"
_SEP = "\x1f"


def row_hash(previous: str | None, at_micros: int, actor: str, action: str, entity: str,
             entity_id: str | None, detail: str, db_role: str | None) -> str:
    text = _SEP.join((previous or "", str(at_micros), actor, action, entity,
                      entity_id or "", detail, db_role or ""))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def append(db: Database, at, actor: str, action: str, entity: str, entity_id: object,
           detail: dict) -> int:
    """Append one audit row, chained to the previous one (inside the caller's
    transaction)."""
    role, head = _chain_head(db)
    return Audit.create(**_row(head, role, at, actor, action, entity, entity_id, detail)).id


def append_many(db: Database, at, actor: str,
                entries: list[tuple[str, str, object, dict]], batch: int = 500) -> None:
    """Append ``(action, entity, entity_id, detail)`` rows in one go, chained in order
    (an import of 5,000 tenants: one head read, inserts in batches)."""
    if not entries:
        return
    role, head = _chain_head(db)
    rows = []
    for action, entity, entity_id, detail in entries:
        rows.append(_row(head, role, at, actor, action, entity, entity_id, detail))
        head = rows[-1]["hash"]
    for start in range(0, len(rows), batch):
        Audit.insert_many(rows[start:start + batch]).execute()


def _chain_head(db: Database) -> tuple[str | None, str | None]:
    """The session's database role (PostgreSQL) and the newest row's hash, the chain
    locked against other writers until the transaction ends."""
    role = None
    if not is_sqlite(db):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_CHAIN_LOCK,))
        role = db.execute_sql("SELECT current_user").fetchone()[0]
    table = Audit._meta.table_name
    head = db.execute_sql(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return role, head[0] if head else None


def _row(previous: str | None, role: str | None, at, actor: str, action: str, entity: str,
         entity_id: object, detail: dict) -> dict:
    text = json.dumps(detail, ensure_ascii=False, default=str)
    entity_text = None if entity_id is None else str(entity_id)
    digest = row_hash(previous, to_micros(at), actor, action, entity, entity_text, text, role)
    return dict(at=at, actor=actor, action=action, entity=entity, entity_id=entity_text,
                detail=text, hash=digest, db_role=role)


def verify(db: Database, chunk: int = 5000) -> dict:
    """Walk the chain: ``{"ok", "rows", "first_broken"}``; ``first_broken`` names the
    first row whose hash does not follow from the one before (a forged row, or the row
    after a deleted one)."""
    table = Audit._meta.table_name
    previous, rows, last_id = None, 0, 0
    while True:
        batch = db.execute_sql(
            f"SELECT id, at, actor, action, entity, entity_id, detail, db_role, hash "
            f"FROM {table} WHERE id > %s ORDER BY id LIMIT %s".replace(
                "%s", "?" if is_sqlite(db) else "%s"), (last_id, chunk)).fetchall()
        if not batch:
            return {"ok": True, "rows": rows, "first_broken": None}
        for (row_id, at, actor, action, entity, entity_id, detail, role, stored) in batch:
            expected = row_hash(previous, at, actor, action, entity, entity_id, detail, role)
            if stored != expected:
                return {"ok": False, "rows": rows, "first_broken": {
                    "id": row_id, "action": action, "actor": actor, "at_micros": at}}
            previous, rows, last_id = stored, rows + 1, row_id
