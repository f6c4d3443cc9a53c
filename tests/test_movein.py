"""Move-in and move-out (issue 7 items 2–3; R-5.1, R-5.3, R-7.2; catalogue rows move_in
and move_out): the checklists, their tickets on the queue, the key register, the
inspection and its repair tickets, meter readings, the welcome gift, the notice to the
cashier, the deposit. On SQLite, and on PostgreSQL with DESKAPP_TEST_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from deskapp.models import ALL_MODELS, Audit, Target, Tenant, Ticket, Visit
from deskapp.models.movein import KeyRecord, Meter, MeterReading, Move, WelcomeGift
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services import movein, moveout
from deskapp.services import tenants as registry
from deskapp.services.tenants import TenantData

from .area_helpers import local, target
from .conftest import as_role

STAR = "[bold]星辰[/]"


at = local  # at(2026, 10, 2, 10, 15): building time


def incoming(desk, name=STAR, units=("12F-1201", "12F-1202"), deposit=9_720_000,
             **changes) -> Tenant:
    data = dict(name=name, units=units, contact="刘洋", phone="13800001201",
                monthly_rent_fen=4_860_000, due_day=5, lease_start=dt.date(2026, 12, 1),
                lease_end=dt.date(2028, 11, 30), deposit_fen=deposit)
    data.update(changes)
    return registry.add_tenant(desk, TenantData(**data), status="incoming")


def done_target(move: Move) -> Target:
    return target(move.ticket_id)


def run_move_in(desk, tenant, *, defect: str = "") -> Move:
    """Every item of the checklist, the way the desk does it at the booked time."""
    tid = tenant.id
    movein.check_data(desk, tid)
    movein.hand_key(desk, tid, "1201 main door", "2", "刘洋", signed=True)
    for unit in registry.current_units(tid):
        movein.inspect_in(desk, tid, unit, "window", ok=True)
    movein.inspect_in(desk, tid, "12F-1201", "ceiling", ok=not defect, note=defect)
    movein.read_meter_in(desk, tid, "E-1201", "1450.50")
    movein.give_gift(desk, tid)
    movein.cashier_notice(desk, tid)
    movein.schedule_visit(desk, tid)
    return movein.complete_move_in(desk, tid)


# --- booking: the ticket and its target -------------------------------------------------------

def test_move_in_target_is_15_minutes_wall_clock_from_the_booked_time_on_a_holiday(desk):
    """Booked for Fri 2 Oct 2026 10:00 (National Day): due 10:15, holiday or not."""
    desk.clock.set(at(2026, 9, 28, 9))
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 10, 2, 10))
    ticket = Ticket.get_by_id(move.ticket_id)
    assert (ticket.service, ticket.state, ticket.tenant_id) == ("move_in", "accepted", tenant.id)
    assert done_target(move).due_at == at(2026, 10, 2, 10, 15)


def test_move_out_target_is_half_a_working_day_of_service_time_from_the_booked_time(desk):
    """Booked Wed 30 Sep 2026 15:00: 2.5 h that day (to 17:30), then 1–7 Oct are
    holidays, then the other 2 h from 08:30 on Thu 8 Oct → due 8 Oct 10:30."""
    desk.clock.set(at(2026, 9, 30, 9))
    tenant = registry.add_tenant(desk, TenantData(name="Acme", units=("8F-805",)),
                                 status="active")
    move = moveout.book_move_out(desk, tenant.id, at(2026, 9, 30, 15))
    assert Ticket.get_by_id(move.ticket_id).service == "move_out"
    assert done_target(move).due_at == at(2026, 10, 8, 10, 30)
    assert Tenant.get_by_id(tenant.id).status == "moving_out"


def test_one_open_move_in_per_tenant_and_only_for_an_incoming_tenant(desk):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 27, 10))
    with pytest.raises(Conflict) as twice:
        movein.book_move_in(desk, tenant.id, at(2026, 11, 28, 10))
    assert "2026-11-27 10:00" in twice.value.message()
    active = registry.add_tenant(desk, TenantData(name="Acme", units=("8F-805",)),
                                 status="active")
    with pytest.raises(Conflict) as refused:
        movein.book_move_in(desk, active.id, at(2026, 11, 27, 10))
    assert "incoming" in refused.value.message()
    assert Move.select().count() == 1 and Ticket.select().count() == 1


def test_the_unique_index_keeps_a_second_gift_out_even_past_the_service(desk):
    from peewee import IntegrityError

    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.give_gift(desk, tenant.id)
    with pytest.raises(IntegrityError), desk.db.atomic():
        WelcomeGift.create(tenant=tenant.id, given_at=desk.clock.now(), given_by="x")


def test_a_move_in_whose_ticket_was_cancelled_can_be_booked_again(desk):
    from deskapp.services.tickets import step

    tenant = incoming(desk)
    first = movein.book_move_in(desk, tenant.id, at(2026, 11, 27, 10))
    step(desk, first.ticket_id, "cancel", reason="tenant postponed")
    again = movein.book_move_in(desk, tenant.id, at(2026, 12, 1, 10))
    assert movein.open_move(tenant.id, "in").id == again.id


# --- the move-in checklist ----------------------------------------------------------------------

def test_a_full_move_in_answers_the_ticket_on_time_and_makes_the_tenant_active(desk):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    desk.clock.set(at(2026, 11, 26, 14, 32))
    run_move_in(desk, tenant)
    ticket = Ticket.get_by_id(move.ticket_id)
    assert ticket.state == "closed" and not ticket.late
    assert done_target(move).met_at == at(2026, 11, 26, 14, 32)
    assert Tenant.get_by_id(tenant.id).status == "active"
    assert Move.get_by_id(move.id).done_at is not None
    # the first period is paid at move-in: December's notice, due today
    from deskapp.models import Notice

    [first] = Notice.select().where(Notice.tenant == tenant.id)
    assert (first.number, first.month, first.due_date, first.total_fen) == (
        "2026-12-0001", "2026-12", dt.date(2026, 11, 26), 4_860_000)


def test_a_move_in_completed_after_booked_plus_15_minutes_is_late(desk):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    desk.clock.set(at(2026, 11, 26, 14, 46))
    run_move_in(desk, tenant)
    assert Ticket.get_by_id(move.ticket_id).late


def test_completion_is_refused_naming_what_is_missing(desk):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.check_data(desk, tenant.id)
    movein.hand_key(desk, tenant.id, "1201 main door", 2, "刘洋")  # not signed yet
    with pytest.raises(Conflict) as refused:
        movein.complete_move_in(desk, tenant.id)
    message = refused.value.message()
    for missing in ("Keys handed over", "Welcome gift", "Electricity meter", "cashier",
                    "First-month visit", "inspected"):
        assert missing in message
    assert "Tenant data" not in message
    assert Tenant.get_by_id(tenant.id).status == "incoming"
    assert Ticket.get(Ticket.service == "move_in").state == "accepted"


def test_tenant_data_check_lists_what_is_missing_in_words(desk):
    tenant = registry.add_tenant(desk, TenantData(name="空壳公司"), status="incoming")
    movein.book_move_in(desk, tenant.id, at(2026, 11, 27, 10))
    with pytest.raises(InvalidInput) as refused:
        movein.check_data(desk, tenant.id)
    message = refused.value.message()
    for words in ("no unit", "no contact with a phone", "no lease start", "no monthly rent"):
        assert words in message
    move = movein.open_move(tenant.id, "in")
    assert move.data_checked_at is None
    data = movein.checklist(move)[0]  # the checklist says what is missing before the check
    assert not data.done and "no monthly rent" in data.detail


def test_the_welcome_gift_is_given_once_per_tenant_ever(desk):
    """R-5.1: no tenant gets two; the refusal names when and by whom."""
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.give_gift(desk, tenant.id)
    clerk = as_role(desk, "desk", "lina")
    with pytest.raises(Conflict) as twice:
        movein.give_gift(clerk, tenant.id)
    assert "2026-11-26 14:00" in twice.value.message()
    assert "wangfang" in twice.value.message()
    assert WelcomeGift.select().count() == 1


def test_a_move_in_cannot_be_completed_without_the_gift(desk):
    """R-5.1: … or none."""
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    tid = tenant.id
    movein.check_data(desk, tid)
    movein.hand_key(desk, tid, "1201 main door", "2", "刘洋", signed=True)
    for unit in registry.current_units(tid):
        movein.inspect_in(desk, tid, unit, "window", ok=True)
    movein.read_meter_in(desk, tid, "E-1201", "1450.50")
    movein.cashier_notice(desk, tid)
    movein.schedule_visit(desk, tid)
    with pytest.raises(Conflict) as refused:
        movein.complete_move_in(desk, tid)
    assert "Welcome gift" in refused.value.message()
    movein.give_gift(desk, tid)
    movein.complete_move_in(desk, tid)
    assert Tenant.get_by_id(tid).status == "active"


def test_each_defect_becomes_exactly_one_repair_ticket(desk):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    line = movein.inspect_in(desk, tenant.id, "12f-1201", "ceiling", ok=False,
                             note="water stain by the window")
    repairs = list(Ticket.select().where(Ticket.service == "repair"))
    assert len(repairs) == 1
    repair = repairs[0]
    assert (repair.tier, repair.location, repair.tenant_id) == ("normal", "12F-1201", tenant.id)
    assert "water stain by the window" in repair.note
    assert line.repair_ticket_id == repair.id
    # saved again (a better note), then marked OK and defective again: still one ticket
    movein.inspect_in(desk, tenant.id, "12F-1201", "ceiling", ok=False, note="stain, 30 cm")
    movein.inspect_in(desk, tenant.id, "12F-1201", "ceiling", ok=True)
    movein.inspect_in(desk, tenant.id, "12F-1201", "ceiling", ok=False, note="stain")
    assert Ticket.select().where(Ticket.service == "repair").count() == 1
    movein.inspect_in(desk, tenant.id, "12F-1202", "door", ok=True)
    assert Ticket.select().where(Ticket.service == "repair").count() == 1


def test_an_inspection_line_is_for_one_of_the_tenants_units_and_a_defect_says_what(desk):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    with pytest.raises(InvalidInput, match="not a unit of"):
        movein.inspect_in(desk, tenant.id, "3F-301", "window", ok=True)
    with pytest.raises(InvalidInput, match="note"):
        movein.inspect_in(desk, tenant.id, "12F-1201", "window", ok=False, note=" ")
    assert Ticket.select().where(Ticket.service == "repair").count() == 0


def test_the_inspection_covers_every_unit_room_by_room(desk):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.inspect_in(desk, tenant.id, "12F-1201", "window", ok=True)
    item = next(i for i in movein.checklist(move) if i.code == "inspection")
    assert not item.done and "12F-1202" in item.detail
    movein.inspect_in(desk, tenant.id, "12F-1202", "window", ok=True)
    assert next(i for i in movein.checklist(move) if i.code == "inspection").done


# --- meter readings ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["-1", "1e9", "1,5", "１４５０", "1450.505", "", " ",
                                   "123456789", "0x10", "1_000", "nan"])
def test_a_reading_that_is_not_a_plain_number_of_kwh_is_refused(desk, typed):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    with pytest.raises(InvalidInput):
        movein.read_meter_in(desk, tenant.id, "E-1201", typed)
    assert Meter.select().count() == MeterReading.select().count() == 0


def test_a_long_detail_wraps_once_under_its_column_by_cells():
    from rich.cells import cell_len

    from deskapp.screens.move_in import cut

    head, tail = cut("未交回：1202 office；1201 main door：2 把缺 1 把", 21)
    assert head == "未交回：1202 office；" and tail == "1201 main door：2 把缺 1 把"
    assert cell_len(head) == 21
    assert cut("短", 20) == ("短", "")
    head, tail = cut("星" * 30, 21)
    assert (head, tail) == ("星" * 10, "星" * 20)


def test_readings_are_exact_hundredths_of_a_kwh():
    assert movein.parse_reading("1450.50") == 145050
    assert movein.parse_reading("1450.5") == 145050
    assert movein.parse_reading("0") == 0
    assert movein.format_reading(145050) == "1450.50"
    assert movein.format_reading(7) == "0.07"


def test_the_move_in_reading_is_the_meters_baseline(desk):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    reading = movein.read_meter_in(desk, tenant.id, "e-1201", "1450.50")
    meter = Meter.get_by_id(reading.meter_id)
    assert (meter.code, meter.unit, meter.tenant_id) == ("E-1201", "12F-1201", tenant.id)
    assert (reading.kind, reading.reading, reading.move_id) == ("baseline", 145050, move.id)
    with pytest.raises(Conflict, match="baseline"):
        movein.read_meter_in(desk, tenant.id, "E-1201", "1460.00")


def test_a_reading_below_the_previous_one_or_in_the_future_is_refused(desk):
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    with pytest.raises(InvalidInput, match="future"):
        movein.read_meter_in(desk, tenant.id, "E-1201", "10.00", at=at(2026, 11, 26, 14, 5))
    with pytest.raises(InvalidInput):
        movein.read_meter_in(desk, tenant.id, "E-1201", "10.00", at=at(9999, 1, 1))
    movein.read_meter_in(desk, tenant.id, "E-1201", "1450.50", at=at(2026, 11, 26, 13))
    desk.clock.set(at(2026, 11, 26, 15))
    run_rest_of_move_in(desk, tenant)
    movein_to_moving_out(desk, tenant)
    with pytest.raises(InvalidInput) as below:
        moveout.read_meter_out(desk, tenant.id, "E-1201", "1450.49")
    assert "below the last reading 1450.50" in below.value.message()
    with pytest.raises(InvalidInput, match="after"):
        moveout.read_meter_out(desk, tenant.id, "E-1201", "1500", at=at(2026, 11, 26, 12))
    final = moveout.read_meter_out(desk, tenant.id, "E-1201", "1450.50")
    assert final.kind == "final"
    assert Meter.get_by_id(final.meter_id).removed_at is not None
    assert MeterReading.select().count() == 2


def test_a_meter_passes_to_the_next_tenant_only_after_its_final_reading(desk):
    """One physical meter, one tenant at a time; the next tenant's baseline continues
    from the last tenant's final (billing counts consumption between them)."""
    first = moved_in(desk)
    second = incoming(desk, name="Acme", units=("8F-805",))
    movein.book_move_in(desk, second.id, desk.clock.now().add(minutes=10))
    with pytest.raises(Conflict) as taken:
        movein.read_meter_in(desk, second.id, "E-1201", "2000")
    assert STAR in taken.value.message()
    movein_to_moving_out(desk, first)
    moveout.read_meter_out(desk, first.id, "E-1201", "1688.25")
    desk.clock.advance(minutes=5)
    with pytest.raises(InvalidInput, match="below the last reading 1688.25"):
        movein.read_meter_in(desk, second.id, "E-1201", "1500")
    baseline = movein.read_meter_in(desk, second.id, "E-1201", "1688.25")
    assert Meter.get_by_id(baseline.meter_id).tenant_id == second.id
    assert Meter.select().where(Meter.code == "E-1201").count() == 2


