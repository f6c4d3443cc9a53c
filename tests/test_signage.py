"""Tenant signage (SPEC §3): orders on the tenant's application, their steps and clocks,
corrections, the register and the supplier's reconciliation, patrol findings, and the
directory entries of tenants that left or renamed. Real dates: National Day 2026
(1–7 Oct closed, Sat 10 Oct a make-up working day)."""

from __future__ import annotations

import csv
import json

import pendulum
import pytest

from deskapp.models import Audit, SignFinding, SignOrder, SignSupplier, Target, Ticket
from deskapp.services import Conflict, InvalidInput, NotAllowed, signage
from deskapp.services.signage import Application
from deskapp.services.tenants import TenantData, set_status, update_tenant, upsert_tenant

from .area_helpers import local
from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures

SUPPLIER = "美工广告"
TENANT = "星辰科技"


@pytest.fixture
def on_30_sep(clock):
    """Wednesday 30 September 2026, 10:00: the last working day before National Day."""
    clock.set(local(2026, 9, 30, 10, 0))
    return clock


@pytest.fixture
def tenant(desk, on_30_sep):
    signage.add_supplier(desk, SUPPLIER, "李师傅", "021-5555 0101")
    return upsert_tenant(desk, TENANT, units=["12F-1201"])


def entry(tenant, **kw) -> Application:
    values = dict(tenant_id=tenant.id, kind="directory", text="星辰科技有限公司",
                  position="大堂水牌 第12行", applicant="张经理", received="2026-09-30",
                  supplier=SUPPLIER)
    values.update(kw)
    return Application(**values)


def plate(tenant, **kw) -> Application:
    return entry(tenant, **{"kind": "name_plate", "position": "12F-1201", **kw})


def due_of(ticket_id: int) -> pendulum.DateTime:
    target = Target.get(Target.ticket == ticket_id, Target.name == "done")
    return target.due_at.in_tz(TZ)


def walk(desk, order, *actions, **kw):
    for action in actions:
        order = signage.step(desk, order.id, action, **kw)
    return order


def registered_entry(desk, tenant, **kw):
    order = signage.apply(desk, entry(tenant, **kw))
    return walk(desk, order, "send", "made", "installed", "register")


# -- the application and its clock ---------------------------------------------------------

def test_directory_entry_is_due_seven_working_days_after_the_application(desk, tenant):
    # Applied Wed 30 Sep: 1–7 Oct are National Day, so the working days are Thu 8, Fri 9,
    # Sat 10 (make-up), Mon 12, Tue 13, Wed 14, Thu 15 Oct: the 7th ends 15 Oct 17:30.
    order = signage.apply(desk, entry(tenant))
    ticket = Ticket.get_by_id(order.ticket_id)
    assert (ticket.service, ticket.state, ticket.tenant.name) == ("signage", "accepted", TENANT)
    assert ticket.location == "大堂水牌 第12行" and "星辰科技有限公司" in ticket.note
    assert due_of(ticket.id) == local(2026, 10, 15, 17, 30)
    assert order.state == "applied" and order.application_ref == f"SQ20260930-{order.id}"


def test_an_application_typed_in_late_counts_from_the_day_it_came(desk, tenant, clock):
    clock.set(local(2026, 10, 9, 16, 0))  # received 30 Sep, typed in on Fri 9 Oct
    order = signage.apply(desk, entry(tenant, received="2026-09-30"))
    assert due_of(order.ticket_id) == local(2026, 10, 15, 17, 30)


@pytest.mark.parametrize("missing", [dict(applicant=""), dict(applicant="  "),
                                     dict(received=None), dict(received="")])
def test_no_order_without_the_application_on_file(desk, tenant, missing):
    # staff may not order signs privately
    before = Audit.select().count()
    with pytest.raises(InvalidInput) as refused:
        signage.apply(desk, entry(tenant, **missing))
    assert "is required" in refused.value.message()
    assert SignOrder.select().count() == 0 and Ticket.select().count() == 0
    assert Audit.select().count() == before


def test_an_application_from_the_future_or_long_ago_is_refused(desk, tenant):
    for day, words in (("2026-10-01", "not plausible"), ("2025-09-01", "more than a year")):
        with pytest.raises(InvalidInput) as refused:
            signage.apply(desk, entry(tenant, received=day))
        assert words in refused.value.message()
    assert SignOrder.select().count() == 0


