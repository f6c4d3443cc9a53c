"""Ticket use-cases on a real database (SQLite; PostgreSQL when DESKAPP_TEST_DATABASE_URL).

R-2.1–R-2.3 (targets stored), R-2.6 (lifecycle, who and when), R-2.7 (queue order),
R-2.8 (move up), R-8.1 (no lost update), R-8.2 (roles), R-8.3 (append-only audit).
The clock is frozen at Thursday 2026-11-26 14:00 building time (conftest).
"""

from __future__ import annotations

import threading

import pendulum
import pytest
from peewee import DatabaseError

from deskapp import sla
from deskapp.models import Audit, Target, Ticket, TicketEvent
from deskapp.services import Conflict, Desk, InvalidInput, NotAllowed
from deskapp.services import tickets as svc
from deskapp.services.export import ticket_json
from deskapp.services.tenants import upsert_tenant
from deskapp.services.tickets import NewTicket

from .conftest import PG_URL, START, TZ, as_role


def local(hour: int, minute: int, second: int = 0, day: int = 26, month: int = 11):
    return pendulum.datetime(2026, month, day, hour, minute, second, tz=TZ)


def snapshot() -> tuple[int, int, int, int]:
    """Everything a ticket write touches: nothing of it may move on a refused write."""
    return (Ticket.select().count(), Target.select().count(), TicketEvent.select().count(),
            Audit.select().count())


def targets_by_name(ticket: Ticket) -> dict[str, Target]:
    return {t.name: t for t in svc.current_targets(Ticket.get_by_id(ticket.id))}


def reload(ticket: Ticket) -> Ticket:
    return Ticket.get_by_id(ticket.id)


def events(ticket: Ticket) -> list[tuple[str, str, pendulum.DateTime]]:
    return [(e.action, e.actor, e.at) for e in svc.history(reload(ticket))]


@pytest.fixture
def acme(desk):
    return upsert_tenant(desk, "Acme Trading Ltd", units=["8F-805"])


def repair(desk, tier="urgent", **kw) -> Ticket:
    return svc.open_ticket(desk, NewTicket(service="repair", tier=tier, **kw))


# --- opening a ticket ----------------------------------------------------------------


def test_open_repair_stores_targets_summary_and_audit(desk, acme):
    ticket = svc.open_ticket(desk, NewTicket(service="repair", tier="extra_urgent",
                                             tenant="Acme Trading Ltd", location="8F-805"))
    row = reload(ticket)
    assert (row.service, row.tier, row.state, row.is_open) == (
        "repair", "extra_urgent", "accepted", True)
    assert row.tenant.name == "Acme Trading Ltd"
    assert row.opened_by == "wangfang"
    assert row.opened_at == START
    targets = targets_by_name(row)
    assert set(targets) == {"work_order", "on_site"}
    assert targets["work_order"].due_at == local(14, 2)   # work order in 2 min
    assert targets["on_site"].due_at == local(14, 5)      # extra urgent 5 min
    assert all(t.met_at is None for t in targets.values())
    assert row.next_due_at == local(14, 2)                # the earliest open target
    assert row.next_target == "work_order"
    audit = list(Audit.select().where((Audit.entity == "ticket")
                                      & (Audit.entity_id == str(row.id))))
    assert [(a.action, a.actor) for a in audit] == [("ticket.open", "wangfang")]
    assert row.change_seq == audit[0].id
    assert events(row) == [("open", "wangfang", START)]


@pytest.mark.parametrize("tier, on_site_due", [
    ("urgent", local(14, 15)),                 # 15 minutes
    ("normal", local(23, 59, 59)),             # the same day
])
def test_repair_tier_sets_on_site_target(desk, tier, on_site_due):
    ticket = repair(desk, tier=tier)
    assert targets_by_name(ticket)["on_site"].due_at == on_site_due
    assert reload(ticket).next_due_at == local(14, 2)


