"""The headless commands of SPEC §9: names, JSON keys, times, exit codes.

Driven in-process through ``deskapp.cli.main(argv, clock=...)`` with the clock frozen at
Thursday 2026-11-26 14:00 building time, plus real runs of the ``deskapp`` console
script. Runs on SQLite, and on PostgreSQL when DESKAPP_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from deskapp.cli import main
from deskapp.clock import FrozenClock
from deskapp.db import open_database
from deskapp.models import Audit, Service, Staff, Target, Ticket, TicketEvent, database
from deskapp.services import Desk
from deskapp.services.staff import add_staff

from .conftest import START

TICKET_KEYS = {"id", "service", "tier", "state", "tenant", "location", "opened_at",
               "targets", "next_due_at", "breached", "position", "assignee"}
TARGET_KEYS = {"name", "due_at", "met_at", "state", "provisional"}
TARGET_STATES = {"pending", "near", "breached", "met", "paused"}
ACME = "Acme Trading Ltd"  # a tenant of the demo building


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: no DESKAPP_* settings or config files from the machine."""
    for key in list(os.environ):
        if key.startswith("DESKAPP_") and key != "DESKAPP_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    for key in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DESKAPP_USER", "wangfang")
    return monkeypatch


@pytest.fixture
def cli(env, capsys, clock):
    """Run ``deskapp ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: object, frozen: FrozenClock | None = None) -> Run:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args], clock=frozen or clock)
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    yield run
    if database.obj is not None:
        database.obj.close()
    database.initialize(None)


@pytest.fixture
def url(db_url):
    return db_url


@pytest.fixture
def demo(cli, url):
    assert cli("--db", url, "init", "--demo").code == 0
    return url


def counts(url: str) -> tuple[int, int, int, int]:
    db = open_database(url)
    try:
        return (Ticket.select().count(), Target.select().count(),
                TicketEvent.select().count(), Audit.select().count())
    finally:
        db.close()


def local_iso(hour: int, minute: int, second: int = 0) -> str:
    return f"2026-11-26T{hour:02d}:{minute:02d}:{second:02d}+08:00"


def assert_building_time(text: str | None) -> None:
    if text is None:
        return
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() == dt.timedelta(hours=8), text


def assert_ticket_document(doc: dict) -> None:
    assert TICKET_KEYS <= set(doc)
    assert isinstance(doc["id"], int)
    assert isinstance(doc["breached"], bool)
    for key in ("opened_at", "next_due_at"):
        assert_building_time(doc[key])
    for target in doc["targets"]:
        assert set(target) == TARGET_KEYS
        assert target["state"] in TARGET_STATES
        assert isinstance(target["provisional"], bool)
        assert_building_time(target["due_at"])
        assert_building_time(target["met_at"])


# --- init ----------------------------------------------------------------------------


def test_init_demo_then_add_repair(cli, demo):
    run = cli("--db", demo, "ticket", "add", "--service", "repair", "--tier", "extra_urgent",
              "--tenant", ACME, "--location", "8F-805", "--json")
    assert run.code == 0, run.err
    doc = run.json
    assert_ticket_document(doc)
    assert (doc["service"], doc["tier"], doc["state"]) == ("repair", "extra_urgent",
                                                           "accepted")
    assert (doc["tenant"], doc["location"]) == (ACME, "8F-805")
    assert doc["opened_at"] == local_iso(14, 0)
    assert [(t["name"], t["due_at"], t["met_at"], t["state"], t["provisional"])
            for t in doc["targets"]] == [
        ("work_order", local_iso(14, 2), None, "pending", False),   # 2 minutes
        ("on_site", local_iso(14, 5), None, "pending", False),      # 5 minutes
    ]
    assert doc["next_due_at"] == local_iso(14, 2)
    assert doc["breached"] is False
    listing = cli("--db", demo, "ticket", "list", "--json").json
    assert [t["id"] for t in listing].index(doc["id"]) + 1 == doc["position"]


def test_init_json_summary_and_twice_is_harmless(cli, url):
    first = cli("--db", url, "init", "--demo", "--json")
    assert first.code == 0, first.err
    summary = first.json
    assert summary["created"] == 1 and summary["services_added"] == 21
    assert summary["demo_tickets"] > 0
    added = cli("--db", url, "ticket", "add", "--service", "umbrella", "--json").json
    before = counts(url)
    db = open_database(url)
    staff = Staff.select().count()
    db.close()

    for args in (("init", "--json"), ("init", "--demo", "--json")):
        again = cli("--db", url, *args)
        assert again.code == 0, again.err
        assert again.json["created"] == 0
        assert again.json["services_added"] == 0
        assert again.json.get("demo_tickets", 0) == 0
    assert counts(url) == before
    db = open_database(url)
    assert Service.select().count() == 21
    assert Staff.select().count() == staff
    db.close()
    listing = cli("--db", url, "ticket", "list", "--json").json
    assert added["id"] in [t["id"] for t in listing]


# --- ticket add ----------------------------------------------------------------------


@pytest.mark.parametrize("args, names", [
    (("--service", "repair", "--tier", "urgent"), ["work_order", "on_site"]),
    (("--service", "complaint", "--tier", "normal"), ["reply"]),
    (("--service", "complaint", "--tier", "normal", "--written"), ["reply", "written_reply"]),
    (("--service", "umbrella"), ["done"]),
    (("--service", "access_pass", "--people", "3"), ["done"]),
    (("--service", "fitout_approval", "--scope", "systems"), ["done"]),
    (("--service", "phone"), ["done"]),
])
def test_target_names_per_service(cli, url, args, names):
    cli("--db", url, "init")
    run = cli("--db", url, "ticket", "add", *args, "--json")
    assert run.code == 0, run.err
    assert_ticket_document(run.json)
    assert [t["name"] for t in run.json["targets"]] == names


def test_add_due_times_and_tiers_from_the_catalogue(cli, url):
    cli("--db", url, "init")

    def add(*args):
        return cli("--db", url, "ticket", "add", *args, "--json").json

    umbrella = add("--service", "umbrella")
    assert (umbrella["tier"], umbrella["next_due_at"]) == ("extra_urgent", local_iso(14, 5))
    permit = add("--service", "parking_permit")
    assert (permit["tier"], permit["next_due_at"]) == ("urgent", local_iso(14, 10))
    passes = add("--service", "access_pass", "--people", "3")
    assert passes["next_due_at"] == local_iso(14, 6)          # 2 min per person
    complaint = add("--service", "complaint", "--tier", "urgent", "--written")
    assert [t["due_at"] for t in complaint["targets"]] == [
        local_iso(15, 0), "2026-12-01T17:30:00+08:00"]          # 1 h; 3 working days
    phone = add("--service", "phone")
    assert phone["targets"][0]["due_at"] is None and phone["next_due_at"] is None


@pytest.mark.parametrize("at, opened", [
    ("2026-11-26T13:45", local_iso(13, 45)),                 # no offset: building time
    ("2026-11-26 13:45:30", local_iso(13, 45, 30)),
    ("2026-11-26T05:45:00Z", local_iso(13, 45)),             # UTC
    ("2026-11-26T13:45:00+09:00", local_iso(12, 45)),        # Tokyo
])
def test_at_without_offset_is_building_time(cli, url, at, opened):
    cli("--db", url, "init")
    run = cli("--db", url, "ticket", "add", "--service", "mail", "--at", at, "--json")
    assert run.code == 0, run.err
    assert run.json["opened_at"] == opened
    assert_ticket_document(run.json)


def test_back_dated_ticket_can_be_breached_at_once(cli, url):
    cli("--db", url, "init")
    doc = cli("--db", url, "ticket", "add", "--service", "umbrella", "--at",
              "2026-11-26T13:50", "--json").json
    assert doc["next_due_at"] == local_iso(13, 55)
    assert doc["breached"] is True
    assert doc["targets"][0]["state"] == "breached"


def test_human_output_without_json(cli, url):
    cli("--db", url, "init")
    run = cli("--db", url, "ticket", "add", "--service", "umbrella", "--location", "Lobby")
    assert run.code == 0
    assert run.out.startswith("#1") and "Lobby" in run.out
    with pytest.raises(json.JSONDecodeError):
        json.loads(run.out)


# --- ticket list ---------------------------------------------------------------------


def test_list_is_in_queue_order_with_positions(cli, url):
    cli("--db", url, "init")

    def add(*args):
        return cli("--db", url, "ticket", "add", *args, "--json").json["id"]

    mail = add("--service", "mail", "--at", "2026-11-26T13:30")            # normal, 14:30
    cargo = add("--service", "large_item", "--at", "2026-11-26T13:10")     # normal, 14:10
    fix = add("--service", "repair", "--tier", "urgent")                   # urgent, 14:02
    brolly = add("--service", "umbrella")                                  # x-urgent, 14:05
    done = add("--service", "umbrella", "--at", "2026-11-26T13:00")
    assert cli("--db", url, "ticket", "step", done, "resolve").code == 0
    assert cli("--db", url, "ticket", "step", done, "answer").code == 0

    listing = cli("--db", url, "ticket", "list", "--json")
    assert listing.code == 0
    docs = listing.json
    assert isinstance(docs, list)
    assert [d["id"] for d in docs] == [brolly, fix, cargo, mail]
    assert [d["position"] for d in docs] == [1, 2, 3, 4]
    for doc in docs:
        assert_ticket_document(doc)

    everything = cli("--db", url, "ticket", "list", "--all", "--json").json
    assert [d["id"] for d in everything] == [brolly, fix, cargo, mail, done]
    closed = everything[-1]
    assert (closed["state"], closed["position"]) == ("closed", None)


def test_list_empty_queue(cli, url):
    cli("--db", url, "init")
    run = cli("--db", url, "ticket", "list", "--json")
    assert (run.code, run.json) == (0, [])


# --- ticket step ---------------------------------------------------------------------


def test_step_dispatch_json(cli, url, clock):
    cli("--db", url, "init")
    ticket = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
                 "--json").json
    clock.advance(minutes=5)
    run = cli("--db", url, "ticket", "step", ticket["id"], "dispatch", "--at",
              "2026-11-26T14:01", "--json")
    assert run.code == 0, run.err
    doc = run.json
    assert_ticket_document(doc)
    assert (doc["id"], doc["state"]) == (ticket["id"], "dispatched")
    work_order, on_site = doc["targets"]
    assert (work_order["name"], work_order["met_at"], work_order["state"]) == (
        "work_order", local_iso(14, 1), "met")
    assert (on_site["met_at"], on_site["state"]) == (None, "pending")
    assert doc["next_due_at"] == local_iso(14, 15)
    assert doc["position"] == 1


def test_step_through_the_lifecycle(cli, url, clock):
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "parking_permit", "--json").json["id"]

    def step(*args):
        run = cli("--db", url, "ticket", "step", tid, *args, "--json")
        assert run.code == 0, run.err
        return run.json

    clock.advance(minutes=2)
    held = step("hold", "--reason", "tenant fetching the car papers")
    assert (held["state"], held["targets"][0]["state"]) == ("on_hold", "paused")
    clock.advance(minutes=10)
    resumed = step("resume")
    assert resumed["state"] == "accepted"
    assert resumed["next_due_at"] == local_iso(14, 20)       # 10 min due + 10 min paused
    assert step("resolve")["state"] == "resolved"
    closed = step("answer")
    assert (closed["state"], closed["position"]) == ("closed", None)
    reopened = step("reopen", "--reason", "wrong plate number")
    assert reopened["state"] == "accepted"
    assert reopened["next_due_at"] == local_iso(14, 22)     # 10 min from the reopen (14:12)
    cancelled = step("cancel", "--reason", "tenant gave up")
    assert (cancelled["state"], cancelled["position"]) == ("cancelled", None)


# --- bad input: exit 2, a message, nothing written -----------------------------------

BAD_INPUT = [
    (("ticket", "add", "--service", "plumbing"), "unknown service 'plumbing'"),
    (("ticket", "add", "--service", "umbrella", "--at", "26/11/2026 1pm"),
     "not an ISO 8601 time"),
    (("ticket", "add", "--service", "umbrella", "--at", "01/02/2026"), "not an ISO 8601 time"),
    (("ticket", "add", "--service", "umbrella", "--at", "2026-11-26T14:30"), "future"),
    (("ticket", "add", "--service", "umbrella", "--tenant", "Nobody Ltd"), "Nobody Ltd"),
    (("ticket", "add", "--service", "umbrella", "--tier", "normal"), "fixed"),
    (("ticket", "add", "--service", "access_pass", "--people", "0"), "People"),
    (("ticket", "add", "--service", "umbrella", "--people", "3"), "only access passes"),
    (("ticket", "add", "--service", "move_out", "--agreed", "2026-11-01T10:00"), "already past"),
    (("ticket", "add", "--service", "repair", "--tier", "whenever"), "whenever"),
    (("ticket", "add", "--tier", "urgent"), "--service"),
    (("ticket", "step", "{id}", "hold"), "reason is required to hold"),
    (("ticket", "step", "{id}", "hold", "--reason", "  "), "reason is required to hold"),
    (("ticket", "step", "{id}", "cancel"), "reason is required to cancel"),
    (("ticket", "step", "{id}", "dispatch", "--at", "soon"), "not an ISO 8601 time"),
    (("ticket", "step", "{id}", "explode"), "explode"),
    (("ticket", "step", "999", "dispatch"), "no ticket #999"),
    (("ticket", "step", "abc", "dispatch"), "abc"),
]


@pytest.mark.parametrize("args, message", BAD_INPUT,
                         ids=[" ".join(a[1:]) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_and_writes_nothing(cli, url, args, message):
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--json").json["id"]
    before = counts(url)
    run = cli("--db", url, *[a.replace("{id}", str(tid)) for a in args])
    assert run.code == 2
    assert run.out == ""
    assert message in run.err
    assert counts(url) == before


@pytest.mark.parametrize("steps, action", [
    ([], "resume"),
    ([], "reopen"),
    (["dispatch"], "dispatch"),
    (["resolve", "answer"], "arrive"),
    ([], "answer"),  # answering closes: only a resolved ticket (a stray key closes nothing)
])
def test_step_not_allowed_now_exits_3(cli, url, steps, action):
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--json").json["id"]
    for done in steps:
        assert cli("--db", url, "ticket", "step", tid, done).code == 0
    before = counts(url)
    run = cli("--db", url, "ticket", "step", tid, action, "--reason", "because", "--json")
    assert run.code == 3
    assert run.out == ""
    assert "cannot" in run.err and "now" in run.err
    assert counts(url) == before


# --- roles: exit 4 -------------------------------------------------------------------


def test_engineering_staff_may_not_open_or_cancel(cli, url, env):
    cli("--db", url, "init")                       # wangfang becomes the manager
    tid = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--json").json["id"]
    db = open_database(url)
    add_staff(Desk.for_login(db, FrozenClock(START), "wangfang"), "li.gong", "Li Gong",
              "engineering")
    db.close()
    env.setenv("DESKAPP_USER", "li.gong")
    before = counts(url)
    for args in (("ticket", "add", "--service", "repair", "--tier", "urgent"),
                 ("ticket", "step", tid, "cancel", "--reason", "not ours")):
        run = cli("--db", url, *args)
        assert run.code == 4, run.err
        assert "engineering" in run.err
        assert run.out == ""
    assert counts(url) == before
    arrived = cli("--db", url, "ticket", "step", tid, "arrive", "--json")
    assert arrived.code == 0, arrived.err                   # engineering works the order
    assert arrived.json["state"] == "on_site"


def test_an_unknown_login_may_look_but_not_write(cli, url, env):
    cli("--db", url, "init")
    env.setenv("DESKAPP_USER", "someone")
    env.setenv("DESKAPP_DEFAULT_ROLE", "manager")   # an environment variable grants nothing
    before = counts(url)
    run = cli("--db", url, "ticket", "add", "--service", "umbrella")
    assert run.code == 4 and "viewer" in run.err
    assert counts(url) == before
    assert cli("--db", url, "ticket", "list", "--json").code == 0     # looking is fine
    assert cli("--db", url, "setting", "set", "default_role", "desk").code == 4
    env.setenv("DESKAPP_USER", "wangfang")                             # the manager
    assert cli("--db", url, "setting", "set", "default_role", "desk").code == 0
    env.setenv("DESKAPP_USER", "someone")
    assert cli("--db", url, "ticket", "add", "--service", "umbrella").code == 0


def test_a_config_file_cannot_make_anyone_the_manager(cli, url, env, tmp_path):
    cli("--db", url, "init")
    config = tmp_path / "config" / "deskapp"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('default_role = "manager"\nuser = "someone"\n')
    env.delenv("DESKAPP_USER")
    env.setenv("DESKAPP_USER", "someone")
    run = cli("--db", url, "staff", "add", "me", "--name", "Me", "--role", "manager")
    assert run.code == 4


def test_settings_are_the_managers_and_checked(cli, url):
    cli("--db", url, "init")
    assert cli("--db", url, "setting", "set", "near_percent", "25", "--json").json == {
        "key": "near_percent", "value": 25}
    for key, value in (("near_percent", "95"), ("service_start", "25:00"),
                       ("timezone", "Mars/Olympus"), ("nosuch", "1"),
                       ("service_end", "07:00")):
        run = cli("--db", url, "setting", "set", key, value)
        assert run.code == 2 and run.err and "Traceback" not in run.err, (key, run.err)
    listed = cli("--db", url, "setting", "list", "--json").json
    assert listed["near_percent"] == 25 and listed["default_role"] == "viewer"


# --- language ------------------------------------------------------------------------


def test_lang_zh_gives_chinese_errors(cli, url):
    cli("--db", url, "init")
    run = cli("--lang", "zh", "--db", url, "ticket", "add", "--service", "plumbing")
    assert run.code == 2
    assert "未知服务" in run.err and "plumbing" in run.err
    tid = cli("--db", url, "ticket", "add", "--service", "umbrella", "--json").json["id"]
    run = cli("--lang", "zh", "--db", url, "ticket", "step", tid, "hold")
    assert run.code == 2
    assert "需要填写原因" in run.err
    english = cli("--lang", "en", "--db", url, "ticket", "add", "--service", "plumbing")
    assert "unknown service" in english.err


# --- which database ------------------------------------------------------------------


def sqlite_ticket_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM ticket ORDER BY id")]


def test_bare_path_means_sqlite_file(cli, tmp_path):
    path = tmp_path / "office" / "desk.db"
    assert cli("--db", str(path), "init").code == 0
    tid = cli("--db", str(path), "ticket", "add", "--service", "mail", "--json").json["id"]
    assert path.is_file()
    assert sqlite_ticket_ids(path) == [tid]
    same = cli("--db", f"sqlite:///{path}", "ticket", "list", "--json").json
    assert [d["id"] for d in same] == [tid]


def test_database_from_env_unless_db_given(cli, env, tmp_path):
    from_env = tmp_path / "env.db"
    from_flag = tmp_path / "flag.db"
    env.setenv("DESKAPP_DATABASE_URL", f"sqlite:///{from_env}")
    assert cli("init").code == 0
    assert cli("ticket", "add", "--service", "mail").code == 0
    assert sqlite_ticket_ids(from_env) == [1]
    assert cli("--db", str(from_flag), "init").code == 0
    assert cli("--db", str(from_flag), "ticket", "add", "--service", "mail").code == 0
    assert cli("--db", str(from_flag), "ticket", "add", "--service", "mail").code == 0
    assert sqlite_ticket_ids(from_flag) == [1, 2]
    assert sqlite_ticket_ids(from_env) == [1]          # --db wins over the environment


def test_database_url_from_env_on_the_test_database(cli, env, url):
    env.setenv("DESKAPP_DATABASE_URL", url)
    assert cli("init").code == 0
    tid = cli("ticket", "add", "--service", "mail", "--json").json["id"]
    assert [d["id"] for d in cli("--db", url, "ticket", "list", "--json").json] == [tid]


def test_bad_database_url_exits_2(cli):
    run = cli("--db", "mysql://somewhere/desk", "ticket", "list")
    assert run.code == 2
    assert "mysql://somewhere/desk" in run.err


# --- the real console script ---------------------------------------------------------


def deskapp_script() -> str:
    script = shutil.which("deskapp", path=str(Path(sys.executable).parent)) or \
        shutil.which("deskapp")
    assert script, "the deskapp console script is not installed"
    return script


def test_console_script_end_to_end(url, tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DESKAPP_")}
    environment.update(DESKAPP_USER="wangfang", LANG="C.UTF-8",
                       XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"))

    def deskapp(*args):
        return subprocess.run([deskapp_script(), "--db", url, *args], env=environment,
                              capture_output=True, text=True, timeout=60)

    init = deskapp("init", "--demo", "--json")
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["services_added"] == 21
    add = deskapp("ticket", "add", "--service", "repair", "--tier", "extra_urgent",
                  "--tenant", ACME, "--location", "8F-805", "--json")
    assert add.returncode == 0, add.stderr
    doc = json.loads(add.stdout)
    assert_ticket_document(doc)
    assert [t["name"] for t in doc["targets"]] == ["work_order", "on_site"]
    opened = dt.datetime.fromisoformat(doc["opened_at"])
    assert abs(opened - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=2)
    due = dt.datetime.fromisoformat(doc["targets"][1]["due_at"])
    assert due - opened == dt.timedelta(minutes=5)

    listing = deskapp("ticket", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    docs = json.loads(listing.stdout)
    assert [d["position"] for d in docs] == list(range(1, len(docs) + 1))
    assert doc["id"] in [d["id"] for d in docs]

    step = deskapp("ticket", "step", str(doc["id"]), "dispatch", "--json")
    assert step.returncode == 0, step.stderr
    assert json.loads(step.stdout)["state"] == "dispatched"

    bad = deskapp("ticket", "add", "--service", "plumbing")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert "unknown service" in bad.stderr
    again = deskapp("ticket", "step", str(doc["id"]), "dispatch")
    assert again.returncode == 3
    assert "cannot dispatch" in again.stderr


def test_mistyped_database_is_refused_not_created(cli, tmp_path):
    """A missing database cannot be used: exit 5 (SPEC §9), and nothing is created."""
    missing = tmp_path / "typo.db"
    for args in (("ticket", "list"), ("ticket", "add", "--service", "mail")):
        run = cli("--db", missing, *args)
        assert run.code == 5
        assert "init" in run.err and str(missing) in run.err
    assert not missing.exists()
    zh = cli("--db", missing, "--lang", "zh", "ticket", "list")
    assert zh.code == 5 and "没有 deskapp 数据库" in zh.err


def test_messages_name_states_and_roles_in_the_users_words(cli, url):
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "mail", "--json").json["id"]
    run = cli("--db", url, "--lang", "zh", "ticket", "step", tid, "reopen", "--reason", "x")
    assert run.code == 3
    assert "已受理" in run.err and "重开" in run.err and "accepted" not in run.err


# --- staff and work orders to people (SPEC §9) ------------------------------------------


def test_staff_add_and_list_by_the_manager(cli, url):
    cli("--db", url, "init")                       # wangfang becomes the manager
    run = cli("--db", url, "staff", "add", "ligong", "--name", "李工", "--role",
              "engineering", "--json")
    assert run.code == 0, run.err
    assert run.json == {"login": "ligong", "name": "李工", "role": "engineering",
                        "active": True}
    listed = cli("--db", url, "staff", "list", "--json").json
    assert {p["login"]: p["role"] for p in listed} == {"wangfang": "manager",
                                                       "ligong": "engineering"}
    assert all(set(p) == {"login", "name", "role", "active"} for p in listed)
    human = cli("--db", url, "staff", "list").out
    assert "李工" in human and "engineering" in human


def test_only_the_manager_adds_staff(cli, url, env):
    cli("--db", url, "init")
    cli("--db", url, "staff", "add", "desk1", "--name", "Desk One", "--role", "desk")
    env.setenv("DESKAPP_USER", "desk1")
    before = counts(url)
    run = cli("--db", url, "staff", "add", "desk1", "--name", "Me", "--role", "manager")
    assert run.code == 4 and run.out == "" and "desk" in run.err
    assert counts(url) == before


def test_dispatch_to_a_login_and_the_ticket_names_its_assignee(cli, url):
    cli("--db", url, "init")
    cli("--db", url, "staff", "add", "ligong", "--name", "李工", "--role", "engineering")
    tid = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--location", "8F", "--json").json["id"]
    run = cli("--db", url, "ticket", "step", tid, "dispatch", "--to", "ligong", "--json")
    assert run.code == 0, run.err
    assert (run.json["state"], run.json["assignee"]) == ("dispatched", "ligong")
    listed = cli("--db", url, "ticket", "list", "--json").json
    assert listed[0]["assignee"] == "ligong"
    assert "ligong" in cli("--db", url, "ticket", "list").out


@pytest.mark.parametrize("login", ["nobody", "gone"])
def test_dispatch_to_an_unknown_or_inactive_login_exits_2(cli, url, login):
    cli("--db", url, "init")
    cli("--db", url, "staff", "add", "gone", "--name", "Gone", "--role", "engineering",
        "--inactive")
    tid = cli("--db", url, "ticket", "add", "--service", "repair", "--tier", "urgent",
              "--json").json["id"]
    before = counts(url)
    run = cli("--db", url, "ticket", "step", tid, "dispatch", "--to", login)
    assert run.code == 2 and run.out == ""
    assert login in run.err and "Traceback" not in run.err
    assert counts(url) == before


def test_reply_with_note_and_written(cli, url):
    cli("--db", url, "init")
    tid = cli("--db", url, "ticket", "add", "--service", "complaint", "--tier", "normal",
              "--location", "15F", "--written", "--json").json["id"]
    missing = cli("--db", url, "ticket", "step", tid, "reply")
    assert missing.code == 2 and "--note" in missing.err
    run = cli("--db", url, "ticket", "step", tid, "reply", "--note", "已安排工程部", "--json")
    assert run.code == 0, run.err
    targets = {t["name"]: t for t in run.json["targets"]}
    assert targets["reply"]["state"] == "met" and targets["written_reply"]["met_at"] is None
    assert run.json["state"] == "accepted"
    run = cli("--db", url, "ticket", "step", tid, "reply", "--note", "书面答复函",
              "--written", "--json")
    assert {t["name"]: t["state"] for t in run.json["targets"]}["written_reply"] == "met"


@pytest.mark.skipif(bool(os.environ.get("DESKAPP_TEST_DATABASE_URL")), reason="SQLite files")
def test_init_makes_the_database_group_writable_whatever_the_umask(cli, tmp_path):
    import stat

    path = tmp_path / "srv" / "desk.db"
    old = os.umask(0o022)
    try:
        assert cli("--db", path, "init").code == 0
        assert cli("--db", path, "ticket", "add", "--service", "mail",
                   "--location", "3F").code == 0
    finally:
        os.umask(old)
    for name in ("desk.db", "desk.db-wal", "desk.db-shm"):
        mode = stat.S_IMODE((tmp_path / "srv" / name).stat().st_mode)
        assert mode == 0o660, (name, oct(mode))


def test_a_reader_that_stops_early_gets_no_traceback(url, env, tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "deskapp.cli", "--db", url, "init"],
                   check=True, capture_output=True)
    db = open_database(url)
    desk = Desk.for_login(db, FrozenClock(START), "wangfang")
    from deskapp.services.tickets import NewTicket, open_ticket

    for n in range(250):  # more than a pipe holds (64 KiB): the writer meets the closed end
        open_ticket(desk, NewTicket(service="mail", location=f"{n}F", note="x" * 200))
    db.close()
    pipeline = (f"'{sys.executable}' -m deskapp.cli --db '{url}' ticket list --json "
                f"| head -c 10")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], capture_output=True,
                          text=True)
    assert done.stdout.startswith("[")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode == 0
