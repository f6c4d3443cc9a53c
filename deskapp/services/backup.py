"""A consistent copy of the whole desk while everyone keeps working (``deskapp backup``).

SQLite: the online backup API copies the whole file in one step inside one read
transaction; in WAL mode a reader blocks no writer, so sessions keep writing and the
copy is the database as of one moment (a stepwise copy restarts whenever another
connection writes, and under a busy desk might never finish); the copy is
written beside its destination and renamed into place, so a failed backup never leaves
a half file under the name. PostgreSQL: ``pg_dump --format=custom`` (its own snapshot
is consistent); restore with ``pg_restore`` (README).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from ..db import is_sqlite
from .context import Desk
from .errors import InvalidInput

BACKUP_MODE = 0o600  # everything the desk knows: readable by whoever took it


def backup(desk: Desk, destination: str, url: str) -> dict:
    desk.require("database.backup")
    target = Path(destination).expanduser()
    if target.exists():
        raise InvalidInput("error.backup_exists", path=str(target))
    if not target.parent.is_dir():
        raise InvalidInput("error.backup_no_dir", path=str(target.parent))
    with desk.db.atomic():  # on record before the copy, so the copy holds its own line
        desk.audit("database.backup", "database", None, path=str(target))
    if is_sqlite(desk.db):
        return _sqlite(desk, target)
    return _postgres(target, url)


def _sqlite(desk: Desk, target: Path) -> dict:
    partial = target.with_name(f".{target.name}.partial")
    source = desk.db.connection()
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy)
        copy.execute("PRAGMA journal_mode=delete")  # one self-contained file
    finally:
        copy.close()
    os.chmod(partial, BACKUP_MODE)
    os.replace(partial, target)
    return {"path": str(target), "bytes": target.stat().st_size, "method": "sqlite-backup"}


def _postgres(target: Path, url: str) -> dict:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise InvalidInput("error.backup_no_pg_dump")
    parsed = urlparse(url)
    partial = target.with_name(f".{target.name}.partial")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password  # never on the command line (ps shows it)
    command = [pg_dump, "--format=custom", "--no-owner", "--file", str(partial)]
    for flag, value in (("--host", parsed.hostname), ("--port", parsed.port),
                        ("--username", parsed.username)):
        if value:
            command += [flag, str(value)]
    command.append(parsed.path.lstrip("/"))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise InvalidInput("error.backup_failed", detail=done.stderr.strip()[-300:])
    os.chmod(partial, BACKUP_MODE)
    os.replace(partial, target)
    return {"path": str(target), "bytes": target.stat().st_size, "method": "pg_dump"}
