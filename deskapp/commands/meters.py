"""``deskapp meter …`` (SPEC §9 ``meter import FILE.csv``)."""

from __future__ import annotations


def register(commands, leaf, group) -> None:
    pass


def run(args, desk, emit) -> int | None:
    return None
