"""Use-cases: validate, check the role, write in one transaction, append the audit row."""

from .context import Desk, PERMISSIONS, os_login
from .errors import Conflict, DatabaseUnusable, DeskError, InvalidInput, NotAllowed

__all__ = ["Conflict", "DatabaseUnusable", "Desk", "DeskError", "InvalidInput", "NotAllowed", "PERMISSIONS",
           "os_login"]
