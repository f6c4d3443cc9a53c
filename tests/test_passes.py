"""Access passes (2 minutes a person), parking permits (10 minutes, refused without
insurance valid on the day), large-item release (1 hour; fees checked, a signatory
confirms) — SPEC §2.2, R-6.3, issue 7 items 6 and 7."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp.models import AccessPass, ItemRelease, ParkingPermit, Ticket
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services import passes as ps
from deskapp.services import release as rel
from deskapp.services import tenants as registry
from deskapp.services.staff import add_staff
from deskapp.services.tenants import TenantData

from .area_helpers import audit_actions, local
from .area_helpers import target as done_target
from .conftest import START, as_role

ACME = "Acme Trading Ltd"
OTHER = "蓝海科技有限公司"


@pytest.fixture
def tenant(desk):
    made = registry.add_tenant(desk, TenantData(name=ACME, units=("12F-1201",)),
                               status="active")
    registry.add_signatory(desk, made.id, "刘洋", "2026-03-02")
    registry.add_signatory(desk, made.id, "陈静", "2026-03-02")
    registry.add_tenant(desk, TenantData(name=OTHER, units=("8F-805",)), status="active")
    return made


# --- access passes ----------------------------------------------------------------------

def test_three_passes_are_one_ticket_of_six_minutes(desk, clock, tenant):
    made = ps.issue_passes(desk, ACME, "visitor", ["张伟", "李娜", "王芳"], "2026-11-26",
                           "2026-11-26", at=START.subtract(minutes=4))
    assert len(made) == 3 and len({p.ticket_id for p in made}) == 1
    ticket = Ticket.get_by_id(made[0].ticket_id)
    assert (ticket.service, ticket.people, ticket.state) == ("access_pass", 3, "closed")
    target = done_target(ticket.id)
    assert target.due_at == START.subtract(minutes=4).add(minutes=6)  # 2 min a person
    assert target.met_at == START and not ticket.late
    assert audit_actions("access_pass") == ["pass.issue"] * 3


def test_passes_handed_over_after_the_two_minutes_a_person_are_late(desk, clock, tenant):
    made = ps.issue_passes(desk, ACME, "staff", ["张伟"], "2026-11-26", "2027-11-25",
                           at=START.subtract(minutes=2, seconds=1))
    assert Ticket.get_by_id(made[0].ticket_id).late is True


def test_valid_now_from_and_to_boundaries(desk, clock, tenant):
    ps.issue_passes(desk, ACME, "staff", ["张伟"], "2026-11-27", "2026-11-30")
    ps.issue_passes(desk, OTHER, "visitor", ["李娜"], "2026-11-26T09:00", "2026-11-26T18:00")

    def valid(moment):
        clock.set(moment)
        return sorted(p.person for p in ps.list_passes(desk, valid=True))

    assert valid(local(2026, 11, 26, 8, 59, 59)) == []
    assert valid(local(2026, 11, 26, 9, 0)) == ["李娜"]
    assert valid(local(2026, 11, 26, 17, 59, 59)) == ["李娜"]
    assert valid(local(2026, 11, 26, 23, 59, 59)) == []  # a moment ends at that moment
    assert valid(local(2026, 11, 27, 0, 0)) == ["张伟"]  # a day starts at 00:00
    assert valid(local(2026, 11, 30, 23, 59, 59)) == ["张伟"]  # and runs through its end
    assert valid(local(2026, 12, 1, 0, 0)) == []  # expired: not valid
    assert ps.list_passes(desk, name="张伟")[0].valid_until == local(2026, 12, 1)
    assert ps.pass_state(ps.list_passes(desk, name="张伟")[0], clock.now()) == "expired"


def test_who_holds_a_valid_pass_by_tenant_and_name(desk, clock, tenant):
    ps.issue_passes(desk, ACME, "staff", ["张伟", "李娜"], "2026-11-01", "2026-12-31")
    ps.issue_passes(desk, OTHER, "staff", ["张伟"], "2026-11-01", "2026-12-31")
    assert [p.tenant.name for p in ps.list_passes(desk, name="张伟", valid=True)] == [OTHER,
                                                                                     ACME]
    assert sorted(p.person for p in ps.list_passes(desk, tenant=ACME, valid=True)) == [
        "张伟", "李娜"]
    assert ps.holds_valid_pass(desk, ACME, "李娜")
    assert not ps.holds_valid_pass(desk, OTHER, "李娜")


def test_expiring_within_days(desk, clock, tenant):
    ps.issue_passes(desk, ACME, "staff", ["A"], "2026-11-01", "2026-11-28")  # until 29th 0:00
    ps.issue_passes(desk, ACME, "staff", ["B"], "2026-11-01", "2026-12-05")
    ps.issue_passes(desk, ACME, "staff", ["C"], "2026-11-01", "2026-11-25")  # expired
    assert [p.person for p in ps.list_passes(desk, expiring_days=2)] == []  # 28 Nov 14:00
    assert [p.person for p in ps.list_passes(desk, expiring_days=3)] == ["A"]
    assert [p.person for p in ps.list_passes(desk, expiring_days=10)] == ["A", "B"]


def test_revoke_with_reason_ends_validity(desk, clock, tenant):
    made = ps.issue_passes(desk, ACME, "staff", ["张伟"], "2026-11-01", "2026-12-31")[0]
    with pytest.raises(InvalidInput, match="reason is required"):
        ps.revoke_pass(desk, made.id, " ")
    ps.revoke_pass(as_role(desk, "security"), made.id, "left the company")
    assert ps.list_passes(desk, valid=True) == []
    assert AccessPass.get_by_id(made.id).revoke_reason == "left the company"
    with pytest.raises(Conflict, match="revoked already"):
        ps.revoke_pass(desk, made.id, "again")
    assert audit_actions("access_pass") == ["pass.issue", "pass.revoke"]


@pytest.mark.parametrize("start, end, message", [
    ("2026-11-30", "2026-11-29", "must not come before"),
    ("2026-11-26T10:00", "2026-11-26T10:00", "must not come before"),
    ("2026-11-26", "9999-12-31", "not plausible"),
    ("1900-01-01", "2026-12-01", "not plausible"),
    ("2026-11-26", "2031-01-01", "not plausible"),
    ("2026-11-26", "2026-02-30", "no such day"),
    ("2026-11-26", "30/11/2026", "ISO 8601"),
])
def test_pass_validity_refusals(desk, tenant, start, end, message):
    with pytest.raises(InvalidInput, match=message):
        ps.issue_passes(desk, ACME, "staff", ["张伟"], start, end)
    assert AccessPass.select().count() == 0 and Ticket.select().count() == 0


def test_pass_people_refusals(desk, tenant):
    with pytest.raises(InvalidInput, match="control characters"):
        ps.issue_passes(desk, ACME, "staff", ["张伟", "\x1b[2J"], "2026-11-26", "2026-11-27")
    with pytest.raises(InvalidInput, match="is required"):
        ps.issue_passes(desk, ACME, "staff", [], "2026-11-26", "2026-11-27")
    with pytest.raises(InvalidInput, match="pass kind"):
        ps.issue_passes(desk, ACME, "vip", ["张伟"], "2026-11-26", "2026-11-27")
    with pytest.raises(InvalidInput, match="not an ID"):
        ps.issue_passes(desk, ACME, "staff", [("张伟", "<b>1</b>")], "2026-11-26", "2026-11-27")
    assert AccessPass.select().count() == 0 and Ticket.select().count() == 0


def test_who_may_issue_and_revoke(desk, tenant):
    for role in ("engineering", "finance", "security", "viewer"):
        with pytest.raises(NotAllowed, match="issue access passes"):
            ps.issue_passes(as_role(desk, role), ACME, "staff", ["A"], "2026-11-26",
                            "2026-11-27")
    made = ps.issue_passes(as_role(desk, "desk"), ACME, "staff", ["A"], "2026-11-26",
                           "2026-11-27")[0]
    for role in ("engineering", "finance", "viewer"):
        with pytest.raises(NotAllowed, match="revoke an access pass"):
            ps.revoke_pass(as_role(desk, role), made.id, "why")


# --- insurance and parking permits ------------------------------------------------------

def insure(desk, start="2025-12-02", end="2026-12-01", plate="京A12345"):
    return ps.add_insurance(desk, plate, "中国人保", "PDAA2025110100001234", start, end)


def test_a_permit_takes_ten_minutes_and_needs_insurance(desk, clock, tenant):
    insure(desk)
    permit = ps.add_permit(desk, ACME, "京A·12345", "car", "刘洋", "2026-11-26", "2026-12-01",
                           at=START.subtract(minutes=3))
    assert permit.plate == "京A12345"
    ticket = Ticket.get_by_id(permit.ticket_id)
    assert (ticket.service, ticket.state) == ("parking_permit", "closed")
    assert done_target(ticket.id).due_at == START.subtract(minutes=3).add(minutes=10)
    assert audit_actions("parking_permit") == ["permit.issue"]
    assert audit_actions("vehicle_insurance") == ["insurance.add"]


def test_insurance_valid_to_1_december_refuses_a_permit_from_2_december(desk, tenant):
    insure(desk)
    with pytest.raises(Conflict, match="no insurance on record for 京A12345 on 2026-12-02"):
        ps.add_permit(desk, ACME, "京A12345", "car", "刘洋", "2026-12-02", "2026-12-31")
    with pytest.raises(Conflict, match="on 2026-11-26"):
        ps.add_permit(desk, ACME, "京B99999", "car", "刘洋", "2026-11-26", "2026-11-30")
    assert ParkingPermit.select().count() == 0 and Ticket.select().count() == 0


def test_a_permit_running_past_the_insurance_end_is_refused_not_cut_short(desk, tenant):
    insure(desk)
    with pytest.raises(Conflict, match="ends on 2026-12-01: a permit to 2026-12-02"):
        ps.add_permit(desk, ACME, "京A12345", "car", "刘洋", "2026-11-26", "2026-12-02")
    assert ParkingPermit.select().count() == 0
    # the last insured day is fine, and a renewal from the next day carries the cover on
    assert ps.add_permit(desk, ACME, "京A12345", "car", "刘洋", "2026-11-26",
                         "2026-12-01").valid_to == dt.date(2026, 12, 1)
    insure(desk, "2026-12-02", "2027-12-01")
    assert ps.add_permit(desk, ACME, "京A12345", "car", "刘洋", "2026-11-26",
                         "2027-06-30").valid_to == dt.date(2027, 6, 30)


def test_a_gap_between_policies_breaks_the_cover(desk, tenant):
    insure(desk)
    insure(desk, "2026-12-05", "2027-12-01")
    with pytest.raises(Conflict, match="ends on 2026-12-01"):
        ps.add_permit(desk, ACME, "京A12345", "motorcycle", "刘洋", "2026-11-26", "2026-12-10")


@pytest.mark.parametrize("plate", ["ABC1234", "京A1234", "京A1234567", "京a<b>12", "京A12345\x1b",
                                   "京A1234\u202e5", "12345678"])
def test_plates_that_are_not_plates_are_refused(desk, plate):
    with pytest.raises(InvalidInput):
        insure(desk, plate=plate)


@pytest.mark.parametrize("plate, stored", [("粤B 12345", "粤B12345"), ("沪ad12345", "沪AD12345"),
                                           ("京A1234学", "京A1234学")])
def test_plates_are_read_loosely(desk, plate, stored):
    assert insure(desk, plate=plate).plate == stored


def test_insurance_dates(desk):
    with pytest.raises(InvalidInput, match="must not come before"):
        insure(desk, "2026-12-01", "2026-11-01")
    with pytest.raises(InvalidInput, match="not plausible"):
        insure(desk, "2026-12-01", "9999-12-31")


def test_who_may_record_insurance_and_issue_permits(desk, tenant):
    insure(as_role(desk, "security"))
    for role in ("engineering", "finance", "viewer"):
        with pytest.raises(NotAllowed):
            insure(as_role(desk, role))
    for role in ("security", "engineering", "finance", "viewer"):
        with pytest.raises(NotAllowed, match="issue parking permits"):
            ps.add_permit(as_role(desk, role), ACME, "京A12345", "car", "刘洋", "2026-11-26",
                          "2026-11-30")


# --- large-item release -----------------------------------------------------------------

def test_release_confirmed_by_a_signatory_is_logged_and_its_hour_ticket_closed(desk, clock,
                                                                               tenant):
    add_staff(desk, "zhaogang", "赵刚", "security")
    row = rel.release_items(desk, ACME, "2 filing cabinets, 1 sofa", "搬家公司 老王", "陈静",
                            guard="zhaogang", at=START.subtract(minutes=50))
    assert (row.confirmed_by, row.guard, row.released_at) == ("陈静", "zhaogang", START)
    ticket = Ticket.get_by_id(row.ticket_id)
    assert (ticket.service, ticket.state, ticket.late) == ("large_item", "closed", False)
    assert done_target(ticket.id).due_at == START.subtract(minutes=50).add(hours=1)
    assert audit_actions("item_release") == ["release.add"]
    assert rel.release_json(desk, row)["released_at"] == "2026-11-26T14:00:00+08:00"


def test_release_after_more_than_an_hour_is_late(desk, tenant):
    row = rel.release_items(desk, ACME, "sofa", "老王", "刘洋", at=START.subtract(minutes=61))
    assert Ticket.get_by_id(row.ticket_id).late is True


def test_release_refused_unless_a_signatory_confirms(desk, tenant):
    with pytest.raises(Conflict, match="王五 is not an authorised signatory of Acme Trading "
                                       "Ltd \\(they are: 刘洋, 陈静\\)"):
        rel.release_items(desk, ACME, "sofa", "老王", "王五")
    with pytest.raises(Conflict, match="no authorised signatories"):
        rel.release_items(desk, OTHER, "sofa", "老王", "刘洋")
    assert ItemRelease.select().count() == 0 and Ticket.select().count() == 0


def test_release_refused_while_fees_are_overdue(desk, tenant):
    """Billing's figure (balances.overdue_fen today): November's notice, due 16 Nov, is
    overdue; December's, due 15 Dec, is not yet and does not count."""
    from deskapp.services import payments

    from .test_payments import make_notice

    make_notice(tenant, "2026-11", dt.date(2026, 11, 16))
    make_notice(tenant, "2026-12", dt.date(2026, 12, 15))
    assert rel.overdue_fen(desk, tenant.id) == 1_030_060
    with pytest.raises(Conflict, match="10300.60 yuan overdue"):
        rel.release_items(desk, ACME, "sofa", "老王", "刘洋")
    assert ItemRelease.select().count() == 0 and Ticket.select().count() == 0
    payments.record_payment(desk, tenant_id=tenant.id, amount_fen=1_030_060, method="cash")
    assert rel.overdue_fen(desk, tenant.id) == 0
    assert rel.release_items(desk, ACME, "sofa", "老王", "刘洋").items == "sofa"


def test_release_guard_and_roles(desk, tenant):
    add_staff(desk, "lichen", "李晨", "engineering")
    with pytest.raises(InvalidInput, match="not an active security"):
        rel.release_items(desk, ACME, "sofa", "老王", "刘洋", guard="lichen")
    for role in ("security", "engineering", "finance", "viewer"):
        with pytest.raises(NotAllowed, match="release large items"):
            rel.release_items(as_role(desk, role), ACME, "sofa", "老王", "刘洋")
    with pytest.raises(InvalidInput, match="control characters"):
        rel.release_items(desk, ACME, "sofa\x1b[31m", "老王", "刘洋")


@pytest.mark.parametrize("area", ["fitout", "passes"])
def test_area_strings_have_both_languages_with_the_same_placeholders(area):
    import importlib
    import string

    module = importlib.import_module(f"deskapp.i18n.{area}")
    assert set(module.EN) == set(module.ZH)

    def names(text):
        return {n for _, n, _, _ in string.Formatter().parse(text) if n is not None}

    for key in module.EN:
        assert names(module.EN[key]) == names(module.ZH[key]), key
        assert module.ZH[key] != module.EN[key] or key.endswith(".line"), key
