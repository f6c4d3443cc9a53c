"""Who is acting, on which database, at what time: what every use-case receives."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, field

from peewee import Database

from ..calendar import WorkCalendar
from ..clock import Clock
from ..models import Audit, CalendarOverride, Setting, Staff
from ..profile import BuildingProfile, load_profile
from .errors import NotAllowed

# What each role may do. Complaints and repairs are accepted only by customer
# service; other departments work the steps of the work orders.
PERMISSIONS: dict[str, frozenset[str]] = {
    "ticket.open": frozenset({"desk", "manager", "gm"}),
    "ticket.dispatch": frozenset({"desk", "manager", "gm"}),
    "ticket.arrive": frozenset({"desk", "engineering", "security", "manager", "gm"}),
    "ticket.resolve": frozenset({"desk", "engineering", "security", "manager", "gm"}),
    "ticket.reply": frozenset({"desk", "manager", "gm"}),
    "ticket.answer": frozenset({"desk", "manager", "gm"}),
    "ticket.hold": frozenset({"desk", "engineering", "manager", "gm"}),
    "ticket.resume": frozenset({"desk", "engineering", "manager", "gm"}),
    "ticket.cancel": frozenset({"desk", "manager", "gm"}),
    "ticket.reopen": frozenset({"desk", "manager", "gm"}),
    "ticket.move_up": frozenset({"desk", "manager", "gm"}),
    "catalogue.edit": frozenset({"manager", "gm"}),
    "staff.edit": frozenset({"manager"}),
    "calendar.edit": frozenset({"manager", "gm"}),
}


def os_login() -> str:
    return os.environ.get("DESKAPP_USER") or getpass.getuser()


@dataclass
class Desk:
    """One acting person's handle on the shared database."""

    db: Database
    clock: Clock
    user: str
    role: str
    _profile: BuildingProfile | None = field(default=None, repr=False)

    @classmethod
    def for_login(cls, db: Database, clock: Clock, login: str | None = None,
                  default_role: str = "desk") -> "Desk":
        login = login or os_login()
        staff = Staff.get_or_none(Staff.login == login)
        role = staff.role if staff and staff.active else default_role
        return cls(db=db, clock=clock, user=login, role=role)

    def allowed(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, frozenset())

    def require(self, permission: str) -> None:
        if not self.allowed(permission):
            raise NotAllowed("error.not_allowed", role=self.role, action=permission)

    def profile(self, refresh: bool = False) -> BuildingProfile:
        if self._profile is None or refresh:
            self._profile = load_profile(Setting)
        return self._profile

    def calendar(self) -> WorkCalendar:
        profile = self.profile()
        overrides = {row.day: row.working for row in CalendarOverride.select()}
        return WorkCalendar(tz=profile.timezone, service_start=profile.service_start,
                            service_end=profile.service_end, overrides=overrides)

    def audit(self, action: str, entity: str, entity_id: object, **detail: object) -> int:
        row = Audit.create(at=self.clock.now(), actor=self.user, action=action,
                           entity=entity, entity_id=str(entity_id),
                           detail=json.dumps(detail, ensure_ascii=False, default=str))
        return row.id
