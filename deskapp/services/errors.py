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
        return t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


class InvalidInput(DeskError):
    exit_code = 2


class Conflict(DeskError):
    exit_code = 3


class NotAllowed(DeskError):
    exit_code = 4
