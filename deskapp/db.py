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
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import Database, ImproperlyConfigured, PostgresqlDatabase, SqliteDatabase

from ._drivers import load_postgres_driver
from .models import ALL_MODELS, Audit, Meta, Service, database
from .sla import SEED_CATALOGUE

SCHEMA_VERSION = 7

# How long a write waits for another session's transaction before it gives up (the
# setting busy_timeout, DESKAPP_BUSY_TIMEOUT, in seconds).
DEFAULT_BUSY_TIMEOUT = 5.0

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": int(DEFAULT_BUSY_TIMEOUT * 1000),
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


# -- faults: every way the database can be unusable, as one typed error -------------------

def _unusable(key: str, db: str, detail: str = ""):
    from .services.errors import DatabaseUnusable

    return DatabaseUnusable(key, db=db, detail=detail)


# SQLite's primary result codes (sqlite3.Error.sqlite_errorname) -> fault key
_SQLITE_FAULTS = {
    "SQLITE_BUSY": "fault.locked", "SQLITE_LOCKED": "fault.locked",
    "SQLITE_FULL": "fault.full", "SQLITE_READONLY": "fault.readonly",
    "SQLITE_PERM": "fault.readonly", "SQLITE_NOTADB": "fault.not_a_database",
    "SQLITE_CORRUPT": "fault.corrupt", "SQLITE_CANTOPEN": "fault.cannot_open",
    "SQLITE_IOERR": "fault.io", "SQLITE_PROTOCOL": "fault.locked",
    "SQLITE_IOERR_SHORT_READ": "fault.corrupt",  # the file ends before its pages do
}
# the same by message, for errors that carry no code (and PostgreSQL's words)
_MESSAGE_FAULTS = (
    ("database is locked", "fault.locked"),
    ("lock timeout", "fault.locked"),  # PostgreSQL: lock_timeout, the busy timeout there
    ("database or disk is full", "fault.full"),
    ("no space left", "fault.full"),
    ("readonly database", "fault.readonly"),
    ("read-only", "fault.readonly"),
    ("file is not a database", "fault.not_a_database"),
    ("malformed", "fault.corrupt"),
    ("unable to open database", "fault.cannot_open"),
    ("disk i/o error", "fault.io"),
    ("driver not installed", "fault.pg_driver"),
    ("no module named 'psycopg", "fault.pg_driver"),
    ("could not translate host name", "fault.pg_bad_host"),
    ("name or service not known", "fault.pg_bad_host"),
    ("nodename nor servname", "fault.pg_bad_host"),
    ("failed to resolve host", "fault.pg_bad_host"),
    ("does not exist", None),  # database or role: decided below
    ("password authentication failed", "fault.pg_auth"),
    ("authentication failed", "fault.pg_auth"),
    ("no password supplied", "fault.pg_auth"),
    ("connection refused", "fault.pg_unreachable"),
    ("could not connect", "fault.pg_unreachable"),
    ("connection failed", "fault.pg_unreachable"),
    ("timeout expired", "fault.pg_unreachable"),
    ("server closed the connection", "fault.pg_unreachable"),
    ("connection is closed", "fault.pg_unreachable"),
    ("terminating connection", "fault.pg_unreachable"),
    ("the connection is lost", "fault.pg_unreachable"),
    ("consuming input failed", "fault.pg_unreachable"),
)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _key_of(error: BaseException) -> str | None:
    """The fault one exception names (not its chain), or None."""
    from .services.errors import DatabaseUnusable

    if isinstance(error, DatabaseUnusable):
        return error.key
    name = getattr(error, "sqlite_errorname", None) or ""
    key = _SQLITE_FAULTS.get(name) or _SQLITE_FAULTS.get("_".join(name.split("_")[:2]))
    if key:
        return key
    if isinstance(error, ImproperlyConfigured):
        return "fault.pg_driver"
    text = str(error).lower()
    for needle, key in _MESSAGE_FAULTS:
        if needle in text:
            if key is not None:
                return key
            if "role" in text or "user" in text:
                return "fault.pg_no_role"
            if "database" in text:
                return "fault.pg_no_database"
    if type(error).__module__.startswith("psycopg") and \
            type(error).__name__ == "OperationalError":
        return "fault.pg_unreachable"
    return None


def fault_key(exc: BaseException) -> str | None:
    """Which database fault ``exc`` is (or was caused by), or None when it is not one.

    The whole chain is read: a failed SQLite write rolls back by itself, and the
    rollback peewee then tries reports "cannot rollback - no transaction is active",
    hiding the real cause (SQLITE_FULL) in its ``__context__``.
    """
    return next((key for key in map(_key_of, _chain(exc)) if key), None)


