"""The service catalogue's numbers (R-2.1–R-2.3, SPEC §9) and target states (R-2.7).

Every seeded service is pinned here by its number, planned from a fixed opening on a
2026 working day in Shanghai: change a number in ``SEED_CATALOGUE`` and a test fails.
"""

from __future__ import annotations

import json

import pendulum
import pytest

from deskapp import sla
from deskapp.calendar import WorkCalendar

TZ = "Asia/Shanghai"


def local(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ)


# Thursday 26 Nov 2026, 14:00: a working day. The following working days are
# Fri 27 Nov, Mon 30 Nov, Tue 1 Dec, Wed 2 Dec, Thu 3 Dec, Fri 4 Dec, Mon 7 Dec.
OPENED = local(2026, 11, 26, 14, 0)
AGREED = local(2026, 11, 27, 15, 0)  # Friday 15:00, a booked appointment
END_OF_DAY = local(2026, 11, 26, 23, 59, 59)
CATALOGUE = {rule.code: rule for rule in sla.SEED_CATALOGUE}


def plan(code: str, *, tier: str | None = None, opened_at=OPENED, profile=None, **kw):
    rule = CATALOGUE[code]
    planned = sla.plan_targets(
        rule, tier=tier or rule.tier, opened_at=opened_at, calendar=WorkCalendar(),
        profile=profile or sla.Profile(), **kw,
    )
    return {target.name: target for target in planned}


def due(code: str, name: str = "done", **kw):
    return plan(code, **kw)[name].due_at


# -- the catalogue as a whole ------------------------------------------------------

SPEC_CODES = {
    "phone", "complaint", "repair", "move_in", "access_pass", "parking_permit", "signage",
    "move_out", "patrol", "fitout_approval", "fitout_acceptance", "large_item",
    "meeting_room", "notice_board", "mail", "umbrella", "breaker_trip", "salesperson",
    "recycling",
    "signage_fix",  # R-3.2's one-day correction of the directory board
    "booking_bumped",  # issue 8: phoning the applicant of a borrowing a rental bumped
}


def test_catalogue_has_every_service_of_the_spec_once():
    codes = [rule.code for rule in sla.SEED_CATALOGUE]
    assert len(codes) == len(set(codes))
    assert set(codes) == SPEC_CODES


def test_target_names_per_spec_section_9():
    assert [t.name for t in CATALOGUE["repair"].targets] == ["work_order", "on_site"]
    assert [t.name for t in CATALOGUE["complaint"].targets] == ["reply", "written_reply"]
    for code in SPEC_CODES - {"repair", "complaint"}:
        assert [t.name for t in CATALOGUE[code].targets] == ["done"], code


def test_only_repair_and_complaint_choose_a_tier():
    chosen = {rule.code for rule in sla.SEED_CATALOGUE if rule.tier_chosen}
    assert chosen == {"repair", "complaint"}
    assert {r.code for r in sla.SEED_CATALOGUE if r.uses_people} == {"access_pass"}
    assert {r.code for r in sla.SEED_CATALOGUE if r.uses_scope} == {"fitout_approval"}


@pytest.mark.parametrize("rule", sla.SEED_CATALOGUE, ids=lambda r: r.code)
def test_rules_survive_the_database_round_trip(rule):
    # The catalogue is stored as JSON in the service table and read back.
    stored = json.loads(json.dumps([t.as_dict() for t in rule.targets], ensure_ascii=False))
    assert tuple(sla.TargetRule.from_dict(d) for d in stored) == rule.targets


def test_profile_defaults():
    profile = sla.Profile()
    assert profile.tier_minutes == {"extra_urgent": 5, "urgent": 15}
    assert profile.half_day_seconds == 4.5 * 3600
    assert profile.near_percent == 20


# -- repair (R-2.1, R-2.2) ---------------------------------------------------------

