"""What the area commands share: reading an amount, a moment, a list of names."""

from __future__ import annotations

from ..services import validate


def amount_fen(text: str, field: str) -> int:
    """Yuan as typed, in fen (``validate.yuan``: ASCII digits, two decimals at most)."""
    return validate.yuan(text, field)


def moment(desk, text: str | None, option: str = "--at"):
    """An ISO moment from the command line, in UTC (building zone without an offset);
    None when the option was not given. Whether it is plausible the service checks."""
    return validate.parse_iso(text, desk.profile().timezone, option)


def names_list(names: list[str] | None) -> list[str]:
    return list(names or [])
