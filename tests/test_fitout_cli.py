"""The fit-out, pass, insurance, permit and release commands: JSON shapes, exit codes,
and hostile input refused with exit 2, one message and nothing written."""

from __future__ import annotations

import pendulum
import pytest

from deskapp.clock import FrozenClock
from deskapp.db import open_database
from deskapp.models import (AccessPass, Audit, Fitout, FitoutDocument, FitoutInspection,
                            ItemRelease, ParkingPermit, Ticket, VehicleInsurance)

from .conftest import TZ
from .test_cli import ACME, cli, demo, env, url  # noqa: F401 - fixtures

FITOUT_KEYS = {"id", "tenant", "scope", "units", "state", "period_from", "period_to",
               "documents", "documents_complete_at", "approval_ticket", "deposit",
               "inspections", "passed_at", "refund_ticket", "refund_handed_at", "refund"}
PASS_KEYS = {"id", "tenant", "kind", "name", "valid_from", "valid_until", "state", "ticket",
             "issued_at", "issued_by"}


def at(*args) -> FrozenClock:
    return FrozenClock(pendulum.datetime(*args, tz=TZ))


def rows(url: str) -> tuple[int, ...]:
    db = open_database(url)
    try:
        return tuple(model.select().count() for model in (
            Ticket, Audit, Fitout, FitoutDocument, FitoutInspection, AccessPass,
            VehicleInsurance, ParkingPermit, ItemRelease))
    finally:
        db.close()


def ok(run):
    assert run.code == 0, run.err
    return run.json


def test_a_fit_out_from_application_to_refund(cli, demo):
    d = ("--db", demo)
    applied = ok(cli(*d, "fitout", "apply", "--tenant", ACME, "--scope", "systems",
                     "--units", "8F-805", "--documents", "申请表,图纸", "--from", "2026-11-30",
                     "--to", "2026-12-20", "--json"))
    assert FITOUT_KEYS <= set(applied)
    assert (applied["state"], applied["units"], applied["period_to"]) == (
        "collecting", ["8F-805"], "2026-12-20")
    fid = applied["id"]
    ok(cli(*d, "fitout", "docs", fid, "--received", "申请表", "--json"))
    complete = ok(cli(*d, "fitout", "docs", fid, "--received", "图纸", "--json"))
    assert complete["documents_complete_at"] == "2026-11-26T14:00:00+08:00"
    ticket = ok(cli(*d, "ticket", "list", "--all", "--json"))
    approval = next(t for t in ticket if t["id"] == complete["approval_ticket"])
    # Thu 26 Nov + 3 working days: Fri 27, Mon 30, Tue 1 Dec → 1 Dec 17:30
    assert approval["targets"][0]["due_at"] == "2026-12-01T17:30:00+08:00"
    assert ok(cli(*d, "fitout", "approve", fid, "--json"))["state"] == "approved"
    assert ok(cli(*d, "fitout", "deposit", fid, "--amount", "10,000.00",
                  "--json"))["deposit"] == "10000.00"
    workers = ok(cli(*d, "fitout", "workers", fid, "--name", "王强", "--name", "李军", "--json"))
    assert [w["kind"] for w in workers] == ["fitout_worker"] * 2 and PASS_KEYS <= set(workers[0])
    assert workers[0]["valid_until"] == "2026-12-21T00:00:00+08:00"
    booked = ok(cli(*d, "fitout", "accept", fid, "--at", "2026-12-21T10:00", "--json"))
    assert booked["state"] == "inspection_booked"
    assert booked["inspections"][0]["agreed_at"] == "2026-12-21T10:00:00+08:00"
    late = at(2026, 12, 21, 11, 0)
    rect = ok(cli(*d, "fitout", "inspect", fid, "--rectify", "seal the riser", "--by",
                  "2026-12-23", "--json", frozen=late))
    assert rect["inspections"][0]["outcome"] == "rectify"
    ok(cli(*d, "fitout", "accept", fid, "--at", "2026-12-23T10:00", "--json", frozen=late))
    passed = ok(cli(*d, "fitout", "inspect", fid, "--pass", "--json",
                    frozen=at(2026, 12, 23, 10, 30)))
    assert passed["state"] == "passed" and passed["refund_ticket"]
    refunded = ok(cli(*d, "fitout", "refund", fid, "--json", frozen=at(2026, 12, 24, 9, 0)))
    assert (refunded["state"], refunded["refund"]) == ("refunded", "10000.00")
    listing = ok(cli(*d, "fitout", "list", "--json", frozen=at(2026, 12, 24, 9, 0)))
    assert [f["id"] for f in listing if f["tenant"] == ACME] == [fid]  # the demo has others
    human = cli(*d, "fitout", "list", frozen=at(2026, 12, 24, 9, 0))
    assert "deposit refunded" in human.out and ACME in human.out
    again = cli(*d, "fitout", "refund", fid, frozen=at(2026, 12, 24, 9, 0))
    assert again.code == 3 and "cannot hand the refund" in again.err


