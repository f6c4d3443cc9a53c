"""Staff and roles (minimal: the login of the OS user and a role)."""

from __future__ import annotations

from ..models import Staff
from ..models.records import ROLES
from .context import Desk
from .errors import InvalidInput


def ensure_first_manager(desk: Desk) -> int:
    """The person who creates the database manages it until others are added."""
    if Staff.select().exists():
        return 0
    with desk.db.atomic():
        Staff.create(login=desk.user, name=desk.user, role="manager")
        desk.audit("staff.add", "staff", desk.user, role="manager")
    desk.role = "manager"
    return 1


def add_staff(desk: Desk, login: str, name: str, role: str) -> Staff:
    desk.require("catalogue.edit")
    if role not in ROLES:
        raise InvalidInput("error.unknown_role", role=role, known=", ".join(ROLES))
    with desk.db.atomic():
        staff, _ = Staff.get_or_create(login=login, defaults={"name": name, "role": role})
        staff.name, staff.role, staff.active = name, role, True
        staff.save()
        desk.audit("staff.set", "staff", login, role=role)
    return staff
