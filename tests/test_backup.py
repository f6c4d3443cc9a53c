"""deskapp backup: a consistent copy while others work, and restoring it (README)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest

from deskapp.db import open_database
from deskapp.models import Audit, Ticket, database

from .conftest import PG_URL
from .test_cli import counts  # noqa: F401  (fixtures below come from test_cli)
from .test_cli import cli, env  # noqa: F401


def test_backup_while_another_session_writes(cli, db_url, tmp_path):  # noqa: F811
    assert cli("--db", db_url, "init", "--demo").code == 0
    # another session (its own process, as on the desk) writing all the while
    script = (
        "import sys, time\n"
        "from deskapp.clock import Clock\n"
        "from deskapp.db import open_database\n"
        "from deskapp.services import Desk\n"
        "from deskapp.services.tickets import NewTicket, open_ticket\n"
        "db = open_database(sys.argv[1])\n"
        "desk = Desk.for_login(db, Clock(), 'wangfang')\n"
        "end = time.monotonic() + 4\n"
        "while time.monotonic() < end:\n"
        "    open_ticket(desk, NewTicket(service='mail', location='3F'))\n"
        "print('ok')\n")
    writer = subprocess.Popen([sys.executable, "-c", script, db_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    run = cli("--db", db_url, "backup", tmp_path / "copy.db", "--json")
    out, err = writer.communicate(timeout=60)
    assert out.strip() == "ok", err      # the writer was never locked out
    assert run.code == 0, run.err
    path = run.json["path"]
    if PG_URL:
        restore_postgres(path)
        return
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tickets = copy.execute("SELECT count(*) FROM ticket").fetchone()[0]
        # every ticket in the copy is whole: its open event and targets came with it
        assert copy.execute("SELECT count(*) FROM ticket WHERE id NOT IN "
                            "(SELECT ticket_id FROM ticket_event)").fetchone()[0] == 0
        assert copy.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 1"
                            ).fetchone()[0] in ("database.backup", "ticket.open")
    assert tickets >= 19  # the demo, and whatever the writer had committed
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    # restoring is using the copy: the desk opens on it as it was
    listed = cli("--db", path, "ticket", "list", "--json")
    assert listed.code == 0 and len(listed.json) >= 17


def restore_postgres(dump: str) -> None:
    """pg_restore into a fresh database, as the README says, and read it back."""
    parsed = urlparse(PG_URL)
    name = "deskapp_restore_test"
    base = ["--host", parsed.hostname, "--port", str(parsed.port or 5432),
            "--username", parsed.username or "postgres"]
    subprocess.run(["dropdb", "--if-exists", *base, name], check=True)
    subprocess.run(["createdb", *base, name], check=True)
    subprocess.run(["pg_restore", "--no-owner", *base, "--dbname", name, dump], check=True)
    db = open_database(PG_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        assert Ticket.select().count() >= 19
        assert Audit.select().where(Audit.action == "database.backup").count() == 1
    finally:
        db.close()
        database.initialize(None)
        subprocess.run(["dropdb", "--if-exists", *base, name], check=True)


def test_backup_never_overwrites_and_is_the_managers(cli, db_url, tmp_path, env):  # noqa: F811
    cli("--db", db_url, "init")
    existing = tmp_path / "there.db"
    existing.write_text("precious")
    run = cli("--db", db_url, "backup", existing)
    assert run.code == 2 and existing.read_text() == "precious"
    env.setenv("DESKAPP_USER", "someone")
    assert cli("--db", db_url, "backup", tmp_path / "other.db").code == 4
    assert not (tmp_path / "other.db").exists()


@pytest.mark.skipif(not PG_URL or shutil.which("pg_dump") is None, reason="PostgreSQL")
def test_pg_dump_is_found():
    assert shutil.which("pg_restore")