def run_rest_of_move_in(desk, tenant) -> Move:
    tid = tenant.id
    movein.check_data(desk, tid)
    movein.hand_key(desk, tid, "1201 main door", 2, "刘洋", signed=True)
    movein.hand_key(desk, tid, "1202 office", 1, "刘洋", signed=True)
    movein.inspect_in(desk, tid, "12F-1201", "window", ok=True)
    movein.inspect_in(desk, tid, "12F-1201", "carpet", ok=True)
    movein.inspect_in(desk, tid, "12F-1202", "door", ok=False, note="lock sticks")
    movein.give_gift(desk, tid)
    movein.cashier_notice(desk, tid)
    movein.schedule_visit(desk, tid)
    return movein.complete_move_in(desk, tid)


def movein_to_moving_out(desk, tenant) -> Move:
    return moveout.book_move_out(desk, tenant.id, desk.clock.now().add(minutes=30))


# --- the notice to the cashier and the first visit -------------------------------------------

def test_the_notice_to_the_cashier_names_everything_the_cashier_bills_from(desk, tmp_path):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    with pytest.raises(Conflict, match="not recorded yet"):
        movein.cashier_notice(desk, tenant.id)
    movein.check_data(desk, tenant.id)
    movein.hand_key(desk, tenant.id, "1201 main door", 2, "刘洋", signed=True)
    movein.read_meter_in(desk, tenant.id, "E-1201", "1450.50")
    path = tmp_path / "notice.txt"
    text = movein.cashier_notice(desk, tenant.id, out=str(path))
    assert path.read_text(encoding="utf-8") == text
    for fact in ("入住情况通知书", STAR, "12F-1201, 12F-1202", "2026-12-01", "2028-11-30",
                 "48600.00 yuan, due on day 5", "97200.00 yuan", "E-1201", "1450.50 kWh",
                 "1201 main door × 2 → 刘洋 (signed)", "Move-in date: 2026-11-26"):
        assert fact in text, fact
    assert Move.get_by_id(move.id).notice_by == "wangfang"