def test_a_name_plate_hangs_at_a_unit(desk, tenant):
    with pytest.raises(InvalidInput, match="not a unit"):
        signage.apply(desk, plate(tenant, position="lobby"))


def test_no_new_order_for_a_tenant_that_moved_out(desk, tenant):
    set_status(desk, tenant.id, "moving_out")
    set_status(desk, tenant.id, "gone")
    with pytest.raises(Conflict, match="moved out"):
        signage.apply(desk, entry(tenant))


# -- the steps --------------------------------------------------------------------------------

def test_name_plate_is_made_only_after_the_tenant_signs_the_draft(desk, tenant, clock):
    order = signage.apply(desk, plate(tenant, text="星辰科技"))
    assert order.ticket_id is None  # the week runs from the signed draft
    order = signage.step(desk, order.id, "send")
    with pytest.raises(Conflict) as refused:
        signage.step(desk, order.id, "made")
    assert "next: draft signed by the tenant" in refused.value.message()
    clock.set(local(2026, 10, 12, 10, 0))  # Mon 12 Oct: the tenant signs the colour draft
    order = signage.step(desk, order.id, "draft")
    ticket = Ticket.get_by_id(order.ticket_id)
    assert ticket.service == "signage" and ticket.opened_at == local(2026, 10, 12, 10, 0)
    # 13, 14, 15, 16, 19, 20, 21 Oct: made within one week of the signing
    assert due_of(ticket.id) == local(2026, 10, 21, 17, 30)
    order = walk(desk, order, "made", "installed", "register")
    assert order.state == "registered"
    assert Ticket.get_by_id(ticket.id).state == "closed"


def test_a_directory_entry_has_no_draft_to_sign(desk, tenant):
    order = signage.step(desk, signage.apply(desk, entry(tenant)).id, "send")
    with pytest.raises(Conflict, match="only name plates have a colour draft"):
        signage.step(desk, order.id, "draft")
    assert signage.step(desk, order.id, "made").state == "made"


def test_a_step_out_of_order_says_which_comes_next(desk, tenant):
    order = signage.apply(desk, entry(tenant))
    with pytest.raises(Conflict) as refused:
        signage.step(desk, order.id, "installed")
    assert refused.value.message() == (f"sign order #{order.id} is applied: it cannot be "
                                       "'installed and accepted' yet; next: send to the supplier")
    assert SignOrder.get_by_id(order.id).state == "applied"


def test_the_copy_goes_to_a_supplier(desk, tenant):
    order = signage.apply(desk, entry(tenant, supplier=None))
    with pytest.raises(Conflict, match="no supplier yet"):
        signage.step(desk, order.id, "send")
    order = signage.step(desk, order.id, "send", supplier=SUPPLIER)
    assert order.supplier.name == SUPPLIER and order.state == "sent_to_supplier"


def test_each_step_records_who_and_when(desk, tenant, clock):
    order = signage.apply(desk, entry(tenant))
    clock.set(local(2026, 10, 8, 9, 0))
    order = signage.step(as_role(desk, "desk", "lina"), order.id, "send")
    clock.set(local(2026, 10, 9, 10, 0))
    order = signage.step(desk, order.id, "made", at=local(2026, 10, 9, 9, 30))  # back-dated
    steps = [(state, at.in_tz(TZ), who) for state, at, who in signage.timeline(order)]
    assert steps == [("applied", local(2026, 9, 30, 10, 0), "wangfang"),
                     ("sent_to_supplier", local(2026, 10, 8, 9, 0), "lina"),
                     ("made", local(2026, 10, 9, 9, 30), "wangfang")]


def test_a_step_may_not_be_dated_before_the_last_one(desk, tenant, clock):
    order = signage.apply(desk, entry(tenant))
    clock.set(local(2026, 10, 8, 9, 0))
    with pytest.raises(InvalidInput, match="before the order's last step"):
        signage.step(desk, order.id, "send", at=local(2026, 9, 29, 9, 0))