def test_pass_insurance_permit_release_commands(cli, demo):
    d = ("--db", demo)
    issued = ok(cli(*d, "pass", "add", "--tenant", ACME, "--kind", "visitor", "--name", "张伟",
                    "--name", "[bold]李娜[/bold]", "--from", "2026-11-26T09:00",
                    "--to", "2026-11-26T18:00", "--json"))
    assert [p["name"] for p in issued] == ["张伟", "[bold]李娜[/bold]"]  # text is data
    assert {p["state"] for p in issued} == {"valid"}
    valid = ok(cli(*d, "pass", "list", "--valid", "--tenant", ACME, "--json"))
    assert {p["id"] for p in valid} == {p["id"] for p in issued}
    assert ok(cli(*d, "pass", "list", "--valid", "--tenant", ACME, "--json",
                  frozen=at(2026, 11, 26, 18, 0))) == []
    human = cli(*d, "pass", "list").out
    assert "2026-11-26 09:00 – 2026-11-26 18:00" in human and "[bold]李娜[/bold]" in human
    ok(cli(*d, "pass", "add", "--tenant", ACME, "--kind", "staff", "--name", "王芳",
           "--from", "2026-12-01", "--to", "2026-12-03", "--json"))
    assert "王芳  Acme Trading Ltd  staff  2026-12-01 – 2026-12-03  not yet valid" in cli(
        *d, "pass", "list").out
    revoked = ok(cli(*d, "pass", "revoke", issued[0]["id"], "--reason", "lost", "--json"))
    assert revoked["state"] == "revoked"
    assert [p["name"] for p in ok(cli(*d, "pass", "list", "--expiring", "1", "--tenant", ACME,
                                                  "--json"))] == [
        "[bold]李娜[/bold]"]
    insurance = ok(cli(*d, "insurance", "add", "--plate", "京A12345", "--insurer", "中国人保",
                       "--policy", "PDAA1", "--from", "2025-12-02", "--to", "2026-12-01",
                       "--json"))
    assert insurance["valid_to"] == "2026-12-01"
    refused = cli(*d, "permit", "add", "--tenant", ACME, "--plate", "京A12345", "--vehicle",
                  "car", "--holder", "John Chen", "--from", "2026-12-02", "--to", "2026-12-31")
    assert refused.code == 3 and "京A12345" in refused.err and "2026-12-02" in refused.err
    permit = ok(cli(*d, "permit", "add", "--tenant", ACME, "--plate", "京A12345", "--vehicle",
                    "car", "--holder", "John Chen", "--from", "2026-11-26", "--to",
                    "2026-12-01", "--json"))
    assert (permit["plate"], permit["vehicle"], permit["valid_to"]) == ("京A12345", "car",
                                                                        "2026-12-01")
    assert [p["tenant"] for p in ok(cli(*d, "permit", "list", "--json"))].count(ACME) == 1
    not_signatory = cli(*d, "release", "add", "--tenant", ACME, "--items", "sofa",
                        "--carrier", "老王", "--confirmed-by", "Mary Li")
    assert not_signatory.code == 3 and "John Chen" in not_signatory.err
    released = ok(cli(*d, "release", "add", "--tenant", ACME, "--items", "sofa", "--carrier",
                      "老王", "--confirmed-by", "John Chen", "--json"))
    assert (released["confirmed_by"], released["items"]) == ("John Chen", "sofa")
    assert [r["tenant"] for r in ok(cli(*d, "release", "list", "--json"))].count(ACME) == 1


def test_chinese_messages(cli, demo):
    run = cli("--db", demo, "--lang", "zh", "permit", "add", "--tenant", ACME, "--plate",
              "京A12345", "--vehicle", "car", "--holder", "x", "--from", "2026-11-26",
              "--to", "2026-11-27")
    assert run.code == 3 and "没有有效的保险记录" in run.err


def test_role_refusal_exits_4(cli, demo, monkeypatch):
    monkeypatch.setenv("DESKAPP_USER", "nobody-listed")
    run = cli("--db", demo, "pass", "add", "--tenant", ACME, "--kind", "staff", "--name", "A",
              "--from", "2026-11-26", "--to", "2026-11-27")
    assert run.code == 4 and "issue access passes" in run.err


PASS = ("pass", "add", "--tenant", ACME, "--kind", "staff")
PERMIT = ("permit", "add", "--tenant", ACME, "--plate", "京A12345", "--vehicle", "car",
          "--holder", "John Chen")
RELEASE = ("release", "add", "--tenant", ACME, "--items", "sofa", "--carrier", "老王")
APPLY = ("fitout", "apply", "--tenant", ACME, "--scope", "simple")

