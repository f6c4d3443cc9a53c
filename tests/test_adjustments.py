"""The GM's deferrals and waivers (R-7.3): asked by finance or the desk, decided by the
general manager only and never by whoever asked; what an approval does is read through
``balances`` (an approved waiver lowers what is owed, a deferral moves the day late fees
run from)."""

from __future__ import annotations

import datetime as dt
import json

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.models import Adjustment, Audit, MonthClose
from deskapp.services import adjustments, balances
from deskapp.services import tenants as registry
from deskapp.services.errors import Conflict, InvalidInput, NotAllowed
from deskapp.services.tenants import TenantData

from . import billing_rows as rows
from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

D = dt.date


@pytest.fixture
def tenant(desk):
    return registry.add_tenant(desk, TenantData(name="星辰科技", units=("12F-1201",),
                                                monthly_rent_fen=1_000_000, due_day=5))


@pytest.fixture
def november(tenant):
    """November's notice: 10,000.00 rent + 280.00 electricity, due Thu 5 Nov; 5,000.00
    paid by WeChat on 20 Nov, so 5,280.00 is owed (the clock: Thu 26 Nov 14:00)."""
    notice = rows.notice(tenant, "2026-11", D(2026, 11, 5),
                         [("rent", 1_000_000), ("electricity", 28_000)])
    rows.payment(tenant, 500_000, D(2026, 11, 20), [(notice, 500_000)], method="wechat")
    return notice


def finance(desk):
    return as_role(desk, "finance", "caiwu")


def gm(desk, login="zhaozong"):
    return as_role(desk, "gm", login)


def waiver(desk, notice, fen, reason="疫情期间减免部分租金"):
    return adjustments.ask(desk, kind="waiver", notice_id=notice.id, amount_fen=fen,
                           reason=reason)


def deferral(desk, notice, day, reason="资金周转困难，申请缓交"):
    return adjustments.ask(desk, kind="deferral", notice_id=notice.id, defer_to=day,
                           reason=reason)


def audit_rows(action):
    return [json.loads(row.detail) for row in Audit.select().where(Audit.action == action)
            .order_by(Audit.id)]


def test_a_waiver_asked_by_finance_and_approved_by_the_gm_lowers_what_is_owed(
        desk, tenant, november, clock):
    asked = waiver(finance(desk), november, 28_000)
    assert (asked.state, asked.asked_by, asked.amount_fen) == ("pending", "caiwu", 28_000)
    assert [row.id for row in adjustments.pending()] == [asked.id]
    assert balances.outstanding_fen(november, TZ) == 528_000  # asking changes nothing
    clock.set(pendulum.datetime(2026, 11, 27, 9, 30, tz=TZ))
    decided = adjustments.decide(gm(desk), asked.id, approve=True, note="同意")
    assert (decided.state, decided.decided_by) == ("approved", "zhaozong")
    assert balances.outstanding_fen(november, TZ) == 500_000
    assert balances.balance_fen(tenant.id) == 500_000
    # the waiver counts from the building day it was approved, not before
    assert balances.outstanding_fen(november, TZ, D(2026, 11, 26)) == 528_000
    assert adjustments.pending() == []
    ask, = audit_rows("adjustment.ask")
    approve, = audit_rows("adjustment.approve")
    assert (ask["kind"], ask["notice"], ask["amount_fen"], ask["asked_by"]) == (
        "waiver", "2026-11-0001", 28_000, "caiwu")
    assert (approve["notice"], approve["amount_fen"], approve["asked_by"],
            approve["decided_by"]) == ("2026-11-0001", 28_000, "caiwu", "zhaozong")


