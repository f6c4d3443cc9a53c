"""The building's working calendar (R-2.4, R-2.5) with real dates.

chinese-calendar 1.11 knows 2004–2026. The official facts these tests rely on are
checked against the package first (``test_official_2026_facts``), so a data change
shows up there and not as a puzzling failure further down.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pendulum
import pytest

from deskapp.calendar import WorkCalendar, official_year_known

TZ = "Asia/Shanghai"
HALF_DAY = 4 * 3600 + 30 * 60  # half a working day: 4.5 of the 9 service hours


def local(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ)


def utc(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- the official data the rest of the file relies on -------------------------------

WORKING_2026 = [
    dt.date(2026, 2, 13),   # Fri before Spring Festival
    dt.date(2026, 2, 14),   # Sat, make-up working day (调休)
    dt.date(2026, 2, 24),   # Tue, first day back
    dt.date(2026, 2, 28),   # Sat, make-up working day
    dt.date(2026, 9, 20),   # Sun, National Day make-up working day
    dt.date(2026, 9, 30),   # Wed
    dt.date(2026, 10, 8),   # Thu, first day back
    dt.date(2026, 10, 10),  # Sat, National Day make-up working day
]
CLOSED_2026 = [
    *(dt.date(2026, 2, d) for d in range(15, 24)),   # Spring Festival Sun 15 – Mon 23 Feb
    dt.date(2026, 3, 1),                              # an ordinary Sunday
    dt.date(2026, 9, 19),                             # Sat
    dt.date(2026, 9, 25),                             # Mid-autumn, Fri
    *(dt.date(2026, 10, d) for d in range(1, 8)),     # National Day 1–7 Oct
    dt.date(2026, 10, 11),                            # Sun after the make-up Saturday
]


@pytest.mark.parametrize("day", WORKING_2026, ids=str)
def test_official_2026_working_days(cal, day):
    assert chinese_calendar.is_workday(day)
    assert cal.is_working_day(day)
    assert cal.is_known(day)


@pytest.mark.parametrize("day", CLOSED_2026, ids=str)
def test_official_2026_closed_days(cal, day):
    assert not chinese_calendar.is_workday(day)
    assert not cal.is_working_day(day)


def test_package_knows_2026_but_not_2027():
    assert official_year_known(2026)
    assert not official_year_known(2027)


# -- N working days: end of service hours of the N-th working day after the start --

@pytest.mark.parametrize(
    ("days", "due"),
    [
        (1, local(2026, 10, 8, 17, 30)),   # 1–7 Oct are holidays
        (2, local(2026, 10, 9, 17, 30)),
        (3, local(2026, 10, 10, 17, 30)),  # R-2.5's example: Saturday make-up day
        (4, local(2026, 10, 12, 17, 30)),  # Sun 11 Oct is off
    ],
)
def test_working_days_across_national_day(cal, days, due):
    answer = cal.add_working_days(local(2026, 9, 30, 10, 0), days)
    assert answer.at == due
    assert answer.at.in_tz(TZ).strftime("%a %H:%M") == due.strftime("%a %H:%M")
    assert answer.provisional is False


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (1, local(2026, 2, 14, 17, 30)),  # Sat 14 Feb is a make-up working day
        (2, local(2026, 2, 24, 17, 30)),  # 15–23 Feb holidays
        (5, local(2026, 2, 27, 17, 30)),
        (6, local(2026, 2, 28, 17, 30)),  # Sat 28 Feb make-up working day
        (7, local(2026, 3, 2, 17, 30)),   # signage ordered Fri 13 Feb: Mon 2 Mar
    ],
)
def test_working_days_across_spring_festival(cal, days, due):
    assert cal.add_working_days(local(2026, 2, 13, 10, 0), days).at == due


def test_working_days_from_a_make_up_saturday(cal):
    # Accepted on the make-up Saturday itself: that day is not counted.
    assert cal.add_working_days(local(2026, 2, 14, 9, 0), 1).at == local(2026, 2, 24, 17, 30)


def test_national_day_make_up_sunday_counts(cal):
    # Fri 18 Sep + 1: Sat 19 is off, Sun 20 Sep is a make-up working day.
    assert cal.add_working_days(local(2026, 9, 18, 10, 0), 1).at == local(2026, 9, 20, 17, 30)
    assert cal.add_working_days(local(2026, 9, 19, 10, 0), 1).at == local(2026, 9, 20, 17, 30)
    # Thu 24 Sep + 1: Mid-autumn 25–27 Sep, back Mon 28.
    assert cal.add_working_days(local(2026, 9, 24, 10, 0), 1).at == local(2026, 9, 28, 17, 30)


def test_working_days_must_be_positive(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(local(2026, 9, 30, 10, 0), 0)


# -- counting starts the day after the start, whatever the hour ----------------------

@pytest.mark.parametrize(
    ("start", "due"),
    [
        (local(2026, 11, 25, 7, 0), local(2026, 11, 26, 17, 30)),    # before opening
        (local(2026, 11, 25, 10, 0), local(2026, 11, 26, 17, 30)),   # during service hours
        (local(2026, 11, 25, 20, 0), local(2026, 11, 26, 17, 30)),   # after closing
        (local(2026, 11, 25, 23, 59, 59), local(2026, 11, 26, 17, 30)),
        (local(2026, 11, 26, 0, 0, 0), local(2026, 11, 27, 17, 30)),  # one second later
        (local(2026, 9, 30, 20, 0), local(2026, 10, 8, 17, 30)),     # not "today" after 17:30
    ],
)
def test_day_one_is_the_next_working_day(cal, start, due):
    assert cal.add_working_days(start, 1).at == due


def test_midnight_edge_before_national_day(cal):
    # Tue 29 Sep 23:59:59 -> day 1 is Wed 30 Sep; one second later the start *is*
    # 30 Sep and day 1 jumps over the whole holiday.
    assert cal.add_working_days(local(2026, 9, 29, 23, 59, 59), 1).at == local(2026, 9, 30, 17, 30)
    assert cal.add_working_days(local(2026, 9, 30, 0, 0, 0), 1).at == local(2026, 10, 8, 17, 30)
    # 30 Sep 23:59:59 vs 1 Oct 00:00: the holiday absorbs the difference for day 1 ...
    for text in ("2026-09-30T23:59:59+08:00", "2026-10-01T00:00:00+08:00"):
        assert cal.add_working_days(pendulum.parse(text), 1).at == local(2026, 10, 8, 17, 30)
    # ... and at the end of the holiday it does not.
    assert cal.add_working_days(local(2026, 10, 7, 23, 59, 59), 1).at == local(2026, 10, 8, 17, 30)
    assert cal.add_working_days(local(2026, 10, 8, 0, 0, 0), 1).at == local(2026, 10, 9, 17, 30)


def test_start_given_in_utc_counts_from_the_local_date(cal):
    # 2026-09-29T17:00Z is Wed 30 Sep 01:00 in Shanghai: day 1 is after the holiday,
    # not Wed 30 Sep (which the UTC date, 29 Sep, would give).
    assert cal.add_working_days(utc(2026, 9, 29, 17, 0), 1).at == local(2026, 10, 8, 17, 30)
    # 2026-09-30T17:00Z is already 1 Oct 01:00 local.
    assert cal.add_working_days(utc(2026, 9, 30, 17, 0), 2).at == local(2026, 10, 9, 17, 30)
    # One hour earlier (30 Sep 23:59 local is still 30 Sep).
    assert cal.add_working_days(utc(2026, 9, 30, 15, 59), 3).at == local(2026, 10, 10, 17, 30)


def test_answers_are_in_utc(cal):
    answer = cal.add_working_days(local(2026, 9, 30, 10, 0), 3)
    assert answer.at.utcoffset() == dt.timedelta(0)
    assert answer.at == utc(2026, 10, 10, 9, 30)


# -- same day -----------------------------------------------------------------------

def test_end_of_day_is_local_midnight_minus_one_second(cal):
    answer = cal.end_of_day(local(2026, 11, 26, 14, 0))
    assert answer.at == local(2026, 11, 26, 23, 59, 59)
    assert answer.provisional is False


def test_end_of_day_uses_the_local_date_of_a_utc_time(cal):
    # 17:00 UTC on 30 Sep is 01:00 on 1 Oct in Shanghai: "same day" is 1 Oct.
    assert cal.end_of_day(utc(2026, 9, 30, 17, 0)).at == local(2026, 10, 1, 23, 59, 59)
    # 15:59:59 UTC is still 30 Sep 23:59:59 local.
    assert cal.end_of_day(utc(2026, 9, 30, 15, 59, 59)).at == local(2026, 9, 30, 23, 59, 59)


def test_end_of_day_in_another_building_zone():
    cal = WorkCalendar(tz="Asia/Urumqi")  # UTC+6
    # 20:00 UTC on 30 Sep is 02:00 on 1 Oct in Urumqi.
    at = cal.end_of_day(utc(2026, 9, 30, 20, 0)).at
    assert at == pendulum.datetime(2026, 10, 1, 23, 59, 59, tz="Asia/Urumqi")


# -- half a working day: 4.5 hours of service time (08:30–17:30) ------------------

@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Wed 15:00: 2.5 h left today, 2 h tomorrow from 08:30.
        (local(2026, 11, 25, 15, 0), local(2026, 11, 26, 10, 30)),
        (local(2026, 11, 25, 15, 30), local(2026, 11, 26, 11, 0)),
        # Before opening: counts from 08:30.
        (local(2026, 11, 25, 7, 0), local(2026, 11, 25, 13, 0)),
        # Fits exactly into the rest of the day.
        (local(2026, 11, 25, 13, 0), local(2026, 11, 25, 17, 30)),
        # After closing: all of it tomorrow.
        (local(2026, 11, 25, 18, 0), local(2026, 11, 26, 13, 0)),
        # Saturday (an ordinary one): Monday 13:00.
        (local(2026, 11, 28, 10, 0), local(2026, 11, 30, 13, 0)),
        # Across National Day: 30 Sep 15:00 -> 2.5 h that day, 2 h on 8 Oct.
        (local(2026, 9, 30, 15, 0), local(2026, 10, 8, 10, 30)),
        # On the make-up Saturday 10 Oct the building works.
        (local(2026, 10, 10, 9, 0), local(2026, 10, 10, 13, 30)),
        # During the holiday (1 Oct 01:00 local, given in UTC).
        (utc(2026, 9, 30, 17, 0), local(2026, 10, 8, 13, 0)),
    ],
)
def test_half_a_working_day(cal, start, due):
    answer = cal.add_service_time(start, HALF_DAY)
    assert answer.at == due
    assert answer.provisional is False


def test_service_hours_are_a_setting():
    cal = WorkCalendar(service_start=dt.time(9, 0), service_end=dt.time(18, 0))
    answer = cal.add_service_time(local(2026, 11, 25, 16, 0), HALF_DAY)
    assert answer.at == local(2026, 11, 26, 11, 30)
    assert cal.add_working_days(local(2026, 11, 25, 16, 0), 1).at == local(2026, 11, 26, 18, 0)


# -- the building's own overrides --------------------------------------------------

def test_building_closure_is_skipped():
    closed = dt.date(2026, 11, 26)  # a Thursday, officially working
    cal = WorkCalendar(overrides={closed: False})
    assert not cal.is_working_day(closed)
    assert cal.add_working_days(local(2026, 11, 25, 10, 0), 1).at == local(2026, 11, 27, 17, 30)
    answer = cal.add_service_time(local(2026, 11, 25, 15, 0), HALF_DAY)
    assert answer.at == local(2026, 11, 27, 10, 30)


def test_building_extra_working_day_counts():
    extra = dt.date(2026, 11, 28)  # an ordinary Saturday
    cal = WorkCalendar(overrides={extra: True})
    assert cal.is_working_day(extra)
    assert cal.add_working_days(local(2026, 11, 27, 10, 0), 1).at == local(2026, 11, 28, 17, 30)
    answer = cal.add_service_time(local(2026, 11, 27, 15, 0), HALF_DAY)
    assert answer.at == local(2026, 11, 28, 10, 30)


def test_building_closure_wins_over_an_official_make_up_day():
    cal = WorkCalendar(overrides={dt.date(2026, 10, 10): False})
    assert cal.add_working_days(local(2026, 9, 30, 10, 0), 3).at == local(2026, 10, 12, 17, 30)


# -- beyond the published years: Monday–Friday, provisional ---------------------------

def test_unknown_year_falls_back_to_monday_to_friday(cal):
    assert cal.is_working_day(dt.date(2027, 1, 1))       # a Friday; the real holiday is unknown
    assert not cal.is_working_day(dt.date(2027, 1, 2))   # Saturday
    assert not cal.is_known(dt.date(2027, 1, 4))


def test_unknown_year_answers_are_provisional(cal):
    answer = cal.add_working_days(local(2026, 12, 31, 10, 0), 1)
    assert answer.at == local(2027, 1, 1, 17, 30)
    assert answer.provisional is True
    answer = cal.add_working_days(local(2026, 12, 31, 10, 0), 2)
    assert answer.at == local(2027, 1, 4, 17, 30)  # weekend skipped
    assert answer.provisional is True
    answer = cal.add_service_time(local(2026, 12, 31, 15, 0), HALF_DAY)
    assert answer.at == local(2027, 1, 1, 10, 30)
    assert answer.provisional is True


def test_a_calculation_inside_2026_is_not_provisional(cal):
    assert cal.add_working_days(local(2026, 12, 30, 10, 0), 1).provisional is False  # 31 Dec
    assert cal.add_service_time(local(2026, 12, 31, 9, 0), HALF_DAY).provisional is False


def test_override_in_an_unknown_year_is_not_a_guess():
    cal = WorkCalendar(overrides={dt.date(2027, 1, 1): False})
    assert cal.is_known(dt.date(2027, 1, 1))
    assert not cal.is_working_day(dt.date(2027, 1, 1))


def test_next_year_warning_from_1_november(cal):
    assert cal.missing_next_year(dt.date(2026, 11, 1)) is True
    assert cal.missing_next_year(dt.date(2026, 12, 31)) is True
    assert cal.missing_next_year(dt.date(2026, 10, 31)) is False
    assert cal.missing_next_year(dt.date(2025, 11, 1)) is False  # 2026 is published