def test_registering_closes_the_ticket_in_time(desk, tenant, clock):
    order = signage.apply(desk, entry(tenant))
    clock.set(local(2026, 10, 14, 15, 0))
    order = walk(desk, order, "send", "made", "installed", "register")
    ticket = Ticket.get_by_id(order.ticket_id)
    assert ticket.state == "closed" and not ticket.is_open and not ticket.late


def test_cancel_needs_a_reason_and_cancels_the_ticket(desk, tenant):
    order = signage.apply(desk, entry(tenant))
    with pytest.raises(InvalidInput, match="Reason is required"):
        signage.step(desk, order.id, "cancel")
    reason = "租户改主意，" + "另行申请" * 100  # 405 characters: kept whole
    order = signage.step(desk, order.id, "cancel", reason=reason)
    assert order.state == "cancelled"
    assert SignOrder.get_by_id(order.id).cancel_reason == reason
    assert Ticket.get_by_id(order.ticket_id).state == "cancelled"
    with pytest.raises(Conflict, match="nothing more to do"):
        signage.step(desk, order.id, "send")


# -- corrections (R-3.2) ----------------------------------------------------------------------

def test_a_wrong_character_is_corrected_within_one_working_day(desk, tenant, clock):
    original = registered_entry(desk, tenant, text="星晨科技有限公司")
    clock.set(local(2026, 10, 9, 11, 0))  # reported on Fri 9 Oct
    fix = signage.fix(desk, original.id, "星辰科技有限公司", reported_by="张经理")
    ticket = Ticket.get_by_id(fix.ticket_id)
    assert ticket.service == "signage_fix"
    # the next working day is Sat 10 Oct, a make-up working day of National Day
    assert due_of(ticket.id) == local(2026, 10, 10, 17, 30)
    assert (fix.purpose, fix.corrects_id, fix.kind, fix.position) == (
        "correction", original.id, "directory", original.position)
    fix = walk(desk, fix, "send", "made", "installed", "register")
    assert [o.text for o in signage.live_directory_entries(tenant.id)] == ["星辰科技有限公司"]


def test_a_correction_is_for_a_directory_entry_that_is_up(desk, tenant):
    under_way = signage.apply(desk, entry(tenant))
    with pytest.raises(Conflict, match="only an entry that is up"):
        signage.fix(desk, under_way.id, "别的")
    name_plate = signage.apply(desk, plate(tenant))
    with pytest.raises(Conflict, match="corrections are for directory entries"):
        signage.fix(desk, name_plate.id, "别的")
    up = registered_entry(desk, tenant)
    signage.fix(desk, up.id, "星辰科技（上海）有限公司")
    with pytest.raises(Conflict, match="already has order"):
        signage.fix(desk, up.id, "星辰科技")


# -- the register and the supplier's reconciliation (R-3.4) -----------------------------------

def test_the_register_has_one_line_per_registered_sign(desk, tenant, clock):
    first = signage.apply(desk, entry(tenant, price="380", ref="申-001"))
    signage.apply(desk, plate(tenant))  # still under way: not in the register
    clock.set(local(2026, 10, 9, 10, 0))
    walk(desk, first, "send", "made", "installed")
    clock.set(local(2026, 10, 12, 9, 0))
    signage.step(desk, first.id, "register")
    lines = signage.register_lines(desk)
    assert [{k: v for k, v in line.items() if k != "price_fen"} for line in lines] == [{
        "id": first.id, "tenant": TENANT, "kind": "directory", "purpose": "new",
        "text": "星辰科技有限公司", "position": "大堂水牌 第12行", "supplier": SUPPLIER,
        "applied_on": "2026-09-30", "installed_on": "2026-10-09",
        "registered_on": "2026-10-12", "application_ref": "申-001", "price": "380.00"}]


