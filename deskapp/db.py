"""Opening the shared database, creating and upgrading its schema.

One URL: ``sqlite:///path`` (default; a bare path means the same) or
``postgresql://user:pass@host:port/name``. SQLite is tuned for several processes on one
file (WAL, IMMEDIATE write transactions, a busy timeout): measured, two processes doing
read-then-write on one WAL file lost 75–80 % of their transactions to "database is
locked" without IMMEDIATE, and none with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from ._drivers import load_postgres_driver
from .models import ALL_MODELS, Audit, Meta, Service, database
from .sla import SEED_CATALOGUE

SCHEMA_VERSION = 2

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
}


class SchemaTooNew(RuntimeError):
    def __init__(self, found: int) -> None:
        super().__init__(f"schema {found} is newer than this program ({SCHEMA_VERSION})")
        self.found = found


class BadDatabaseURL(ValueError):
    pass


def default_sqlite_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "deskapp" / "desk.db"


def normalise_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def make_database(url: str) -> Database:
    url = normalise_url(url)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not path:
            raise BadDatabaseURL(url)
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            path = str(Path(path).expanduser())
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                              check_same_thread=False)
    if parsed.scheme in ("postgres", "postgresql"):
        load_postgres_driver()  # only now: SQLite sessions never pay for psycopg
        return PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
            prefer_psycopg3=True,
        )
    raise BadDatabaseURL(url)


# Everyone who may write the SQLite file is trusted with the whole desk (README): the
# file, its WAL and its shared-memory file are group-writable for the deskapp group.
SQLITE_FILE_MODE = 0o660


def create_sqlite_file(url: str | None) -> None:
    """Before the first ``init``: the database file, group-writable whatever the umask.
    SQLite gives its -wal and -shm files the database file's mode (and, run as root, its
    owner), so the sessions of every member of the group keep being able to write."""
    path = sqlite_path(url)
    if path is None or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SQLITE_FILE_MODE)
    try:
        os.fchmod(fd, SQLITE_FILE_MODE)
    finally:
        os.close(fd)


def open_database(url: str | None) -> Database:
    """Bind the models to the database at ``url`` (thread-local connections)."""
    db = make_database(normalise_url(url))
    database.initialize(db)
    return db


def describe(url: str | None) -> str:
    """The database for the header: a file name or host/name, never a password."""
    parsed = urlparse(normalise_url(url))
    if parsed.scheme == "sqlite":
        return Path(unquote(normalise_url(url)[len("sqlite:///"):])).name
    return parsed.path.lstrip("/") or (parsed.hostname or "postgresql")


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


def schema_version(db: Database) -> int | None:
    if not db.table_exists(Meta._meta.table_name):
        return None
    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else None


def _migrate_1_to_2(db: Database) -> None:
    """Work orders to people, complaint replies, counter services, service-time holds.

    New columns: service.counter and service.department (filled from the seed for the
    seeded codes), ticket.assigned_to, ticket_event.to_login, target.clock. A complaint's
    1-hour reply was met by "resolve" and its written reply by "answer"; both are now met
    by the reply step (R-2.6), in the catalogue and on the tickets still open.
    """
    from playhouse.migrate import SchemaMigrator, migrate
    from peewee import BooleanField, CharField

    from .models import Target, Ticket, TicketEvent
    from .sla import SERVICE_CLOCK_KINDS

    migrator = SchemaMigrator.from_database(db)
    migrate(
        migrator.add_column(Service._meta.table_name, "counter", BooleanField(default=False)),
        migrator.add_column(Service._meta.table_name, "department",
                            CharField(default="desk")),
        migrator.add_column(Ticket._meta.table_name, "assigned_to", CharField(null=True)),
        migrator.add_column(TicketEvent._meta.table_name, "to_login", CharField(null=True)),
        migrator.add_column(Target._meta.table_name, "clock", CharField(default="wall")),
    )
    seeded = {rule.code: rule for rule in SEED_CATALOGUE}
    new_met_by = {"reply": "reply", "written_reply": "written_reply"}
    for service in Service.select():
        rule = seeded.get(service.code)
        if rule is not None:
            service.counter, service.department = rule.counter, rule.department
        if service.code == "complaint":
            rules = service.target_rules()
            for target in rules:
                target["met_by"] = new_met_by.get(target["name"], target["met_by"])
            service.targets = json.dumps(rules, ensure_ascii=False)
            open_ids = Ticket.select(Ticket.id).where(Ticket.service == "complaint",
                                                      Ticket.is_open == True)  # noqa: E712
            for name, met_by in new_met_by.items():
                (Target.update(met_by=met_by)
                 .where(Target.ticket.in_(open_ids), Target.name == name).execute())
        service.save()
        for target in service.target_rules():
            if target["kind"] not in SERVICE_CLOCK_KINDS:
                continue
            tickets = Ticket.select(Ticket.id).where(Ticket.service == service.code)
            if target["kind"] == "agreed_or_working_days":
                tickets = tickets.where(Ticket.agreed_at.is_null())
            (Target.update(clock="service")
             .where(Target.ticket.in_(tickets), Target.name == target["name"]).execute())


# Upgrades from version N to N+1, each a function of the database (playhouse.migrate).
MIGRATIONS: dict[int, callable] = {1: _migrate_1_to_2}


def ensure_schema(db: Database) -> dict[str, int]:
    """Create or upgrade the schema and seed the catalogue; returns counts for `init`."""
    found = schema_version(db)
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaTooNew(found)
    created = 0
    with db.atomic():
        if found is None:
            db.create_tables(ALL_MODELS, safe=True)
            _protect_audit(db)
            _set_schema_version()
            created = 1
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](db)
            _set_schema_version()
        seeded = seed_catalogue()
    return {"schema_version": SCHEMA_VERSION, "created": created, "services_added": seeded}


def _set_schema_version() -> None:
    # INSERT .. ON CONFLICT DO UPDATE: peewee's replace() is refused by PostgreSQL.
    (Meta.insert(key="schema_version", value=str(SCHEMA_VERSION))
     .on_conflict(conflict_target=[Meta.key], update={Meta.value: str(SCHEMA_VERSION)})
     .execute())


class NoDatabase(RuntimeError):
    """Nothing was created at this URL yet: a mistyped --db must not start a new building."""


def sqlite_path(url: str | None) -> Path | None:
    url = normalise_url(url)
    if not url.startswith("sqlite:///"):
        return None
    path = unquote(url[len("sqlite:///"):])
    return None if path == ":memory:" else Path(path).expanduser()


def check_schema(db: Database) -> None:
    """Refuse a newer schema or a missing one; upgrade an older one."""
    found = schema_version(db)
    if found is None:
        raise NoDatabase()
    if found != SCHEMA_VERSION:
        ensure_schema(db)


def seed_catalogue() -> int:
    added = 0
    for rule in SEED_CATALOGUE:
        if Service.get_or_none(Service.code == rule.code) is None:
            Service.create(
                code=rule.code, name_zh=rule.name_zh, name_en=rule.name_en, tier=rule.tier,
                targets=json.dumps([t.as_dict() for t in rule.targets], ensure_ascii=False),
                tier_chosen=rule.tier_chosen, uses_people=rule.uses_people,
                uses_scope=rule.uses_scope, counter=rule.counter, department=rule.department,
            )
            added += 1
    return added


def _protect_audit(db: Database) -> None:
    """The audit log is append-only in the database itself, not only by convention."""
    table = Audit._meta.table_name
    if is_sqlite(db):
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
            )
    else:
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION deskapp_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit is append-only'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION deskapp_audit_append_only()"
        )


# PostgreSQL: how many ids back a late commit is still noticed by change_token.
TOKEN_WINDOW = 1000


def change_token(db: Database) -> int:
    """A number that moves whenever any session wrote (read cheaply every tick).

    Every write appends an audit row in its transaction. On SQLite (IMMEDIATE writes
    commit one at a time, in id order) the newest audit id is the change counter. On
    PostgreSQL ids are taken before commit, so a transaction holding id 10 may commit
    after id 11 was seen, and ``max(id)`` would not move. There the token is the newest
    id minus the ids still missing among the last TOKEN_WINDOW: it never exceeds the
    newest id, and grows with every committed row, a late one included (the table is
    append-only).
    """
    table = Audit._meta.table_name
    if is_sqlite(db):
        value = db.execute_sql(f"SELECT max(id) FROM {table}").fetchone()[0]
        return int(value or 0)
    top, present = db.execute_sql(
        f"SELECT max(id), count(*) FROM {table} WHERE id > "
        f"(SELECT coalesce(max(id), 0) FROM {table}) - {TOKEN_WINDOW}").fetchone()
    return max(0, int(top or 0) - TOKEN_WINDOW) + int(present)