def test_whoever_asked_may_never_decide_not_even_a_gm(desk, november):
    asked = waiver(gm(desk), november, 28_000)
    for approve, note in ((True, ""), (False, "撤销")):
        with pytest.raises(NotAllowed, match="asked by zhaozong") as refused:
            adjustments.decide(gm(desk), asked.id, approve=approve, note=note)
        assert refused.value.exit_code == 4
    assert Adjustment.get_by_id(asked.id).state == "pending"
    assert balances.outstanding_fen(november, TZ) == 528_000
    decided = adjustments.decide(gm(desk, "qianzong"), asked.id, approve=True)
    assert (decided.state, decided.decided_by) == ("approved", "qianzong")
    assert balances.outstanding_fen(november, TZ) == 500_000


@pytest.mark.parametrize("role", ["desk", "finance", "manager"])
def test_the_desk_finance_and_the_manager_may_ask_but_only_the_gm_decides(
        desk, november, role):
    asked = waiver(as_role(desk, role, "xiaoli"), november, 10_000)
    with pytest.raises(NotAllowed) as refused:
        adjustments.decide(as_role(desk, role, "another"), asked.id, approve=True)
    assert refused.value.exit_code == 4
    with pytest.raises(NotAllowed):
        waiver(as_role(desk, "engineering", "ligong"), november, 10_000)
    assert Adjustment.get_by_id(asked.id).state == "pending"


def test_a_deferral_moves_the_due_date_and_the_day_late_fees_run_from(desk, tenant, november):
    """Due Thu 5 Nov, five days' grace: late fees from 11 Nov. Deferred by the GM to
    Fri 4 Dec, they run from 10 Dec, and nothing is overdue on 26 Nov any more."""
    assert balances.fees_from(november, 5) == D(2026, 11, 11)
    assert balances.overdue_fen(tenant.id, TZ, D(2026, 11, 26)) == 528_000
    asked = deferral(finance(desk), november, "2026-12-04")
    assert asked.defer_to == D(2026, 12, 4)
    assert balances.due_date(november) == D(2026, 11, 5)  # pending: nothing moved yet
    adjustments.decide(gm(desk), asked.id, approve=True)
    assert balances.due_date(november) == D(2026, 12, 4)
    assert balances.fees_from(november, 5) == D(2026, 12, 10)
    assert balances.overdue_fen(tenant.id, TZ, D(2026, 11, 26)) == 0
    assert balances.overdue_fen(tenant.id, TZ, D(2026, 12, 5)) == 528_000
    assert balances.outstanding_fen(november, TZ) == 528_000  # owed all the same
    approve, = audit_rows("adjustment.approve")
    assert (approve["kind"], approve["defer_to"], approve["asked_by"]) == (
        "deferral", "2026-12-04", "caiwu")


def test_a_deferral_is_later_than_the_current_due_date_and_at_most_90_days_after_the_printed_one(
        desk, november):
    with pytest.raises(InvalidInput, match="2026-11-05"):
        deferral(finance(desk), november, "2026-11-05")
    # printed due date Thu 5 Nov 2026 + 90 days = Wed 3 Feb 2027 (before Spring Festival)
    with pytest.raises(InvalidInput, match="2027-02-03") as refused:
        deferral(finance(desk), november, "2027-02-04")
    assert "lease" in str(refused.value)
    first = deferral(finance(desk), november, "2026-12-04")
    adjustments.decide(gm(desk), first.id, approve=True)
    with pytest.raises(InvalidInput, match="already due on 2026-12-04"):
        deferral(finance(desk), november, "2026-12-01")
    second = deferral(finance(desk), november, "2027-02-03")
    adjustments.decide(gm(desk), second.id, approve=True)
    assert balances.due_date(november) == D(2027, 2, 3)
    assert Adjustment.select().count() == 2


def test_one_pending_request_per_notice_and_kind(desk, november):
    first = waiver(finance(desk), november, 10_000)
    with pytest.raises(Conflict, match=f"#{first.id}, asked by caiwu") as refused:
        waiver(as_role(desk, "desk", "xiaoli"), november, 5_000)
    assert refused.value.exit_code == 3
    deferral(finance(desk), november, "2026-12-04")  # a deferral is another kind
    adjustments.withdraw(finance(desk), first.id)
    again = waiver(as_role(desk, "desk", "xiaoli"), november, 5_000)
    assert [(r.kind, r.state) for r in adjustments.history(november.id)] == [
        ("waiver", "withdrawn"), ("deferral", "pending"), ("waiver", "pending")]
    assert [r.id for r in adjustments.pending()][-1] == again.id