def test_the_notice_reads_in_chinese_for_a_chinese_desk(desk):
    from deskapp import i18n

    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.check_data(desk, tenant.id)
    movein.hand_key(desk, tenant.id, "1201 大门", 2, "刘洋", signed=True)
    movein.read_meter_in(desk, tenant.id, "E-1201", "1450.50")
    i18n.set_language("zh")
    text = movein.cashier_notice(desk, tenant.id)
    for fact in ("入住情况通知书", "租户：" + STAR, "月租金：48600.00 元，每月 5 日交租",
                 "押金：97200.00 元", "电表底数：", "1201 大门 × 2 → 刘洋 (已签收)",
                 "入驻日期：2026-11-26"):
        assert fact in text, fact


def test_a_notice_file_that_cannot_be_written_records_nothing(desk, tmp_path):
    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.check_data(desk, tenant.id)
    movein.hand_key(desk, tenant.id, "1201 main door", 2, "刘洋", signed=True)
    movein.read_meter_in(desk, tenant.id, "E-1201", "1450.50")
    with pytest.raises(InvalidInput, match="cannot write"):
        movein.cashier_notice(desk, tenant.id, out=str(tmp_path / "no" / "such" / "dir.txt"))
    assert Move.get_by_id(move.id).notice_at is None


def test_the_first_month_visit_is_scheduled_and_due_a_month_after_the_move_in(desk):
    """R-5.3."""
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.schedule_visit(desk, tenant.id)
    visit = Visit.get(Visit.tenant == tenant.id)
    assert (visit.kind, visit.due_on, visit.done_at) == ("first_month", dt.date(2026, 12, 26),
                                                         None)
    from deskapp.services.visits import due_visits

    assert [v.id for v in due_visits(tenant.id)] == [visit.id]
    item = next(i for i in movein.checklist(movein.open_move(tenant.id, "in"))
                if i.code == "visit")
    assert item.done and item.detail == "due by 2026-12-26" and item.by == "wangfang"


