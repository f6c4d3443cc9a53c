"""What the fit-out and passes commands share: reading an amount, a moment, names."""

from __future__ import annotations

from ..services import validate
from ..services.errors import InvalidInput


def amount_fen(text: str, field: str) -> int:
    """Yuan as typed, in fen. Only ASCII digits: Python's ``\\d`` (and so the money
    parser) also reads full-width "１２" and Arabic-Indic digits as numbers."""
    if not isinstance(text, str) or not text.isascii():
        raise InvalidInput("error.bad_yuan", field=field, value=str(text))
    return validate.yuan(text, field)


def moment(desk, text: str | None, option: str):
    """An ISO moment from the command line (building zone without an offset); ASCII
    only, for the same reason as amounts."""
    if text is not None and not text.isascii():
        raise InvalidInput("error.bad_time", option=option, value=text)
    return validate.parse_iso(text, desk.profile().timezone, option)


def names_list(names: list[str] | None) -> list[str]:
    return list(names or [])
