"""Who is acting, on which database, at what time: what every use-case receives."""

from __future__ import annotations

import json
import os
import pwd
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
    "setting.edit": frozenset({"manager"}),
    "database.backup": frozenset({"manager"}),
    "calendar.edit": frozenset({"manager", "gm"}),
    # the registry is the desk's (R-4.2: it records the tenant's written applications)
    "tenant.edit": frozenset({"desk", "manager", "gm"}),
    "tenant.import": frozenset({"desk", "manager", "gm"}),
    # fitout and passes: whatever opens or closes a ticket is the desk's (ticket.open);
    # the manager approves a fit-out; finance may take its deposit; security may
    # revoke a pass and record a vehicle's insurance
    "fitout.apply": frozenset({"desk", "manager", "gm"}),
    "fitout.approve": frozenset({"manager", "gm"}),
    "fitout.deposit": frozenset({"desk", "finance", "manager", "gm"}),
    "fitout.inspect": frozenset({"desk", "manager", "gm"}),
    "fitout.refund": frozenset({"desk", "manager", "gm"}),
    "pass.issue": frozenset({"desk", "manager", "gm"}),
    "pass.revoke": frozenset({"desk", "security", "manager", "gm"}),
    "insurance.edit": frozenset({"desk", "security", "manager", "gm"}),
    "permit.issue": frozenset({"desk", "manager", "gm"}),
    "release.add": frozenset({"desk", "manager", "gm"}),
    # signage (SPEC §3): the desk receives the applications and orders the signs; staff
    # may not order privately, so an order needs the application on file
    "signage.order": frozenset({"desk", "manager", "gm"}),
    "signage.supplier": frozenset({"desk", "manager"}),
    # comms (SPEC §5): customer service distributes letters and mail, hands out
    # the rubbish bags and logs the visits the manager or a supervisor made;
    # the monthly report (R-5.4) is the desk's and the manager's, not other departments'
    "comms.letter": frozenset({"desk", "manager", "gm"}),
    "comms.mail": frozenset({"desk", "manager", "gm"}),
    "comms.visit": frozenset({"desk", "manager", "gm"}),
    "comms.bags": frozenset({"desk", "manager", "gm"}),
    "comms.report": frozenset({"desk", "manager", "gm"}),
    # move-in and move-out (services/movein.py, moveout.py): customer service runs the
    # checklist with the tenant; engineering and the others see it, do not work it
    "move.edit": frozenset({"desk", "manager", "gm"}),
    # prices and charges (services/prices.py, charges.py): the company sets the prices
    # the manager publishes them; whoever serves or collects posts a charge;
    # only finance or the manager corrects one (a reversal moves money back)
    "price.set": frozenset({"manager", "gm"}),
    "charge.post": frozenset({"desk", "finance", "manager", "gm"}),
    "charge.reverse": frozenset({"finance", "manager"}),
    # lending (services/umbrellas.py, recycling.py, booking_register.py): the counter
    # lends umbrellas and books pickups; the register and its exports are also
    # finance's (damage is charged to the user, R-6.3); damage is recorded by the desk
    "umbrella.lend": frozenset({"desk", "manager", "gm"}),
    "umbrella.stock": frozenset({"desk", "manager", "gm"}),
    "recycling.book": frozenset({"desk", "manager", "gm"}),
    "booking.register": frozenset({"desk", "finance", "manager", "gm"}),
    "booking.damage": frozenset({"desk", "manager", "gm"}),
    # bookings (SPEC ): the manager sets up what can be booked; the desk books and
    # cancels; only the general manager approves or refuses a borrowing
    "resource.edit": frozenset({"manager", "gm"}),
    "booking.add": frozenset({"desk", "manager", "gm"}),
    "booking.cancel": frozenset({"desk", "manager", "gm"}),
    "booking.approve": frozenset({"gm"}),
    # billing (SPEC §7): finance at the desk issues the notices, takes the payments and
    # chases arrears; engineering reads the meters monthly; security takes the
    # temporary parking and hands its takings to finance; the desk or finance may ask
    # for a deferral or waiver, only the general manager decides one
    "billing.run": frozenset({"finance", "manager", "gm"}),
    "meter.read": frozenset({"engineering", "finance", "manager", "gm"}),
    "meter.replace": frozenset({"engineering", "manager"}),
    "payment.record": frozenset({"finance", "manager", "gm"}),
    "reminder.issue": frozenset({"finance", "manager", "gm"}),
    "adjustment.ask": frozenset({"desk", "finance", "manager", "gm"}),
    "adjustment.decide": frozenset({"gm"}),
    "month.close": frozenset({"finance", "manager"}),
    "parking.gate": frozenset({"security", "manager"}),
    "parking.handover": frozenset({"security", "manager"}),
    "parking.receive": frozenset({"finance", "manager"}),
    "postal.accept": frozenset({"desk", "manager", "gm"}),
    "postal.dispatch": frozenset({"desk", "manager", "gm"}),
}


# The role of a login the staff table does not list, unless the manager set another
# (setting "default_role"): it may look, not write.
VIEWER = "viewer"


def os_login() -> str:
    """The login of the real uid: not $USER, $LOGNAME or $DESKAPP_USER, which anyone
    can set (``DESKAPP_USER=root`` once made anyone the manager)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (containers)
        return f"uid{uid}"


def acting_login(requested: str | None, owner_uid: int | None) -> str:
    """Who is acting: the real login, or ``requested`` (DESKAPP_USER, for cron scripts)
    when the process runs as root or as the owner of the database file."""
    real = os_login()
    if not requested or requested == real:
        return real
    uid = os.getuid()
    if uid == 0 or (owner_uid is not None and uid == owner_uid):
        return requested
    raise NotAllowed("error.act_as", login=requested, real=real)


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
                  default_role: str | None = None) -> "Desk":
        """The desk of ``login`` (already vetted: see ``acting_login``). Its role comes
        from the staff table; a login not listed there (or no longer active) gets the
        building's default role, which only the manager sets in the database — never
        from a user's own config file or environment."""
        login = login or os_login()
        staff = Staff.get_or_none(Staff.login == login)
        if staff is not None and staff.active:
            role = staff.role
        elif default_role is not None:
            role = default_role
        else:
            row = Setting.get_or_none(Setting.key == "default_role")
            role = json.loads(row.value) if row else VIEWER
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
        from .audit import append

        return append(self.db, self.clock.now(), self.user, action, entity,
                      str(entity_id), detail)