def test_written_complaint_has_reply_and_written_reply(desk):
    ticket = svc.open_ticket(desk, NewTicket(service="complaint", tier="normal", written=True))
    targets = targets_by_name(ticket)
    assert targets["reply"].due_at == local(15, 0)
    # Thu 26 Nov + 3 working days: Fri 27, Mon 30, Tue 1 Dec -> 17:30
    assert targets["written_reply"].due_at == local(17, 30, day=1, month=12)
    assert reload(ticket).next_due_at == local(15, 0)


def test_back_dated_ticket_counts_from_the_given_moment(desk):
    ticket = svc.open_ticket(desk, NewTicket(service="parking_permit", at=local(13, 50)))
    row = reload(ticket)
    assert row.opened_at == local(13, 50)
    assert row.next_due_at == local(14, 0)
    assert svc.is_breached(row, desk.clock.now())  # due 14:00, it is 14:00 now


def test_audit_is_written_in_the_same_transaction(desk, monkeypatch):
    before = snapshot()

    def broken_audit(self, *args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(Desk, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        repair(desk)
    assert snapshot() == before  # no ticket without its audit row


@pytest.mark.parametrize("request_, key", [
    (NewTicket(service="plumbing"), "error.unknown_service"),
    (NewTicket(service="umbrella", tenant="Nobody Ltd"), "error.unknown_tenant"),
    (NewTicket(service="umbrella", tier="normal"), "error.tier_fixed"),
    (NewTicket(service="access_pass", people=0), "error.people"),
    (NewTicket(service="umbrella", at=START.add(minutes=10)), "error.at_future"),
], ids=["unknown-service", "unknown-tenant", "tier-on-fixed-service", "people-0",
        "at-in-future"])
def test_bad_new_ticket_is_refused_and_writes_nothing(desk, acme, request_, key):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        svc.open_ticket(desk, request_)
    assert caught.value.key == key
    assert caught.value.exit_code == 2
    assert snapshot() == before


def test_access_pass_counts_two_minutes_per_person(desk):
    ticket = svc.open_ticket(desk, NewTicket(service="access_pass", people=3))
    assert reload(ticket).next_due_at == local(14, 6)


# --- the lifecycle -----------------------------------------------------------------


def test_full_lifecycle_records_who_and_when(desk, clock):
    ticket = repair(desk, tier="urgent")
    engineer = as_role(desk, "engineering", login="li.gong")
    t_dispatch = clock.advance(minutes=1)
    svc.step(desk, ticket.id, "dispatch")
    t_arrive = clock.advance(minutes=6)
    svc.step(engineer, ticket.id, "arrive")
    t_resolve = clock.advance(minutes=20)
    svc.step(engineer, ticket.id, "resolve")
    t_answer = clock.advance(minutes=5)
    svc.step(desk, ticket.id, "answer")

    assert events(ticket) == [
        ("open", "wangfang", START),
        ("dispatch", "wangfang", t_dispatch),
        ("arrive", "li.gong", t_arrive),
        ("resolve", "li.gong", t_resolve),
        ("answer", "wangfang", t_answer),
    ]
    states = [(e.from_state, e.to_state) for e in svc.history(reload(ticket))]
    assert states == [(None, "accepted"), ("accepted", "dispatched"),
                      ("dispatched", "on_site"), ("on_site", "resolved"),
                      ("resolved", "closed")]
    targets = targets_by_name(ticket)
    assert targets["work_order"].met_at == t_dispatch   # dispatch meets the work order
    assert targets["on_site"].met_at == t_arrive        # arriving meets on site
    row = reload(ticket)
    assert row.state == "closed" and row.is_open is False
    assert row.closed_at == t_answer
    assert row.next_due_at is None
    assert ticket.id not in svc.queue_positions()
    document = ticket_json(desk, row)
    assert document["position"] is None
    assert document["breached"] is False
    assert [t["state"] for t in document["targets"]] == ["met", "met"]
    actions = [a.action for a in Audit.select().where(Audit.entity_id == str(ticket.id))
               .order_by(Audit.id)]
    assert actions == ["ticket.open", "ticket.dispatch", "ticket.arrive", "ticket.resolve",
                       "ticket.answer"]


def test_dispatch_meets_only_the_work_order(desk, clock):
    ticket = repair(desk, tier="urgent")
    clock.advance(minutes=1)
    svc.step(desk, ticket.id, "dispatch")
    targets = targets_by_name(ticket)
    assert targets["work_order"].met_at == local(14, 1)
    assert targets["on_site"].met_at is None
    row = reload(ticket)
    assert row.state == "dispatched"
    assert row.next_due_at == local(14, 15)   # now the on-site target leads
    assert row.next_target == "on_site"


def test_late_work_order_keeps_the_ticket_breached(desk, clock):
    ticket = repair(desk, tier="urgent")
    clock.advance(minutes=3)                  # the 2-minute work order is late
    svc.step(desk, ticket.id, "dispatch")
    row = reload(ticket)
    assert row.next_due_at == local(14, 15)   # the next target is not due yet ...
    assert svc.is_breached(row, clock.now())  # ... but the breach stays marked
    assert ticket_json(desk, row)["breached"] is True


def test_hold_requires_a_reason_and_changes_nothing_without(desk):
    ticket = repair(desk)
    before = snapshot()
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as caught:
            svc.step(desk, ticket.id, "hold", reason=reason)
        assert caught.value.key == "error.reason_required"
    assert snapshot() == before
    assert reload(ticket).state == "accepted"


def test_hold_pauses_and_resume_shifts_due_by_the_paused_span(desk, clock):
    ticket = svc.open_ticket(desk, NewTicket(service="parking_permit"))  # 10 min
    assert reload(ticket).next_due_at == local(14, 10)
    clock.advance(minutes=2)
    svc.step(desk, ticket.id, "hold", reason="tenant went to fetch the car papers")
    row = reload(ticket)
    assert row.state == "on_hold"
    assert row.next_due_at is None
    assert [state for _, state in svc.target_rows(row, clock.now(), sla.Profile())] == ["paused"]

    clock.advance(minutes=10)                 # 14:12: past the original 14:10
    assert not svc.is_breached(reload(ticket), clock.now())
    svc.step(desk, ticket.id, "resume")
    row = reload(ticket)
    assert row.state == "accepted"
    assert row.next_due_at == local(14, 20)   # exactly 10 paused minutes later
    assert targets_by_name(row)["done"].due_at == local(14, 20)
    assert not svc.is_breached(row, clock.now())
    assert [e[0] for e in events(ticket)] == ["open", "hold", "resume"]
    assert svc.history(row)[1].reason == "tenant went to fetch the car papers"


def test_resume_returns_to_the_step_before_the_hold(desk, clock):
    ticket = repair(desk, tier="normal")
    clock.advance(minutes=1)
    svc.step(desk, ticket.id, "dispatch")
    clock.advance(minutes=5)
    svc.step(desk, ticket.id, "hold", reason="waiting for parts")
    clock.advance(hours=1)
    svc.step(desk, ticket.id, "resume")
    assert reload(ticket).state == "dispatched"


def test_target_breached_before_hold_stays_breached(desk, clock):
    ticket = svc.open_ticket(desk, NewTicket(service="parking_permit"))  # due 14:10
    clock.advance(minutes=12)
    svc.step(desk, ticket.id, "hold", reason="tenant not at the desk")
    row = reload(ticket)
    assert svc.is_breached(row, clock.now())
    assert ticket_json(desk, row)["breached"] is True
    clock.advance(minutes=5)
    svc.step(desk, ticket.id, "resume")
    row = reload(ticket)
    assert row.next_due_at == local(14, 15)
    assert svc.is_breached(row, clock.now())


def test_back_dated_step_counts_at_the_given_moment(desk, clock):
    ticket = repair(desk, tier="urgent")
    clock.advance(minutes=10)
    svc.step(desk, ticket.id, "dispatch", at=local(14, 1))  # logged after the fact
    assert targets_by_name(ticket)["work_order"].met_at == local(14, 1)
    assert not svc.is_breached(reload(ticket), clock.now())


@pytest.mark.parametrize("action, at, key", [
    ("dispatch", local(13, 59), "error.at_before_open"),
    ("dispatch", local(14, 30), "error.at_future"),
    ("resume", local(14, 3), "error.at_before_last_step"),  # before the hold at 14:05
])
def test_back_dated_step_out_of_order_is_refused(desk, clock, action, at, key):
    ticket = svc.open_ticket(desk, NewTicket(service="parking_permit"))
    clock.advance(minutes=5)
    if action == "resume":
        svc.step(desk, ticket.id, "hold", reason="tenant away")
    clock.advance(minutes=10)
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        svc.step(desk, ticket.id, action, at=at)
    assert caught.value.key == key
    assert snapshot() == before


def test_cancel_requires_a_reason_then_closes(desk, clock):
    ticket = repair(desk)
    before = snapshot()
    with pytest.raises(InvalidInput):
        svc.step(desk, ticket.id, "cancel")
    assert snapshot() == before
    clock.advance(minutes=1)
    svc.step(desk, ticket.id, "cancel", reason="tenant fixed it")
    row = reload(ticket)
    assert (row.state, row.is_open) == ("cancelled", False)
    assert ticket.id not in svc.queue_positions()
    assert svc.history(row)[-1].reason == "tenant fixed it"


def test_reopen_requires_reason_and_starts_a_new_cycle(desk, clock):
    ticket = repair(desk, tier="urgent")
    svc.step(desk, ticket.id, "arrive")
    svc.step(desk, ticket.id, "resolve")
    svc.step(desk, ticket.id, "answer")
    with pytest.raises(InvalidInput):
        svc.step(desk, ticket.id, "reopen")
    reopened_at = clock.advance(hours=2)      # 16:00: the tenant is not satisfied
    svc.step(desk, ticket.id, "reopen", reason="still leaking")
    row = reload(ticket)
    assert (row.state, row.is_open, row.cycle) == ("accepted", True, 2)
    targets = targets_by_name(row)
    assert targets["work_order"].due_at == reopened_at.add(minutes=2)
    assert targets["on_site"].due_at == reopened_at.add(minutes=15)
    assert all(t.met_at is None for t in targets.values())
    assert row.next_due_at == local(16, 2)
    assert not svc.is_breached(row, clock.now())
    assert svc.queue_positions()[ticket.id] == 1
    old = Target.select().where((Target.ticket == row.id) & (Target.cycle == 1))
    assert all(t.met_at is not None for t in old)  # the first cycle stays as history


@pytest.mark.parametrize("steps, action", [
    ([], "resume"),
    ([], "reopen"),
    ([("hold", "waiting")], "dispatch"),
    ([("resolve", None)], "cancel"),  # done work is answered or reopened, not cancelled
    ([("arrive", None)], "move_up"),  # being served already: nothing to move up
    ([("arrive", None), ("resolve", None)], "hold"),
    ([("resolve", None), ("answer", None)], "dispatch"),
    ([("resolve", None), ("answer", None)], "cancel"),
    ([], "answer"),
    ([("dispatch", None)], "answer"),
    ([("cancel", "duplicate")], "reopen"),
], ids=lambda v: v if isinstance(v, str) else "+".join(a for a, _ in v) or "new")
def test_step_not_allowed_in_this_state_is_a_conflict(desk, steps, action):
    ticket = repair(desk)
    for done, reason in steps:
        svc.step(desk, ticket.id, done, reason=reason)
    before_state = reload(ticket).state
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        if action == "move_up":
            svc.move_up(desk, ticket.id, "because")
        else:
            svc.step(desk, ticket.id, action, reason="because")
    assert caught.value.key == "error.bad_transition"
    assert caught.value.exit_code == 3
    assert snapshot() == before
    assert reload(ticket).state == before_state


def test_unknown_ticket_is_bad_input(desk):
    with pytest.raises(InvalidInput) as caught:
        svc.step(desk, 999, "dispatch")
    assert caught.value.exit_code == 2


def test_stale_version_is_a_conflict_naming_who_changed_it(desk, clock):
    ticket = repair(desk)
    seen_version = reload(ticket).version
    colleague = as_role(desk, "desk", login="zhang.wei")
    svc.step(colleague, ticket.id, "dispatch")
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        svc.step(desk, ticket.id, "hold", reason="parts", expected_version=seen_version)
    assert caught.value.exit_code == 3
    assert caught.value.key == "error.changed_meanwhile"
    assert "zhang.wei" in caught.value.message()
    assert snapshot() == before
    # with the current version the same step goes through
    svc.step(desk, ticket.id, "hold", reason="parts", expected_version=seen_version + 1)
    assert reload(ticket).state == "on_hold"


def test_concurrent_steps_on_one_ticket_do_not_both_win(desk, monkeypatch):
    """R-8.1: two sessions dispatch the same ticket at once; one must be refused."""
    ticket = repair(desk)
    real_check = svc._check_version

    def slow_check(row, expected):
        real_check(row, expected)
        barrier_wait()          # both sessions have read the ticket (unless one is locked out)

    arrived = threading.Barrier(2, timeout=1.0)

    def barrier_wait():
        try:
            arrived.wait()
        except threading.BrokenBarrierError:
            pass                # the other session is (correctly) waiting for our lock

    monkeypatch.setattr(svc, "_check_version", slow_check)
    outcomes: list[str] = []

    def session(login):
        me = as_role(desk, "desk", login=login)
        try:
            svc.step(me, ticket.id, "dispatch")
            outcomes.append("done")
        except Conflict:
            outcomes.append("conflict")
        finally:
            desk.db.close()

    threads = [threading.Thread(target=session, args=(f"clerk{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["conflict", "done"]
    assert [e[0] for e in events(ticket)] == ["open", "dispatch"]
    assert reload(ticket).version == 2


# --- roles -------------------------------------------------------------------------


def test_engineering_may_work_the_order_but_not_open_or_cancel(desk):
    engineer = as_role(desk, "engineering", login="li.gong")
    before = snapshot()
    with pytest.raises(NotAllowed) as caught:
        repair(engineer)
    assert caught.value.exit_code == 4
    assert snapshot() == before

    ticket = repair(desk)
    svc.step(desk, ticket.id, "dispatch")
    for action, reason in (("cancel", "not ours"), ("dispatch", None), ("answer", None)):
        with pytest.raises(NotAllowed):
            svc.step(engineer, ticket.id, action, reason=reason)
    svc.step(engineer, ticket.id, "arrive")
    svc.step(engineer, ticket.id, "resolve")
    row = reload(ticket)
    assert row.state == "resolved"
    assert row.last_actor == "li.gong"


def test_finance_may_not_touch_the_queue(desk):
    ticket = repair(desk)
    with pytest.raises(NotAllowed):
        svc.step(as_role(desk, "finance"), ticket.id, "arrive")
    with pytest.raises(NotAllowed):
        svc.move_up(as_role(desk, "finance"), ticket.id, "favour")


def test_role_comes_from_the_staff_table(desk):
    from deskapp.services.staff import add_staff

    add_staff(desk, "li.gong", "Li Gong", "engineering")
    engineer = Desk.for_login(desk.db, desk.clock, "li.gong")
    assert engineer.role == "engineering"
    with pytest.raises(NotAllowed):
        repair(engineer)
    stranger = Desk.for_login(desk.db, desk.clock, "nobody", default_role="security")
    assert stranger.role == "security"


# --- the queue ---------------------------------------------------------------------


def test_queue_order_tier_then_next_due_then_opened(desk):
    opened = {}

    def add(name, service, at, **kw):
        opened[name] = svc.open_ticket(desk, NewTicket(service=service, at=at, **kw)).id

    # created out of order on purpose
    add("fitout 16:00 opened 13:30", "fitout_acceptance", local(13, 30),
        agreed_at=local(16, 0))
    add("mail due 14:30", "mail", local(13, 30))
    add("permit due 14:05", "parking_permit", local(13, 55))
    add("patrol 16:00 opened 13:00", "patrol", local(13, 0), agreed_at=local(16, 0))
    add("umbrella due 14:03", "umbrella", local(13, 58))
    add("large item due 14:20", "large_item", local(13, 20))
    add("repair work order 14:01", "repair", local(13, 59), tier="urgent")

    expected = [
        "umbrella due 14:03",            # extra urgent first, however late the others
        "repair work order 14:01",       # urgent, earliest due
        "permit due 14:05",
        "large item due 14:20",          # normal, by due time ...
        "mail due 14:30",
        "patrol 16:00 opened 13:00",     # ... then, on the same due time, opened first
        "fitout 16:00 opened 13:30",
    ]
    assert [t.id for t in svc.list_tickets()] == [opened[name] for name in expected]
    positions = svc.queue_positions()
    assert [positions[opened[name]] for name in expected] == list(range(1, 8))


def test_move_up_puts_ticket_first_in_its_tier_with_reason(desk, clock):
    first = svc.open_ticket(desk, NewTicket(service="mail", at=local(13, 30)))
    second = svc.open_ticket(desk, NewTicket(service="large_item", at=local(13, 40)))
    quick = svc.open_ticket(desk, NewTicket(service="mail", at=local(13, 55)))
    urgent = svc.open_ticket(desk, NewTicket(service="parking_permit"))
    assert [t.id for t in svc.list_tickets()] == [urgent.id, first.id, second.id, quick.id]

    before = snapshot()
    with pytest.raises(InvalidInput):
        svc.move_up(desk, quick.id, "  ")
    assert snapshot() == before

    svc.move_up(desk, quick.id, "earlier tenant agreed to wait")
    assert [t.id for t in svc.list_tickets()] == [urgent.id, quick.id, first.id, second.id]
    last = svc.history(reload(quick))[-1]
    assert (last.action, last.reason) == ("move_up", "earlier tenant agreed to wait")
    assert Audit.select().where(Audit.action == "ticket.move_up").count() == 1
    assert ticket_json(desk, reload(quick))["position"] == 2


def test_move_up_of_closed_ticket_is_a_conflict(desk):
    ticket = svc.open_ticket(desk, NewTicket(service="umbrella"))
    svc.step(desk, ticket.id, "resolve")
    svc.step(desk, ticket.id, "answer")
    with pytest.raises(Conflict):
        svc.move_up(desk, ticket.id, "why not")


def test_list_all_puts_closed_tickets_after_the_queue(desk):
    done = svc.open_ticket(desk, NewTicket(service="umbrella"))
    svc.step(desk, done.id, "resolve")
    svc.step(desk, done.id, "answer")
    waiting = svc.open_ticket(desk, NewTicket(service="mail"))
    assert [t.id for t in svc.list_tickets()] == [waiting.id]
    assert [t.id for t in svc.list_tickets(include_closed=True)] == [waiting.id, done.id]


# --- the audit log -----------------------------------------------------------------


def test_audit_table_refuses_update_and_delete(desk, db):
    repair(desk)
    rows = [(a.id, a.action, a.actor) for a in Audit.select().order_by(Audit.id)]
    assert len(rows) >= 2
    table = Audit._meta.table_name
    attempts = [
        lambda: Audit.update(actor="mallory").execute(),
        lambda: Audit.delete().execute(),
        lambda: db.execute_sql(f"UPDATE {table} SET action = 'nothing'"),
        lambda: db.execute_sql(f"DELETE FROM {table} WHERE id = {rows[-1][0]}"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"):
            with db.atomic():
                attempt()
    assert [(a.id, a.action, a.actor) for a in Audit.select().order_by(Audit.id)] == rows
    # appending still works
    repair(desk)
    assert Audit.select().count() == len(rows) + 1


# --- seeing other sessions' writes (R-8.1) ----------------------------------------


def test_change_token_moves_with_every_write_and_not_with_reads(desk, db, clock):
    from deskapp.db import change_token

    first = change_token(db)
    svc.list_tickets()
    svc.queue_positions()
    assert change_token(db) == first
    ticket = repair(desk)
    opened = change_token(db)
    assert opened > first
    svc.step(desk, ticket.id, "dispatch")
    assert change_token(db) > opened
    assert change_token(db) <= Audit.select().order_by(Audit.id.desc()).first().id


@pytest.mark.skipif(not PG_URL, reason="SQLite commits writes one at a time, in id order")
def test_audit_appends_chain_one_at_a_time(desk, db):
    """Two sessions writing at once: the second waits for the first to commit before it
    chains onto it (PostgreSQL hands out ids before commit: without the chain lock, id 10
    could commit after id 11, and both could chain onto the same row)."""
    from deskapp.db import change_token
    from deskapp.services.audit import verify

    holding, release, second_done = threading.Event(), threading.Event(), threading.Event()
    other = as_role(desk, "desk", login="slow.clerk")

    def slow_session():
        try:
            with db.atomic():
                other.audit("ticket.note", "ticket", 1)   # takes the lower id ...
                holding.set()
                release.wait(10)                          # ... and commits later
        finally:
            db.close()

    def second_session():
        try:
            with db.atomic():
                desk.audit("ticket.note", "ticket", 2)
            second_done.set()
        finally:
            db.close()

    first = threading.Thread(target=slow_session)
    first.start()
    assert holding.wait(10)
    seen = change_token(db)
    second = threading.Thread(target=second_session)
    second.start()
    if PG_URL:  # SQLite's IMMEDIATE transactions already wait; PostgreSQL's chain lock
        assert not second_done.wait(0.5)
    release.set()
    first.join(10)
    second.join(10)
    assert second_done.is_set()
    assert change_token(db) != seen
    assert verify(db)["ok"]


def test_latest_move_up_leads_its_tier(desk, clock):
    first = svc.open_ticket(desk, NewTicket(service="mail", at=local(13, 30)))
    second = svc.open_ticket(desk, NewTicket(service="mail", at=local(13, 40)))
    third = svc.open_ticket(desk, NewTicket(service="mail", at=local(13, 50)))
    svc.move_up(desk, second.id, "quick question")
    clock.advance(seconds=30)
    svc.move_up(desk, third.id, "urgent and quick, earlier tenant agreed")
    assert [t.id for t in svc.list_tickets()] == [third.id, second.id, first.id]


def test_cancelling_a_late_ticket_keeps_it_breached(desk, clock):
    ticket = svc.open_ticket(desk, NewTicket(service="umbrella"))
    clock.advance(minutes=6)  # the 5-minute target has passed
    svc.step(desk, ticket.id, "cancel", reason="tenant left")
    assert ticket_json(desk, reload(ticket))["breached"] is True
    on_time = svc.open_ticket(desk, NewTicket(service="umbrella"))
    svc.step(desk, on_time.id, "cancel", reason="tenant changed mind")
    assert ticket_json(desk, reload(on_time))["breached"] is False


# --- who is acting -----------------------------------------------------------------


def test_identity_comes_from_the_real_uid_not_the_environment(monkeypatch):
    import pwd
    import types

    from deskapp.services import context

    monkeypatch.setattr(context.os, "getuid", lambda: 1000)
    monkeypatch.setattr(context.pwd, "getpwuid",
                        lambda uid: types.SimpleNamespace(pw_name=f"user{uid}"))
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LOGNAME", "root")
    assert context.os_login() == "user1000"
    assert context.acting_login(None, owner_uid=0) == "user1000"
    with pytest.raises(NotAllowed) as caught:
        context.acting_login("root", owner_uid=0)   # DESKAPP_USER=root by anyone
    assert caught.value.exit_code == 4
    # the owner of the database file (its cron scripts) may act as another login
    assert context.acting_login("wangfang", owner_uid=1000) == "wangfang"
    monkeypatch.setattr(context.os, "getuid", lambda: 0)
    assert context.acting_login("wangfang", owner_uid=1000) == "wangfang"   # root
    assert pwd  # the real module is untouched outside this test


def test_an_unlisted_login_is_a_viewer_until_the_manager_says_otherwise(desk):
    from deskapp.services.settings import set_setting

    stranger = Desk.for_login(desk.db, desk.clock, "nobody")
    assert stranger.role == "viewer"
    with pytest.raises(NotAllowed):
        svc.open_ticket(stranger, NewTicket(service="umbrella", location="大堂"))
    with pytest.raises(NotAllowed):
        set_setting(stranger, "default_role", "manager")
    set_setting(desk, "default_role", "desk")
    assert Desk.for_login(desk.db, desk.clock, "nobody").role == "desk"