HOSTILE = [
    (PASS + ("--name", "张\x1b[2J伟", "--from", "2026-11-26", "--to", "2026-11-27"),
     "control characters"),
    (PASS + ("--name", "\u202e伟张", "--from", "2026-11-26", "--to", "2026-11-27"),
     "control characters"),
    (PASS + ("--name", "A", "--from", "2026-11-26", "--to", "9999-12-31"), "not plausible"),
    (PASS + ("--name", "A", "--from", "2026-11-26", "--to", "9999-12-31T23:59"),
     "not a plausible time"),
    (PASS + ("--name", "A", "--from", "2026-11-27", "--to", "2026-11-26"), "before"),
    (PASS + ("--name", "A", "--from", "２０２６-11-26T10:00", "--to", "2026-11-27"), "ISO 8601"),
    (PASS + ("--name", "A", "--from", "2026-11-26", "--to", "2026-11-31"), "no such day"),
    (PASS + ("--name", "", "--from", "2026-11-26", "--to", "2026-11-27"), "required"),
    (("pass", "list", "--expiring", "３"), "whole number"),
    (("pass", "list", "--expiring", "-1"), "from 0 to 366"),
    (("pass", "revoke", "0", "--reason", "x"), "'0' is not a number from 1"),
    (("pass", "revoke", "1", "--reason", "lost\x00"), "control characters"),
    (("insurance", "add", "--plate", "<script>", "--insurer", "x", "--policy", "1",
      "--from", "2026-01-01", "--to", "2026-12-31"), "not a plate"),
    (("insurance", "add", "--plate", "京A12345", "--insurer", "x\x9b", "--policy", "1",
      "--from", "2026-01-01", "--to", "2026-12-31"), "control characters"),
    (("insurance", "add", "--plate", "京A12345", "--insurer", "x", "--policy", "1",
      "--from", "2026-12-31", "--to", "2026-01-01"), "before"),
    (PERMIT + ("--from", "2026-11-26", "--to", "9999-01-01"), "not plausible"),
    (("permit", "add", "--tenant", ACME, "--plate", "京A123\u200f45", "--vehicle", "car",
      "--holder", "x", "--from", "2026-11-26", "--to", "2026-11-27"), "not a plate"),
    (RELEASE + ("--confirmed-by", "\u202eJohn Chen"), "control characters"),
    (("release", "add", "--tenant", ACME, "--items", "sofa\x1b]0;pwned\x07", "--carrier", "x",
      "--confirmed-by", "John Chen"), "control characters"),
    (RELEASE + ("--confirmed-by", "John Chen", "--at", "9999-12-31T00:00"), "future"),
    (APPLY + ("--units", "8F-805\x1b"), "control characters"),
    (APPLY + ("--documents", "图纸,\u202e表"), "control characters"),
    (APPLY + ("--from", "2026-12-01", "--to", "2026-11-01"), "before"),
    (("fitout", "docs", "1", "--received", "x\x1b"), "control characters"),
    (("fitout", "docs", "99999999999999999999", "--received", "x"), "not a number from 1"),
    (("fitout", "deposit", "1", "--amount", "1,5"), "not an amount"),
    (("fitout", "show", "１"), "not a number from 1"),
    (("pass", "revoke", "１", "--reason", "lost"), "not a number from 1"),
    (("fitout", "deposit", "1", "--amount", "５０００"), "not an amount"),
    (("fitout", "deposit", "1", "--amount", "-5"), "negative"),
    (("fitout", "deposit", "1", "--amount", "999999999999"), "too large"),  # before the lookup
    (("fitout", "deposit", "1", "--amount", "99999999999999999999"), "not an amount"),
    (("fitout", "deposit", "1", "--amount", "12.345"), "not an amount"),
    (("fitout", "accept", "1", "--at", "9999-12-31T10:00"), "not a plausible time"),
    (("fitout", "inspect", "1", "--rectify", "x", "--by", "9999-01-01"), "not plausible"),
    (("fitout", "inspect", "1", "--rectify", "x\x1b[31m", "--by", "2026-12-01"),
     "control characters"),
    (("fitout", "refuse", "1", "--reason", "no\u2066"), "control characters"),
]


@pytest.mark.parametrize("args, message", HOSTILE, ids=[repr(" ".join(a[:2] + a[-2:]))[:60]
                                                        for a, _ in HOSTILE])
def test_hostile_input_exits_2_and_writes_nothing(cli, demo, args, message):
    before = rows(demo)
    run = cli("--db", demo, *args)
    assert run.code == 2, (run.code, run.err)
    assert run.out == ""
    assert message in run.err
    assert "\x1b" not in run.err and "\u202e" not in run.err
    assert rows(demo) == before