# --- move-out -----------------------------------------------------------------------------------

def moved_in(desk, pay: bool = True) -> Tenant:
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.read_meter_in(desk, tenant.id, "E-1201", "1450.50")
    run_rest_of_move_in(desk, tenant)
    desk.clock.set(at(2026, 11, 26, 16))
    if pay:
        pay_first_period(desk, tenant.id)
    return Tenant.get_by_id(tenant.id)


def pay_first_period(desk, tenant_id: int) -> None:
    """R-7.2: the first period is paid at move-in (the notice the move-in issued)."""
    from deskapp.services import balances, payments

    owed = balances.balance_fen(tenant_id)
    assert owed > 0  # the move-in issued the first period's notice
    payments.record_payment(desk, tenant_id=tenant_id, amount_fen=owed, method="transfer",
                            reference=f"first-period-{tenant_id}")


def test_a_full_move_out_refunds_the_deposit_less_deductions_and_the_tenant_is_gone(desk):
    tenant = moved_in(desk)
    move = movein_to_moving_out(desk, tenant)
    tid = tenant.id
    moveout.return_key(desk, tid, "1201 main door", "1")
    moveout.return_key(desk, tid, "1202 office", "1")
    moveout.read_meter_out(desk, tid, "E-1201", "1688.25")
    moveout.inspect_out(desk, tid, "12F-1201", "window", ok=True)
    moveout.inspect_out(desk, tid, "12F-1201", "carpet", ok=False, note="burn mark")
    moveout.inspect_out(desk, tid, "12F-1202", "door", ok=False, note="lock sticks")
    items = {i.code: i for i in moveout.move_out_items(move)}
    assert "deduction to enter: 12F-1201 carpet" in items["inspection"].detail
    assert "1201 main door: 1 of 2 missing" in items["keys"].detail
    with pytest.raises(Conflict, match="compare the inspection"):
        moveout.record_deposit(desk, tid)
    with pytest.raises(Conflict, match="no worse"):  # defective at move-in already
        moveout.deduct(desk, tid, "12F-1202", "door", 10_000, "lock")
    moveout.deduct(desk, tid, "12F-1201", "carpet", 120_000, "carpet burn, replace tile")
    moveout.check_fees(desk, tid)
    outcome = moveout.record_deposit(desk, tid)
    assert (outcome.deposit_fen, outcome.deductions_fen, outcome.refund_fen) == (
        9_720_000, 120_000, 9_600_000)
    assert outcome.deposit_by == "wangfang"
    moveout.complete_move_out(desk, tid)
    gone = Tenant.get_by_id(tid)
    assert gone.status == "gone" and gone.units == ""
    assert Ticket.get_by_id(move.ticket_id).state == "closed"


def test_deductions_together_never_exceed_the_deposit(desk):
    tenant = moved_in(desk)
    registry.update_tenant(desk, tenant.id, TenantData(
        name=tenant.name, units=tuple(tenant.unit_list), monthly_rent_fen=4_860_000,
        due_day=5, lease_start=dt.date(2026, 12, 1), lease_end=dt.date(2028, 11, 30),
        deposit_fen=100_000))
    movein_to_moving_out(desk, tenant)
    moveout.inspect_out(desk, tenant.id, "12F-1201", "window", ok=False, note="cracked")
    moveout.inspect_out(desk, tenant.id, "12F-1201", "carpet", ok=False, note="burn")
    moveout.deduct(desk, tenant.id, "12F-1201", "window", 60_000, "glass")
    with pytest.raises(InvalidInput) as over:
        moveout.deduct(desk, tenant.id, "12F-1201", "carpet", 40_001, "carpet")
    assert "1000.01" in over.value.message() and "1000.00" in over.value.message()
    moveout.deduct(desk, tenant.id, "12F-1201", "carpet", 40_000, "carpet")
    assert moveout.refund_fen(100_000, 100_000) == 0
    assert moveout.refund_fen(100_000, 150_000) == 0
    with pytest.raises(InvalidInput):
        moveout.deduct(desk, tenant.id, "12F-1201", "carpet", -1, "carpet")


def test_a_changed_deduction_makes_the_recorded_deposit_outcome_stale(desk):
    tenant = moved_in(desk)
    move = movein_to_moving_out(desk, tenant)
    tid = tenant.id
    for unit, item in (("12F-1201", "window"), ("12F-1202", "door")):
        moveout.inspect_out(desk, tid, unit, item, ok=True)
    moveout.inspect_out(desk, tid, "12F-1201", "carpet", ok=False, note="burn")
    moveout.deduct(desk, tid, "12F-1201", "carpet", 10_000, "burn")
    moveout.record_deposit(desk, tid)
    moveout.deduct(desk, tid, "12F-1201", "carpet", 20_000, "burn, bigger")
    deposit = next(i for i in moveout.move_out_items(Move.get_by_id(move.id))
                   if i.code == "deposit")
    assert not deposit.done and "again" in deposit.detail


def test_keys_are_returned_against_the_register(desk):
    tenant = moved_in(desk)
    move = movein_to_moving_out(desk, tenant)
    with pytest.raises(InvalidInput, match="1201 main door, 1202 office"):
        moveout.return_key(desk, tenant.id, "garage", 1)
    with pytest.raises(InvalidInput, match="only 2"):
        moveout.return_key(desk, tenant.id, "1201 main door", 3)
    moveout.return_key(desk, tenant.id, "1201 main door", 2)
    keys = next(i for i in moveout.move_out_items(move) if i.code == "keys")
    assert not keys.done and "1202 office" in keys.detail
    moveout.return_key(desk, tenant.id, "1202 office", 0)
    keys = next(i for i in moveout.move_out_items(move) if i.code == "keys")
    assert keys.done and "1202 office: 1 of 1 missing" in keys.detail
    row = KeyRecord.get(KeyRecord.label == "1202 office")
    assert (row.returned_count, row.returned_by) == (0, "wangfang")


