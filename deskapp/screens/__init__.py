"""Screens: they read through the queue model and write only through deskapp.services."""

from __future__ import annotations

import dataclasses

from textual.dom import DOMNode

from ..i18n import t


def localise_bindings(node: DOMNode) -> None:
    """Bindings are declared with i18n keys as descriptions ("key.new"); translate them
    per instance, so the footer speaks the language chosen at run time, not at import."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            dataclasses.replace(b, description=t(b.description))
            if b.description.startswith("key.") else b
            for b in bindings
        ]
