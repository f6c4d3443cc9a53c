"""Write only the changed cells of a line, not everything left of them.

Textual's ``ChopsUpdate.render_segments`` crops a partly-dirty line at its right end
but not its left (its own code says "TODO: crop to x extents"): refreshing the 7-cell
time column of a queue row rewrote the row from column 1. Measured through a pty at
80×24 with the demo queue, that was 2,850 B/s of countdown. This replacement also skips
the whole segments that end before the dirty span starts. It never cuts inside a
segment, so a double-width character is never split (widgets that want tight updates,
like the queue table, emit one segment per cell).
"""

from __future__ import annotations

import hashlib
import inspect

from rich.cells import cell_len
from rich.segment import Segment, Segments
from textual import _compositor
from textual._compositor import ChopsUpdate
from textual.strip import Strip

_original = ChopsUpdate.render_segments

# sha256 of the source of the class this was written against (textual 8.2.8): its
# render_segments and the chops / chop_ends / spans it reads. Any other source, and the
# app keeps Textual's own method (whole lines from column 1: more bytes, same picture).
WRITTEN_FOR = "7c7d3e0bf714e8362f3df2b077749e62960178fa84ad516b0c947d2447b5d5fc"


def _render_segments(self: ChopsUpdate, console) -> str:
    sequences: list[str] = []
    append = sequences.append
    move_to = _compositor.Control.move_to
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items()):
            if strip is None or x > x2 or end <= x1:
                continue
            if x2 > x >= x1 and end <= x2:
                append(move_to(x, y).segment.text)
                append(strip.render(console))
                continue
            strip = strip.crop(0, min(end, x2) - x)
            if x < x1:
                kept: list[Segment] = []
                start = x
                for segment in strip:
                    width = cell_len(segment.text)
                    if not kept and start + width <= x1:
                        start += width
                        continue
                    kept.append(segment)
                x, strip = start, Strip(kept)
            append(move_to(x, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def fingerprint(cls: type = ChopsUpdate) -> str | None:
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):  # no source shipped: cannot tell, so do not patch
        return None
    return hashlib.sha256(source.encode()).hexdigest()


def install(log=None) -> bool:
    """Replace Textual's method if it is the one this was written against (idempotent).

    Returns whether the replacement is in place; when it is not, says why through
    ``log`` (the app's Textual log)."""
    if ChopsUpdate.render_segments is _render_segments:
        return True
    found = fingerprint()
    if found != WRITTEN_FOR:
        if log is not None:
            log(f"partial_paint: textual's ChopsUpdate is not the one this patch was written "
                f"for (sha256 {found}); keeping Textual's own render_segments")
        return False
    ChopsUpdate.render_segments = _render_segments
    return True


__all__ = ["install", "Segments"]
