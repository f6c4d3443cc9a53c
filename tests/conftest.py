"""Shared fixtures.

``db_url`` is a fresh database for each test: a SQLite file in tmp_path (thread
workers need a file; an in-memory SQLite is per thread), or, when
DESKAPP_TEST_DATABASE_URL is set (CI sets it), the PostgreSQL database it names, emptied
first. Tests that use ``desk`` therefore run on both.
"""

from __future__ import annotations

import os

import pendulum
import pytest

from deskapp import i18n
from deskapp.clock import FrozenClock
from deskapp.db import ensure_schema, open_database
from deskapp.models import ALL_MODELS, database
from deskapp.services import Desk
from deskapp.services.staff import ensure_first_manager

PG_URL = os.environ.get("DESKAPP_TEST_DATABASE_URL")
TZ = "Asia/Shanghai"
# A working Thursday afternoon, building time.
START = pendulum.datetime(2026, 11, 26, 14, 0, 0, tz=TZ)


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


# Tests in these modules change the schema itself (downgrades, triggers, roles): the test
# after one of them builds the PostgreSQL database anew. Every other test empties it.
REBUILD_AFTER = {"tests.test_schema", "tests.test_audit", "tests.test_bookings"}
_pg = {"reusable": False}


def _pg_reusable(db) -> bool:
    """The schema a fresh ensure_schema makes is all there, at this program's version
    (or with meta emptied: the state ``_pg_empty(db, meta=True)`` leaves)."""
    from deskapp.db import SCHEMA_VERSION, schema_version

    names = {model._meta.table_name for model in ALL_MODELS}
    return names <= set(db.get_tables()) and schema_version(db) in (None, SCHEMA_VERSION)


def _pg_empty(db, meta: bool = False) -> None:
    """Every table emptied (meta but its schema version, unless ``meta``) and its ids
    restarted: dropping and creating 45
    tables with their triggers and constraints for each of ~2,000 tests was most of the
    PostgreSQL run (0.35 s a test; this is 0.02 s). In a superuser's replica session
    neither the audit's append-only triggers nor the foreign keys' fire, so the tables
    empty in any order."""
    tables = [model._meta.table_name for model in ALL_MODELS
              if meta or model._meta.table_name != "meta"]
    sequences = [name for (name,) in db.execute_sql(
        "SELECT relname FROM pg_class WHERE relkind = 'S'").fetchall()]
    with db.atomic():
        db.execute_sql("SET LOCAL session_replication_role = replica")
        db.execute_sql("; ".join(f'DELETE FROM "{table}"' for table in tables))
        if not meta:  # the schema version stays; the number series (seq.*) start again
            db.execute_sql("DELETE FROM meta WHERE key <> 'schema_version'")
        db.execute_sql("; ".join(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences))


@pytest.fixture
def db_url(tmp_path, request):
    if PG_URL:
        db = open_database(PG_URL)
        db.connect(reuse_if_open=True)
        # a test that asks for the schema (db, desk) gets the tables emptied; one that
        # does not (init, the command line, faults) gets them emptied with meta too: no
        # schema version, so to the program it is a database never initialised, as a
        # dropped one is (init creates what is missing, finds the rest, seeds the
        # catalogue) — dropping and creating every table for each of those ~370 tests
        # was a third of the PostgreSQL run
        if _pg["reusable"] and _pg_reusable(db):
            _pg_empty(db, meta="db" not in request.fixturenames)
        else:
            db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
        db.close()
        _pg["reusable"] = request.module.__name__ not in REBUILD_AFTER
        return PG_URL
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def db(db_url):
    db = open_database(db_url)
    ensure_schema(db)
    yield db
    if not db.is_closed():
        db.close()
    database.initialize(None)


@pytest.fixture
def desk(db, clock):
    """The manager at the desk (may do everything)."""
    d = Desk.for_login(db, clock, "wangfang")
    ensure_first_manager(d)
    return d


def as_role(desk: Desk, role: str, login: str = "someone") -> Desk:
    return Desk(db=desk.db, clock=desk.clock, user=login, role=role)