def test_reconciliation_counts_a_suppliers_signs_of_the_month(desk, tenant, clock, tmp_path):
    signage.add_supplier(desk, "另一家")
    oct_entry = signage.apply(desk, entry(tenant, price="380.50"))
    oct_plate = signage.apply(desk, plate(tenant, price="1,200"))
    unpriced = signage.apply(desk, entry(tenant, text="星辰", position="B1 水牌"))
    other = signage.apply(desk, entry(tenant, supplier="另一家", price="99"))
    clock.set(local(2026, 10, 31, 23, 0))  # the last hour of October, building time
    walk(desk, oct_entry, "send", "made", "installed", "register")
    walk(desk, oct_plate, "send", "draft", "made", "installed", "register")
    walk(desk, other, "send", "made", "installed", "register")
    clock.set(local(2026, 11, 1, 0, 30))  # November
    walk(desk, unpriced, "send", "made", "installed", "register")
    october = signage.reconcile(desk, SUPPLIER, "2026-10")
    assert october["counts"] == {"directory": 1, "name_plate": 1}
    assert (october["signs"], october["total"], october["unpriced"]) == (2, "1580.50", 0)
    assert [line["id"] for line in october["lines"]] == [oct_entry.id, oct_plate.id]
    november = signage.reconcile(desk, SUPPLIER, "2026-11")
    assert (november["signs"], november["total"], november["unpriced"]) == (1, "0.00", 1)
    path = tmp_path / "oct.csv"
    assert signage.write_csv(str(path), october["lines"]) == 2
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Order", "Tenant", "Kind"]
    assert rows[2][2] == "Name plate" and rows[2][-1] == "1200.00"


def test_csv_keeps_a_formula_from_running(desk, tenant, tmp_path):
    registered_entry(desk, tenant, text="=HYPERLINK(\"http://x\")")
    text = signage.csv_text(signage.register_lines(desk))
    assert "'=HYPERLINK" in text


# -- patrol (R-3.5) -------------------------------------------------------------------------------

def test_a_lost_sign_opens_a_same_day_patrol_ticket(desk, tenant, clock):
    up = registered_entry(desk, tenant)
    clock.set(local(2026, 10, 12, 9, 15))
    finding = signage.report_lost(desk, up.id, "水牌第12行松动")
    ticket = Ticket.get_by_id(finding.ticket_id)
    assert ticket.service == "patrol" and ticket.location == "大堂水牌 第12行"
    assert f"#{up.id}" in ticket.note and "水牌第12行松动" in ticket.note
    assert due_of(ticket.id) == local(2026, 10, 12, 23, 59, 59)  # the same day
    with pytest.raises(Conflict, match=f"patrol ticket #{ticket.id} is open"):
        signage.report_lost(desk, up.id, "again")
    from deskapp.services.tickets import step

    step(desk, ticket.id, "resolve")  # fixed: a later loss is a new finding
    step(desk, ticket.id, "answer")
    assert signage.report_lost(desk, up.id, "丢失").ticket_id != ticket.id


def test_a_sign_not_yet_up_cannot_be_lost(desk, tenant):
    order = signage.apply(desk, entry(tenant))
    with pytest.raises(Conflict, match="not up"):
        signage.report_lost(desk, order.id, "lost")
    assert SignFinding.select().count() == 0


# -- tenants that leave or rename (R-3.5) ------------------------------------------------------

def test_a_tenant_gone_gets_its_directory_entry_taken_down(desk, tenant):
    up = registered_entry(desk, tenant)
    under_way = signage.apply(desk, plate(tenant))
    set_status(desk, tenant.id, "moving_out")
    assert SignOrder.select().count() == 2  # moving out is not gone yet
    set_status(desk, tenant.id, "gone")
    removal = SignOrder.get(SignOrder.purpose == "removal")
    assert (removal.corrects_id, removal.kind, removal.text, removal.state) == (
        up.id, "directory", up.text, "applied")
    assert Ticket.get_by_id(removal.ticket_id).service == "signage"
    assert SignOrder.get_by_id(under_way.id).state == "cancelled"
    assert SignOrder.get_by_id(under_way.id).cancel_reason == "the tenant moved out"
    actions = [a for (a,) in Audit.select(Audit.action).where(
        Audit.entity == "sign_order").order_by(Audit.id.desc()).limit(2).tuples()]
    assert actions == ["signage.removal", "signage.cancel"]
    removal = walk(desk, removal, "send", "made")  # taken down: nothing to accept
    assert signage.next_action(removal) == "register"
    walk(desk, removal, "register")
    assert signage.live_directory_entries(tenant.id) == []


