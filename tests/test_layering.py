"""calendar, sla, money, models, services and db never import Textual (DESIGN.md).

Headless commands and cron jobs must not pay for (or depend on) the TUI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import deskapp.models
import deskapp.services

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import importlib, json, pkgutil, sys
import deskapp.models, deskapp.services
names = ["deskapp.calendar", "deskapp.sla", "deskapp.money", "deskapp.db"]
for package in (deskapp.models, deskapp.services):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": names, "textual": loaded}))
"""

_TEXTUAL_IMPORT = re.compile(r"^\s*(import\s+textual\b|from\s+textual\b)", re.MULTILINE)


def _module_names() -> list[str]:
    names = ["deskapp.calendar", "deskapp.sla", "deskapp.money", "deskapp.db",
             "deskapp.models", "deskapp.services"]
    for package in (deskapp.models, deskapp.services):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return names


def test_headless_modules_do_not_load_textual():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "deskapp.services.tickets" in report["imported"]
    assert "deskapp.models.records" in report["imported"]
    assert report["textual"] == []


def test_headless_sources_do_not_mention_textual_imports():
    offenders = []
    for name in _module_names():
        origin = importlib.util.find_spec(name).origin
        source = Path(origin).read_text(encoding="utf-8")
        if _TEXTUAL_IMPORT.search(source):
            offenders.append(name)
    assert offenders == []


def test_the_scan_would_see_an_import():
    assert _TEXTUAL_IMPORT.search("x = 1\n    from textual.app import App\n")
    assert _TEXTUAL_IMPORT.search("import textual\n")
    assert not _TEXTUAL_IMPORT.search("import textualize_helper\n# textual is for screens\n")


DRIVER_SCRIPT = """
import json, sys
from deskapp.cli import main
code = main(["--db", sys.argv[1], "init"])
code = code or main(["--db", sys.argv[1], "ticket", "add", "--service", "mail", "--location", "3F"])
sqlite_loaded = [m for m in sys.modules if m.partition(".")[0] in ("psycopg", "psycopg2")]
from deskapp.db import make_database
make_database("postgresql://nobody@127.0.0.1:1/nothing")  # builds it, connects to nothing
import peewee
print(json.dumps({"code": code, "sqlite": sqlite_loaded, "pg": "psycopg" in sys.modules,
                  "adapter": peewee.PostgresqlDatabase("x")._adapter.txn_idle is not None}))
"""


def test_sqlite_commands_do_not_load_the_postgresql_driver(tmp_path):
    """psycopg costs ~93 ms and 13.5 MiB per CLI call: only a postgresql:// URL loads it."""
    env = {**os.environ, "DESKAPP_USER": "wangfang", "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", DRIVER_SCRIPT, str(tmp_path / "d.db")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["sqlite"] == []
    assert report["pg"] and report["adapter"]
