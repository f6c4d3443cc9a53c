"""What ships and what it patches: the wheel carries styles/, and the compositor patch
applies only to the Textual it was written for."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from textual._compositor import ChopsUpdate

from deskapp.widgets import partial_paint

ROOT = Path(__file__).resolve().parent.parent


def test_partial_paint_replaces_the_method_it_was_written_for(monkeypatch):
    monkeypatch.setattr(ChopsUpdate, "render_segments", partial_paint._original)
    logs: list[str] = []
    assert partial_paint.fingerprint() == partial_paint.WRITTEN_FOR  # the pinned Textual
    assert partial_paint.install(log=logs.append)
    assert ChopsUpdate.render_segments is partial_paint._render_segments
    assert partial_paint.install(log=logs.append)  # idempotent
    assert logs == []


def test_partial_paint_keeps_textuals_own_method_when_textual_changed(monkeypatch):
    monkeypatch.setattr(ChopsUpdate, "render_segments", partial_paint._original)
    monkeypatch.setattr(partial_paint, "WRITTEN_FOR", "0" * 64)  # as after an upgrade
    logs: list[str] = []
    assert not partial_paint.install(log=logs.append)
    assert ChopsUpdate.render_segments is partial_paint._original
    assert len(logs) == 1 and "keeping Textual's own render_segments" in logs[0]


CHECK = """
import asyncio, sys
import deskapp
from deskapp.app import DeskApp
from deskapp.config import Settings
from deskapp.clock import Clock
from deskapp.db import ensure_schema, open_database
from deskapp.services import Desk
assert deskapp.__file__.startswith(sys.argv[1]), deskapp.__file__
url = "sqlite:///" + sys.argv[2]
db = open_database(url)
ensure_schema(db)
app = DeskApp(Desk.for_login(db, Clock(), "wangfang"), Settings(database_url=url),
              auto_tick=False)
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = app.screen.query_one("#colheader")
        print(app.CSS_PATH, header.styles.text_style.bold)
asyncio.run(main())
"""


@pytest.mark.slow
def test_a_wheel_install_finds_its_stylesheet(tmp_path):
    """styles/ lives at the top of the repository; the wheel must still carry it."""
    out = tmp_path / "wheel"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                            str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    wheel = next(out.glob("deskapp-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "deskapp/styles/desk.tcss" in names
    packages = {str(p.parent.relative_to(ROOT)) + "/__init__.py"
                for p in (ROOT / "deskapp").rglob("__init__.py")}
    assert packages <= names, packages - names  # every subpackage is listed in pyproject
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                              "--target", str(target), str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "DESKAPP_USER": "wangfang"}
    env.pop("NO_COLOR", None)
    run = subprocess.run([sys.executable, "-c", CHECK, str(target), str(tmp_path / "d.db")],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    css_path, bold = run.stdout.split()
    assert Path(css_path).is_relative_to(target) and bold == "True"