def test_a_correction_under_way_gives_way_to_the_removal(desk, tenant):
    up = registered_entry(desk, tenant)
    correction = signage.fix(desk, up.id, "星辰科技")
    set_status(desk, tenant.id, "moving_out")
    set_status(desk, tenant.id, "gone")
    assert SignOrder.get_by_id(correction.id).state == "cancelled"
    assert Ticket.get_by_id(correction.ticket_id).state == "cancelled"
    assert SignOrder.get(SignOrder.purpose == "removal").corrects_id == up.id


def test_a_renamed_tenant_gets_its_directory_entry_changed(desk, tenant):
    up = registered_entry(desk, tenant, text=TENANT)
    update_tenant(desk, tenant.id, TenantData(name="星辰智能", units=("12F-1201",)))
    change = SignOrder.get(SignOrder.purpose == "change")
    assert (change.corrects_id, change.text) == (up.id, "星辰智能")
    assert Ticket.get_by_id(change.ticket_id).tenant.name == "星辰智能"
    # a change of something else leaves the board alone
    update_tenant(desk, tenant.id, TenantData(name="星辰智能", units=("12F-1201", "12F-1202")))
    assert SignOrder.select().where(SignOrder.purpose == "change").count() == 1


def test_a_renamed_tenant_gets_its_full_name_changed_on_the_board(desk, tenant):
    full = registered_entry(desk, tenant, text="星辰科技有限公司")
    other = registered_entry(desk, tenant, text="Xingchen Tech", position="B1 水牌")
    update_tenant(desk, tenant.id, TenantData(name="星辰智能", units=("12F-1201",)))
    changes = {o.corrects_id: o.text for o in SignOrder.select().where(
        SignOrder.purpose == "change")}
    assert changes == {full.id: "星辰智能有限公司", other.id: "星辰智能"}


# -- roles and the audit -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "engineering", "security", "finance"])
def test_only_the_desk_orders_signs(desk, tenant, role):
    other = as_role(desk, role)
    with pytest.raises(NotAllowed, match="order signs for tenants"):
        signage.apply(other, entry(tenant))
    up = registered_entry(desk, tenant)
    for call in (lambda: signage.step(other, up.id, "cancel", reason="x"),
                 lambda: signage.fix(other, up.id, "x"),
                 lambda: signage.report_lost(other, up.id, "x")):
        with pytest.raises(NotAllowed):
            call()


def test_suppliers_are_added_by_the_manager_or_the_desk(desk, tenant):
    assert signage.add_supplier(as_role(desk, "desk"), "字工坊").name == "字工坊"
    with pytest.raises(NotAllowed, match="add a signage supplier"):
        signage.add_supplier(as_role(desk, "gm"), "别家")
    with pytest.raises(Conflict, match="already a supplier"):
        signage.add_supplier(desk, SUPPLIER)
    assert signage.supplier_names() == sorted([SUPPLIER, "字工坊"])


def test_every_write_leaves_an_audit_row(desk, tenant):
    up = registered_entry(desk, tenant)
    signage.fix(desk, up.id, "星辰科技")
    signage.report_lost(desk, up.id, "松动")
    actions = [a for (a,) in Audit.select(Audit.action).where(Audit.entity.in_(
        ["sign_order", "sign_supplier"])).order_by(Audit.id).tuples()]
    assert actions == ["supplier.add", "signage.apply", "signage.send", "signage.made",
                       "signage.installed", "signage.register", "signage.correction",
                       "signage.lost"]
    detail = json.loads(Audit.get(Audit.action == "signage.apply").detail)
    assert detail["applicant"] == "张经理" and detail["applied_on"] == "2026-09-30"


def test_a_price_is_exact_and_plausible(desk, tenant):
    assert signage.apply(desk, entry(tenant, price="1,200.50")).price_fen == 120050
    for bad, words in (("1,5", "not an amount"), ("-3", "negative"), ("12.345", "not an amount"),
                       ("100000.01", "implausibly high"), ("1e3", "not an amount")):
        with pytest.raises(InvalidInput, match=words):
            signage.apply(desk, entry(tenant, price=bad))


# -- the command line ----------------------------------------------------------------------------

def _world(cli, url):
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "supplier", "add", SUPPLIER, "--phone", "021-5555",
               "--contact", "李师傅").code == 0
    from deskapp.db import open_database

    db = open_database(url)
    try:
        from deskapp.clock import FrozenClock
        from deskapp.services import Desk

        upsert_tenant(Desk(db=db, clock=FrozenClock(local(2026, 11, 26, 9, 0)),
                           user="wangfang", role="manager"), TENANT, units=["12F-1201"])
    finally:
        db.close()