def fault_of(exc: BaseException, db: str = ""):
    """``exc`` as a DatabaseUnusable (the one typed fault), or None if it is not a fault."""
    from .services.errors import DatabaseUnusable
    from .views import safe_text

    for error in _chain(exc):
        if isinstance(error, DatabaseUnusable):
            return error
        key = _key_of(error)
        if key:
            lines = str(error).strip().splitlines()
            return _unusable(key, db, safe_text(lines[0] if lines else type(error).__name__))
    return None


class _Faults:
    """Database methods that raise DatabaseUnusable for a fault, never a driver error."""

    def _where(self) -> str:
        return str(self.database)

    @contextmanager
    def _faults(self):
        try:
            yield
        except Exception as exc:
            fault = fault_of(exc, self._where())
            if fault is None:
                raise
            raise fault from exc

    def connect(self, reuse_if_open=False):
        with self._faults():
            return super().connect(reuse_if_open)

    def execute_sql(self, sql, params=None, *args, **kwargs):
        with self._faults():
            return super().execute_sql(sql, params, *args, **kwargs)

    def begin(self, *args, **kwargs):
        with self._faults():
            return super().begin(*args, **kwargs)

    def commit(self):
        with self._faults():
            return super().commit()

    def rollback(self):
        conn = None if self.is_closed() else self._state.conn
        if conn is not None and getattr(conn, "in_transaction", True) is False:
            return  # SQLite already rolled back by itself (SQLITE_FULL, SQLITE_BUSY…)
        with self._faults():
            return super().rollback()


class DeskSqliteDatabase(_Faults, SqliteDatabase):
    def _set_pragmas(self, conn):
        cursor = conn.cursor()
        for pragma, value in self._pragmas:
            try:
                cursor.execute("PRAGMA %s = %s;" % (pragma, value))
            except sqlite3.OperationalError as exc:
                # a read-only file: its readers still work (WAL stays as init set it)
                if pragma == "journal_mode" and fault_key(exc) == "fault.readonly":
                    continue
                raise
        cursor.close()


class DeskPostgresqlDatabase(_Faults, PostgresqlDatabase):
    pass


def check_sqlite_path(path: Path, *, create: bool) -> None:
    """Refuse a path no SQLite file can live at, with the reason, before opening it."""
    where = str(path)
    if path.is_dir():
        raise _unusable("fault.is_directory", where)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise _unusable("fault.parent_not_dir", where, str(parent))
            break
    if not path.exists():
        if not create:
            raise _unusable("fault.missing", where)
        existing = next((p for p in path.parents if p.exists()), path.parent)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable("fault.unwritable_dir", where, str(existing)) from exc
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise _unusable("fault.unwritable_dir", where, str(existing))


def make_database(url: str, busy_timeout: float | None = None) -> Database:
    url = normalise_url(url)
    parsed = urlparse(url)
    timeout = DEFAULT_BUSY_TIMEOUT if busy_timeout is None else max(0.0, busy_timeout)
    if parsed.scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not path:
            raise BadDatabaseURL(url)
        if path != ":memory:":
            check_sqlite_path(Path(path).expanduser(), create=True)
            path = str(Path(path).expanduser())
        pragmas = dict(SQLITE_PRAGMAS, busy_timeout=int(timeout * 1000))
        return DeskSqliteDatabase(path, pragmas=pragmas, lock_type="IMMEDIATE",
                                  check_same_thread=False, timeout=timeout)
    if parsed.scheme in ("postgres", "postgresql"):
        try:
            port = parsed.port
        except ValueError:
            raise BadDatabaseURL(url) from None
        try:
            load_postgres_driver()  # only now: SQLite sessions never pay for psycopg
        except ImportError:
            raise _unusable("fault.pg_driver", describe(url)) from None
        return DeskPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=port,
            prefer_psycopg3=True,
            connect_timeout=max(1, int(timeout)),
            # a row another session holds is waited for as long as SQLite's busy timeout
            options=f"-c lock_timeout={int(timeout * 1000)}",
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
    if path is None:
        return
    check_sqlite_path(path, create=True)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SQLITE_FILE_MODE)
    except OSError as exc:
        raise _unusable("fault.unwritable_dir", str(path), str(path.parent)) from exc
    try:
        os.fchmod(fd, SQLITE_FILE_MODE)
    finally:
        os.close(fd)


