"""Secondary fit-out (SPEC §2.2 fitout_approval, fitout_acceptance; issue 7 item 5):
the approval clock from "documents complete" (2 / 3 working days over National Day
2026), the decision, the deposit, workers' passes, acceptance → rectification →
re-inspection → pass → refund handed to finance within 3 working days."""

from __future__ import annotations

import pytest

from deskapp.models import AccessPass, Fitout, Ticket
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services import fitout as fo
from deskapp.services import tenants as registry
from deskapp.services.tenants import TenantData

from .area_helpers import audit_actions, local, target
from .conftest import as_role

ACME = "Acme Trading Ltd"


@pytest.fixture
def tenant(desk):
    made = registry.add_tenant(desk, TenantData(name=ACME, units=("12F-1201", "12F-1202")),
                               status="active")
    registry.add_signatory(desk, made.id, "刘洋", "2026-03-02")
    return made


def actions(fitout_id: int) -> list[str]:
    return audit_actions("fitout", fitout_id)


def complete(desk, clock, scope: str, **kw) -> Fitout:
    """An application whose last document arrives on Wed 30 Sep 2026 at 16:00."""
    clock.set(local(2026, 9, 28, 10, 0))
    made = fo.apply(desk, ACME, scope, documents=["申请表", "图纸"], **kw)
    fo.receive_document(desk, made.id, "申请表")
    clock.set(local(2026, 9, 30, 16, 0))
    return fo.receive_document(desk, made.id, "图纸")


@pytest.mark.parametrize("scope, due", [
    # 1–7 Oct are holidays; 8 Oct is day 1, 9 Oct day 2, Sat 10 Oct (make-up) day 3
    ("simple", local(2026, 10, 9, 17, 30)),
    ("systems", local(2026, 10, 10, 17, 30)),
])
def test_the_approval_clock_starts_when_the_documents_are_complete(desk, clock, tenant,
                                                                   scope, due):
    clock.set(local(2026, 9, 28, 10, 0))
    made = fo.apply(desk, ACME, scope, documents=["申请表", "图纸"])
    fo.receive_document(desk, made.id, "申请表")
    assert Fitout.get_by_id(made.id).approval_ticket is None  # still collecting: no clock
    assert Fitout.get_by_id(made.id).state == "collecting"
    clock.set(local(2026, 9, 30, 16, 0))
    done = fo.receive_document(desk, made.id, "图纸")
    assert done.state == "reviewing"
    assert done.documents_complete_at == local(2026, 9, 30, 16, 0)
    ticket = Ticket.get_by_id(done.approval_ticket_id)
    assert (ticket.service, ticket.scope, ticket.tenant.name) == ("fitout_approval", scope, ACME)
    assert ticket.opened_at == local(2026, 9, 30, 16, 0)
    assert target(ticket.id).due_at == due


def test_documents_complete_may_be_back_dated_and_the_clock_counts_from_then(desk, clock,
                                                                             tenant):
    clock.set(local(2026, 9, 28, 10, 0))
    made = fo.apply(desk, ACME, "systems", documents=["图纸"])
    clock.set(local(2026, 10, 8, 9, 0))
    done = fo.receive_document(desk, made.id, "图纸", at=local(2026, 9, 30, 16, 0))
    assert target(done.approval_ticket_id).due_at == local(2026, 10, 10, 17, 30)


def test_default_documents_follow_the_scope_and_answer_to_either_language(desk, tenant):
    simple = fo.apply(desk, ACME, "simple")
    systems = fo.apply(desk, ACME, "systems")
    assert [d.name for d in fo.documents_of(simple)] == list(fo.DEFAULT_DOCUMENTS["simple"])
    assert {"fire_design", "ac_plan"} <= {d.name for d in fo.documents_of(systems)}
    fo.receive_document(desk, simple.id, "施工单位资质")   # the Chinese label
    fo.receive_document(desk, simple.id, "fit-out drawings")  # the English one
    fo.receive_document(desk, simple.id, "application")  # the code
    assert Fitout.get_by_id(simple.id).state == "reviewing"