def test_move_out_is_refused_while_a_balance_is_open(desk):
    """Move-out asks billing what is owed (moveout.open_balance_fen): the notices'
    balance, plus monthly-account services no notice carries yet; paid, it completes."""
    from deskapp.models import NoticeLine
    from deskapp.services import charges, payments

    from .test_payments import make_notice

    from deskapp.models import Notice
    from deskapp.money import format_yuan

    tenant = moved_in(desk, pay=False)  # 2026-11-26 16:00, the first period not paid
    movein_to_moving_out(desk, tenant)
    tid = tenant.id
    first = Notice.get(Notice.tenant == tid)  # the move-in's notice of the first period
    moveout.return_key(desk, tid, "1201 main door", 2)
    moveout.return_key(desk, tid, "1202 office", 1)
    moveout.read_meter_out(desk, tid, "E-1201", "1500")
    for unit, item in (("12F-1201", "window"), ("12F-1201", "carpet"), ("12F-1202", "door")):
        moveout.inspect_out(desk, tid, unit, item, ok=True)
    with pytest.raises(Conflict, match=f"still owes {format_yuan(first.total_fen)} yuan"):
        moveout.check_fees(desk, tid)
    payments.record_payment(desk, tenant_id=tid, amount_fen=first.total_fen, method="transfer",
                            reference="ICBC-20261126-01")
    moveout.check_fees(desk, tid)
    moveout.record_deposit(desk, tid)
    # two copies on the monthly account after the fees were checked: 2 × 0.50 yuan
    registry.add_signatory(desk, tid, "陈静", "2026-11-26")
    line = charges.post_charge(desk, tenant_id=tid, item_code="copy_page", quantity=2,
                               service_date="2026-11-26", source="test", signed_by="陈静")
    assert moveout.open_balance_fen(tid) == 100
    with pytest.raises(Conflict, match="still owes 1.00"):
        moveout.complete_move_out(desk, tid)
    final = make_notice(tenant, "2027-01", dt.date(2026, 11, 30), total=100)
    NoticeLine.update(charge=line.id, kind="service").where(NoticeLine.notice == final.id).execute()
    assert moveout.open_balance_fen(tid) == 100  # billed now: on the notice, not twice
    with pytest.raises(Conflict, match="still owes 1.00"):
        moveout.complete_move_out(desk, tid)
    assert Tenant.get_by_id(tid).status == "moving_out"
    payments.record_payment(desk, tenant_id=tid, amount_fen=100, method="cash")
    moveout.complete_move_out(desk, tid)
    assert Tenant.get_by_id(tid).status == "gone"


def test_only_an_active_tenant_books_a_move_out(desk):
    tenant = incoming(desk)
    with pytest.raises(Conflict, match="only an active tenant"):
        moveout.book_move_out(desk, tenant.id, at(2026, 11, 27, 10))
    assert Move.select().count() == 0
    assert Tenant.get_by_id(tenant.id).status == "incoming"


# --- roles and the audit ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "engineering", "finance", "security"])
def test_only_customer_service_and_the_managers_work_a_move(desk, role):
    tenant = incoming(desk)
    other = as_role(desk, role)
    with pytest.raises(NotAllowed):
        movein.book_move_in(other, tenant.id, at(2026, 11, 27, 10))
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    before = Audit.select().count()
    for call in (lambda: movein.give_gift(other, tenant.id),
                 lambda: movein.hand_key(other, tenant.id, "k", 1, "x"),
                 lambda: movein.read_meter_in(other, tenant.id, "E-1", "1"),
                 lambda: movein.complete_move_in(other, tenant.id),
                 lambda: moveout.return_key(other, tenant.id, "k", 1)):
        with pytest.raises(NotAllowed) as refused:
            call()
        assert "work a move-in or move-out" in refused.value.message()
    assert Audit.select().count() == before
    assert WelcomeGift.select().count() == 0


def test_every_step_leaves_an_audit_row(desk):
    tenant = moved_in(desk)
    actions = {a for (a,) in Audit.select(Audit.action).where(Audit.entity == "move").tuples()}
    assert {"move_in.book", "move_in.data", "move_in.key", "move_in.inspect", "move_in.meter",
            "move_in.gift", "move_in.notice", "move_in.visit", "move_in.done"} <= actions
    status = [a.detail for a in Audit.select().where(Audit.action == "tenant.status")]
    assert any("active" in d for d in status)
    move = movein_to_moving_out(desk, tenant)
    moveout.return_key(desk, tenant.id, "1201 main door", 2)
    assert Audit.select().where(Audit.action == "move_out.key",
                                Audit.entity_id == str(move.id)).count() == 1


def test_a_tenant_name_with_markup_is_kept_literally(desk):
    tenant = moved_in(desk)
    document = movein.move_json(desk, movein.last_move(tenant.id, "in"))
    assert document["tenant"] == STAR
    assert document["status"] == "active"
    assert document["booked_at"] == "2026-11-26T14:30:00+08:00"
    assert all(item["done"] for item in document["items"])


def test_the_tables_are_new_in_schema_6():
    from deskapp.models import ADDED_IN

    for model in (Move, WelcomeGift, KeyRecord, Meter, MeterReading):
        assert model in ADDED_IN[6] and model in ALL_MODELS


# --- the command line ------------------------------------------------------------------------

from deskapp.clock import FrozenClock  # noqa: E402

from .test_cli import cli, env, url  # noqa: E402,F401 - fixtures
from .test_tenants import counts as all_rows  # noqa: E402 - rows in every table

CSV = ("name,units,contact,phone,monthly_rent,due_day,lease_start,lease_end\n"
       '"[bold]星辰[/]",12F-1201;12F-1202,刘洋,13800001201,48600.00,5,2026-12-01,2028-11-30\n')


@pytest.fixture
def booked(cli, url, tmp_path):  # noqa: F811
    """A database with the incoming tenant STAR, its move-in booked for 14:30."""
    assert cli("--db", url, "init").code == 0
    path = tmp_path / "tenants.csv"
    path.write_text(CSV, encoding="utf-8")
    assert cli("--db", url, "tenant", "import", str(path)).code == 0
    run = cli("--db", url, "move-in", "book", STAR, "--at", "2026-11-26T14:30", "--json")
    assert run.code == 0, run.err
    return url


