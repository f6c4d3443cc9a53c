"""The building profile and desk-wide settings, editable by the manager (R-1.1).

Values live in the database so every session shares them; a user's own config file or
environment can change only their own session (language, bell), never a rule or a role.
"""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..models import Setting
from ..models.records import ROLES
from ..profile import DEFAULTS
from .context import VIEWER, Desk
from .errors import InvalidInput

_HM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _whole(low: int, high: int):
    def check(key: str, text: str) -> int:
        if not re.fullmatch(r"\d{1,6}", text.strip()) or not low <= int(text) <= high:
            raise InvalidInput("error.setting_range", name=key, low=low, high=high)
        return int(text)
    return check


def _text(limit: int):
    def check(key: str, text: str) -> str:
        text = text.strip()
        if not text or len(text) > limit or not text.isprintable():
            raise InvalidInput("error.setting_text", name=key, limit=limit)
        return text
    return check


def _time(key: str, text: str) -> str:
    if not _HM.match(text.strip()):
        raise InvalidInput("error.setting_time", name=key)
    return text.strip()


def _zone(key: str, text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("error.setting_zone", name=key, value=text) from None
    return text.strip()


def _logins(key: str, text: str) -> str:
    """Logins separated by commas or spaces ("" for none): "li, zhou" -> "li,zhou"."""
    logins = text.replace(",", " ").split()
    if any(not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", login) for login in logins):
        raise InvalidInput("error.setting_logins", name=key)
    return ",".join(dict.fromkeys(logins))


def _role(key: str, text: str) -> str:
    known = (*ROLES, VIEWER)
    if text.strip() not in known:
        raise InvalidInput("error.unknown_role", role=text, known=", ".join(known))
    return text.strip()


CHECKS = {
    "default_role": _role,
    "building_name": _text(60),
    "building_name_zh": _text(60),
    "hotline": _text(30),
    "timezone": _zone,
    "service_start": _time,
    "service_end": _time,
    "near_percent": _whole(1, 90),
    "near_floor_seconds_extra_urgent": _whole(0, 3600),
    "near_floor_seconds_urgent": _whole(0, 3600),
    "near_floor_seconds_normal": _whole(0, 3600),
    "tier_minutes_extra_urgent": _whole(1, 240),
    "tier_minutes_urgent": _whole(1, 240),
    "passenger_elevators_min_running": _whole(0, 50),
    "rubbish_bags_per_month": _whole(0, 1000),
    "visit_supervisors": _logins,
    "complaint_visit_days": _whole(1, 3660),
    "umbrella_overdue_days": _whole(1, 366),
    "late_fee_per_10000_daily": _whole(0, 100),
    "late_fee_grace_days": _whole(0, 90),
    "late_fee_cap_percent": _whole(0, 100),
    "parking_free_minutes": _whole(0, 240),
    "parking_daily_cap_fen": _whole(0, 10_000_000),
    "meter_flag_factor": _whole(2, 100),
}
SETTING_DEFAULTS = {**DEFAULTS, "default_role": VIEWER}


def settings() -> dict[str, object]:
    values = dict(SETTING_DEFAULTS)
    for row in Setting.select():
        values[row.key] = json.loads(row.value)
    return values


def set_setting(desk: Desk, key: str, text: str) -> object:
    desk.require("setting.edit")
    if key not in CHECKS:
        raise InvalidInput("error.unknown_setting", name=key, known=", ".join(CHECKS))
    value = CHECKS[key](key, text)
    current = settings()
    if key in ("service_start", "service_end"):
        start = value if key == "service_start" else current["service_start"]
        end = value if key == "service_end" else current["service_end"]
        if start >= end:
            raise InvalidInput("error.setting_hours", start=start, end=end)
    with desk.db.atomic():
        (Setting.insert(key=key, value=json.dumps(value, ensure_ascii=False))
         .on_conflict(conflict_target=[Setting.key],
                      update={Setting.value: json.dumps(value, ensure_ascii=False)})
         .execute())
        desk.audit("setting.set", "setting", key, before=current.get(key), value=value)
    desk.profile(refresh=True)
    return value
