"""Errors a use-case raises; each carries an i18n key and the CLI's exit code."""

from __future__ import annotations

from typing import Any

from ..i18n import t


class DeskError(Exception):
    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """In the user's language; values a person typed are shown with their control
        characters neutralised (an error must not echo an escape sequence)."""
        return t(self.key, **{name: _shown(_label(name, value))
                              for name, value in self.params.items()})

    def __str__(self) -> str:
        return self.message()


def _shown(value: object) -> object:
    from ..views import safe_text

    return safe_text(value) if isinstance(value, str) else value


_LABELLED = {"state": "state", "action": "action", "role": "role", "service": "service",
             "status": "tenant_status", "to_status": "tenant_status"}


def _label(name: str, value: object) -> object:
    """Codes in a message read as the user's words: "accepted" -> "已受理"."""
    prefix = _LABELLED.get(name)
    if prefix is None or not isinstance(value, str):
        return value
    if prefix == "action":  # a permission names what was refused: "open a ticket"
        permission = t(f"perm.{value}")
        if permission != f"perm.{value}":
            return permission
        value = value[len("ticket."):] if value.startswith("ticket.") else value
    if prefix == "service":  # the catalogue's own name, as the manager may have edited it
        from ..views import service_name

        return service_name(value)
    label = t(f"{prefix}.{value}")
    return value if label == f"{prefix}.{value}" else label


class InvalidInput(DeskError):
    exit_code = 2


class Conflict(DeskError):
    exit_code = 3


class NotAllowed(DeskError):
    exit_code = 4


class DatabaseUnusable(DeskError):
    """The database cannot be used: missing, not a database, read-only, locked past the
    timeout, disk full, server unreachable (exit 5). ``key`` names which (``fault.*``)."""

    exit_code = 5
