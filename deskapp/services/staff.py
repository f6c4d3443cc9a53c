"""Staff and roles (minimal: the login of the OS user and a role)."""

from __future__ import annotations

from ..models import Staff
from ..models.records import ROLES
from . import validate
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


MAX_LOGIN = 64
MAX_NAME = 100


def add_staff(desk: Desk, login: str, name: str, role: str, active: bool = True) -> Staff:
    """Add a person, or change one's name, role or whether they are still working here
    (the manager only: whoever may edit staff may make anyone a manager)."""
    desk.require("staff.edit")
    login = validate.text(login, "login", limit=MAX_LOGIN, required=True)
    name = validate.text(name, "name", limit=MAX_NAME, required=True)
    if any(c.isspace() for c in login):
        raise InvalidInput("error.bad_login", login=login, limit=MAX_LOGIN)
    if role not in ROLES:
        raise InvalidInput("error.unknown_role", role=role, known=", ".join(ROLES))
    with desk.db.atomic():
        staff = Staff.get_or_none(Staff.login == login)
        if staff is None:
            staff = Staff.create(login=login, name=name, role=role, active=active)
            desk.audit("staff.add", "staff", login, name=name, role=role, active=active)
        else:
            before = dict(name=staff.name, role=staff.role, active=staff.active)
            staff.name, staff.role, staff.active = name, role, active
            staff.save()
            desk.audit("staff.set", "staff", login, before=before,
                       name=name, role=role, active=active)
    return staff


def list_staff() -> list[Staff]:
    return list(Staff.select().order_by(Staff.role, Staff.login))


def managers() -> list[str]:
    """Whom an unlisted login should ask to be added: the active managers, by name."""
    return [name for (name,) in Staff.select(Staff.name)
            .where(Staff.role == "manager", Staff.active == True)  # noqa: E712
            .order_by(Staff.name).tuples()]
