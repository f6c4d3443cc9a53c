"""The public-space rental/loan register (公共场所租/借登记表, R-6.3): every rental and
loan in any state, filtered, exported as CSV and XLSX; damage during use recorded on a
booking; bookings as an RFC 5545 iCalendar. The bookings core is another branch's:
rows are made here directly with the models, standing for what it makes."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings

from deskapp import i18n
from deskapp.models import Audit, Booking, BookingDamage, Resource
from deskapp.services import InvalidInput, NotAllowed
from deskapp.services.booking_register import (charge_damage, csv_bytes, fold, ics_for,
                                               ics_text, record_damage, register_rows, uid,
                                               write_register)
from deskapp.services.tenants import upsert_tenant

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_properties import EXAMPLES, check, prepared  # noqa: F401 - prepared: a fixture

ACME = "Acme Trading Ltd"
LONG_NAME = "北京金座大厦国际商务科技发展有限公司第一分公司会议服务中心客户联络部"
HOSTILE = "=HYPERLINK(\"http://x\";\"a, b\\c\")"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> pendulum.DateTime:
    return pendulum.datetime(2026, month, day, hour, minute, tz=TZ)


def book(resource, tenant, start, end, *, kind="rental", state="confirmed", applicant="刘洋",
         by="wangfang"):
    # a row in any state the register shows (bumped, cancelled…), as the core leaves it
    return Booking.create(resource=resource, tenant=tenant, applicant=applicant,
                          starts_at=start, ends_at=end, block_until=end, kind=kind,
                          state=state, applied_at=at(20, 9), applied_by=by)


@pytest.fixture
def building(desk):
    acme = upsert_tenant(desk, ACME, units=["8F-805"])
    star = upsert_tenant(desk, "星辰科技", units=["12F-1201"])
    hostile = upsert_tenant(desk, HOSTILE, units=["3F-301"])
    room = Resource.create(name="会议室 A", kind="meeting_room", capacity=12)
    board = Resource.create(name="Lobby board", kind="notice_board")
    rows = {
        "rental": book(room, acme, at(27, 14), at(27, 16)),
        "loan": book(room, star, at(28, 9), at(28, 10), kind="borrowing", state="pending"),
        "bumped": book(room, star, at(27, 15), at(27, 17), kind="borrowing", state="bumped"),
        "cancelled": book(board, acme, at(30, 8), at(30, 18), state="cancelled"),
        "hostile": book(board, hostile, at(29, 8), at(29, 9), applicant="-1+2"),
        "october": book(room, acme, at(8, 10, month=10), at(8, 12, month=10)),
    }
    return desk, rows


def test_every_rental_and_loan_in_any_state_in_start_order(building):
    desk, rows = building
    register = register_rows(desk)
    assert [r["id"] for r in register] == [rows[k].id for k in (
        "october", "rental", "bumped", "loan", "hostile", "cancelled")]
    first = next(r for r in register if r["id"] == rows["rental"].id)
    assert first == {
        "id": rows["rental"].id, "resource": "会议室 A", "resource_kind": "meeting_room",
        "tenant": ACME, "applicant": "刘洋", "from": "2026-11-27T14:00:00+08:00",
        "to": "2026-11-27T16:00:00+08:00", "kind": "rental", "state": "confirmed",
        "applied_at": "2026-11-20T09:00:00+08:00", "registered_by": "wangfang",
        "decided_by": None, "reason": "", "damage": [], "damage_total": "0.00"}
    assert {r["state"] for r in register} == {"confirmed", "pending", "bumped", "cancelled"}


def test_filters_by_days_resource_tenant_kind_and_state(building):
    desk, rows = building
    def ids(**kw):
        return [r["id"] for r in register_rows(desk, **kw)]
    assert ids(since="2026-11-28", until="2026-11-29") == [rows["loan"].id, rows["hostile"].id]
    assert ids(until="2026-10-31") == [rows["october"].id]
    assert ids(resource="Lobby board") == [rows["hostile"].id, rows["cancelled"].id]
    assert ids(tenant="星辰科技") == [rows["bumped"].id, rows["loan"].id]
    assert ids(kind="borrowing", state="pending") == [rows["loan"].id]
    for bad in (dict(since="2026-02-30"), dict(since="2026-11-29", until="2026-11-28"),
                dict(resource="No room"), dict(tenant="Nobody"), dict(kind="gift"),
                dict(state="lost"), dict(since="9999-01-01")):
        with pytest.raises(InvalidInput):
            register_rows(desk, **bad)


def test_csv_has_a_bom_headings_in_the_language_and_guarded_formulas(building):
    desk, _rows = building
    i18n.set_language("zh")
    data = csv_bytes(register_rows(desk))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["公共场所租/借登记表"]
    assert lines[1][:4] == ["编号", "场地", "类别", "客户"]
    hostile = next(line for line in lines[2:] if line[3].endswith('"a, b\\c")'))
    assert hostile[3] == "'" + HOSTILE  # a tenant's text, never a formula
    assert hostile[4] == "'-1+2"
    assert {line[7] for line in lines[2:]} == {"租用", "借用"}


def test_xlsx_writes_strings_as_strings(building, tmp_path):
    from openpyxl import load_workbook

    desk, rows = building
    path = tmp_path / "register.xlsx"
    write_register(desk, register_rows(desk), xlsx_path=str(path))
    sheet = load_workbook(path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    hostile = next(row for row in values if row[3] == HOSTILE)
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == HOSTILE)
    assert cell.data_type == "s"  # stored as text: opening it runs nothing
    assert hostile[4] == "-1+2" and hostile[0] == rows["hostile"].id
    assert values[1][0] == "No." and len(values) == 2 + len(rows)


def test_damage_is_recorded_on_a_booking_and_shown_in_the_register(building):
    desk, rows = building
    desk.clock.set(at(27, 16, 30))
    damage = record_damage(desk, rows["rental"].id, "projector lens cracked", "350.00")
    assert (damage.amount_fen, damage.recorded_by) == (35000, "wangfang")
    record_damage(desk, rows["rental"].id, "stain on the carpet", 8050)  # fen, from a form
    line = next(r for r in register_rows(desk) if r["id"] == rows["rental"].id)
    assert [d["what"] for d in line["damage"]] == ["projector lens cracked",
                                                    "stain on the carpet"]
    assert line["damage"][0]["amount"] == "350.00"
    assert line["damage"][0]["recorded_at"] == "2026-11-27T16:30:00+08:00"
    assert line["damage_total"] == "430.50"
    assert Audit.select().where(Audit.action == "booking.damage").count() == 2
    text = csv_bytes(register_rows(desk)).decode("utf-8-sig")
    assert "projector lens cracked ¥350.00" in text and "430.50" in text
    # charging is the lead's to wire: a no-op here, the damage stays uncharged
    assert charge_damage(desk, damage) is None and damage.charge_ref is None


def test_damage_refusals_write_nothing(building):
    desk, rows = building
    for booking, what, amount in ((rows["rental"].id, "", "10"),
                                  (rows["rental"].id, "x", "-5"),
                                  (rows["rental"].id, "x", "1.005"),
                                  (rows["rental"].id, "x", "0"),
                                  (rows["rental"].id, "x", 10.5),
                                  (999999, "x", "10"), ("0", "x", "10")):
        with pytest.raises(InvalidInput):
            record_damage(desk, booking, what, amount)
    with pytest.raises(NotAllowed):
        record_damage(as_role(desk, "finance"), rows["rental"].id, "x", "10")
    assert BookingDamage.select().count() == 0


def test_who_may_see_the_register(building):
    desk, _rows = building
    assert register_rows(as_role(desk, "finance"))  # finance charges the damage
    for role in ("viewer", "engineering", "security"):
        with pytest.raises(NotAllowed):
            register_rows(as_role(desk, role))


# --- iCalendar ----------------------------------------------------------------------------

def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_is_a_valid_calendar(building):
    desk, rows = building
    text = ics_for(desk, tenant="星辰科技")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    lines = unfold(text)
    assert lines.count("BEGIN:VEVENT") == 2
    event = lines[lines.index(f"UID:{uid(rows['loan'].id)}") - 1:]
    event = event[:event.index("END:VEVENT")]
    assert "DTSTART:20261128T010000Z" in event and "DTEND:20261128T020000Z" in event
    assert "STATUS:TENTATIVE" in event  # a borrowing awaiting the GM
    assert any(line.startswith("DTSTAMP:20261126T060000Z") for line in event)
    assert "SUMMARY:会议室 A · 星辰科技" in event
    assert "STATUS:CANCELLED" in lines  # the bumped one
    assert "STATUS:CONFIRMED" in unfold(ics_for(desk, tenant=ACME))


def test_ics_uid_is_stable_across_exports(building):
    desk, _rows = building
    first = [line for line in unfold(ics_for(desk)) if line.startswith("UID:")]
    desk.clock.advance(hours=5)
    again = [line for line in unfold(ics_for(desk)) if line.startswith("UID:")]
    assert first == again and len(set(first)) == len(first)


def test_ics_folds_a_long_chinese_name_on_octet_boundaries(building):
    desk, _rows = building
    tenant = upsert_tenant(desk, LONG_NAME)
    room = Resource.get(Resource.name == "会议室 A")
    book(room, tenant, at(27, 18), at(27, 19))
    text = ics_for(desk, tenant=LONG_NAME)
    raw = text.encode("utf-8")
    physical = raw.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")  # no line ends inside a character
    assert any(line.startswith(b" ") for line in physical)  # it was folded
    assert f"SUMMARY:会议室 A · {LONG_NAME}" in unfold(text)


def test_ics_escapes_text(building):
    desk, _rows = building
    assert ics_text('a;b,c\\d\ne') == "a\\;b\\,c\\\\d\\ne"
    assert ics_text("bell\x07") == "bell\ufffd"
    text = unfold(ics_for(desk, tenant=HOSTILE))
    summary = next(line for line in text if line.startswith("SUMMARY:"))
    assert summary == 'SUMMARY:Lobby board · =HYPERLINK("http://x"\\;"a\\, b\\\\c")'
    with pytest.raises(InvalidInput):  # a line break in a name is refused at input
        upsert_tenant(desk, "Evil\r\nEND:VCALENDAR")


def test_fold_keeps_short_lines_and_counts_the_leading_space():
    assert fold("SUMMARY:short") == "SUMMARY:short"
    folded = fold("X" * 200)
    parts = folded.split("\r\n")
    assert [len(p) for p in parts] == [75, 75, 52]  # 75 + (1 + 74) + (1 + 51)
    assert all(p.startswith(" ") for p in parts[1:])
    chinese = fold("S:" + "中" * 40).encode("utf-8").split(b"\r\n")
    assert len(chinese[0]) == 74  # 2 + 24×3: a 25th character would pass 75 octets


# --- the command line -----------------------------------------------------------------------

@pytest.fixture
def booked(cli, url):  # noqa: F811
    from deskapp.db import open_database
    from deskapp.models import Tenant

    assert cli("--db", url, "init", "--demo").code == 0
    db = open_database(url)
    try:
        room = Resource.create(name="Room 1", kind="meeting_room")
        acme = Tenant.get(Tenant.name == ACME)
        booking = book(room, acme, at(27, 14), at(27, 16))
    finally:
        db.close()
    return booking


def test_register_commands(cli, url, booked, tmp_path):  # noqa: F811
    damage = cli("--db", url, "booking-damage", booked.id, "--what", "chair broken",
                 "--amount", "120.00", "--json")
    assert damage.code == 0, damage.err
    assert damage.json["amount"] == "120.00"
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    listing = cli("--db", url, "booking-register", "--from", "2026-11-27", "--to", "2026-11-27",
                  "--csv", csv_path, "--xlsx", xlsx_path, "--json")
    assert listing.code == 0, listing.err
    assert booked.id in [d["id"] for d in listing.json]  # with the demo's own that day
    assert next(d for d in listing.json if d["id"] == booked.id)["damage_total"] == "120.00"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf") and xlsx_path.stat().st_size
    ics = tmp_path / "acme.ics"
    made = cli("--db", url, "booking-ics", "--tenant", ACME, "--out", ics, "--json")
    text = ics.read_text(encoding="utf-8")
    # Acme's bookings: this one and the demo's own (a room, its parking space)
    assert made.code == 0 and made.json["events"] == text.count("BEGIN:VEVENT") >= 1
    assert f"UID:{uid(booked.id)}" in text


@pytest.mark.parametrize("args, message", [
    (("booking-damage", "{id}", "--what", "x", "--amount", "-5"), "negative"),
    (("booking-damage", "{id}", "--what", "x", "--amount", "１２"), "yuan"),
    (("booking-damage", "{id}", "--what", "a\x00b", "--amount", "5"), "control characters"),
    (("booking-damage", "99999999999999999999", "--what", "x", "--amount", "5"), "ID"),
    (("booking-register", "--from", "2026-02-30"), "2026-02-30"),
    (("booking-register", "--state", "\x1b[2J"), "unknown booking state"),
    (("booking-register", "--csv", "/no/such/folder/r.csv"), "cannot write"),
    (("booking-ics", "--out", "/no/such/folder/x.ics"), "cannot write"),
    (("booking-ics", "--tenant", "Nobody", "--out", "x.ics"), "Nobody"),
    (("umbrella", "lend", "--to", "a\x1bb"), "control characters"),
    (("umbrella", "lend", "--to", ""), "required"),
    (("umbrella", "lend", "--to", "张伟", "--umbrella", "U-99999"), "umbrella number"),
    (("umbrella", "lend", "--to", "张伟", "--tenant", "Nobody"), "Nobody"),
    (("umbrella", "stock", "--add", "99999999999999999999"), "--add"),
    (("umbrella", "stock", "--add", "١٢"), "--add"),
    (("umbrella", "stock", "--add", "2", "--retire", "U-01"), "either"),
    (("umbrella", "stock", "--retire", "U-01", "--reason", "\u202e"), "control characters"),
    (("umbrella", "return", "U-\udcff"), "UTF-8"),
    (("recycling", "book", "--tenant", ACME, "--at", "9999-12-31T10:00", "--what", "x"),
     "plausible"),
    (("recycling", "book", "--tenant", ACME, "--at", "now", "--what", "x"), "ISO 8601"),
    (("recycling", "book", "--tenant", ACME, "--at", "2026-11-28T10:00", "--what", ""),
     "required"),
    (("recycling", "done", "0"), "ID"),
    (("recycling", "cancel", "1", "--reason", "a\x00"), "control characters"),
])
def test_hostile_input_exits_2_and_writes_nothing(  # noqa: F811
        cli, url, booked, tmp_path, args, message, monkeypatch):
    from .test_properties import dump

    from deskapp.db import open_database
    from deskapp.models import database

    monkeypatch.chdir(tmp_path)
    assert cli("--db", url, "umbrella", "stock", "--add", "2").code == 0
    assert cli("--db", url, "recycling", "book", "--tenant", ACME, "--at", "2026-11-28T10:00",
               "--what", "paper").code == 0

    def snapshot():
        open_database(url)
        try:
            return dump()
        finally:
            database.obj.close()

    before = snapshot()
    run = cli("--db", url, *[str(a).replace("{id}", str(booked.id)) for a in args])
    assert run.code == 2, (run.code, run.err)
    assert run.out == "" and message in run.err, run.err
    assert snapshot() == before
    assert list(tmp_path.glob("*.ics")) == []


# --- every command with anything (hypothesis; the rules of test_properties.check) ----------

# where the property's booking-ics writes (never into the checkout)
ICS_OUT = Path(tempfile.mkdtemp(prefix="deskapp-ics-")) / "bookings.ics"


def _lending_strategies():
    from hypothesis import strategies as st

    from .test_properties import flag, joined, moments, mostly, numbers, option, texts

    tenants = mostly([ACME, "星辰科技"])
    umbrellas = mostly(["U-01", "2", "U-40", "u3"])
    days = mostly(["2026-11-27", "2026-11-01", "2026-02-30", "9999-01-01"])
    return st.one_of(
        joined(st.just(["umbrella", "lend"]), option("--to", texts, required=True),
               option("--tenant", tenants), option("--umbrella", umbrellas),
               option("--phone", texts), flag("--json")),
        joined(st.just(["umbrella", "return"]), umbrellas.map(lambda v: [f"{v}"]),
               flag("--json")),
        joined(st.just(["umbrella", "stock"]), option("--add", numbers),
               option("--retire", umbrellas), option("--reason", texts), flag("--json")),
        joined(st.just(["umbrella", "list"]), flag("--out"), flag("--json")),
        joined(st.just(["recycling", "book"]), option("--tenant", tenants, required=True),
               option("--at", moments, required=True), option("--what", texts, required=True),
               option("--contact", texts), flag("--json")),
        joined(st.just(["recycling", "done"]), numbers.map(lambda v: [v]), flag("--json")),
        joined(st.just(["recycling", "cancel"]), numbers.map(lambda v: [v]),
               option("--reason", texts, required=True), flag("--json")),
        joined(st.just(["booking-register"]), option("--from", days), option("--to", days),
               option("--resource", mostly(["Room 1"])), option("--tenant", tenants),
               option("--kind", mostly(["rental", "borrowing"])),
               option("--state", mostly(["confirmed", "pending"])), flag("--json")),
        joined(st.just(["booking-ics"]), option("--tenant", tenants),
               option("--resource", mostly(["Room 1"])), option("--since", days),
               st.just([f"--out={ICS_OUT}"]), flag("--json")),
        joined(st.just(["booking-damage"]), numbers.map(lambda v: [v]),
               option("--what", texts, required=True),
               option("--amount", mostly(["12.50", "0", "-1", "1e3"]), required=True),
               flag("--json")))


@pytest.fixture
def lending_desk(prepared, db_url):  # noqa: F811
    from deskapp.db import open_database
    from deskapp.models import Tenant, database

    assert prepared(["umbrella", "stock", "--add", "3"])[0] == 0
    open_database(db_url)  # binds the models (closed below)
    try:
        acme = Tenant.create(name=ACME, units="8F-805")
        room = Resource.create(name="Room 1", kind="meeting_room")
        book(room, acme, at(27, 14), at(27, 16))
    finally:
        database.obj.close()
    return prepared



@settings(EXAMPLES, max_examples=150)  # ten commands: about fifteen inputs each
@given(argv=_lending_strategies())
def test_lending_commands_with_anything(lending_desk, argv):
    check(lending_desk, argv)
