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


@pytest.fixture
def db_url(tmp_path):
    if PG_URL:
        db = open_database(PG_URL)
        db.connect(reuse_if_open=True)
        db.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
        db.close()
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