def test_a_waiver_above_what_is_owed_now_is_refused_and_approval_checks_again(
        desk, tenant, november):
    with pytest.raises(InvalidInput, match="only 5280.00 is still owed"):
        waiver(finance(desk), november, 528_001)
    for fen, key in ((0, "forgives nothing"), (-1, "negative")):
        with pytest.raises(InvalidInput, match=key):
            waiver(finance(desk), november, fen)
    asked = waiver(finance(desk), november, 528_000)  # all of it, as owed when asked
    rows.payment(tenant, 100_000, D(2026, 11, 26), [(november, 100_000)], method="cash")
    with pytest.raises(Conflict, match="only 4280.00 is still owed"):
        adjustments.decide(gm(desk), asked.id, approve=True)
    assert Adjustment.get_by_id(asked.id).state == "pending"
    assert balances.outstanding_fen(november, TZ) == 428_000


def test_nothing_owed_nothing_to_waive_or_defer(desk, tenant, november):
    rows.payment(tenant, 528_000, D(2026, 11, 26), [(november, 528_000)])
    with pytest.raises(InvalidInput, match="nothing is owed"):
        waiver(finance(desk), november, 100)
    with pytest.raises(InvalidInput, match="nothing is owed"):
        deferral(finance(desk), november, "2026-12-04")


def test_a_refusal_says_why_and_a_decided_request_is_not_decided_again(desk, november):
    asked = waiver(finance(desk), november, 28_000)
    with pytest.raises(InvalidInput, match="say why"):
        adjustments.decide(gm(desk), asked.id, approve=False)
    refused = adjustments.decide(gm(desk), asked.id, approve=False, note="不符合减免条件")
    assert (refused.state, refused.decision_note) == ("refused", "不符合减免条件")
    assert balances.outstanding_fen(november, TZ) == 528_000
    with pytest.raises(Conflict, match="refused by zhaozong"):
        adjustments.decide(gm(desk, "qianzong"), asked.id, approve=True)
    refuse, = audit_rows("adjustment.refuse")
    assert (refuse["note"], refuse["decided_by"]) == ("不符合减免条件", "zhaozong")


def test_only_the_asker_withdraws_and_only_while_pending(desk, november):
    asked = waiver(finance(desk), november, 28_000)
    with pytest.raises(NotAllowed, match="only they"):
        adjustments.withdraw(as_role(desk, "finance", "other"), asked.id)
    adjustments.withdraw(finance(desk), asked.id)
    with pytest.raises(Conflict, match="withdrawn"):
        adjustments.decide(gm(desk), asked.id, approve=True)
    with pytest.raises(Conflict):
        adjustments.withdraw(finance(desk), asked.id)
    assert balances.outstanding_fen(november, TZ) == 528_000


def test_approving_a_waiver_is_money_moving_today_refused_in_a_closed_month(
        desk, november, clock):
    asked = waiver(finance(desk), november, 28_000)
    MonthClose.create(month="2026-11", closed_at=clock.now(), closed_by="caiwu", figures="{}")
    with pytest.raises(InvalidInput, match="2026-11 is closed"):
        adjustments.decide(gm(desk), asked.id, approve=True)
    assert Adjustment.get_by_id(asked.id).state == "pending"