def test_a_move_in_and_a_move_out_from_the_command_line(cli, booked, tmp_path):  # noqa: F811
    db = ("--db", booked)
    doc = cli(*db, "move-in", "show", STAR, "--json").json
    assert doc["tenant"] == STAR and doc["booked_at"] == "2026-11-26T14:30:00+08:00"
    assert [i["item"] for i in doc["items"]] == list(movein.MOVE_IN_ITEMS)
    assert not any(i["done"] for i in doc["items"])
    steps = [
        ("check",),
        ("keys", "--key", "1201 main door", "--count", "2", "--to", "[red]刘洋[/]", "--signed"),
        ("inspect", "--unit", "12F-1201", "--item", "window", "--ok"),
        ("inspect", "--unit", "12F-1202", "--item", "door", "--defect", "lock sticks"),
        ("meter", "--meter", "E-1201", "--reading", "1450.50"),
        ("gift",),
        ("notice", "--out", str(tmp_path / "notice.txt")),
        ("visit",),
    ]
    for step_ in steps:
        run = cli(*db, "move-in", step_[0], STAR, *step_[1:], "--json")
        assert run.code == 0, (step_, run.err)
    assert "1450.50 kWh" in (tmp_path / "notice.txt").read_text(encoding="utf-8")
    doc = run.json
    assert all(i["done"] for i in doc["items"])
    assert doc["keys"][0]["to"] == "[red]刘洋[/]"
    assert doc["readings"] == [{"meter": "E-1201", "unit": "12F-1201",
                                "read_at": "2026-11-26T14:00:00+08:00", "reading": "1450.50",
                                "kind": "baseline", "by": "wangfang"}]
    assert doc["inspection"][1]["repair_ticket"] is not None
    human = cli(*db, "move-in", "show", STAR)
    assert "[x] Keys handed over" in human.out and STAR in human.out
    done = cli(*db, "move-in", "done", STAR, "--json")
    assert done.code == 0, done.err
    assert done.json["status"] == "active" and done.json["ticket_state"] == "closed"
    again = cli(*db, "move-in", "gift", STAR)
    assert again.code == 3 and "already had the welcome gift" in again.err
    # the move-in issued the first period's notice, paid at the counter
    owed = next(row for row in cli(*db, "balance", "list", "--json").json
                if row["tenant"] == STAR)["balance"]
    assert owed != "0.00"
    paid = cli(*db, "payment", "add", "--tenant", STAR, "--amount", owed, "--method",
               "transfer", "--ref", "ICBC-FIRST-1201")
    assert paid.code == 0, paid.err

    later = FrozenClock(at(2026, 11, 26, 15))
    book = cli(*db, "move-out", "book", STAR, "--at", "2026-11-26T15:30", "--json",
               frozen=later)
    assert book.code == 0, book.err
    assert book.json["status"] == "moving_out"
    for step_ in [("keys", "--key", "1201 main door", "--returned", "1"),
                  ("meter", "--meter", "E-1201", "--reading", "1688.25"),
                  ("inspect", "--unit", "12F-1201", "--item", "window", "--defect", "crack"),
                  ("inspect", "--unit", "12F-1202", "--item", "door", "--defect", "lock"),
                  ("deduct", "--unit", "12F-1201", "--item", "window", "--amount", "0.00",
                   "--reason", "waived: the tenant replaces the glass"),
                  ("fees",), ("deposit",)]:
        run = cli(*db, "move-out", step_[0], STAR, *step_[1:], "--json", frozen=later)
        assert run.code == 0, (step_, run.err)
    assert run.json["deposit"] == {"deposit": "0.00", "deductions": "0.00", "refund": "0.00",
                                   "recorded_by": "wangfang",
                                   "missing_keys": ["1201 main door: 1 of 2 missing"]}
    assert run.json["inspection"][0]["deduction"] == "0.00"
    out = cli(*db, "move-out", "done", STAR, "--json", frozen=later)
    assert out.code == 0, out.err
    assert out.json["status"] == "gone"


def test_a_deduction_above_the_deposit_exits_2(cli, booked):  # noqa: F811
    """The imported tenant has no deposit on record: any deduction is more than it."""
    db = ("--db", booked)
    for step_ in [("check",), ("keys", "--key", "k", "--count", "1", "--to", "x", "--signed"),
                  ("inspect", "--unit", "12F-1201", "--item", "window", "--ok"),
                  ("inspect", "--unit", "12F-1202", "--item", "door", "--ok"),
                  ("meter", "--meter", "E-1", "--reading", "1"), ("gift",), ("notice",),
                  ("visit",), ("done",)]:
        assert cli(*db, "move-in", step_[0], STAR, *step_[1:]).code == 0, step_
    assert cli(*db, "move-out", "book", STAR, "--at", "2026-11-26T15:00").code == 0
    assert cli(*db, "move-out", "inspect", STAR, "--unit", "12F-1201", "--item", "window",
               "--defect", "crack").code == 0
    run = cli(*db, "move-out", "deduct", STAR, "--unit", "12F-1201", "--item", "window",
              "--amount", "0.01", "--reason", "glass")
    assert run.code == 2 and "more than the deposit of 0.00 yuan" in run.err


MOVE_HOSTILE = [
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "-1"), "not a meter reading"),
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "1e9"), "not a meter reading"),
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "1,5"), "not a meter reading"),
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "１４５０"),
     "not a meter reading"),
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "10",
      "--at", "9999-12-31T23:59"), "future"),
    (("move-in", "meter", STAR, "--meter", "E-1201", "--reading", "10",
      "--at", "2026-11-26T14:05"), "future"),
    (("move-in", "meter", STAR, "--meter", "E\x1b[2J", "--reading", "10"), "control"),
    (("move-in", "meter", STAR, "--meter", "电表", "--reading", "10"), "not a meter code"),
    (("move-in", "book", STAR, "--at", "9999-01-01T10:00"), "plausible"),
    (("move-in", "book", STAR, "--at", "2026-11-26T13:58"), "already past"),
    (("move-in", "keys", STAR, "--key", "main", "--count", "２", "--to", "x"), "whole number"),
    (("move-in", "keys", STAR, "--key", "main", "--count", "0", "--to", "x"), "from 1 to 99"),
    (("move-in", "keys", STAR, "--key", "main", "--count", "1e3", "--to", "x"), "whole number"),
    (("move-in", "keys", STAR, "--key", "main", "--count", "1", "--to", "刘\x1b[31m洋"),
     "control"),
    (("move-in", "keys", STAR, "--key", "main\u202e", "--count", "1", "--to", "x"), "control"),
    (("move-in", "inspect", STAR, "--unit", "12F-1201", "--item", "x\x00", "--ok"), "control"),
    (("move-in", "inspect", STAR, "--unit", "<b>", "--item", "x", "--ok"), "not a unit"),
    (("move-in", "notice", STAR, "--out", "/nonexistent/dir/notice.txt"), "not recorded yet"),
    (("move-in", "show", "[bold]nobody[/]"), "no tenant named '[bold]nobody[/]'"),
    (("move-out", "book", STAR, "--at", "2026-11-27T10:00"), "only an active tenant"),
]


