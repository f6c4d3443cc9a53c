"""How tickets read to a person: time left, names of tiers, states and services.

Shared by the dashboard and the CLI's human output. Widths are terminal cells (Chinese
is double width), never ``len``.
"""

from __future__ import annotations

import math

from rich.cells import cell_len

from .i18n import t

SECONDS_SHOWN_BELOW = 3600  # under an hour the countdown shows seconds


# C0 and C1 control characters (ESC, CSI, BEL…) and DEL: never sent to a terminal
_CONTROLS = {code: "\ufffd" for code in (*range(0x00, 0x20), *range(0x7f, 0xa0))}
_CONTROLS.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})
# lone surrogates (bytes that were not UTF-8, decoded with surrogateescape) cannot be
# encoded for any terminal: shown as � too
_CONTROLS.update({code: "\ufffd" for code in range(0xD800, 0xE000)})


def safe_text(text: str) -> str:
    """Stored text as it may reach a screen: control characters shown as �, line breaks
    and tabs as spaces (an escape sequence in a tenant name must not drive a terminal)."""
    return text.translate(_CONTROLS)


def tier_label(tier: str) -> str:
    return t(f"tier.{tier}")


def state_label(state: str) -> str:
    return t(f"state.{state}")


def fit(text: str, width: int) -> str:
    """Cut or pad to exactly ``width`` terminal cells, with … when cut."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…" + " " * (width - 1 - used)


def rjust_cells(text: str, width: int) -> str:
    return " " * max(0, width - cell_len(text)) + text


def left_text(due_ts: float | None, now_ts: float, *, today_end_ts: float,
              local_date: str = "", local_hm: str = "") -> str:
    """Time left to a deadline: "3:18", "-0:42", "2h05", "今日", "11-30".

    Negative once breached. Under an hour it counts seconds; a deadline at the end of
    today reads "today"; later ones show their date.
    """
    if due_ts is None:
        return "—"
    left = due_ts - now_ts
    if left < 0:
        # the clock floors on both sides of the deadline: 0.4 s late is -0:01, never -0:00
        return "-" + _span(math.ceil(-left))
    if left < SECONDS_SHOWN_BELOW:
        return _span(left)
    if due_ts >= today_end_ts - 1 and due_ts <= today_end_ts + 1:
        return t("left.today")
    if due_ts <= today_end_ts:
        return _span(left)
    return local_date


def _span(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    if seconds < 86400:
        return t("left.hours", h=seconds // 3600, m=f"{seconds % 3600 // 60:02d}")
    return t("left.days", d=seconds // 86400)


def ticket_line(document: dict) -> str:
    """One line of `deskapp ticket list` for a person."""
    place = safe_text(" ".join(p for p in (document["location"], document["tenant"]) if p))
    due = document["next_due_at"]
    # "2026-11-27T06:09:57.745161+08:00" -> "11-27 06:09", already in building time
    due = f"{due[5:10]} {due[11:16]}" if due else "—"
    mark = "!" if document["breached"] else " "
    return (f"#{document['id']:<5} {fit(tier_label(document['tier']), 6)} {mark} "
            f"{fit(service_name(document['service']), 14)} {fit(place, 22)} "
            f"{fit(state_label(document['state']), 10)} {due}"
            + (f"  → {safe_text(document['assignee'])}" if document.get("assignee") else ""))


_service_names: dict[str, tuple[str, str]] = {}


def remember_service_names(names: dict[str, tuple[str, str]]) -> None:
    """The catalogue's names as stored (the manager may have edited them): code -> (zh, en)."""
    _service_names.update(names)


def service_name(code: str) -> str:
    from .i18n import language

    if not _service_names:
        from .sla import SEED_CATALOGUE

        for rule in SEED_CATALOGUE:
            _service_names.setdefault(rule.code, (rule.name_zh, rule.name_en))
    names = _service_names.get(code)
    if names is None:
        return code
    return names[0] if language() == "zh" else names[1]


# `tenant list` for a person: name, units, status, contact, rent, lease end (80 cells)
TENANT_WIDTHS = (20, 14, 10, 10, 11)


def tenant_lines(documents: list[dict]) -> str:
    """One line per tenant, columns in terminal cells; stored text through safe_text."""
    name_w, units_w, status_w, contact_w, rent_w = TENANT_WIDTHS
    lines = []
    for doc in documents:
        lines.append(" ".join((
            fit(safe_text(doc["name"]), name_w),
            fit(safe_text(";".join(doc["units"])), units_w),
            fit(t(f"tenant_status.{doc['status']}"), status_w),
            fit(safe_text(doc["contact"]), contact_w),
            rjust_cells(doc["monthly_rent"], rent_w),
            doc["lease_end"] or "—",
        )).rstrip())
    return "\n".join(lines)
