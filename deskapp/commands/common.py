"""What the area commands share: reading an amount, a moment, a list of names."""

from __future__ import annotations

from typing import Callable, Iterable

from ..i18n import t
from ..services import validate


def amount_fen(text: str, field: str) -> int:
    """Yuan as typed, in fen (``validate.yuan``: ASCII digits, two decimals at most)."""
    return validate.yuan(text, field)


def moment(desk, text: str | None, option: str = "--at"):
    """An ISO moment from the command line, in UTC (building zone without an offset);
    None when the option was not given. Whether it is plausible the service checks."""
    return validate.parse_iso(text, desk.profile().timezone, option)


def emit_list(args, emit, documents: list, line: Callable[[object], str],
              empty_key: str) -> None:
    """A list: JSON as it is, else a line a document, or the empty list said in words."""
    emit(args, documents, lambda: "\n".join(line(d) for d in documents) or t(empty_key))


def dispatch(args, desk, emit, handlers: dict[str, Callable]) -> int | None:
    """The area's ``run``: the handler of ``args.command`` (None: not this area's
    command); a handler that returns nothing succeeded (exit 0)."""
    handler = handlers.get(args.command)
    if handler is None:
        return None
    code = handler(args, desk, emit)
    return 0 if code is None else code


def names_list(names: list[str] | None) -> list[str]:
    return list(names or [])