@pytest.mark.parametrize("args, message", MOVE_HOSTILE,
                         ids=[repr(" ".join(a[:2] + a[3:]))[:60] for a, _ in MOVE_HOSTILE])
def test_hostile_move_input_exits_with_a_message_and_writes_nothing(cli, booked, args,  # noqa: F811
                                                                     message):
    before = all_rows(booked)
    run = cli("--db", booked, *args)
    assert run.code in (2, 3), run.err
    assert run.out == ""
    assert message in run.err
    assert "Traceback" not in run.err and "\x1b" not in run.err
    assert all_rows(booked) == before


def test_help_names_every_move_command_in_chinese(cli):  # noqa: F811
    run = cli("--lang", "zh", "move-out", "--help")
    assert run.code == 0
    for words in ("扣款", "押金", "搬出"):
        assert words in run.out


# --- the screens (Pilot, 80×24) ---------------------------------------------------------------

from .test_form import screen_text  # noqa: E402
from .test_tui import SIZE, make_app  # noqa: E402
from .test_tui_desk import until  # noqa: E402


async def fill(pilot, key: str, *values: str) -> None:
    """Press ``key`` for a form, then type each value, Tab between, Enter on the last."""
    from deskapp.screens.move_in import MoveFormScreen

    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, MoveFormScreen))
    form = pilot.app.screen
    for index, value in enumerate(values):
        field = form.query(Input)[index]
        field.value = value
    await pilot.pause()
    form.focus_first(form.query(Input)[len(values) - 1])
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is not form)


async def key(pilot, name: str, done) -> None:
    await pilot.press(name)
    await until(pilot, done)


def item_done(tenant_id: int, kind: str, code: str) -> bool:
    move = movein.last_move(tenant_id, kind)
    return move is not None and movein.item_done(Move.get_by_id(move.id), code)


from textual.widgets import Input  # noqa: E402


async def drive_move_in(app, pilot, tenant) -> None:
    from deskapp.screens.move_in import MoveInScreen

    tid = tenant.id
    app.push_screen(MoveInScreen(tid))
    await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
    screen = app.screen
    await until(pilot, lambda: STAR in screen_text(app))  # literally, not as bold markup
    await fill(pilot, "b", "2026-11-26 14:30")
    await until(pilot, lambda: movein.open_move(tid, "in") is not None)
    await key(pilot, "d", lambda: item_done(tid, "in", "data"))
    await fill(pilot, "k", "1201 main door", "2", "刘洋", "y")
    await fill(pilot, "i", "12F-1201", "window", "")
    await fill(pilot, "i", "12F-1202", "ceiling", "water stain")
    await fill(pilot, "m", "E-1201", "1450.50")
    await key(pilot, "g", lambda: item_done(tid, "in", "gift"))
    await key(pilot, "n", lambda: item_done(tid, "in", "notice"))
    from deskapp.screens.move_in import NoticeScreen

    await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
    await until(pilot, lambda: "1450.50 kWh" in screen_text(app))
    assert "E-1201" in screen_text(app)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is screen)
    await key(pilot, "v", lambda: item_done(tid, "in", "visit"))
    assert screen.notice and "1450.50 kWh" in screen.notice
    shown = screen_text(app)
    assert shown.count("[x]") == 7 and "[ ]" not in shown
    await pilot.press("enter")
    await until(pilot, lambda: Tenant.get_by_id(tid).status == "active")
    await until(pilot, lambda: not isinstance(app.screen, MoveInScreen))


async def drive_move_out(app, pilot, tenant) -> None:
    from deskapp.screens.move_out import MoveOutScreen

    tid = tenant.id
    app.push_screen(MoveOutScreen(tid))
    await until(pilot, lambda: isinstance(app.screen, MoveOutScreen))
    app.desk.clock.set(at(2026, 11, 26, 15))
    await fill(pilot, "b", "2026-11-26 15:30")
    await until(pilot, lambda: movein.open_move(tid, "out") is not None)
    await fill(pilot, "k", "1201 main door", "1")
    await fill(pilot, "m", "E-1201", "1688.25")
    await fill(pilot, "i", "12F-1201", "window", "cracked")
    await fill(pilot, "i", "12F-1202", "ceiling", "water stain")
    await fill(pilot, "x", "12F-1201", "window", "300.00", "glass")
    await key(pilot, "f", lambda: item_done(tid, "out", "fees"))
    await key(pilot, "p", lambda: item_done(tid, "out", "deposit"))
    assert screen_text(app).count("[x]") == 5
    await pilot.press("enter")
    await until(pilot, lambda: Tenant.get_by_id(tid).status == "gone")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_desk_runs_a_move_in_and_a_move_out_at_80x24(desk, db_url, lang):
    from deskapp import i18n

    i18n.set_language(lang)
    tenant = incoming(desk)
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await app.tick()
        await drive_move_in(app, pilot, tenant)
        pay_first_period(desk, tenant.id)  # finance, in another session
        await drive_move_out(app, pilot, tenant)
    move = Move.get(Move.kind == "out")
    assert (move.deductions_fen, move.refund_fen) == (30_000, 9_690_000)
    assert Ticket.select().where(Ticket.service == "repair").count() == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_checklist_fits_80_columns_and_lines_up_in_chinese(desk, db_url, lang):
    from rich.cells import cell_len

    from deskapp import i18n
    from deskapp.screens.move_in import MoveInScreen

    i18n.set_language(lang)
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    movein.hand_key(desk, tenant.id, "1201 大门", 2, "刘洋")
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MoveInScreen(tenant.id))
        await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert all(cell_len(line) <= 80 for line in lines)
        items = [line for line in lines if "[x]" in line or "[ ]" in line]
        assert len(items) == 7
        # the detail column starts in the same cell on every line, Chinese or not
        starts = {cell_len(line[:line.index("[")]) for line in items}
        assert len(starts) == 1
        keys_line = next(line for line in items if "[ ] k " in line)
        detail = i18n.t("movein.detail.keys", count=2, lines=1)
        assert cell_len(keys_line[:keys_line.index(detail)]) == \
            cell_len(items[0][:items[0].index("[")]) + 4 + 2 + 30 + 1
        assert STAR in screen_text(app)


