"""What the audit can prove: a hash chain on every database, and on PostgreSQL roles
that let staff add to the audit and nothing else (issue: trust)."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlparse

import pytest

from deskapp.db import grant_roles
from deskapp.models import Audit
from deskapp.services import tickets as svc
from deskapp.services.audit import verify

from .conftest import PG_URL
from .test_cli import cli, counts, env  # noqa: F401  (the CLI fixtures)


def some_history(desk) -> None:
    for place in ("3F", "5F", "7F"):
        ticket = svc.open_ticket(desk, svc.NewTicket(service="mail", location=place))
        svc.step(desk, ticket.id, "resolve")


def unprotected(db, sql: str, params=()) -> None:
    """What someone who can write the database file (or owns the tables) could do."""
    if PG_URL:
        db.execute_sql("ALTER TABLE audit DISABLE TRIGGER USER")
        db.execute_sql(sql.replace("?", "%s"), params)
        db.execute_sql("ALTER TABLE audit ENABLE TRIGGER USER")
    else:
        db.execute_sql("DROP TRIGGER audit_no_update")
        db.execute_sql("DROP TRIGGER audit_no_delete")
        db.execute_sql(sql, params)


def test_an_intact_trail_verifies(desk, db, db_url, cli):  # noqa: F811
    some_history(desk)
    assert verify(db) == {"ok": True, "rows": Audit.select().count(), "first_broken": None}
    run = cli("--db", db_url, "audit", "verify", "--json")
    assert run.code == 0 and run.json["ok"] and run.json["first_broken"] is None


def test_a_forged_row_is_named(desk, db, db_url, cli):  # noqa: F811
    some_history(desk)
    forged = Audit.select().order_by(Audit.id).offset(3).first()
    unprotected(db, "UPDATE audit SET actor = ? WHERE id = ?", ("someone_else", forged.id))
    run = cli("--db", db_url, "audit", "verify", "--json")
    assert run.code == 1
    assert run.json["first_broken"]["id"] == forged.id
    assert run.json["rows"] == 3                    # the rows before it are intact
    human = cli("--db", db_url, "audit", "verify")
    assert human.code == 1 and f"row {forged.id}" in human.out


def test_a_deleted_row_breaks_the_chain_at_the_next(desk, db, db_url, cli):  # noqa: F811
    some_history(desk)
    rows = list(Audit.select().order_by(Audit.id))
    unprotected(db, "DELETE FROM audit WHERE id = ?", (rows[4].id,))
    run = cli("--db", db_url, "audit", "verify", "--json")
    assert run.code == 1 and run.json["first_broken"]["id"] == rows[5].id


# --- PostgreSQL, where roles are real -------------------------------------------------

pg_only = pytest.mark.skipif(not PG_URL, reason="needs DESKAPP_TEST_DATABASE_URL")
TESTER = "deskapp_test_clerk"


@pg_only
def test_staff_roles_may_add_to_the_audit_and_nothing_else(desk, db, db_url):
    import psycopg

    assert "deskapp_staff" in grant_roles(db)["roles"]
    db.execute_sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                   f"'{TESTER}') THEN CREATE ROLE {TESTER} LOGIN; END IF; END $$")
    db.execute_sql(f"GRANT deskapp_staff TO {TESTER}")
    some_history(desk)
    server = urlparse(PG_URL)
    as_clerk = f"postgresql://{TESTER}@{server.hostname}:{server.port or 5432}{server.path}"

    # the clerk works the desk through the program: its rows carry the database's word
    # for who wrote them
    env = {"DESKAPP_USER": "wangfang", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "deskapp.cli", "--db", as_clerk, "ticket",
                           "add", "--service", "mail", "--location", "9F"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    last = Audit.select().order_by(Audit.id.desc()).first()
    assert (last.action, last.db_role) == ("ticket.open", TESTER)

    with psycopg.connect(as_clerk, autocommit=True) as conn:
        for attack in ("TRUNCATE audit", "DELETE FROM audit",
                       "UPDATE audit SET actor = 'x'",
                       "ALTER TABLE audit DISABLE TRIGGER ALL",
                       "DROP TRIGGER audit_append_only ON audit",
                       "ALTER TABLE audit OWNER TO deskapp_test_clerk"):
            with pytest.raises(psycopg.Error):
                conn.execute(attack)
        # an INSERT naming another role is stamped with the real one
        conn.execute("INSERT INTO audit (at, actor, action, entity, detail, db_role) "
                     "VALUES (0, 'x', 'forged', 'ticket', '{}', 'postgres')")
    forged = Audit.select().order_by(Audit.id.desc()).first()
    assert forged.db_role == TESTER
    assert verify(db)["first_broken"]["id"] == forged.id   # and it is not in the chain


@pg_only
def test_the_owner_role_cannot_be_logged_in_as(db):
    grant_roles(db)
    login = db.execute_sql("SELECT rolcanlogin FROM pg_roles WHERE rolname = "
                           "'deskapp_owner'").fetchone()[0]
    owner = db.execute_sql("SELECT tableowner FROM pg_tables WHERE tablename = 'audit'"
                           ).fetchone()[0]
    assert (login, owner) == (False, "deskapp_owner")