def test_document_refusals(desk, tenant):
    made = fo.apply(desk, ACME, "simple", documents=["图纸", "申请表"])
    with pytest.raises(InvalidInput, match="not a document this application needs"):
        fo.receive_document(desk, made.id, "营业执照")
    fo.receive_document(desk, made.id, "图纸")
    with pytest.raises(Conflict, match="received already"):
        fo.receive_document(desk, made.id, "图纸")
    with pytest.raises(Conflict, match="\\(collecting documents\\) cannot be approved"):
        fo.approve(desk, made.id)
    with pytest.raises(InvalidInput, match="--documents is required"):
        fo.apply(desk, ACME, "simple", documents=[" ", ""])


def test_unit_of_another_tenant_is_refused(desk, tenant):
    with pytest.raises(Conflict, match="20F-2001 is not a unit of"):
        fo.apply(desk, ACME, "simple", units="20F-2001")


def test_approval_resolves_and_answers_the_approval_ticket(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    clock.set(local(2026, 10, 9, 10, 0))
    approved = fo.approve(desk, done.id, "no work on the sprinklers")
    ticket = Ticket.get_by_id(done.approval_ticket_id)
    assert (approved.state, ticket.state, ticket.is_open) == ("approved", "closed", False)
    assert target(ticket.id).met_at == local(2026, 10, 9, 10, 0)  # before 17:30: met
    assert approved.decision_reason == "no work on the sprinklers"
    with pytest.raises(Conflict, match="\\(approved\\) cannot be refused"):
        fo.refuse(desk, done.id, "changed our mind")


def test_a_refusal_needs_its_reason_and_closes_the_ticket(desk, clock, tenant):
    done = complete(desk, clock, "systems")
    with pytest.raises(InvalidInput, match="--reason is required"):
        fo.refuse(desk, done.id, "  ")
    assert Ticket.get_by_id(done.approval_ticket_id).is_open  # nothing written
    refused = fo.refuse(desk, done.id, "the drawings move a fire door")
    assert refused.state == "refused"
    assert Ticket.get_by_id(done.approval_ticket_id).state == "closed"
    with pytest.raises(Conflict, match="\\(refused\\) cannot take the deposit"):
        fo.take_deposit(desk, done.id, 100)


def test_only_the_manager_approves(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    for role in ("desk", "engineering", "finance", "security", "viewer"):
        with pytest.raises(NotAllowed, match="approve or refuse a fit-out"):
            fo.approve(as_role(desk, role), done.id)
    with pytest.raises(NotAllowed):
        fo.apply(as_role(desk, "engineering"), ACME, "simple")
    assert Fitout.get_by_id(done.id).state == "reviewing"


def test_deposit_once_in_fen_and_finance_may_take_it(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    with pytest.raises(Conflict, match="\\(under review\\) cannot take the deposit"):
        fo.take_deposit(desk, done.id, 500_000)
    fo.approve(desk, done.id)
    with pytest.raises(InvalidInput, match="more than 0.00"):
        fo.take_deposit(desk, done.id, 0)
    with pytest.raises(InvalidInput, match="negative"):
        fo.take_deposit(desk, done.id, -1)
    taken = fo.take_deposit(as_role(desk, "finance", "zhaomin"), done.id, 500_050)
    assert (taken.deposit_fen, taken.deposit_by) == (500_050, "zhaomin")
    assert fo.fitout_json(desk, taken)["deposit"] == "5000.50"
    with pytest.raises(Conflict, match="taken already"):
        fo.take_deposit(desk, done.id, 1)


def test_workers_passes_cover_the_fit_out_period(desk, clock, tenant):
    done = complete(desk, clock, "simple", period_from="2026-10-12", period_to="2026-11-30")
    fo.approve(desk, done.id)
    with pytest.raises(Conflict, match="take the deposit first"):
        fo.issue_worker_passes(desk, done.id, ["王强"])
    fo.take_deposit(desk, done.id, 300_000)
    clock.set(local(2026, 10, 10, 9, 0))
    made = fo.issue_worker_passes(desk, done.id, ["王强", "李军"])
    assert [(p.kind, p.person, p.fitout_id) for p in made] == [
        ("fitout_worker", "王强", done.id), ("fitout_worker", "李军", done.id)]
    assert made[0].valid_from == local(2026, 10, 12)
    assert made[0].valid_until == local(2026, 12, 1)  # through 30 Nov
    ticket = Ticket.get_by_id(made[0].ticket_id)
    assert (ticket.service, ticket.people, ticket.state) == ("access_pass", 2, "closed")


def test_workers_without_a_period_need_the_days(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    fo.approve(desk, done.id)
    fo.take_deposit(desk, done.id, 300_000)
    with pytest.raises(InvalidInput, match="no fit-out period"):
        fo.issue_worker_passes(desk, done.id, ["王强"])
    assert AccessPass.select().count() == 0


def approved_with_deposit(desk, clock) -> Fitout:
    done = complete(desk, clock, "systems")
    fo.approve(desk, done.id)
    return fo.take_deposit(desk, done.id, 1_000_000)


def test_rectify_reinspect_pass_and_refund_within_three_working_days(desk, clock, tenant):
    made = approved_with_deposit(desk, clock)
    clock.set(local(2026, 11, 20, 9, 0))
    booking = fo.book_acceptance(desk, made.id, local(2026, 11, 23, 10, 0))
    ticket = Ticket.get_by_id(booking.ticket_id)
    assert (ticket.service, ticket.agreed_at) == ("fitout_acceptance", local(2026, 11, 23, 10))
    assert target(ticket.id).due_at == local(2026, 11, 23, 10, 0)  # at the agreed time
    with pytest.raises(Conflict, match="booked for 2026-11-23T10:00:00"):
        fo.inspect(desk, made.id, passed=True)  # not before the agreed time
    clock.set(local(2026, 11, 23, 10, 20))
    with pytest.raises(InvalidInput, match="must be after today"):
        fo.inspect(desk, made.id, passed=False, items="seal the riser", deadline="2026-11-23")
    notice = fo.inspect(desk, made.id, passed=False, items="seal the riser; refit sprinkler",
                        deadline="2026-11-27")
    assert (notice.outcome, notice.deadline.isoformat()) == ("rectify", "2026-11-27")
    assert Ticket.get_by_id(booking.ticket_id).state == "closed"
    assert Fitout.get_by_id(made.id).state == "rectifying"
    with pytest.raises(Conflict, match="at or after the rectification deadline 2026-11-27"):
        fo.book_acceptance(desk, made.id, local(2026, 11, 26, 17, 0))
    again = fo.book_acceptance(desk, made.id, local(2026, 11, 27, 9, 0))
    clock.set(local(2026, 11, 27, 9, 30))
    assert fo.inspect(desk, made.id, passed=True).outcome == "passed"
    assert Ticket.get_by_id(again.ticket_id).state == "closed"
    passed = Fitout.get_by_id(made.id)
    assert passed.state == "passed"
    refund = Ticket.get_by_id(passed.refund_ticket_id)
    assert (refund.service, refund.is_open, refund.agreed_at) == ("fitout_acceptance", True,
                                                                 None)
    # Fri 27 Nov + 3 working days: Mon 30 Nov, Tue 1 Dec, Wed 2 Dec → due 2 Dec 17:30
    assert target(refund.id).due_at == local(2026, 12, 2, 17, 30)
    clock.set(local(2026, 12, 1, 15, 0))
    handed = fo.hand_refund(desk, made.id)
    assert (handed.state, handed.refund_handed_at) == ("refunded", local(2026, 12, 1, 15))
    assert target(refund.id).met_at == local(2026, 12, 1, 15, 0)
    assert Ticket.get_by_id(refund.id).state == "closed"
    assert fo.fitout_json(desk, handed)["refund"] == "10000.00"
    assert actions(made.id) == [
        "fitout.apply", "fitout.document", "fitout.document", "fitout.approve",
        "fitout.deposit", "fitout.accept", "fitout.inspect", "fitout.accept",
        "fitout.inspect", "fitout.refund"]
    with pytest.raises(Conflict, match="\\(deposit refunded\\) cannot hand the refund"):
        fo.hand_refund(desk, made.id)


def test_a_refund_handed_on_the_fourth_working_day_is_late(desk, clock, tenant):
    made = approved_with_deposit(desk, clock)
    clock.set(local(2026, 11, 26, 9, 0))
    fo.book_acceptance(desk, made.id, local(2026, 11, 27, 9, 0))
    clock.set(local(2026, 11, 27, 9, 30))
    fo.inspect(desk, made.id, passed=True)
    refund_ticket = Fitout.get_by_id(made.id).refund_ticket_id
    clock.set(local(2026, 12, 3, 9, 0))
    fo.hand_refund(desk, made.id)
    assert Ticket.get_by_id(refund_ticket).late is True


def test_acceptance_needs_the_deposit_and_an_approved_fit_out(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    with pytest.raises(Conflict, match="\\(under review\\) cannot book the inspection"):
        fo.book_acceptance(desk, done.id, local(2026, 10, 20, 10))
    fo.approve(desk, done.id)
    with pytest.raises(Conflict, match="take the deposit first"):
        fo.book_acceptance(desk, done.id, local(2026, 10, 20, 10))
    with pytest.raises(Conflict, match="\\(approved\\) cannot be inspected"):
        fo.inspect(desk, done.id, passed=True)
    with pytest.raises(Conflict, match="cannot hand the refund"):
        fo.hand_refund(desk, done.id)


def test_pass_or_rectify_not_both(desk, clock, tenant):
    made = approved_with_deposit(desk, clock)
    with pytest.raises(InvalidInput, match="not both"):
        fo.inspect(desk, made.id, passed=True, items="x", deadline="2026-12-01")


def test_engineering_may_not_record_the_inspection_it_cannot_close(desk, clock, tenant):
    made = approved_with_deposit(desk, clock)
    with pytest.raises(NotAllowed, match="record a fit-out inspection"):
        fo.inspect(as_role(desk, "engineering"), made.id, passed=True)


def test_a_deposit_beyond_ten_million_yuan_is_a_typing_error(desk, clock, tenant):
    done = complete(desk, clock, "simple")
    fo.approve(desk, done.id)
    with pytest.raises(InvalidInput, match="too large"):
        fo.take_deposit(desk, done.id, 10_000_000 * 100 + 1)
    assert fo.take_deposit(desk, done.id, 10_000_000 * 100).deposit_fen == 10**9


def test_booking_again_moves_the_inspection(desk, clock, tenant):
    made = approved_with_deposit(desk, clock)
    clock.set(local(2026, 11, 20, 9, 0))
    first = fo.book_acceptance(desk, made.id, local(2026, 11, 23, 10, 0))
    second = fo.book_acceptance(desk, made.id, local(2026, 11, 24, 15, 0))
    old = Ticket.get_by_id(first.ticket_id)
    assert old.state == "cancelled"
    assert "inspection moved to 2026-11-24 15:00" in [e.reason for e in old.events]
    assert [i.outcome for i in fo.inspections_of(made)] == ["moved", ""]
    assert target(second.ticket_id).due_at == local(2026, 11, 24, 15, 0)
    clock.set(local(2026, 11, 24, 15, 5))
    assert fo.inspect(desk, made.id, passed=True).id == second.id


def test_an_approval_ticket_closed_on_the_queue_meanwhile_does_not_block_the_decision(
        desk, clock, tenant):
    from deskapp.services.tickets import step

    done = complete(desk, clock, "simple")
    step(desk, done.approval_ticket_id, "hold", reason="waiting for the fire officer")
    assert fo.approve(desk, done.id).state == "approved"
    assert Ticket.get_by_id(done.approval_ticket_id).state == "closed"
    other = complete(desk, clock, "simple")
    step(desk, other.approval_ticket_id, "resolve")
    step(desk, other.approval_ticket_id, "answer")
    assert fo.refuse(desk, other.id, "no drawings of the riser").state == "refused"
