"""Tenant communication (issue 7 item 8; SPEC §5 R-5.1–R-5.4 and the catalogue's mail
row): the letters and mail logs, visits, rubbish bags and the monthly report, through
the services and the command line. On SQLite, and on PostgreSQL with
DESKAPP_TEST_DATABASE_URL.

The clock is frozen at Thursday 2026-11-26 14:00 building time (conftest.START); the
October 2026 cases are back-dated (--at), National Day included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pendulum
import pytest

from deskapp import i18n
from deskapp.models import BagHandout, Letter, Mail, Target, Ticket, Visit
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services import comms
from deskapp.services import tenants as registry
from deskapp.services.comms_report import (
    communication_report,
    csv_bytes,
    report_rows,
    write_report,
    xlsx_bytes,
)
from deskapp.services.settings import set_setting
from deskapp.services.staff import add_staff
from deskapp.services.tickets import NewTicket, open_ticket, step
from deskapp.services.visits import record_visit, schedule_first_visit, to_visit

from .area_helpers import audit_actions
from .conftest import TZ, as_role
from .test_cli import cli, env  # noqa: F401 - fixtures
from .test_tenants import counts

ACME = "Acme Trading Ltd"
STAR = "星辰科技有限公司"


def at(text: str) -> pendulum.DateTime:
    """A building-time moment: at("2026-10-01 10:00")."""
    return pendulum.parse(text.replace(" ", "T"), tz=TZ)


def local(moment) -> str:
    return moment.in_tz(TZ).format("YYYY-MM-DD HH:mm")


@pytest.fixture
def building(desk):
    """Two active tenants (one with a Chinese name) and one that has moved out."""
    registry.upsert_tenant(desk, ACME, units=["8F-805"])
    registry.upsert_tenant(desk, STAR, units=["12F-1201"])
    gone = registry.upsert_tenant(desk, "Old Co", units=["3F-301"])
    registry.set_status(desk, gone.id, "moving_out")
    registry.set_status(desk, gone.id, "gone")
    return desk


# --- mail: delivered to the room within 1 hour of arrival ---------------------------------

def test_mail_arrival_opens_a_mail_ticket_due_an_hour_later_by_the_wall_clock(building):
    """Thu 1 Oct 2026 is National Day: the 1-hour target is wall-clock time, still 11:00."""
    mail = comms.mail_arrived(building, ACME, "express", carrier="顺丰", tracking="SF123",
                              count="2", at=at("2026-10-01 10:00"))
    ticket = Ticket.get_by_id(mail.ticket_id)
    assert (ticket.service, ticket.tenant.name, ticket.location) == ("mail", ACME, "8F-805")
    assert local(ticket.opened_at) == "2026-10-01 10:00"
    [target] = Target.select().where(Target.ticket == ticket.id)
    assert (target.name, local(target.due_at)) == ("done", "2026-10-01 11:00")
    assert local(comms.mail_due_at(mail)) == "2026-10-01 11:00"
    assert mail.count == 2 and ticket.is_open
    assert "mail.arrive" in audit_actions() and "ticket.open" in audit_actions()


def test_registered_mail_is_not_delivered_without_a_signer(building):
    mail = comms.mail_arrived(building, ACME, "registered", at=at("2026-11-26 13:00"))
    before = counts_now()
    with pytest.raises(InvalidInput, match="registered mail: say who signed"):
        comms.deliver_mail(building, mail.id, "  ")
    assert counts_now() == before
    assert Mail.get_by_id(mail.id).delivered_at is None
    assert Ticket.get_by_id(mail.ticket_id).is_open
    done = comms.deliver_mail(building, mail.id, "刘洋", at=at("2026-11-26 13:40"))
    assert (done.signed_by, done.delivered_by) == ("刘洋", "wangfang")
    ticket = Ticket.get_by_id(mail.ticket_id)
    assert (ticket.state, ticket.is_open, ticket.late) == ("closed", False, False)
    [target] = Target.select().where(Target.ticket == ticket.id)
    assert local(target.met_at) == "2026-11-26 13:40"
    assert audit_actions()[-1] == "mail.deliver"
    with pytest.raises(Conflict, match="already delivered"):
        comms.deliver_mail(building, mail.id, "刘洋")


def test_express_mail_may_be_left_without_a_signature_and_a_late_delivery_shows(building):
    mail = comms.mail_arrived(building, STAR, "express", at=at("2026-11-26 10:00"))
    comms.deliver_mail(building, mail.id, None, at=at("2026-11-26 11:30"))
    ticket = Ticket.get_by_id(mail.ticket_id)
    assert ticket.state == "closed" and ticket.late  # met after its 11:00 due time
    with pytest.raises(InvalidInput, match="before it arrived"):
        other = comms.mail_arrived(building, STAR, "official", at=at("2026-11-26 12:00"))
        comms.deliver_mail(building, other.id, "x", at=at("2026-11-26 11:59"))


def test_a_held_mail_ticket_is_closed_by_the_delivery(building):
    mail = comms.mail_arrived(building, ACME, "official")
    step(building, mail.ticket_id, "hold", reason="tenant's office closed until 15:00")
    comms.deliver_mail(building, mail.id, "John Chen")
    assert Ticket.get_by_id(mail.ticket_id).state == "closed"


def test_mail_for_an_unknown_or_gone_tenant_or_of_an_unknown_kind_is_refused(building):
    before = counts_now()
    with pytest.raises(InvalidInput, match="moved out"):
        comms.mail_arrived(building, "Old Co", "express")
    with pytest.raises(InvalidInput, match="no tenant named 'Nobody'"):
        comms.mail_arrived(building, "Nobody", "express")
    with pytest.raises(InvalidInput, match="unknown mail kind 'parcel'"):
        comms.mail_arrived(building, ACME, "parcel")
    assert counts_now() == before


def counts_now() -> dict[str, int]:
    from deskapp.models import ALL_MODELS

    return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


# --- letters (R-5.2) ----------------------------------------------------------------------

def test_letters_are_logged_and_handed_over_but_a_government_circular_needs_no_line(building):
    letter = comms.add_letter(building, ACME, "rent reminder", "Finance office",
                              at=at("2026-11-26 09:00"))
    assert letter.delivered_at is None
    assert [x.id for x in comms.letters(waiting=True)] == [letter.id]
    comms.deliver_letter(building, letter.id, "John Chen", at=at("2026-11-26 09:20"))
    assert comms.letters(waiting=True) == []
    with pytest.raises(Conflict, match="already handed to John Chen"):
        comms.deliver_letter(building, letter.id, "Someone")
    before = counts_now()
    with pytest.raises(InvalidInput, match="government circular needs no line"):
        comms.add_letter(building, ACME, "Fire safety circular", "District government",
                         kind="government_circular")
    assert counts_now() == before
    assert audit_actions()[-2:] == ["letter.add", "letter.deliver"]


# --- visits (R-5.3) -------------------------------------------------------------------------

def test_a_visit_completes_the_first_month_visit_and_one_after_its_day_is_late(building):
    acme, star = (registry.find_tenants(n)[0] for n in (ACME, STAR))
    first = schedule_first_visit(building, acme.id, dt.date(2026, 10, 20))  # due 20 Nov
    on_time = schedule_first_visit(building, star.id, dt.date(2026, 11, 1))  # due 1 Dec
    late = record_visit(building, ACME, "wangfang", "lift waits too long",
                        at=at("2026-11-21 10:00"), issues="lift 3 slow")
    assert late.id == first.id and late.kind == "first_month"
    assert (late.visitor, local(late.done_at), late.issues) == (
        "wangfang", "2026-11-21 10:00", "lift 3 slow")
    from deskapp.services.visits import is_late

    assert is_late(late, TZ)
    done = record_visit(building, STAR, "wangfang", "很满意", at=at("2026-11-26 09:00"))
    assert done.id == on_time.id and not is_late(done, TZ)
    regular = record_visit(building, STAR, "wangfang", "all fine")
    assert regular.kind == "regular" and regular.id not in (first.id, on_time.id)
    assert audit_actions().count("visit.record") == 3


def test_visits_are_made_by_the_manager_or_a_named_supervisor(building):
    add_staff(building, "zhou", "Zhou Jie", "desk")
    add_staff(building, "xiaoli", "Xiao Li", "desk")
    with pytest.raises(InvalidInput, match="not a manager or a named supervisor"):
        record_visit(building, ACME, "zhou", "fine")
    set_setting(building, "visit_supervisors", "zhou, other")
    visit = record_visit(as_role(building, "desk", "xiaoli"), ACME, "zhou", "fine")
    assert (visit.visitor, visit.recorded_by) == ("zhou", "xiaoli")
    with pytest.raises(InvalidInput, match="no active staff member"):
        record_visit(building, ACME, "nobody", "fine")


def test_the_visit_list_puts_first_month_visits_then_complainers_first(building):
    names = ["A Co", "B Co", "C Co", "D Co", "E Co", "F Co"]
    rows = {name: registry.upsert_tenant(building, name, units=[f"{20 + i}F"])
            for i, name in enumerate(names)}
    for name in (ACME, STAR):  # out of the way: visited yesterday
        record_visit(building, name, "wangfang", "ok", at=at("2026-11-25 10:00"))
    schedule_first_visit(building, rows["B Co"].id, dt.date(2026, 11, 20))  # due 20 Dec
    schedule_first_visit(building, rows["A Co"].id, dt.date(2026, 10, 1))   # due 1 Nov: overdue
    record_visit(building, "F Co", "wangfang", "ok", at=at("2026-06-01 10:00"))
    record_visit(building, "D Co", "wangfang", "ok", at=at("2026-09-01 10:00"))
    complain = lambda name, when: open_ticket(  # noqa: E731
        building, NewTicket(service="complaint", tier="normal", tenant=name, at=at(when)))
    complain("C Co", "2026-11-16 10:00")
    complain("D Co", "2026-08-20 10:00")   # visited since (1 Sep): not a complainer now
    complain("E Co", "2026-11-20 10:00")
    complain("F Co", "2026-07-01 10:00")   # 148 days ago: outside the 90 days
    complain("B Co", "2026-11-25 10:00")   # listed once, for its first-month visit
    listed = to_visit(building)
    assert [(r["tenant"], r["reason"], r["overdue"]) for r in listed] == [
        ("A Co", "first_month", True), ("B Co", "first_month", False),
        ("C Co", "complained", False), ("E Co", "complained", False),
        ("F Co", "regular", False), ("D Co", "regular", False),
        (ACME, "regular", False), (STAR, "regular", False)]
    set_setting(building, "complaint_visit_days", "150")
    assert [r["tenant"] for r in to_visit(building) if r["reason"] == "complained"] == [
        "F Co", "C Co", "E Co"]
    assert [r["tenant"] for r in to_visit(building, days=5)
            if r["reason"] == "complained"] == []


# --- rubbish bags: 30 per tenant per month ---------------------------------------------------

def test_thirty_bags_a_month_the_31st_refused_and_november_starts_again(building):
    comms.give_bags(building, ACME, "5", at=at("2026-10-02 09:00"))
    late_night = comms.give_bags(building, ACME, 25, at=at("2026-10-31 23:30"))
    assert late_night.month == "2026-10"  # 15:30 UTC, still October in the building
    assert late_night.handed_at.in_tz("UTC").hour == 15
    before = counts_now()
    with pytest.raises(InvalidInput, match="has 0 of its 30 bags left for 2026-10"):
        comms.give_bags(building, ACME, 1, at=at("2026-10-31 23:45"))
    assert counts_now() == before
    november = comms.give_bags(building, ACME, 30, at=at("2026-11-01 00:10"))
    assert november.month == "2026-11"
    with pytest.raises(InvalidInput, match="0 of its 30"):
        comms.give_bags(building, ACME, 1)
    with pytest.raises(InvalidInput, match="has 30 of its 30 bags left .*31 is too many"):
        comms.give_bags(building, STAR, 31)
    assert audit_actions().count("bags.give") == 3


def test_the_allowance_is_the_buildings_setting(building):
    set_setting(building, "rubbish_bags_per_month", "40")
    comms.give_bags(building, STAR, 40)
    with pytest.raises(InvalidInput, match="0 of its 40"):
        comms.give_bags(building, STAR, 1)
    with pytest.raises(InvalidInput):
        set_setting(building, "rubbish_bags_per_month", "-1")


def test_who_has_not_had_their_bags_this_month(building):
    registry.upsert_tenant(building, "Zeta Ltd", units=["30F"])
    comms.give_bags(building, ACME, 30)
    comms.give_bags(building, "Zeta Ltd", 10)
    comms.give_bags(building, STAR, 30, at=at("2026-10-15 10:00"))
    assert comms.bags_missing(building) == [
        {"tenant": STAR, "month": "2026-11", "given": 0, "left": 30},
        {"tenant": "Zeta Ltd", "month": "2026-11", "given": 10, "left": 20}]
    october = comms.bags_missing(building, "2026-10")
    assert [(r["tenant"], r["given"]) for r in october] == [(ACME, 0), ("Zeta Ltd", 0)]
    for bad in ("2026-13", "2026-12", "9999-01", "１２", "2026-1"):
        with pytest.raises(InvalidInput):
            comms.bags_missing(building, bad)


# --- who may ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["engineering", "finance", "security", "viewer"])
def test_other_departments_may_not_log_communication(building, role):
    other = as_role(building, role)
    mail = comms.mail_arrived(building, ACME, "express")
    before = counts_now()
    for attempt in (lambda: comms.mail_arrived(other, ACME, "express"),
                    lambda: comms.deliver_mail(other, mail.id, "x"),
                    lambda: comms.add_letter(other, ACME, "a", "b"),
                    lambda: comms.give_bags(other, ACME, 1),
                    lambda: record_visit(other, ACME, "wangfang", "fine"),
                    lambda: comms.add_suggestion(other, ACME, "more plants"),
                    lambda: communication_report(other, "2026-11")):
        with pytest.raises(NotAllowed):
            attempt()
    assert counts_now() == before


# --- the monthly report (R-5.4) -------------------------------------------------------------

HOSTILE_NAME = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def october(building):
    """October 2026, with known figures; and some of September and November around it."""
    d = building
    registry.upsert_tenant(d, HOSTILE_NAME, units=["9F-901"])
    # visits: a first-month visit late, one on time, one regular; one in November
    schedule_first_visit(d, registry.find_tenants("acme")[0].id, dt.date(2026, 9, 1))
    schedule_first_visit(d, registry.find_tenants("星辰")[0].id, dt.date(2026, 9, 20))
    record_visit(d, ACME, "wangfang", "lift slow", at=at("2026-10-05 10:00"),
                 suggestion="+ more signs in the lobby")
    record_visit(d, STAR, "wangfang", "满意", at=at("2026-10-08 15:00"))
    record_visit(d, HOSTILE_NAME, "wangfang", "-noisy", at=at("2026-10-31 23:30"))
    record_visit(d, ACME, "wangfang", "fine", at=at("2026-11-02 10:00"))
    comms.add_suggestion(d, STAR, "@前台 周末开放", at=at("2026-10-09 10:00"))
    # complaints: replied within the hour and closed; replied late in writing; untouched
    c1 = open_ticket(d, NewTicket(service="complaint", tier="normal", tenant=ACME,
                                  at=at("2026-10-09 09:00")))
    step(d, c1.id, "reply", note="空调已调好", at=at("2026-10-09 09:30"))
    step(d, c1.id, "resolve", at=at("2026-10-09 10:00"))
    step(d, c1.id, "answer", at=at("2026-10-09 10:05"))
    c2 = open_ticket(d, NewTicket(service="complaint", tier="normal", tenant=STAR,
                                  written=True, at=at("2026-10-20 14:00")))
    step(d, c2.id, "reply", note="letter follows", written=True, at=at("2026-10-21 16:00"))
    step(d, c2.id, "resolve", at=at("2026-10-21 16:10"))
    open_ticket(d, NewTicket(service="complaint", tier="normal", tenant=HOSTILE_NAME,
                             at=at("2026-10-31 23:00")))
    open_ticket(d, NewTicket(service="complaint", tier="normal", tenant=ACME,
                             at=at("2026-11-01 00:30")))  # November's
    # letters and mail
    letter = comms.add_letter(d, ACME, "notice", "management", at=at("2026-10-10 09:00"))
    comms.deliver_letter(d, letter.id, "John", at=at("2026-10-10 10:00"))
    comms.add_letter(d, STAR, "notice", "management", at=at("2026-10-12 09:00"))
    m1 = comms.mail_arrived(d, ACME, "registered", count=3, at=at("2026-10-01 10:00"))
    comms.deliver_mail(d, m1.id, "John", at=at("2026-10-01 10:40"))
    m2 = comms.mail_arrived(d, STAR, "express", at=at("2026-10-15 10:00"))
    comms.deliver_mail(d, m2.id, None, at=at("2026-10-15 12:00"))
    comms.mail_arrived(d, STAR, "official", at=at("2026-10-30 16:00"))
    comms.mail_arrived(d, STAR, "express", at=at("2026-09-30 16:00"))  # September's
    # bags
    comms.give_bags(d, ACME, 30, at=at("2026-10-31 23:30"))
    comms.give_bags(d, STAR, 12, at=at("2026-10-03 10:00"))
    comms.give_bags(d, STAR, 30, at=at("2026-11-01 00:10"))  # November's
    return d


def test_the_report_of_a_month_has_its_exact_figures(october):
    report = communication_report(october, "2026-10")
    visits = report["visits"]
    assert (visits["first_month"], visits["regular"], visits["late"]) == (2, 1, 1)
    assert [(v["tenant"], v["kind"], v["late"]) for v in visits["items"]] == [
        (ACME, "first_month", True), (STAR, "first_month", False),
        (HOSTILE_NAME, "regular", False)]
    complaints = report["complaints"]
    assert {k: complaints[k] for k in ("count", "replied_within_hour", "written_asked",
                                       "written_replied", "written_on_time", "resolved",
                                       "closed")} == {
        "count": 3, "replied_within_hour": 1, "written_asked": 1, "written_replied": 1,
        "written_on_time": 1, "resolved": 2, "closed": 1}
    assert [r["note"] for r in complaints["items"][0]["replies"]] == ["空调已调好"]
    assert complaints["items"][1]["replies"][0]["written"] is True
    assert [(s["tenant"], s["via"]) for s in report["suggestions"]["items"]] == [
        (ACME, "visit"), (STAR, "desk")]
    assert report["letters"] == {"received": 2, "delivered": 1}
    assert report["mail"] == {"arrivals": 3, "items": 5, "delivered": 2, "within_hour": 1,
                              "waiting": 1}
    assert report["bags"] == {"allowance": 30, "handed": 42, "tenants": 2, "short": 2}


def test_the_csv_has_a_bom_and_no_cell_excel_would_run_as_a_formula(october, tmp_path):
    data = csv_bytes(communication_report(october, "2026-10"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE_NAME in cells and HOSTILE_NAME not in cells
    assert "'-noisy" in cells and "'+ more signs in the lobby" in cells
    assert "'@前台 周末开放" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert ["mail items", "5"] in rows and ["complaints replied to within 1 hour", "1"] in rows
    assert any("空调已调好" in c for c in cells)


def test_the_xlsx_reads_back_with_text_cells_never_formulas(october, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "october.xlsx"
    write_report(october, "2026-10", xlsx_path=str(path), csv_path=str(tmp_path / "o.csv"))
    sheet = load_workbook(path).active
    assert sheet.title == "2026-10"
    values = {(c.row, c.column): c for row in sheet.iter_rows() for c in row if c.value}
    assert sheet["A1"].value == "Tenant communication report" and sheet["B1"].value == "2026-10"
    hostile = [c for c in values.values() if c.value == HOSTILE_NAME]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert not [c for c in values.values() if c.data_type == "f"]
    figures = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, 40)}
    assert figures["mail items"] == 5 and figures["rubbish bags handed out"] == 42
    assert (tmp_path / "o.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_report_reads_in_chinese(october):
    i18n.set_language("zh")
    rows = report_rows(communication_report(october, "2026-10"))
    assert rows[0] == ["客户信息传递与沟通报告", "2026-10"]
    assert ["1 小时内答复的投诉", 1] in rows


def test_a_report_file_that_cannot_be_written_leaves_nothing(october, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="cannot write the report"):
        write_report(october, "2026-10", xlsx_path=str(out / "x.xlsx"),
                     csv_path=str(out / "missing" / "x.csv"))
    assert list(out.iterdir()) == []  # not the one file that could have been written
    assert xlsx_bytes(communication_report(october, "2026-10"))[:2] == b"PK"


# --- the command line ---------------------------------------------------------------------

@pytest.fixture
def url(cli, db_url):  # noqa: F811
    assert cli("--db", db_url, "init", "--demo").code == 0
    return db_url


def test_mail_on_the_command_line(cli, url):
    added = cli("--db", url, "mail", "add", "--tenant", ACME, "--kind", "registered",
                "--carrier", "EMS", "--tracking", "EA123", "--count", "2",
                "--at", "2026-11-26T13:30", "--json")
    assert added.code == 0, added.err
    doc = added.json
    assert (doc["kind"], doc["count"], doc["tracking"]) == ("registered", 2, "EA123")
    assert doc["arrived_at"] == "2026-11-26T13:30:00+08:00"
    assert doc["due_at"] == "2026-11-26T14:30:00+08:00" and doc["late"] is False
    tickets = cli("--db", url, "ticket", "list", "--json").json
    assert any(t["id"] == doc["ticket"] and t["service"] == "mail" for t in tickets)
    waiting = cli("--db", url, "mail", "list", "--waiting", "--json").json
    assert [m["id"] for m in waiting if m["tenant"] == ACME] == [doc["id"]]
    refused = cli("--db", url, "mail", "deliver", doc["id"])
    assert refused.code == 2 and "--signed-by" in refused.err
    done = cli("--db", url, "mail", "deliver", doc["id"], "--signed-by", "John Chen", "--json")
    assert done.code == 0 and done.json["signed_by"] == "John Chen"
    assert [m for m in cli("--db", url, "mail", "list", "--waiting", "--json").json
            if m["tenant"] == ACME] == []
    assert "John Chen" in cli("--db", url, "mail", "list").out


def test_letters_visits_bags_and_the_report_on_the_command_line(cli, url, tmp_path):
    letter = cli("--db", url, "letter", "add", "--tenant", ACME, "--what", "rent notice",
                 "--from", "Finance", "--json")
    assert letter.code == 0 and letter.json["from"] == "Finance"
    circular = cli("--db", url, "letter", "add", "--tenant", ACME, "--what", "circular",
                   "--from", "District", "--kind", "government_circular")
    assert circular.code == 2 and "needs no line" in circular.err
    assert cli("--db", url, "letter", "deliver", letter.json["id"], "--to", "John").code == 0
    assert [m["delivered_to"] for m in cli("--db", url, "letter", "list", "--json").json
            if m["id"] == letter.json["id"]] == ["John"]
    visit = cli("--db", url, "visit", "add", "--tenant", ACME, "--visitor", "wangfang",
                "--feedback", "[b]good[/b]", "--json")
    assert visit.code == 0 and visit.json["feedback"] == "[b]good[/b]"  # literal, not markup
    due = cli("--db", url, "visit", "due", "--json")
    assert due.code == 0 and all(set(r) >= {"tenant", "reason", "overdue"} for r in due.json)
    bags = cli("--db", url, "bags", "give", "--tenant", ACME, "--count", "30", "--json")
    assert bags.code == 0 and bags.json["left"] == 0 and bags.json["month"] == "2026-11"
    more = cli("--db", url, "bags", "give", "--tenant", ACME, "--count", "1")
    assert more.code == 2 and "0 of its 30 bags left" in more.err
    missing = cli("--db", url, "bags", "missing", "--json").json
    assert ACME not in [r["tenant"] for r in missing] and missing
    assert cli("--db", url, "suggestion", "add", "--tenant", ACME, "--text", "more plants",
               "--json").json["via"] == "desk"
    out_csv, out_xlsx = tmp_path / "r.csv", tmp_path / "r.xlsx"
    report = cli("--db", url, "report", "communication", "--month", "2026-11",
                 "--csv", out_csv, "--xlsx", out_xlsx, "--json")
    assert report.code == 0, report.err
    assert report.json["visits"]["regular"] >= 1 and report.json["suggestions"]["count"] == 1
    assert out_csv.read_bytes()[:3] == b"\xef\xbb\xbf" and out_xlsx.read_bytes()[:2] == b"PK"
    human = cli("--db", url, "report", "communication", "--month", "2026-11")
    assert "Tenant communication report 2026-11" in human.out


def test_other_roles_are_refused_on_the_command_line_with_exit_4(cli, url, env):
    env.setenv("DESKAPP_USER", "nobody-listed")  # a login not on the staff: a viewer
    before = counts(url)
    for args in (("mail", "add", "--tenant", ACME, "--kind", "express"),
                 ("bags", "give", "--tenant", ACME, "--count", "1"),
                 ("report", "communication", "--month", "2026-11")):
        run = cli("--db", url, *args)
        assert run.code == 4, (args, run.err)
        assert "may not" in run.err
    assert counts(url) == before


COMMS_HOSTILE = [
    (("mail", "add", "--tenant", "[red]Acme[/red]", "--kind", "express"), "no tenant named"),
    (("mail", "add", "--tenant", ACME, "--kind", "express\x1b[2J"), "control characters"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--carrier", "\u202eSF"),
     "control characters"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--at", "9999-12-31T23:59"),
     "future"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--count", "0"), "count"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--count", "-1"), "count"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--count",
      "99999999999999999999"), "count"),
    (("mail", "add", "--tenant", ACME, "--kind", "express", "--count", "３"), "whole number"),
    (("mail", "add", "--tenant", ACME, "--kind", "parcel"), "unknown mail kind"),
    (("mail", "deliver", "0", "--signed-by", "x"), "number"),
    (("mail", "deliver", "99999999999999999999", "--signed-by", "x"), "number"),
    (("mail", "deliver", "77", "--signed-by", "x"), "no mail #77"),
    (("letter", "add", "--tenant", ACME, "--what", "a\x00b", "--from", "x"),
     "control characters"),
    (("letter", "add", "--tenant", ACME, "--what", "x", "--from", "\u2066y"),
     "control characters"),
    (("letter", "add", "--tenant", ACME, "--what", "  ", "--from", "x"), "required"),
    (("letter", "add", "--tenant", ACME, "--what", "x", "--from", "y", "--at",
      "1900-01-01T00:00"), "not a plausible time"),
    (("letter", "deliver", "-1", "--to", "x"), "number"),
    (("visit", "add", "--tenant", ACME, "--visitor", "wangfang", "--feedback", "\x9b31m"),
     "control characters"),
    (("visit", "add", "--tenant", ACME, "--visitor", "wangfang", "--feedback", "ok",
      "--at", "9999-01-01T00:00"), "future"),
    (("visit", "add", "--tenant", ACME, "--visitor", "li\x1bgong", "--feedback", "ok"),
     "control characters"),
    (("visit", "due", "--days", "99999999999999999999"), "days"),
    (("bags", "give", "--tenant", ACME, "--count", "0"), "count"),
    (("bags", "give", "--tenant", ACME, "--count", "-1"), "count"),
    (("bags", "give", "--tenant", ACME, "--count", "99999999999999999999"), "count"),
    (("bags", "give", "--tenant", ACME, "--count", "１２"), "whole number"),
    (("bags", "give", "--tenant", ACME, "--count", "31"), "30 of its 30"),
    (("bags", "missing", "--month", "9999-12"), "outside the months"),
    (("bags", "missing", "--month", "2026-13"), "not a month"),
    (("report", "communication", "--month", "9999-01"), "outside the months"),
    (("report", "communication", "--month", "now"), "not a month"),
    (("report", "communication", "--month", "2026-10", "--csv", "/nonexistent/dir/r.csv"),
     "cannot write the report"),
    (("suggestion", "add", "--tenant", ACME, "--text", "\u202eevil"), "control characters"),
]


@pytest.mark.parametrize("args, message", COMMS_HOSTILE,
                         ids=[repr(" ".join(a[:2]) + " " + " ".join(a[2:])[:40])
                              for a, _ in COMMS_HOSTILE])
def test_hostile_input_exits_2_with_a_message_and_writes_nothing(cli, url, args, message):
    before = counts(url)
    run = cli("--db", url, *args)
    assert run.code == 2, run.err
    assert run.out == ""
    assert message in run.err and "Traceback" not in run.err
    assert "\x1b" not in run.err and "\u202e" not in run.err
    assert counts(url) == before


def test_json_of_the_report_is_one_document(cli, url):
    run = cli("--db", url, "report", "communication", "--json")
    assert run.code == 0
    assert json.loads(run.out)["month"] == "2026-11"


def test_the_comms_strings_have_both_languages_with_the_same_placeholders():
    from deskapp.i18n import comms as strings

    from .test_i18n import placeholders

    assert set(strings.EN) == set(strings.ZH)
    for key, text in strings.EN.items():
        assert placeholders(text) == placeholders(strings.ZH[key]), key


def test_a_visit_before_the_move_in_does_not_count_as_its_first_month_visit(building, clock):
    acme = registry.find_tenants(ACME)[0]
    first = schedule_first_visit(building, acme.id, dt.date(2026, 11, 26))  # now
    earlier = record_visit(building, ACME, "wangfang", "before it moved in",
                           at=at("2026-11-20 10:00"))
    assert earlier.kind == "regular" and Visit.get_by_id(first.id).done_at is None
    assert to_visit(building)[0]["tenant"] == ACME  # still due


def test_supervisors_are_logins_the_manager_names(building):
    with pytest.raises(InvalidInput, match="logins separated by commas"):
        set_setting(building, "visit_supervisors", "zhou;rm -rf")
    assert set_setting(building, "visit_supervisors", "zhou, li zhou") == "zhou,li"
    with pytest.raises(NotAllowed):
        set_setting(as_role(building, "desk"), "visit_supervisors", "me")


def test_an_old_control_character_does_not_stop_the_workbook(october):
    from deskapp.models import Tenant

    Tenant.update(name="Bell\x07 Co").where(Tenant.name == STAR).execute()  # pre-validation
    assert xlsx_bytes(communication_report(october, "2026-10"))[:2] == b"PK"
