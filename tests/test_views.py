"""What the desk reads: time left, typed times, cell-width fitting."""

from __future__ import annotations

import pendulum
import pytest
from rich.cells import cell_len

from deskapp import i18n
from deskapp.timeparse import parse_desk_time
from deskapp.views import fit, left_text

TZ = "Asia/Shanghai"
NOW = pendulum.datetime(2026, 11, 26, 14, 0, tz=TZ)
END_OF_DAY = pendulum.datetime(2026, 11, 26, 23, 59, 59, tz=TZ).timestamp()


@pytest.mark.parametrize(("seconds_left", "shown"), [
    (198, "3:18"), (59, "0:59"), (0, "0:00"), (-42, "-0:42"), (-3725, "-1h02"),
    (2 * 3600 + 5 * 60, "2h05"), (3599, "59:59"),
    (0.4, "0:00"), (-0.4, "-0:01"), (-0.999, "-0:01"), (-1.0, "-0:01"), (-1.2, "-0:02"),
])
def test_time_left_counts_down_and_goes_negative(seconds_left, shown):
    now = NOW.timestamp()
    assert left_text(now + seconds_left, now, today_end_ts=END_OF_DAY) == shown


def test_end_of_day_target_reads_today_and_later_ones_their_date():
    now = NOW.timestamp()
    i18n.set_language("zh")
    assert left_text(END_OF_DAY, now, today_end_ts=END_OF_DAY) == "今日"
    i18n.set_language("en")
    assert left_text(END_OF_DAY, now, today_end_ts=END_OF_DAY) == "today"
    later = pendulum.datetime(2026, 11, 30, 17, 30, tz=TZ).timestamp()
    assert left_text(later, now, today_end_ts=END_OF_DAY, local_date="11-30") == "11-30"
    assert left_text(None, now, today_end_ts=END_OF_DAY) == "—"


@pytest.mark.parametrize(("typed", "expected"), [
    ("16:00", pendulum.datetime(2026, 11, 26, 16, 0, tz=TZ)),
    ("11-30 10:00", pendulum.datetime(2026, 11, 30, 10, 0, tz=TZ)),
    ("2026-12-01 09:30", pendulum.datetime(2026, 12, 1, 9, 30, tz=TZ)),
    ("01-04 09:00", pendulum.datetime(2027, 1, 4, 9, 0, tz=TZ)),  # typed in late year
    ("2026-11-30T10:00+00:00", pendulum.datetime(2026, 11, 30, 10, 0, tz="UTC")),
])
def test_desk_times_are_building_time(typed, expected):
    assert parse_desk_time(typed, NOW.in_tz("UTC"), TZ) == expected


@pytest.mark.parametrize("typed", ["25:00", "tomorrow-ish", "13-45 10:00", "99"])
def test_unreadable_times_are_refused(typed):
    assert parse_desk_time(typed, NOW.in_tz("UTC"), TZ) is None


def test_fit_uses_cell_width_for_chinese():
    assert cell_len(fit("星辰科技有限公司", 10)) == 10
    assert fit("星辰科技有限公司", 10).startswith("星辰科技")
    assert fit("Acme", 6) == "Acme  "
    assert cell_len(fit("宏远建筑设计院 20F", 9)) == 9


def test_time_left_reads_in_chinese_and_fits_its_column():
    from rich.cells import cell_len

    from deskapp import i18n
    from deskapp.views import left_text

    i18n.set_language("zh")
    now = 1_800_000_000.0
    far = now + 10 * 86400
    assert left_text(now - 14 * 3600 - 600, now, today_end_ts=far) == "-14时10"
    assert left_text(now - 11 * 86400, now, today_end_ts=far) == "-11天"
    assert left_text(now + 2 * 3600 + 300, now, today_end_ts=far) == "2时05"
    assert cell_len(left_text(now - 23 * 3600 - 3540, now, today_end_ts=far)) <= 7
