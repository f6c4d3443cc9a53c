"""Schema versions: an older database is upgraded, a newer one is refused."""

from __future__ import annotations

from playhouse.migrate import SchemaMigrator, migrate
from peewee import CharField

from deskapp import db as dbmod
from deskapp.cli import main
from deskapp.models import Meta


def _set_version(version: int) -> None:
    Meta.update(value=str(version)).where(Meta.key == "schema_version").execute()


def test_newer_schema_is_refused_with_a_clear_message(db, db_url, capsys, clock):
    _set_version(dbmod.SCHEMA_VERSION + 1)
    code = main(["--db", db_url, "ticket", "list"], clock=clock)
    assert code == 2
    assert "newer deskapp" in capsys.readouterr().err


def test_older_schema_is_migrated_on_open(db, monkeypatch):
    """An upgrade runs the migrations from the stored version to this program's."""
    applied = []

    def add_colour(database):
        migrator = SchemaMigrator.from_database(database)
        migrate(migrator.add_column("staff", "colour", CharField(default="")))
        applied.append(1)

    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(dbmod.MIGRATIONS, 1, add_colour)
    _set_version(1)
    dbmod.check_schema(db)
    assert applied == [1]
    assert dbmod.schema_version(db) == 2
    columns = {c.name for c in db.get_columns("staff")}
    assert "colour" in columns
    dbmod.check_schema(db)  # already current: nothing runs twice
    assert applied == [1]