def test_repair_work_order_within_2_minutes_met_by_dispatch():
    for tier in sla.TIERS:
        target = plan("repair", tier=tier)["work_order"]
        assert target.due_at == OPENED.add(minutes=2)
        assert target.met_by == "dispatch"
        assert target.start_at == OPENED


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("extra_urgent", OPENED.add(minutes=5)),
        ("urgent", OPENED.add(minutes=15)),
        ("normal", END_OF_DAY),
    ],
)
def test_repair_on_site_per_tier(tier, expected):
    target = plan("repair", tier=tier)["on_site"]
    assert target.due_at == expected
    assert target.met_by == "arrive"
    assert target.provisional is False


def test_normal_repair_at_the_agreed_time():
    assert due("repair", "on_site", tier="normal", agreed_at=AGREED) == AGREED
    # The work order is still due 2 minutes after acceptance.
    assert due("repair", "work_order", tier="normal", agreed_at=AGREED) == OPENED.add(minutes=2)


def test_normal_repair_same_day_is_the_local_day():
    # Opened 01:00 on 27 Nov in Shanghai (17:00 UTC on the 26th): due 27 Nov 23:59:59 local.
    opened = pendulum.datetime(2026, 11, 26, 17, 0, tz="UTC")
    on_site = due("repair", "on_site", tier="normal", opened_at=opened)
    assert on_site == local(2026, 11, 27, 23, 59, 59)


def test_repair_tier_minutes_come_from_the_profile():
    profile = sla.Profile(tier_minutes={"extra_urgent": 3, "urgent": 10})
    assert due("repair", "on_site", tier="extra_urgent", profile=profile) == OPENED.add(minutes=3)
    assert due("repair", "on_site", tier="urgent", profile=profile) == OPENED.add(minutes=10)


# -- complaint -----------------------------------------------------------------------

def test_complaint_reply_within_1_hour_no_written_reply_unless_asked():
    targets = plan("complaint", tier="normal")
    assert list(targets) == ["reply"]
    assert targets["reply"].due_at == OPENED.add(minutes=60)


def test_complaint_written_reply_within_3_working_days():
    targets = plan("complaint", tier="urgent", written=True)
    assert list(targets) == ["reply", "written_reply"]
    assert targets["reply"].due_at == OPENED.add(hours=1)
    assert targets["written_reply"].due_at == local(2026, 12, 1, 17, 30)  # Fri, Mon, Tue
    assert targets["written_reply"].met_by == "written_reply"  # the written reply step


def test_complaint_written_reply_across_national_day():
    targets = plan("complaint", tier="normal", written=True, opened_at=local(2026, 9, 30, 10, 0))
    assert targets["written_reply"].due_at == local(2026, 10, 10, 17, 30)


# -- the other services, by number --------------------------------------------------

def test_phone_is_logged_not_timed():
    target = plan("phone")["done"]
    assert target.due_at is None
    assert target.provisional is False


def test_move_in_15_minutes_from_the_booked_time():
    target = plan("move_in", agreed_at=AGREED)["done"]
    assert target.start_at == AGREED
    assert target.due_at == AGREED.add(minutes=15)


def test_move_in_without_booking_15_minutes_from_opening():
    target = plan("move_in")["done"]
    assert target.start_at == OPENED
    assert target.due_at == OPENED.add(minutes=15)


@pytest.mark.parametrize(("people", "minutes"), [(1, 2), (3, 6), (10, 20)])
def test_access_pass_2_minutes_per_person(people, minutes):
    assert due("access_pass", people=people) == OPENED.add(minutes=minutes)


def test_access_pass_needs_at_least_one_person():
    with pytest.raises(sla.RuleError) as info:
        plan("access_pass", people=0)
    assert info.value.key == "error.people"


@pytest.mark.parametrize(
    ("code", "minutes"),
    [
        ("parking_permit", 10),
        ("large_item", 60),
        ("meeting_room", 5),
        ("notice_board", 5),
        ("mail", 60),
        ("umbrella", 5),
        ("breaker_trip", 10),
        ("salesperson", 5),
    ],
)
def test_minute_targets(code, minutes):
    target = plan(code)["done"]
    assert target.due_at == OPENED.add(minutes=minutes)
    assert target.start_at == OPENED
    assert target.provisional is False