def test_a_reason_is_required_and_bad_values_are_refused(desk, november):
    with pytest.raises(InvalidInput, match="reason"):
        waiver(finance(desk), november, 100, reason="  ")
    with pytest.raises(InvalidInput, match="control"):
        waiver(finance(desk), november, 100, reason="\x1b]0;x\x07")
    with pytest.raises(InvalidInput):
        adjustments.ask(finance(desk), kind="discount", notice_id=november.id,
                        amount_fen=100, reason="x")
    with pytest.raises(InvalidInput, match="deferral"):
        adjustments.ask(finance(desk), kind="waiver", notice_id=november.id,
                        amount_fen=100, defer_to="2026-12-01", reason="x")
    with pytest.raises(InvalidInput):
        deferral(finance(desk), november, "2026-02-30")
    with pytest.raises(InvalidInput, match="no payment notice"):
        adjustments.ask(finance(desk), kind="waiver", notice_id=999, amount_fen=1, reason="x")
    assert Adjustment.select().count() == 0 and audit_rows("adjustment.ask") == []


# --- the command line -----------------------------------------------------------------------

@pytest.fixture
def staffed(desk, november, db_url):
    from deskapp.services.staff import add_staff

    for login, name, role in (("caiwu", "财务小陈", "finance"), ("xiaoli", "小李", "desk"),
                              ("zhaozong", "赵总", "gm"), ("qianzong", "钱总", "gm")):
        add_staff(desk, login, name, role)
    return db_url


def test_waiver_and_deferral_on_the_command_line(cli, env, staffed):  # noqa: F811
    env.setenv("DESKAPP_USER", "caiwu")
    asked = cli("--db", staffed, "waiver", "ask", "--notice", "2026-11-0001", "--amount",
                "280.00", "--reason", "电表故障多计电费", "--json")
    assert asked.code == 0, asked.err
    doc = asked.json
    assert (doc["kind"], doc["amount"], doc["notice"], doc["tenant"], doc["state"],
            doc["asked_by"]) == ("waiver", "280.00", "2026-11-0001", "星辰科技", "pending",
                                 "caiwu")
    assert doc["asked_at"] == "2026-11-26T14:00:00+08:00"
    deferred = cli("--db", staffed, "deferral", "ask", "--notice", "2026-11-0001", "--to",
                   "2026-12-04", "--reason", "申请缓交", "--json")
    assert deferred.code == 0 and deferred.json["defer_to"] == "2026-12-04"
    assert [r["id"] for r in cli("--db", staffed, "approval", "list", "--json").json] == [
        doc["id"], deferred.json["id"]]
    listed = cli("--db", staffed, "approval", "list").out
    assert "280.00" in listed and "2026-11-05 → 2026-12-04" in listed

    mine = cli("--db", staffed, "approval", "approve", str(doc["id"]))
    assert mine.code == 4  # finance may not decide at all
    env.setenv("DESKAPP_USER", "xiaoli")
    assert cli("--db", staffed, "approval", "approve", str(doc["id"])).code == 4
    env.setenv("DESKAPP_USER", "zhaozong")
    approved = cli("--db", staffed, "approval", "approve", str(doc["id"]), "--note", "同意",
                   "--json")
    assert approved.code == 0 and approved.json["state"] == "approved"
    assert approved.json["decided_by"] == "zhaozong"
    refused = cli("--db", staffed, "approval", "refuse", str(deferred.json["id"]))
    assert refused.code == 2  # argparse: --note is required
    refused = cli("--db", staffed, "approval", "refuse", str(deferred.json["id"]),
                  "--note", "请按合同付款")
    assert refused.code == 0 and "refused" in refused.out
    assert cli("--db", staffed, "approval", "list").out.strip() == (
        "No requests are waiting for the general manager.")
    assert len(cli("--db", staffed, "approval", "list", "--all", "--json").json) == 2


def test_the_gm_who_asked_is_refused_with_exit_4_naming_the_asker(cli, env, staffed):  # noqa: F811
    env.setenv("DESKAPP_USER", "zhaozong")
    asked = cli("--db", staffed, "waiver", "ask", "--notice", "2026-11-0001", "--amount",
                "100", "--reason", "x", "--json").json
    again = cli("--db", staffed, "approval", "approve", str(asked["id"]))
    assert again.code == 4 and "asked by zhaozong" in again.err
    assert "Traceback" not in again.err
    env.setenv("DESKAPP_USER", "qianzong")
    assert cli("--db", staffed, "approval", "approve", str(asked["id"])).code == 0


