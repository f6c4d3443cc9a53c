"""``deskapp waiver|deferral …`` and ``month …``."""

from __future__ import annotations


def register(commands, leaf, group) -> None:
    pass


def run(args, desk, emit) -> int | None:
    return None
