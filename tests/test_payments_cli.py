"""``deskapp payment | statement | balance | reminder`` (issue 9): money typed in yuan and
printed as strings with two decimals; bad amounts exit 2 and write nothing; a desk
clerk recording a payment exits 4; any input at all never a traceback (hypothesis).
Clock: Thursday 2026-11-26 14:00 building time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.clock import FrozenClock
from deskapp.db import open_database
from deskapp.models import Tenant
from deskapp.services import Desk
from deskapp.services import tenants as registry
from deskapp.services.staff import add_staff
from deskapp.services.tenants import TenantData

from .conftest import START
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_payments import make_notice
from .test_properties import EXAMPLES, check, flag, joined, mostly, option, texts
from .test_properties import prepared  # noqa: F401 - fixture

D = dt.date
STAR = "星辰科技"


def seed(url: str) -> None:
    """星辰科技 with its Oct, Nov and Dec notices of 10,300.60 yuan, and a desk clerk."""
    db = open_database(url)
    try:
        desk = Desk.for_login(db, FrozenClock(START), "wangfang")
        tenant = registry.add_tenant(desk, TenantData(name=STAR, units=("12F-1201",)))
        for month, due, issued in (("2026-10", D(2026, 10, 15), None),
                                   ("2026-11", D(2026, 11, 16), None),
                                   ("2026-12", D(2026, 12, 15), START.subtract(hours=5))):
            make_notice(Tenant.get_by_id(tenant.id), month, due, issued=issued)
        add_staff(desk, "xiaoli", "小李", "desk")
    finally:
        db.close()


@pytest.fixture
def billed(cli, url):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    seed(url)
    return url


def test_payment_add_prints_the_receipt_and_its_json_has_money_as_strings(cli, billed):
    run = cli("--db", billed, "payment", "add", "--tenant", STAR, "--amount", "12000.00",
              "--method", "transfer", "--ref", "ICBC-0042", "--note", "10月租金", "--json")
    assert run.code == 0, run.err
    doc = run.json
    assert (doc["receipt_no"], doc["amount"], doc["amount_in_words"]) == (
        "R2026-000001", "12000.00", "壹万贰仟元整")
    assert doc["paid"] == [
        {"notice": "2026-10-0001", "month": "2026-10", "amount": "10300.60"},
        {"notice": "2026-11-0001", "month": "2026-11", "amount": "1699.40"}]
    again = cli("--db", billed, "payment", "add", "--tenant", STAR, "--amount", "12000",
                "--method", "transfer", "--ref", "ICBC-0042", "--json")
    assert again.json["receipt_no"] == "R2026-000001"  # a retry: the same receipt
    human = cli("--db", billed, "payment", "add", "--tenant", STAR, "--amount", "0.05",
                "--method", "cash", "--on", "2026-11-25")
    assert human.code == 0 and "Receipt no.: R2026-000002" in human.out
    assert "In capitals: 伍分" in human.out
    listing = cli("--db", billed, "payment", "list", "--month", "2026-11", "--json").json
    assert [(p["receipt_no"], p["received_on"], p["amount"]) for p in listing] == [
        ("R2026-000002", "2026-11-25", "0.05"), ("R2026-000001", "2026-11-26", "12000.00")]
    assert cli("--db", billed, "payment", "list", "--month", "2026-10", "--json").json == []


def test_receipt_statement_balance_and_reminder_commands(cli, billed, tmp_path):
    assert cli("--db", billed, "payment", "add", "--tenant", STAR, "--amount", "12000.00",
               "--method", "cash").code == 0
    out = tmp_path / "receipt.txt"
    run = cli("--db", billed, "payment", "receipt", "R2026-000001", "--out", out)
    assert run.code == 0 and str(out) in run.out
    assert "壹万贰仟元整" in out.read_text(encoding="utf-8")
    assert cli("--db", billed, "payment", "receipt", "R2026-999999").code == 2

    statement = cli("--db", billed, "statement", "--tenant", STAR, "--json").json
    assert [(s["kind"], s["debit"], s["credit"], s["balance"]) for s in statement] == [
        ("notice", "10300.60", "0.00", "10300.60"), ("notice", "10300.60", "0.00", "20601.20"),
        ("notice", "10300.60", "0.00", "30901.80"), ("payment", "0.00", "12000.00", "18901.80")]
    csv_path = tmp_path / "statement.csv"
    assert cli("--db", billed, "statement", "--tenant", STAR, "--csv", csv_path).code == 0
    assert csv_path.read_bytes().decode("utf-8-sig").count("\r\n") == 5

    balance = cli("--db", billed, "balance", "list", "--json").json
    assert balance == [{"tenant": STAR, "billed": "30901.80", "paid": "12000.00",
                        "waived": "0.00", "balance": "18901.80", "overdue": "8601.20",
                        "oldest_due": "2026-11-16"}]

    due = cli("--db", billed, "reminder", "list", "--due", "--json").json
    assert [(d["notice"], d["owed"]) for d in due] == [("2026-11-0001", "8601.20")]
    letter = tmp_path / "letter.txt"
    issued = cli("--db", billed, "reminder", "issue", "2026-11-0001", "--out", letter)
    assert issued.code == 0
    assert "Late fees run from 2026-11-22" in letter.read_text(encoding="utf-8")
    doc = cli("--db", billed, "reminder", "issue", "2026-11-0001", "--json").json
    assert (doc["number"], doc["owed"]) == ("CJ2026-0001", "8601.20")  # once a day
    assert cli("--db", billed, "reminder", "list", "--due").out.strip() == \
        "no overdue notice is waiting for a reminder"
    assert len(cli("--db", billed, "reminder", "list", "--json").json) == 1
    not_yet = cli("--db", billed, "reminder", "issue", "2026-12-0001")
    assert not_yet.code == 3 and "not overdue" in not_yet.err


@pytest.mark.parametrize("amount", ["-1", "0", "0.00", "99999999999999", "1000000000000.00",
                                    "0.125", "１００.00", "1,5", "1e3", "NaN", ""])
def test_bad_amounts_exit_2_and_write_nothing(cli, billed, amount):
    audit = cli("--db", billed, "audit", "verify", "--json").json
    run = cli("--db", billed, "payment", "add", "--tenant", STAR, f"--amount={amount}",
              "--method", "cash")
    assert run.code == 2, (amount, run)
    assert "--amount" in run.err and "Traceback" not in run.err
    assert cli("--db", billed, "payment", "list", "--json").json == []
    assert cli("--db", billed, "audit", "verify", "--json").json == audit


@pytest.mark.parametrize("extra,message", [
    (("--method", "bitcoin"), "invalid choice"),
    (("--method", "cheque"), "needs its reference"),
    (("--on", "2026-11-27"), "not plausible"),
    (("--on", "2026-13-01"), "--on"),
    (("--tenant", "Nobody Ltd"), "no tenant named 'Nobody Ltd'"),
    (("--ref", "\u202eabc"), "control"),
])
def test_bad_payment_input_exits_2(cli, billed, extra, message):
    args = list(extra)
    for option_, value in (("--tenant", STAR), ("--method", "cash")):
        if option_ not in args:
            args += [option_, value]
    run = cli("--db", billed, "payment", "add", "--amount", "100.00", *args)
    assert run.code == 2 and message in run.err, run


def test_a_desk_clerk_recording_a_payment_exits_4(cli, billed, env):
    env.setenv("DESKAPP_USER", "xiaoli")
    run = cli("--db", billed, "payment", "add", "--tenant", STAR, "--amount", "100.00",
              "--method", "cash")
    assert run.code == 4 and "record a payment" in run.err
    refused = cli("--db", billed, "reminder", "issue", "2026-10-0001")
    assert refused.code == 4
    assert cli("--db", billed, "balance", "list", "--json").code == 0  # looking is fine


# --- any input on the command line (the hostile-input property suite) ------------------------

amounts = st.one_of(st.sampled_from(["-1", "0", "0.125", "１.00", "1,5", "1e3",
                                     "99999999999999", "100.00", "0.05", "10300.60"]), texts)
days = mostly(["2026-11-26", "2026-11-20", "2026-10-31", "9999-12-31", "2026-02-30"])
PAYMENT_ARGV = st.one_of(
    joined(st.just(["payment", "add"]), option("--tenant", mostly([STAR]), required=True),
           option("--amount", amounts, required=True),
           option("--method", mostly(["cash", "transfer", "cheque", "wechat"]), required=True),
           option("--on", days), option("--ref", texts), option("--note", texts),
           flag("--json")),
    joined(st.just(["payment", "list"]), option("--tenant", mostly([STAR])),
           option("--month", mostly(["2026-11", "2026-13"])), flag("--json")),
    joined(st.just(["payment", "receipt"]), mostly(["R2026-000001"]).map(lambda v: [v])),
    joined(st.just(["statement"]), option("--tenant", mostly([STAR]), required=True),
           flag("--json")),
    joined(st.just(["balance", "list"]), flag("--json")),
    joined(st.just(["reminder", "issue"]),
           mostly(["2026-10-0001", "2026-12-0001"]).map(lambda v: [v]), flag("--json")),
    joined(st.just(["reminder", "list"]), flag("--due"), flag("--json")))


@pytest.fixture
def ledger(prepared, db_url):  # noqa: F811
    seed(db_url)
    assert prepared(["payment", "add", "--tenant", STAR, "--amount", "100.00",
                     "--method", "cash"])[0] == 0
    return prepared


@EXAMPLES
@given(argv=PAYMENT_ARGV)
def test_payment_commands_with_anything(ledger, argv):
    check(ledger, argv)