@pytest.mark.parametrize("amount", ["-1", "0.125", "１.00", "1,5", "99999999999999", "1e3",
                                    "5280.01", "0"])
def test_bad_waiver_amounts_exit_2_and_write_nothing(cli, env, staffed, amount):  # noqa: F811
    env.setenv("DESKAPP_USER", "caiwu")
    before = Audit.select().count()
    run = cli("--db", staffed, "waiver", "ask", "--notice", "2026-11-0001",
              f"--amount={amount}", "--reason", "x")
    assert run.code == 2, run
    assert "Traceback" not in run.err and run.err.strip()
    assert Adjustment.select().count() == 0 and Audit.select().count() == before


def test_unknown_notice_and_request_exit_2(cli, env, staffed):  # noqa: F811
    env.setenv("DESKAPP_USER", "zhaozong")
    run = cli("--db", staffed, "waiver", "ask", "--notice", "2026-11-9999", "--amount", "1",
              "--reason", "x")
    assert run.code == 2 and "no payment notice 2026-11-9999" in run.err
    assert cli("--db", staffed, "approval", "approve", "77").code == 2
    assert cli("--db", staffed, "approval", "approve", "-1").code == 2


# --- any input on the command line (the hostile-input property suite) ------------------------

from .test_properties import EXAMPLES, check, flag, joined, mostly, option  # noqa: E402
from .test_properties import prepared, texts  # noqa: E402, F401 - fixture

amounts = st.one_of(st.sampled_from(["-1", "0.125", "１.00", "1,5", "1e3", "99999999999999",
                                     "100.00", "0.01", "10000.01"]), texts)
days = mostly(["2026-12-04", "2026-11-05", "2027-02-04", "9999-12-31", "2026-02-30"])
numbers = mostly(["2026-11-0001", "2026-11-0002"])
ids = mostly(["1", "2", "0", "-1", "１"])
APPROVAL_ARGV = st.one_of(
    joined(st.just(["waiver", "ask"]), option("--notice", numbers, required=True),
           option("--amount", amounts, required=True),
           option("--reason", texts, required=True), flag("--json")),
    joined(st.just(["deferral", "ask"]), option("--notice", numbers, required=True),
           option("--to", days, required=True), option("--reason", texts, required=True),
           flag("--json")),
    joined(st.just(["approval"]), st.sampled_from([["approve"], ["refuse"], ["withdraw"]]),
           ids.map(lambda v: [v]), option("--note", texts), flag("--json")),
    joined(st.just(["approval", "list"]), flag("--all"), flag("--json")),
    joined(st.just(["month"]), st.sampled_from([["report"], ["close"]]),
           option("--month", mostly(["2026-10", "2026-11", "2026-13", "1999-01"]),
                  required=True), flag("--json")))


@pytest.fixture
def billed(prepared, tmp_path, db_url, clock):  # noqa: F811
    from deskapp.db import open_database
    from deskapp.models import Tenant
    from deskapp.services import Desk

    path = tmp_path / "tenants.csv"
    path.write_text("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
                    "Acme Trading Ltd,8F-805,John Chen,1380000,10000.00,10,2026-01-01,"
                    "2027-12-31\n", encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    db = open_database(db_url)
    acme = Tenant.get(Tenant.name == "Acme Trading Ltd")
    october = rows.notice(acme, "2026-10", D(2026, 10, 10), [("rent", 1_000_000)])
    rows.notice(acme, "2026-11", D(2026, 11, 10), [("rent", 1_000_000)])
    adjustments.ask(Desk(db=db, clock=clock, user="caiwu", role="finance"), kind="waiver",
                    notice_id=october.id, amount_fen=10_000, reason="x")
    db.close()
    return prepared


@EXAMPLES
@given(argv=APPROVAL_ARGV)
def test_approval_and_month_commands_with_anything(billed, argv):
    check(billed, argv)