APPLY = ("signage", "apply", "--tenant", TENANT, "--kind", "directory", "--text", "星辰科技",
         "--position", "大堂水牌 第12行", "--applicant", "张经理", "--received", "2026-11-26",
         "--supplier", SUPPLIER)


def test_cli_order_from_application_to_register(cli, url, tmp_path):
    _world(cli, url)
    made = cli("--db", url, *APPLY, "--price", "380", "--text", "[bold]星辰科技[/]", "--json")
    assert made.code == 0, made.err
    doc = made.json
    assert doc["text"] == "[bold]星辰科技[/]" and doc["price"] == "380.00"
    assert doc["application"] == {"received_on": "2026-11-26", "applicant": "张经理",
                                  "ref": f"SQ20261126-{doc['id']}"}
    assert doc["steps"][0]["at"] == "2026-11-26T14:00:00+08:00"
    assert doc["next_step"] == "send"
    for action in ("send", "made", "installed", "register"):
        run = cli("--db", url, "signage", "step", doc["id"], action, "--json")
        assert run.code == 0, run.err
    assert run.json["state"] == "registered"
    wrong = cli("--db", url, "signage", "step", doc["id"], "made")
    assert wrong.code == 3 and "nothing more to do" in wrong.err
    listing = cli("--db", url, "signage", "list")
    assert listing.out.strip() == "no signage orders"
    assert "[bold]星辰科技[/]" in cli("--db", url, "signage", "list", "--all").out
    out = tmp_path / "register.csv"
    book = cli("--db", url, "signage", "register", "--csv", out, "--json")
    assert book.code == 0 and book.json[0]["registered_on"] == "2026-11-26"
    assert "[bold]星辰科技[/]" in out.read_text(encoding="utf-8-sig")
    settle = cli("--db", url, "signage", "reconcile", SUPPLIER, "--month", "2026-11", "--json")
    assert settle.json["counts"] == {"directory": 1, "name_plate": 0}
    assert settle.json["total"] == "380.00"
    human = cli("--db", url, "signage", "reconcile", SUPPLIER, "--month", "2026-11")
    assert "1 signs (1 directory, 0 name plates), total 380.00 yuan" in human.out
    fix = cli("--db", url, "signage", "fix", doc["id"], "--text", "星辰科技", "--json")
    assert fix.code == 0 and fix.json["purpose"] == "correction"
    lost = cli("--db", url, "signage", "lost", doc["id"], "--note", "松动", "--json")
    assert lost.code == 0 and lost.json["order"] == doc["id"]
    suppliers = cli("--db", url, "supplier", "list", "--json").json
    assert suppliers == [{"id": 1, "name": SUPPLIER, "contact": "李师傅", "phone": "021-5555",
                          "active": True}]


def test_cli_in_chinese(cli, url):
    _world(cli, url)
    made = cli("--db", url, "--lang", "zh", *APPLY)
    assert made.code == 0 and "水牌" in made.out and "已申请" in made.out
    refused = cli("--db", url, "--lang", "zh", "signage", "step", "1", "installed")
    assert refused.code == 3 and "下一步：送交供方" in refused.err


HOSTILE = [
    (("--received", "[/red]"), "not a date"),
    (("--received", "9999-12-31"), "not plausible"),
    (("--received", "2026-02-30"), "no such day"),
    (("--text", "星辰\x1b[2J"), "control characters"),
    (("--text", "\u202e星辰"), "control characters"),
    (("--text", "x" * 201), "too long"),
    (("--applicant", "张\x9b31m"), "control characters"),
    (("--price", "99999999999"), "implausibly high"),
    (("--price", "1,5"), "not an amount"),
    (("--price", "[/red]"), "not an amount"),
    (("--kind", "[/red]"), "not a kind of sign"),
    (("--supplier", "[/red]"), "no supplier"),
    (("--tenant", "\x1b]0;PWNED\x07"), "control characters"),
    (("--tenant", "[/red]"), "no tenant '[/red]'"),
]