@pytest.mark.parametrize(
    ("code", "met_by"),
    [
        ("breaker_trip", "arrive"),   # "on site within 10 min"
        ("salesperson", "arrive"),    # "on site within 5 min"
        ("parking_permit", "resolve"),
        ("umbrella", "resolve"),
        ("mail", "resolve"),
        ("signage", "resolve"),
    ],
)
def test_which_step_meets_the_target(code, met_by):
    assert plan(code)["done"].met_by == met_by


def test_signage_7_working_days():
    assert due("signage") == local(2026, 12, 7, 17, 30)


def test_signage_across_spring_festival():
    # Fri 13 Feb 2026: Sat 14 (make-up), 24, 25, 26, 27, Sat 28 (make-up), Mon 2 Mar.
    assert due("signage", opened_at=local(2026, 2, 13, 10, 0)) == local(2026, 3, 2, 17, 30)


def test_signage_into_an_unknown_year_is_provisional():
    # Thu 24 Dec 2026: 25, 28, 29, 30, 31 Dec, then 1 and 4 Jan 2027 by Mon–Fri.
    target = plan("signage", opened_at=local(2026, 12, 24, 10, 0))["done"]
    assert target.due_at == local(2027, 1, 4, 17, 30)
    assert target.provisional is True


def test_move_out_half_a_working_day_from_the_booked_time():
    # Fri 15:00: 2.5 service hours on Friday, 2 on Monday.
    target = plan("move_out", agreed_at=AGREED)["done"]
    assert target.start_at == AGREED
    assert target.due_at == local(2026, 11, 30, 10, 30)


def test_move_out_without_booking_counts_from_opening():
    # Thu 14:00: 3.5 service hours on Thursday, 1 on Friday.
    assert due("move_out") == local(2026, 11, 27, 9, 30)


@pytest.mark.parametrize("code", ["patrol", "recycling"])
def test_same_day_or_agreed(code):
    assert due(code) == END_OF_DAY
    assert due(code, agreed_at=AGREED) == AGREED


@pytest.mark.parametrize(
    ("scope", "expected"),
    [("simple", local(2026, 11, 30, 17, 30)), ("systems", local(2026, 12, 1, 17, 30))],
)
def test_fitout_approval_2_or_3_working_days(scope, expected):
    assert due("fitout_approval", scope=scope) == expected


def test_fitout_approval_default_scope_is_simple():
    assert due("fitout_approval") == local(2026, 11, 30, 17, 30)


def test_unknown_scope_is_refused():
    with pytest.raises(sla.RuleError) as info:
        plan("fitout_approval", scope="everything")
    assert info.value.key == "error.scope"
    assert info.value.params == {"scope": "everything"}


def test_fitout_acceptance_at_the_agreed_time_else_3_working_days():
    assert due("fitout_acceptance", agreed_at=AGREED) == AGREED
    assert due("fitout_acceptance") == local(2026, 12, 1, 17, 30)


def test_unknown_rule_kind_is_refused():
    rule = sla.ServiceRule("odd", "怪", "Odd", "normal", (sla.TargetRule("done", "fortnight"),))
    with pytest.raises(sla.RuleError) as info:
        sla.plan_targets(rule, tier="normal", opened_at=OPENED, calendar=WorkCalendar(),
                         profile=sla.Profile())
    assert info.value.key == "error.rule_kind"


# -- default tiers (SPEC §9) --------------------------------------------------------

EXPECTED_TIERS = {
    "access_pass": "extra_urgent",
    "umbrella": "extra_urgent",
    "salesperson": "extra_urgent",
    "meeting_room": "extra_urgent",
    "notice_board": "extra_urgent",
    "parking_permit": "urgent",
    "breaker_trip": "urgent",
    "move_in": "urgent",
    "mail": "normal",
    "large_item": "normal",
    "signage": "normal",
    "signage_fix": "normal",
    "move_out": "normal",
    "patrol": "normal",
    "fitout_approval": "normal",
    "fitout_acceptance": "normal",
    "recycling": "normal",
    "phone": "normal",
    "booking_bumped": "normal",
}


def test_every_fixed_tier_service_is_listed():
    assert set(EXPECTED_TIERS) == {r.code for r in sla.SEED_CATALOGUE if not r.tier_chosen}


