"""Properties that hold for every input (hypothesis), on SQLite and PostgreSQL.

Every CLI command gets arbitrary text, numbers, dates and ids: the outcome is always
exit 0/2/3/4/5 with a message on stderr (never a traceback), and on refusal the
database is unchanged, table by table. Every surface that shows stored text renders
arbitrary text literally. Later screens add their commands and forms here.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual.content import Content

from deskapp.cli import main
from deskapp.models import ALL_MODELS, database
from deskapp.views import fit, safe_text, ticket_line

from .test_cli import env  # noqa: F401 - the clean-environment fixture

EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

HOSTILE = ["", " ", "now", "\x1b[2J\x1b]0;PWNED\x07", "\x9b31m", "\x1b]52;c;eA==\x07",
           "[/red]", "[link=x]", "[/oops]", "a\x00b", "\udcff", "é", "星辰科技", "x" * 3000,
           "\u202e", "\t\n", "-1", "0", "99999999999999999999", "1e9", "NaN", "%s%n",
           "'; DROP TABLE ticket; --", "{id}", "{}"]
MOMENTS = ["9999-12-31T23:59:59", "0001-01-01T00:00", "1900-01-01T00:00", "1970-01-01",
           "2026-11-26T13:59", "2026-11-26T14:00+08:00", "2026-11-26 13:00", "2026-02-30T10:00",
           "2026-11-26T25:00", "2027-01-01T10:00", "2029-01-01T10:00", "now", "soon",
           "2026-11-26T13:00Z", "+2026-11-26T13:00"]
texts = st.one_of(st.sampled_from(HOSTILE),
                  st.text(st.characters(exclude_categories=()), max_size=40))
near = st.datetimes(dt.datetime(2025, 11, 1), dt.datetime(2029, 1, 1))
moments = st.one_of(st.sampled_from(MOMENTS), near.map(lambda d: d.isoformat()),
                    near.map(lambda d: d.isoformat(timespec="minutes")),
                    st.datetimes().map(lambda d: d.isoformat()), texts)
numbers = st.one_of(st.integers(-2**70, 2**70).map(str), st.sampled_from(["1", "2", "3"]),
                    st.sampled_from(["1", "2", "3"]), texts)
SERVICES = ["repair", "complaint", "mail", "umbrella", "access_pass", "move_in",
            "fit_out", "patrol", "breaker_trip"]
services = st.one_of(st.sampled_from(SERVICES), texts)
ACTIONS = ["dispatch", "arrive", "resolve", "reply", "answer", "hold", "resume", "cancel",
           "reopen"]


def mostly(valid: list[str]) -> st.SearchStrategy[str]:
    """A valid choice three times in four, else anything."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(valid),
                     texts)


def option(name: str, values, *, required: bool = False) -> st.SearchStrategy[list[str]]:
    """``--name=value`` (a value such as "-1" stays a value), or nothing."""
    given_ = values.map(lambda v: [f"{name}={v}"])
    return given_ if required else st.one_of(st.just([]), given_)


def flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [name]])


def joined(*parts) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda lists: [a for part in lists for a in part])


TICKET_ADD = joined(st.just(["ticket", "add"]), option("--service", services, required=True),
                    option("--tier", mostly(["extra_urgent", "urgent", "normal"])),
                    option("--tenant", st.one_of(st.just("Acme Trading Ltd"), texts)),
                    option("--location", texts), option("--people", numbers),
                    option("--agreed", moments),
                    option("--scope", mostly(["simple", "systems"])),
                    flag("--written"), option("--at", moments), option("--note", texts),
                    option("--ref", texts), flag("--json"))
TICKET_LIST = joined(st.just(["ticket", "list"]), flag("--all"), flag("--json"),
                     st.lists(texts, max_size=1))
TICKET_STEP = joined(st.just(["ticket", "step"]), numbers.map(lambda v: [v]),
                     mostly(ACTIONS).map(lambda v: [v]),
                     option("--at", moments), option("--reason", texts),
                     option("--to", st.one_of(st.just("ligong"), texts)),
                     option("--note", texts), flag("--written"), flag("--json"))