def open_database(url: str | None, busy_timeout: float | None = None) -> Database:
    """Bind the models to the database at ``url`` (thread-local connections)."""
    db = make_database(normalise_url(url), busy_timeout)
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


def _migrate_2_to_3(db: Database) -> None:
    """ticket.ref: a client's own key, unique where given (``ticket add --ref``), so a
    script killed after its ticket committed but before it printed the id can retry."""
    from playhouse.migrate import SchemaMigrator, migrate
    from peewee import CharField

    from .models import Ticket

    migrator = SchemaMigrator.from_database(db)
    table = Ticket._meta.table_name
    migrate(
        migrator.add_column(table, "ref", CharField(null=True)),
        migrator.add_index(table, ("ref",), unique=True),
    )


def _migrate_3_to_4(db: Database) -> None:
    """The audit as a hash chain (audit.hash) and, on PostgreSQL, the session's database
    role on every row (audit.db_role, stamped by a trigger). The rows already there are
    chained in id order, the append-only triggers lifted for that moment alone."""
    from playhouse.migrate import SchemaMigrator, migrate
    from peewee import CharField

    from .services.audit import row_hash

    table = Audit._meta.table_name
    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column(table, "hash", CharField(null=True)),
            migrator.add_column(table, "db_role", CharField(null=True)))
    sqlite = is_sqlite(db)
    if sqlite:
        for op in ("update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    else:
        db.execute_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    mark = "?" if sqlite else "%s"
    previous = None
    rows = db.execute_sql(f"SELECT id, at, actor, action, entity, entity_id, detail "
                          f"FROM {table} ORDER BY id").fetchall()
    for row_id, at, actor, action, entity, entity_id, detail in rows:
        previous = row_hash(previous, at, actor, action, entity, entity_id, detail, None)
        db.execute_sql(f"UPDATE {table} SET hash = {mark} WHERE id = {mark}",
                       (previous, row_id))
    if not sqlite:
        db.execute_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    _protect_audit(db)


def _migrate_4_to_5(db: Database) -> None:
    """The tenant registry: tenant.status, deposit_fen and search, and the tables of
    units, contacts and signatories. Each tenant keeps its name, lease and the columns
    the queue reads; its ';'-separated units become unit rows and its contact the first
    contact row. Everyone already there is ``active``. A unit two tenants both listed
    (nothing refused that before) stays with the first of them (by id); the other's
    claim is kept as released history. Units already held have no ``since`` (held
    since before the registry)."""
    from .models import Tenant, TenantContact, TenantSignatory, TenantUnit
    from .services.tenants import refresh_mirror, split_unit

    table = Tenant._meta.table_name
    # ADD COLUMN .. NOT NULL DEFAULT, not playhouse's add_column: on SQLite that rebuilds
    # the table to add NOT NULL, and dropping the old tenant table fails the foreign key
    # every ticket holds to it
    for column, kind, default in (("status", "VARCHAR(255)", "'active'"),
                                  ("deposit_fen", "BIGINT", "0"), ("search", "TEXT", "''")):
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind} NOT NULL '
                       f"DEFAULT {default}")
    db.execute_sql(f'CREATE INDEX "{table}_status" ON "{table}" ("status")')
    db.create_tables([TenantUnit, TenantContact, TenantSignatory])
    from .clock import Clock

    now = Clock().now()  # a migration runs without a desk: the moment of the upgrade
    held: dict[str, int] = {}
    for tenant in Tenant.select().order_by(Tenant.id):
        for position, unit in enumerate(dict.fromkeys(tenant.unit_list)):
            floor, room = split_unit(unit)
            taken = unit in held
            TenantUnit.create(tenant=tenant, unit=unit, floor=floor, room=room,
                              position=position, since=None,
                              released_at=now if taken else None)
            held.setdefault(unit, tenant.id)
        if tenant.contact or tenant.phone:
            TenantContact.create(tenant=tenant, name=tenant.contact, phone=tenant.phone)
        refresh_mirror(tenant)


def _migrate_5_to_6(db: Database) -> None:
    """The tenants' life at the desk: visits, move-in and move-out records, keys, meters,
    signage, fit-out, passes, mail and letters — new tables only (models.ADDED_IN[6])."""
    from .models import ADDED_IN

    db.create_tables(ADDED_IN[6])
    _booking_constraints(db)