@pytest.mark.parametrize(("code", "tier"), sorted(EXPECTED_TIERS.items()))
def test_seeded_service_tier(code, tier):
    rule = CATALOGUE[code]
    assert rule.tier == tier
    assert sla.default_tier(rule.targets) == tier


def test_chosen_tier_services_default_to_normal():
    assert CATALOGUE["repair"].tier == "normal"
    assert CATALOGUE["complaint"].tier == "normal"


@pytest.mark.parametrize(
    ("minutes", "tier"),
    [(1, "extra_urgent"), (5, "extra_urgent"), (6, "urgent"), (15, "urgent"), (16, "normal")],
)
def test_default_tier_thresholds(minutes, tier):
    assert sla.default_tier((sla.TargetRule("done", "minutes", minutes),)) == tier


def test_default_tier_without_minute_targets_is_normal():
    assert sla.default_tier((sla.TargetRule("done", "working_days", 7),)) == "normal"
    assert sla.default_tier(()) == "normal"


# -- target state at a moment (R-2.7) -----------------------------------------------

def state(due_minutes, elapsed, *, met_after=None, paused=False, near_percent=20):
    return sla.target_state(
        due_at=OPENED.add(minutes=due_minutes) if due_minutes is not None else None,
        start_at=OPENED,
        met_at=OPENED.add(seconds=met_after) if met_after is not None else None,
        paused=paused,
        now=OPENED.add(seconds=elapsed),
        near_percent=near_percent,
    )


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (0, "pending"),
        (3 * 60 + 59, "pending"),
        (4 * 60, "near"),          # under 20 % of 5 minutes left
        (4 * 60 + 59, "near"),
        (5 * 60, "breached"),
        (60 * 60, "breached"),
    ],
)
def test_five_minute_target_states(elapsed, expected):
    assert state(5, elapsed) == expected


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(11 * 60 + 59, "pending"), (12 * 60, "near"), (14 * 60 + 59, "near"), (15 * 60, "breached")],
)
def test_fifteen_minute_target_states(elapsed, expected):
    assert state(15, elapsed) == expected


def test_near_percent_is_a_setting():
    assert state(5, 2 * 60 + 29, near_percent=50) == "pending"
    assert state(5, 2 * 60 + 30, near_percent=50) == "near"
    assert state(5, 4 * 60, near_percent=10) == "pending"
    assert state(5, 4 * 60 + 30, near_percent=10) == "near"


def test_near_at_for_a_same_day_target():
    # Opened 14:00, due 23:59:59: the last 20 % (about 2 h) flashes.
    near = sla.near_at(OPENED, END_OF_DAY, 20)
    assert local(2026, 11, 26, 21, 59) < near < local(2026, 11, 26, 22, 0)


def test_met_target_is_met():
    assert state(5, 60, met_after=30) == "met"


def test_met_late_stays_breached_on_record():
    # a 5-minute target done after 7 minutes: the supervisor must see it was missed
    assert state(5, 60 * 60, met_after=7 * 60) == "breached"
    assert state(5, 60 * 60, met_after=5 * 60) == "met"  # on the dot is in time


def test_met_wins_over_paused():
    assert state(5, 60, met_after=30, paused=True) == "met"


def test_paused_target_is_paused():
    assert state(5, 60, paused=True) == "paused"
    assert state(5, 4 * 60 + 30, paused=True) == "paused"


def test_untimed_target_is_always_pending():
    assert state(None, 0) == "pending"
    assert state(None, 30 * 24 * 3600) == "pending"


def test_planned_target_walks_through_its_states():
    target = plan("parking_permit")["done"]  # 10 minutes, near from 8:00
    at = lambda minutes: sla.target_state(  # noqa: E731
        due_at=target.due_at, start_at=target.start_at, met_at=None, paused=False,
        now=OPENED.add(minutes=minutes), near_percent=sla.Profile().near_percent)
    assert [at(m) for m in (0, 7, 8, 9, 10, 11)] == [
        "pending", "pending", "near", "near", "breached", "breached"]