STAFF_ADD = joined(st.just(["staff", "add"]), texts.map(lambda v: [v]),
                   option("--name", texts, required=True),
                   option("--role", mostly(["desk", "engineering", "manager"]),
                          required=True),
                   flag("--inactive"), flag("--json"))
STAFF_LIST = joined(st.just(["staff", "list"]), flag("--json"), st.lists(texts, max_size=1))
INIT = joined(st.just(["init"]), flag("--json"), st.lists(texts, max_size=1))
TENANT_LIST = joined(st.just(["tenant", "list"]), flag("--json"), st.lists(texts, max_size=1))

TENANT_HEADER = ["name", "units", "contact", "phone", "monthly_rent", "due_day",
                 "lease_start", "lease_end"]
DAYS = ["2026-01-01", "2027-12-31", "2026-02-30", "1900-01-01", "2099-01-01", "26-1-1", ""]
tenant_cells = st.tuples(
    mostly(["星辰科技", "Acme Trading Ltd", "[b]x[/b]", "Acme Trading Ltd"]),
    mostly(["12F-1201", "8F-805;8F-806", "", "20F", "12f-1201"]),
    mostly(["刘洋", ""]), mostly(["13800001201", "010-6512 3456", ""]),
    mostly(["10000.00", "12.5", "0", "-1", "1.005", "1e3", "10,000.00"]),
    mostly(["1", "28", "29", "0", "٣"]), mostly(DAYS), mostly(DAYS)).map(list)
# a CSV file: the header (or, now and then, something else), rows of cells (some short
# or long), as text or as raw bytes that may not be UTF-8
tenant_files = st.one_of(
    st.tuples(st.one_of(st.just(TENANT_HEADER), st.just(TENANT_HEADER),
                        st.lists(texts, max_size=9)),
              st.lists(st.one_of(tenant_cells, tenant_cells, st.lists(texts, max_size=9)),
                       max_size=5),
              st.booleans()).map(lambda f: _csv_bytes(*f)),
    st.binary(max_size=200))


def _csv_bytes(header, rows, bom) -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow(row)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8", "surrogatepass")


def dump() -> dict[str, list[tuple]]:
    """Every row of every table, in key order: what "unchanged" is compared on."""
    return {model._meta.table_name: list(model.select().order_by(
        *model._meta.get_primary_keys()).tuples()) for model in ALL_MODELS}


@pytest.fixture
def prepared(env, db_url, capsys, clock):  # noqa: F811
    """A database with a few tickets and staff; ``run(argv)`` in-process."""

    def run(argv: list[str]):
        capsys.readouterr()
        try:
            code = main(["--db", db_url, *argv], clock=clock)
        except SystemExit as exc:  # argparse
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run(["init"])[0] == 0
    assert run(["staff", "add", "ligong", "--name", "李工", "--role", "engineering"])[0] == 0
    for args in (["--service", "repair", "--tier", "urgent", "--location", "8F"],
                 ["--service", "complaint", "--tier", "normal", "--location", "1F",
                  "--written"], ["--service", "mail"]):
        assert run(["ticket", "add", *args])[0] == 0
    yield run
    if database.obj is not None:
        database.obj.close()


