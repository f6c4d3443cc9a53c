"""The building profile (R-1.1): editable data with defaults in code."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from .sla import Profile as RuleProfile

DEFAULTS: dict[str, object] = {
    "building_name": "Golden Tower",
    "building_name_zh": "金座大厦",
    "timezone": "Asia/Shanghai",
    "service_start": "08:30",
    "service_end": "17:30",
    "near_percent": 20,
    # flash at least this long before a target is due, per tier (sla.Profile says why)
    "near_floor_seconds_extra_urgent": 120,
    "near_floor_seconds_urgent": 300,
    "near_floor_seconds_normal": 60,
    "tier_minutes_extra_urgent": 5,
    "tier_minutes_urgent": 15,
    "hotline": "12345678",
    "passenger_elevators_min_running": 2,
    "rubbish_bags_per_month": 30,
    # comms: who besides the manager makes tenant visits (logins), and how many
    # days back a complaint puts its tenant at the top of the list to visit
    "visit_supervisors": "",
    "complaint_visit_days": 90,
    # lending: an umbrella still out this many days after the day it was lent is overdue
    "umbrella_overdue_days": 7,
    # billing (R-7.4, R-7.6; services/latefees.py and parking.py say why these values):
    # late fees per day in ten-thousandths of what is overdue, after a grace period, up
    # to a cap in percent of the overdue rent and electricity
    "late_fee_per_10000_daily": 5,
    "late_fee_grace_days": 5,
    "late_fee_cap_percent": 30,
    # temporary parking: free minutes, then the price-list item parking_hour per hour
    # begun, never more than the daily cap (fen) for each 24 hours
    "parking_free_minutes": 15,
    "parking_daily_cap_fen": 6000,
    # a monthly reading this many times the meter's usual consumption (or under 1/this)
    # is flagged for engineering to confirm
    "meter_flag_factor": 3,
}


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


@dataclass(frozen=True)
class BuildingProfile:
    values: dict[str, object] = field(default_factory=lambda: dict(DEFAULTS))

    def __getitem__(self, key: str) -> object:
        return self.values[key]

    @property
    def timezone(self) -> str:
        return str(self.values["timezone"])

    @property
    def service_start(self) -> dt.time:
        return _time(str(self.values["service_start"]))

    @property
    def service_end(self) -> dt.time:
        return _time(str(self.values["service_end"]))

    @property
    def near_percent(self) -> int:
        return int(self.values["near_percent"])

    @property
    def near_floors(self) -> dict[str, int]:
        return {tier: int(self.values[f"near_floor_seconds_{tier}"])
                for tier in ("extra_urgent", "urgent", "normal")}

    def name(self, lang: str) -> str:
        return str(self.values["building_name_zh" if lang == "zh" else "building_name"])

    def rules(self) -> RuleProfile:
        start, end = self.service_start, self.service_end
        day_seconds = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) * 60
        return RuleProfile(
            tier_minutes={"extra_urgent": int(self.values["tier_minutes_extra_urgent"]),
                          "urgent": int(self.values["tier_minutes_urgent"])},
            half_day_seconds=day_seconds // 2,
            near_percent=self.near_percent,
            near_floor_seconds=self.near_floors,
        )


def load_profile(setting_model) -> BuildingProfile:
    values = dict(DEFAULTS)
    for row in setting_model.select():
        values[row.key] = json.loads(row.value)
    return BuildingProfile(values)
