"""A one-line Input that keeps all of a paste.

Textual's Input keeps only the first line of a pasted text and drops the rest without a
word: a reason or "what the tenant was told" pasted from a message lost everything after
its first line break. Here the lines are joined with spaces, and control characters
(which the validation layer would refuse anyway) are left out, so what is pasted is what
is saved.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import Input

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    lines = (_CONTROL.sub("", line.replace("\t", " ")).strip() for line in text.splitlines())
    return " ".join(line for line in lines if line)


class TextInput(Input):
    def _on_paste(self, event: events.Paste) -> None:
        text = one_line(event.text)
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()
        event.prevent_default()  # Textual would also run Input's own handler