def _migrate_6_to_7(db: Database) -> None:
    """Billing (issue 9): notices, payments, approvals, month-end, parking and postal
    tables (models.ADDED_IN[7]), and a flag on meter readings far off the usual."""
    from playhouse.migrate import SchemaMigrator, migrate

    from .models import ADDED_IN, MeterReading

    db.create_tables(ADDED_IN[7])
    # a database older than 6 got meter_reading from this program's model, columns and all
    have = {column.name for column in db.get_columns("meter_reading")}
    migrator = SchemaMigrator.from_database(db)
    migrate(*(migrator.add_column("meter_reading", name, field)
              for name, field in (("flag", MeterReading.flag), ("note", MeterReading.note))
              if name not in have))


# Upgrades from version N to N+1, each a function of the database (playhouse.migrate).
MIGRATIONS: dict[int, callable] = {1: _migrate_1_to_2, 2: _migrate_2_to_3,
                                   3: _migrate_3_to_4, 4: _migrate_4_to_5,
                                   5: _migrate_5_to_6, 6: _migrate_6_to_7}


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
            _booking_constraints(db)
            _set_schema_version()
            created = 1
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](db)
            _set_schema_version()
        seeded = seed_catalogue()
        from .services.prices import seed_prices  # the published list (only missing codes)

        seed_prices()
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
        # row triggers do not see TRUNCATE: a statement trigger refuses it
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION deskapp_audit_append_only()"
        )
        # who wrote a row is the database's word, not the program's
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION deskapp_audit_stamp() RETURNS trigger AS $$ "
            "BEGIN NEW.db_role := current_user; RETURN NEW; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {table}_stamp BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION deskapp_audit_stamp()"
        )


BOOKING_NO_OVERLAP = "booking_no_overlap"


def _booking_constraints(db: Database) -> None:
    """No double booking, ever (issue 8): on PostgreSQL the database itself refuses two
    confirmed bookings of one resource whose [starts_at, block_until) ranges overlap (an
    exclusion constraint; btree_gist lets ``=`` on the resource share the gist index).
    SQLite has no such constraint: there the check runs inside the IMMEDIATE write
    transaction, which serialises every writer (services/bookings.py)."""
    if is_sqlite(db):
        return
    from .models import Booking

    table = Booking._meta.table_name
    db.execute_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
    db.execute_sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {BOOKING_NO_OVERLAP}")
    db.execute_sql(
        f"ALTER TABLE {table} ADD CONSTRAINT {BOOKING_NO_OVERLAP} EXCLUDE USING gist "
        f"(resource_id WITH =, int8range(starts_at, block_until) WITH &&) "
        f"WHERE (state = 'confirmed')"
    )


OWNER_ROLE = "deskapp_owner"   # owns the tables; nobody logs in as it
STAFF_ROLE = "deskapp_staff"   # every staff login is a member (README: PostgreSQL roles)


def grant_roles(db: Database) -> dict[str, object]:
    """PostgreSQL: the tables and the audit's functions belong to a role nobody logs in
    as; staff logins (members of deskapp_staff) may read and write the desk's tables,
    but only INSERT into the audit (no UPDATE, DELETE, TRUNCATE; and not being owners,
    no ALTER TABLE … DISABLE TRIGGER). Needs a superuser or CREATEROLE; otherwise it
    says why it did nothing."""
    if is_sqlite(db):
        return {"roles": "sqlite"}
    allowed = db.execute_sql("SELECT rolsuper OR rolcreaterole FROM pg_roles "
                             "WHERE rolname = current_user").fetchone()
    if not allowed or not allowed[0]:
        return {"roles": "skipped: needs a superuser or CREATEROLE"}
    tables = [model._meta.table_name for model in ALL_MODELS]
    audit = Audit._meta.table_name
    with db.atomic():
        for role in (OWNER_ROLE, STAFF_ROLE):
            db.execute_sql(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
                f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$")
        db.execute_sql(f"GRANT USAGE ON SCHEMA public TO {STAFF_ROLE}")
        for table in tables:
            db.execute_sql(f'ALTER TABLE "{table}" OWNER TO {OWNER_ROLE}')
            db.execute_sql(f'REVOKE ALL ON "{table}" FROM {STAFF_ROLE}')
            rights = "SELECT, INSERT" if table == audit else "SELECT, INSERT, UPDATE, DELETE"
            db.execute_sql(f'GRANT {rights} ON "{table}" TO {STAFF_ROLE}')
        for function in ("deskapp_audit_append_only()", "deskapp_audit_stamp()"):
            db.execute_sql(f"ALTER FUNCTION {function} OWNER TO {OWNER_ROLE}")
        db.execute_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public "
                       f"TO {STAFF_ROLE}")
    return {"roles": f"{OWNER_ROLE} owns the tables; {STAFF_ROLE} may only add to the audit"}


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