@contextlib.asynccontextmanager
async def meter_form(desk, db_url, tenant):
    """The move-in checklist of ``tenant`` (booked) at 80×24, its meter form open."""
    from deskapp.screens.move_in import MoveFormScreen, MoveInScreen

    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MoveInScreen(tenant.id))
        await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MoveFormScreen))
        yield app, pilot


async def test_what_another_session_records_shows_without_a_key(desk, db_url, monkeypatch):
    from deskapp.screens.move_in import MoveInScreen

    monkeypatch.setattr(MoveInScreen, "POLL_SECONDS", 0.1)
    tenant = incoming(desk)
    movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    app = make_app(desk, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MoveInScreen(tenant.id))
        await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
        await until(pilot, lambda: "[ ] g" in screen_text(app))
        other = as_role(desk, "desk", "lina")
        movein.give_gift(other, tenant.id)  # another session: no key pressed here
        await until(pilot, lambda: "[x] g" in screen_text(app), tries=80)


def test_a_move_in_ticket_put_on_hold_is_resumed_and_answered_at_completion(desk):
    from deskapp.services.tickets import step

    tenant = incoming(desk)
    move = movein.book_move_in(desk, tenant.id, at(2026, 11, 26, 14, 30))
    step(desk, move.ticket_id, "hold", reason="tenant late")
    desk.clock.set(at(2026, 11, 26, 14, 35))
    run_move_in(desk, tenant)
    assert Ticket.get_by_id(move.ticket_id).state == "closed"


async def test_esc_on_a_typed_form_asks_before_throwing_it_away(desk, db_url):
    from deskapp.screens.confirm import DiscardScreen
    from deskapp.screens.move_in import MoveFormScreen, MoveInScreen

    tenant = incoming(desk)
    async with meter_form(desk, db_url, tenant) as (app, pilot):
        await pilot.press(*"E-1")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DiscardScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, MoveFormScreen))
        assert app.screen.query(Input)[0].value == "E-1"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DiscardScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
    assert Meter.select().count() == 0


async def test_a_refused_reading_stays_on_the_form_with_its_message(desk, db_url):
    from deskapp.screens.move_in import MoveFormScreen, MoveInScreen

    tenant = incoming(desk)
    async with meter_form(desk, db_url, tenant) as (app, pilot):
        form = app.screen
        form.query(Input)[0].value = "E-1201"
        form.query(Input)[1].value = "1,5"
        form.focus_first(form.query(Input)[1])
        await pilot.press("enter")
        await until(pilot, lambda: "not a meter reading" in str(
            form.query_one("#form-error").content))
        assert app.screen is form
        await pilot.press("escape")  # typed: asks
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, MoveInScreen))
        await pilot.press("enter")  # not complete: refused, named
        await until(pilot, lambda: "not complete" in str(
            app.screen.query_one("#move-message").content))
    assert MeterReading.select().count() == 0 and Tenant.get_by_id(tenant.id).status == "incoming"


# --- properties: any input to a move command -------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .test_properties import (  # noqa: E402,F401 - prepared is a fixture
    EXAMPLES, check, flag, joined, moments, mostly, numbers, option, prepared, texts)

readings = st.one_of(st.sampled_from(["1450.50", "0", "-1", "1e9", "1,5", "１４５０", "1.005",
                                      "99999999.99", "100000000"]), numbers)
tenant_arg = mostly([STAR, "Acme"]).map(lambda v: [v])  # moving in, moving out
state = st.one_of(flag("--ok"), option("--defect", texts, required=True))
VERB_OPTIONS = {
    ("move-in", "book"): [option("--at", moments, required=True)],
    ("move-in", "check"): [],
    ("move-in", "keys"): [option("--key", texts, required=True),
                          option("--count", numbers, required=True),
                          option("--to", texts, required=True), flag("--signed")],
    ("move-in", "inspect"): [option("--unit", mostly(["12F-1201", "12f-1202"]), required=True),
                             option("--item", texts, required=True), state],
    ("move-in", "meter"): [option("--meter", mostly(["E-1201", "e-1", "电表"]), required=True),
                           option("--reading", readings, required=True),
                           option("--at", moments), option("--unit", texts)],
    ("move-in", "gift"): [], ("move-in", "visit"): [], ("move-in", "done"): [],
    ("move-in", "show"): [],
    ("move-out", "book"): [option("--at", moments, required=True)],
    ("move-out", "keys"): [option("--key", texts, required=True),
                           option("--returned", numbers, required=True)],
    ("move-out", "inspect"): [option("--unit", texts, required=True),
                              option("--item", texts, required=True), state],
    ("move-out", "meter"): [option("--meter", texts, required=True),
                            option("--reading", readings, required=True),
                            option("--at", moments)],
    ("move-out", "deduct"): [option("--unit", texts, required=True),
                             option("--item", texts, required=True),
                             option("--amount", st.one_of(st.sampled_from(
                                 ["0.01", "-1", "1e3", "1,5", "12.345"]), texts),
                                 required=True),
                             option("--reason", texts, required=True)],
    ("move-out", "fees"): [], ("move-out", "deposit"): [], ("move-out", "done"): [],
}
MOVE_ARGS = st.one_of(*[joined(st.just(list(verb)), tenant_arg, *extra, flag("--json"))
                        for verb, extra in VERB_OPTIONS.items()])


@pytest.fixture
def with_star(prepared, tmp_path):  # noqa: F811
    path = tmp_path / "tenants.csv"
    path.write_text(CSV + "Acme,8F-805,John,13800000805,10000.00,1,2026-01-01,2026-12-31\n",
                    encoding="utf-8")
    assert prepared(["tenant", "import", str(path)])[0] == 0
    assert prepared(["move-in", "book", STAR, "--at", "2026-11-26T14:30"])[0] == 0
    assert prepared(["move-out", "book", "Acme", "--at", "2026-11-26T14:30"])[0] == 0
    return prepared


@settings(EXAMPLES, max_examples=80)
@given(argv=MOVE_ARGS)
def test_move_commands_with_anything(with_star, argv):
    check(with_star, argv)
