"""The database cannot be used: exit 5, one clear message, nothing lost, no traceback
(issue 6 §2). Each fault is injected for real: files made read-only, not a database,
cut short; another connection holding the write lock; a page limit for a full disk;
PostgreSQL servers, databases and roles that are not there, and no driver."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import peewee
import pytest

from deskapp import db as dbmod
from deskapp import i18n
from deskapp.models import database

from .conftest import PG_URL
from .test_cli import cli, counts, env  # noqa: F401 - fixtures

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="a fault of SQLite files")


def fault_keys() -> set[str]:
    return {key for key in i18n.catalogue("en") if key.startswith("fault.")}


def test_every_fault_has_one_message_in_both_languages():
    assert fault_keys() == {key for key in i18n.catalogue("zh") if key.startswith("fault.")}
    used = set(dbmod._SQLITE_FAULTS.values()) | {k for _, k in dbmod._MESSAGE_FAULTS if k}
    assert used <= fault_keys()


def assert_fault(run, *words: str) -> None:
    assert run.code == 5, run
    assert run.out == ""
    assert run.err.startswith("deskapp: "), run.err
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    for word in words:
        assert word in run.err, run.err


@pytest.fixture
def made(cli, tmp_path):  # noqa: F811
    """A SQLite database with the demo building, and its path."""
    path = tmp_path / "desk.db"
    assert cli("--db", path, "init", "--demo").code == 0
    database.obj.close()  # as when that process ended: the faults below meet a closed file
    return path


# --- paths that cannot hold a database ------------------------------------------------

def test_a_parent_that_is_a_file(cli, tmp_path):  # noqa: F811
    (tmp_path / "afile").write_text("x")
    assert_fault(cli("--db", tmp_path / "afile" / "desk.db", "init"), "is a file")
    assert_fault(cli("--db", tmp_path / "afile" / "desk.db", "ticket", "list"), "is a file")


def test_a_directory_as_the_path(cli, tmp_path):  # noqa: F811
    for args in (("init",), ("ticket", "list"), ("ticket", "add", "--service", "mail")):
        assert_fault(cli("--db", tmp_path, *args), "is a directory")


def test_a_file_that_is_not_a_database(cli, tmp_path):  # noqa: F811
    path = tmp_path / "notes.db"
    text = "these are my notes, not a database\n" * 100
    path.write_text(text)
    for args in (("init",), ("ticket", "list"), ("ticket", "add", "--service", "mail")):
        assert_fault(cli("--db", path, *args), "not a deskapp database")
    assert path.read_text() == text  # nothing written over it


@pytest.mark.parametrize("keep", [100, 8192])
def test_a_truncated_database(cli, made, keep):  # noqa: F811
    data = made.read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(f"{made}{suffix}").unlink(missing_ok=True)
    made.write_bytes(data[:keep])
    for args in (("ticket", "list"), ("ticket", "add", "--service", "mail")):
        assert_fault(cli("--db", made, *args), "damaged")
    assert made.stat().st_size == keep


# --- read-only: the file, the directory -----------------------------------------------

def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"]


def deskapp(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKAPP_")}
    env.update(DESKAPP_USER="wangfang", LANG="C.UTF-8")
    return subprocess.run([*unprivileged(), sys.executable, "-m", "deskapp.cli",
                           *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=60)


def test_a_read_only_file_lists_but_refuses_writes(made):
    os.chmod(made, 0o444)
    try:
        before = counts(f"sqlite:///{made}")
        listing = deskapp("--db", made, "ticket", "list")
        assert listing.returncode == 0, listing.stderr
        assert "Acme" in listing.stdout
        for args in (("ticket", "add", "--service", "mail"),
                     ("ticket", "step", "1", "resolve"), ("init",)):
            write = deskapp("--db", made, *args)
            assert write.returncode == 5, write
            assert "read-only" in write.stderr and "Traceback" not in write.stderr
        assert counts(f"sqlite:///{made}") == before
    finally:
        os.chmod(made, 0o644)


def test_a_read_only_directory_refuses_init_with_the_reason(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    try:
        for target in (locked / "desk.db", locked / "sub" / "desk.db"):
            run = deskapp("--db", target, "init")
            assert run.returncode == 5, run
            assert "may not write" in run.stderr and str(locked) in run.stderr
            assert "Traceback" not in run.stderr
        assert list(locked.iterdir()) == []
    finally:
        os.chmod(locked, 0o755)


# --- locked past the timeout; a full disk ---------------------------------------------

@sqlite_only
def test_locked_past_the_timeout(cli, made, env):  # noqa: F811
    env.setenv("DESKAPP_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(made, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another session in the middle of a write
    try:
        before = counts(f"sqlite:///{made}")
        assert_fault(cli("--db", made, "ticket", "add", "--service", "mail"), "busy")
        assert_fault(cli("--db", made, "ticket", "step", "1", "resolve"), "busy")
        assert cli("--db", made, "ticket", "list").code == 0  # readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert counts(f"sqlite:///{made}") == before
    assert cli("--db", made, "ticket", "add", "--service", "mail").code == 0


@sqlite_only
def test_a_full_disk_says_so_and_loses_nothing(cli, made, monkeypatch):  # noqa: F811
    with sqlite3.connect(made) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    # the file may not grow: like a disk with no space left
    monkeypatch.setitem(dbmod.SQLITE_PRAGMAS, "max_page_count", pages)
    made_ok = 0
    for _ in range(300):
        run = cli("--db", made, "ticket", "add", "--service", "mail", "--note", "x" * 1500)
        if run.code != 0:
            break
        made_ok += 1
    assert_fault(run, "full")
    assert "rollback" not in run.err  # the real cause, not "cannot rollback"
    monkeypatch.delitem(dbmod.SQLITE_PRAGMAS, "max_page_count")
    with sqlite3.connect(made) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        notes = check.execute("SELECT count(*) FROM ticket WHERE note = ?",
                              ("x" * 1500,)).fetchone()[0]
    assert notes == made_ok  # every reported ticket is there, the refused one is not


# --- PostgreSQL -------------------------------------------------------------------------

def test_postgresql_unreachable_and_bad_host(cli):  # noqa: F811
    assert_fault(cli("--db", "postgresql://desk@127.0.0.1:1/deskapp", "ticket", "list"),
                 "cannot reach")
    assert_fault(cli("--db", "postgresql://desk@no-such-host.invalid/deskapp", "ticket",
                     "list"), "no such database host")


def test_postgresql_driver_missing(cli, monkeypatch):  # noqa: F811
    monkeypatch.setattr(peewee, "psycopg", None)
    monkeypatch.setattr(peewee, "psycopg2", None)
    monkeypatch.setitem(sys.modules, "psycopg", None)   # not installed: import fails
    assert_fault(cli("--db", "postgresql://desk@127.0.0.1/deskapp", "ticket", "list"),
                 "driver", "pip install")


@pytest.mark.skipif(not PG_URL, reason="needs DESKAPP_TEST_DATABASE_URL")
def test_postgresql_unknown_database_role_and_uninitialised(cli, db_url):  # noqa: F811
    server = urlparse(PG_URL)
    base = f"{server.hostname}:{server.port or 5432}"
    assert_fault(cli("--db", f"postgresql://{server.username}@{base}/no_such_db", "ticket",
                     "list"), "does not exist", "no_such_db")
    assert_fault(cli("--db", f"postgresql://no_such_role@{base}/{server.path[1:]}",
                     "ticket", "list"), "does not know this user")
    # db_url is emptied: a database with no deskapp tables yet
    run = cli("--db", db_url, "ticket", "list")
    assert_fault(run, "init", "postgresql://")
    assert "sqlite" not in run.err and ".db" not in run.err.replace(db_url, "")


@pytest.mark.skipif(not PG_URL, reason="needs DESKAPP_TEST_DATABASE_URL")
def test_postgresql_row_locked_past_the_timeout(cli, db_url, env):  # noqa: F811
    assert cli("--db", db_url, "init").code == 0
    tid = cli("--db", db_url, "ticket", "add", "--service", "mail", "--json").json["id"]
    database.obj.close()
    env.setenv("DESKAPP_BUSY_TIMEOUT", "0.3")
    import psycopg

    with psycopg.connect(PG_URL) as holder:
        holder.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (tid,))
        assert_fault(cli("--db", db_url, "ticket", "step", tid, "resolve"), "busy")
    assert cli("--db", db_url, "ticket", "step", tid, "resolve").code == 0


def test_an_unreadable_setting_is_a_message_not_a_traceback(cli, env, tmp_path):  # noqa: F811
    env.setenv("DESKAPP_BUSY_TIMEOUT", "soon")
    run = cli("--db", tmp_path / "desk.db", "ticket", "list")
    assert run.code == 2 and "setting" in run.err and "Traceback" not in run.err