@pytest.mark.parametrize("override, message", HOSTILE, ids=[repr(o)[:40] for o, _ in HOSTILE])
def test_cli_hostile_application_exits_2_and_writes_nothing(cli, url, override, message):
    _world(cli, url)
    args = list(APPLY) + ["--price", "380"]
    args[args.index(override[0]) + 1] = override[1]
    _assert_refused(cli, url, args, message)


HOSTILE_OTHER = [
    (("signage", "step", "0", "send"), "an order number"),
    (("signage", "step", "99999999999999999999", "send"), "an order number"),
    (("signage", "step", "1", "[/red]"), "not a step"),
    (("signage", "step", "1", "send", "--at", "9999-12-31T10:00"), "future"),
    (("signage", "step", "1", "cancel", "--reason", "why\x00"), "control characters"),
    (("signage", "fix", "1", "--text", "\u2066x"), "control characters"),
    (("signage", "lost", "1", "--note", "\x1b[31m"), "control characters"),
    (("signage", "reconcile", SUPPLIER, "--month", "2026-13"), "not a month"),
    (("signage", "reconcile", SUPPLIER, "--month", "9999-01"), "not a month"),
    (("signage", "reconcile", "[/red]", "--month", "2026-11"), "no supplier"),
    (("signage", "register", "--csv", "/no/such/folder/x.csv"), "does not exist"),
    (("supplier", "add", "[/red]\x1b[2J"), "control characters"),
    (("supplier", "add", "x", "--phone", "[/red]"), "phone"),
]


@pytest.mark.parametrize("args, message", HOSTILE_OTHER,
                         ids=[repr(a[1:])[:50] for a, _ in HOSTILE_OTHER])
def test_cli_hostile_steps_exit_2_and_write_nothing(cli, url, args, message):
    _world(cli, url)
    assert cli("--db", url, *APPLY).code == 0
    _assert_refused(cli, url, args, message)


def _assert_refused(cli, url, args, message):
    from deskapp.db import open_database

    def counts():
        db = open_database(url)
        try:
            return tuple(m.select().count() for m in (SignOrder, SignSupplier, Ticket, Audit))
        finally:
            db.close()

    before = counts()
    run = cli("--db", url, *args)
    assert run.code == 2, (run.out, run.err)
    assert run.out == "" and message in run.err
    assert "\x1b" not in run.err and "\x9b" not in run.err
    assert counts() == before


# -- the screens at 80×24 ---------------------------------------------------------------------

async def _order_form(app, pilot, tenant_id):
    from deskapp.screens.signage import SignageOrderScreen

    placed = []
    app.push_screen(SignageOrderScreen(tenant_id), placed.append)
    await pilot.pause()
    return app.screen, placed


async def _settle(pilot, until, tries=40):
    for _ in range(tries):  # the write runs in the app's writer thread
        await pilot.pause(0.05)
        if until():
            return


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_pilot_places_an_order_with_markup_text_literally(desk, db_url, tenant, lang):
    from deskapp import i18n
    from tests.test_form import screen_text
    from tests.test_tui import SIZE, make_app

    i18n.set_language(lang)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        form, placed = await _order_form(app, pilot, tenant.id)
        assert form.query_one("#received").value == "2026-09-30"  # today, building time
        await pilot.press("tab")  # kind → text
        form.query_one("#text").value = "[bold]星辰科技[/]"
        await pilot.press("tab")
        await pilot.press(*"Lobby board line 12")
        form.query_one("#applicant").value = "张经理"
        form.query_one("#supplier").value = "美工"  # type-ahead: the one supplier begun
        form.query_one("#ref").value = "申-[b]7"
        await pilot.pause()
        shown = screen_text(app)
        assert "[bold]星辰科技[/]" in shown and TENANT in shown
        assert ("Sign order for" if lang == "en" else "的标识订单") in shown
        await pilot.press("ctrl+s")
        await _settle(pilot, lambda: placed)
        order = SignOrder.get()
        assert placed == [order.id]
        assert (order.text, order.position, order.supplier.name, order.applicant) == (
            "[bold]星辰科技[/]", "Lobby board line 12", SUPPLIER, "张经理")
        assert Ticket.get_by_id(order.ticket_id).service == "signage"
        assert order.application_ref == "申-[b]7"


