"""``deskapp billing run|notices`` (SPEC §9) and the notices as PDF."""

from __future__ import annotations


def register(commands, leaf, group) -> None:
    pass


def run(args, desk, emit) -> int | None:
    return None