def check(run, argv: list[str]) -> None:
    before = dump()
    code, out, err = run(argv)
    assert code in (0, 2, 3, 4, 5), (argv, code, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert not CONTROL.search(err.replace("\n", "")), (argv, err)
    assert not CONTROL.search(out.replace("\n", "")), (argv, out)
    if code == 0:
        if "--json" in argv:
            json.loads(out)
        return
    assert err.strip() and out == "", (argv, code, out, err)
    assert err.startswith("deskapp") or err.startswith("usage:"), err
    assert dump() == before, argv  # refused: nothing written


@EXAMPLES
@given(argv=TICKET_ADD)
def test_ticket_add_with_anything(prepared, argv):
    check(prepared, argv)


@EXAMPLES
@given(argv=TICKET_STEP)
def test_ticket_step_with_anything(prepared, argv):
    check(prepared, argv)


@settings(EXAMPLES, max_examples=10)
@given(argv=st.one_of(TICKET_LIST, STAFF_LIST, INIT))
def test_lists_and_init_with_anything(prepared, argv):
    check(prepared, argv)


@settings(EXAMPLES, max_examples=20)
@given(argv=STAFF_ADD)
def test_staff_add_with_anything(prepared, argv):
    check(prepared, argv)


@settings(EXAMPLES, max_examples=40)
@given(content=tenant_files, as_json=flag("--json"))
def test_tenant_import_with_anything(prepared, tmp_path, content, as_json):
    """Any file: imported whole (and a second time changes nothing) or refused whole,
    the database unchanged, every problem on stderr without a control character."""
    path = tmp_path / "tenants.csv"
    path.write_bytes(content)
    argv = ["tenant", "import", str(path), *as_json]
    check(prepared, argv)
    before = dump()
    code, out, _ = prepared(["tenant", "import", str(path), "--json"])
    if code == 0:
        assert json.loads(out)["added"] == json.loads(out)["changed"] == 0
        assert dump() == before
    listing = prepared(["tenant", "list"])
    assert listing[0] == 0 and not CONTROL.search(listing[1].replace("\n", ""))


@settings(EXAMPLES, max_examples=10)
@given(argv=TENANT_LIST)
def test_tenant_list_with_anything(prepared, argv):
    check(prepared, argv)


# --- surfaces: arbitrary stored text, shown literally ---------------------------------

any_text = st.text(st.characters(exclude_categories=()), max_size=60) | st.sampled_from(HOSTILE)


@settings(max_examples=200, deadline=None)
@given(any_text, st.integers(1, 40))
def test_safe_text_and_fit_show_any_text_in_its_cells(text, width):
    shown = safe_text(text)
    assert not CONTROL.search(shown.replace("\n", "x")) and "\n" not in shown
    if not CONTROL.search(text) and "\n" not in text and "\r" not in text:
        assert shown == text  # plain text is left alone
    assert cell_len(fit(shown, width)) == width


@settings(max_examples=200, deadline=None)
@given(any_text, any_text, any_text)
def test_a_ticket_line_and_rich_text_render_any_text_literally(location, tenant, who):
    line = ticket_line({"id": 7, "tier": "urgent", "service": "repair", "state": "accepted",
                        "location": location, "tenant": tenant, "breached": False,
                        "next_due_at": None, "assignee": who})
    assert not CONTROL.search(line)
    label = safe_text(f"#7 {tenant} {location}")
    # what the palette and the detail build: plain text, never markup
    assert Content.from_rich_text(Text(label)).plain == label
    assert Text(label).plain == label


# --- the new-ticket form: what it hands the service, and the times it reads -----------

@settings(EXAMPLES, max_examples=30)
@given(service=services, tenant=texts, location=texts, note=texts, agreed=moments,
       people=st.integers(-2**70, 2**70))
def test_the_forms_request_is_refused_whole_or_written_whole(prepared, desk_now, service,
                                                             tenant, location, note, agreed,
                                                             people):
    from deskapp.services import DeskError
    from deskapp.services.tickets import NewTicket, open_ticket
    from deskapp.timeparse import parse_desk_time

    desk, now = desk_now
    agreed_at = parse_desk_time(agreed, now, "Asia/Shanghai")  # never raises
    before = dump()
    try:
        open_ticket(desk, NewTicket(service=service, tenant=tenant or None,
                                    location=location, note=note, people=people,
                                    agreed_at=agreed_at))
    except DeskError as refused:
        assert refused.exit_code in (2, 3, 4, 5)
        assert not CONTROL.search(refused.message())
        assert dump() == before


@pytest.fixture
def desk_now(prepared, db_url, clock):
    from deskapp.db import open_database
    from deskapp.services import Desk

    return Desk.for_login(open_database(db_url), clock, "wangfang"), clock.now()


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, st.sampled_from(MOMENTS), moments,
                 st.from_regex(r"\A\d{1,4}-\d{1,2}[ T]\d{1,2}:\d{2}\Z")))
def test_desk_typed_times_are_read_or_refused_never_a_crash(text):
    from deskapp.timeparse import parse_desk_time

    from .conftest import START, TZ

    moment = parse_desk_time(text, START, TZ)
    assert moment is None or moment.tzinfo is not None
