"""The headless commands of each area of the desk, beside the core ones in cli.py.

An area module has ``register(commands, leaf, group)`` (adds its argparse subcommands,
with cli's ``_leaf``/``_group`` helpers) and ``run(args, desk, emit)`` returning an exit
code, or None when ``args.command`` is not one of its own. ``emit(args, document,
human)`` is cli's printer (``--json`` or safe text).
"""

from __future__ import annotations

import importlib

# module names under deskapp.commands, in the order their commands are listed in --help
AREAS: tuple[str, ...] = ("fitout", "passes", "signage", "comms", "movein", "prices", "lending", "bookings",
                         # billing (issue 9)
                         "meters", "billing", "payments", "approvals", "paidservices")


def modules():
    return [importlib.import_module(f"{__name__}.{name}") for name in AREAS]