async def test_pilot_refuses_an_order_without_the_applicant(desk, db_url, tenant):
    from tests.test_tui import SIZE, make_app

    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        form, placed = await _order_form(app, pilot, tenant.id)
        form.query_one("#text").value = "星辰科技"
        form.query_one("#position").value = "大堂水牌 第12行"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Applicant is required" in str(form.query_one("#form-error").content)
        assert app.screen is form and SignOrder.select().count() == 0
        form.query_one("#applicant").value = "张经理"
        form.query_one("#kind").value = "name_plate"
        form.query_one("#position").value = ""  # a plate goes at the tenant's unit
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _settle(pilot, lambda: placed)
        assert SignOrder.get().position == "12F-1201" and SignOrder.get().ticket_id is None


async def test_pilot_esc_asks_before_throwing_away_the_application(desk, db_url, tenant):
    from deskapp.screens.confirm import DiscardScreen
    from tests.test_tui import SIZE, make_app

    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        form, placed = await _order_form(app, pilot, tenant.id)
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert placed == [None] and app.screen is not form
        form, placed = await _order_form(app, pilot, tenant.id)
        form.query_one("#text").value = "星辰"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardScreen)
        await pilot.press("n")  # back to the work
        await pilot.pause()
        assert app.screen is form and form.query_one("#text").value == "星辰"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert placed == [None] and SignOrder.select().count() == 0


async def test_pilot_steps_an_order_from_its_timeline(desk, db_url, tenant):
    from deskapp.screens.signage import SignageStepScreen
    from tests.test_form import screen_text
    from tests.test_tui import SIZE, make_app

    order = signage.apply(desk, entry(tenant, text="[/red]星辰"))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SignageStepScreen(order.id))
        await pilot.pause()
        shown = screen_text(app)
        assert "[/red]星辰" in shown and "next: send to the supplier" in shown
        await pilot.press("enter")
        await _settle(pilot, lambda: SignOrder.get_by_id(order.id).state != "applied")
        await pilot.pause()
        assert SignOrder.get_by_id(order.id).state == "sent_to_supplier", screen_text(app)
        assert "next: made" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"tenant withdrew", "enter")
        await _settle(pilot, lambda: SignOrder.get_by_id(order.id).state == "cancelled")
        assert SignOrder.get_by_id(order.id).cancel_reason == "tenant withdrew"


# -- any input at all ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .test_properties import HOSTILE as ANY_HOSTILE, mostly, texts  # noqa: E402


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=mostly(["directory", "name_plate"]), text=st.one_of(texts, st.just("星辰")),
       position=mostly(["12F-1201", "大堂水牌 第12行"]), applicant=mostly(["张经理"]),
       received=mostly(["2026-11-26", "2026-11-01"]),
       price=st.one_of(st.none(), mostly(["380", "1,200.50"])),
       supplier=st.one_of(st.none(), mostly([SUPPLIER])))
def test_any_application_is_placed_or_refused_whole(cli, url, kind, text, position,
                                                    applicant, received, price, supplier):
    from deskapp.db import open_database

    if (url, id(cli)) not in _world_made:  # once per test, not per example
        _world(cli, url)
        _world_made.add((url, id(cli)))
    # --option=value: a value beginning with "-" is the value, not another option
    args = ["signage", "apply", f"--tenant={TENANT}", f"--kind={kind}", f"--text={text}",
            f"--position={position}", f"--applicant={applicant}", f"--received={received}"]
    if price is not None:
        args.append(f"--price={price}")
    if supplier is not None:
        args.append(f"--supplier={supplier}")

    def counts():
        db = open_database(url)
        try:
            return tuple(m.select().count() for m in (SignOrder, Ticket, Audit))
        finally:
            db.close()

    before = counts()
    run = cli("--db", url, *args, "--json")
    assert run.code in (0, 2, 3), run.err
    assert "Traceback" not in run.err and "\x1b" not in run.err
    if run.code == 0:
        assert run.json["text"] in text  # as typed, only invisible edges trimmed
    else:
        assert run.out == "" and run.err.startswith("deskapp: ") and counts() == before


_world_made: set = set()
assert "[/red]" in ANY_HOSTILE  # the markup the properties try is among these
