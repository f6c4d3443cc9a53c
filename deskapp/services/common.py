"""Small pieces the tenant areas (signage, fit-out and passes, communication, moves) share,
so each rule is said once: which tenant a name means, when something happened, the
building's day of a moment, and a CSV a spreadsheet opens safely, written whole.

The areas keep their own messages (their i18n keys are passed in): what a user reads
did not change when the four copies became one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Iterable

from pendulum import DateTime

from ..models import Tenant
from . import validate
from .context import Desk
from .errors import InvalidInput

MAX_TENANT_NAME = 200


def tenant_by_name(name: str | None, field: str, *, unknown: str,
                   gone: str | None = None) -> Tenant:
    """The tenant registered under exactly ``name``; ``unknown`` (an i18n key with
    ``{name}``) refuses a name no tenant has, ``gone`` (if given) one that moved out."""
    name = validate.text(name, field, limit=MAX_TENANT_NAME, required=True)
    tenant = Tenant.get_or_none(Tenant.name == name)
    if tenant is None:
        raise InvalidInput(unknown, name=name)
    if gone is not None and tenant.status == "gone":
        raise InvalidInput(gone, name=name)
    return tenant


def locked(desk: Desk, query):
    """The first row of ``query`` inside the write transaction, locked against other
    sessions (R-8.1): PostgreSQL needs the row lock (SQLite's IMMEDIATE serialises)."""
    return (query.for_update() if desk.db.for_update else query).first()


def happened_at(desk: Desk, at: DateTime | None, field: str = "--at") -> DateTime:
    """When something happened, in UTC: now, or a back-dated moment inside the plausible
    window (``validate.WINDOW["at"]``: at most a year back, never ahead)."""
    now = desk.clock.now()
    if at is None:
        return now.in_tz("UTC")
    return validate.in_window(at, now, "at", field, desk.profile().timezone).in_tz("UTC")


def local_day(moment: DateTime | None, tz: str) -> dt.date | None:
    """The building's calendar day of a moment (a plain date: sqlite3 binds no pendulum
    Date); None for None."""
    if moment is None:
        return None
    local = moment.in_tz(tz)
    return dt.date(local.year, local.month, local.day)


# Excel (and LibreOffice) start a formula at these; a text that begins with one is
# written with a leading ' (OWASP's advice for CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guarded(value: object) -> object:
    """A cell as a spreadsheet must show it: text starting like a formula gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    """Rows as CSV for a spreadsheet: UTF-8 with a BOM (Excel reads Chinese then), CRLF,
    every text cell formula-guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([guarded(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def write_whole(target: Path, data: bytes) -> None:
    """Into a temporary file beside ``target``, then renamed: a reader never sees half a
    file, and a failed write leaves nothing behind. Raises OSError (the caller says it
    in its own words)."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def workbook_bytes(rows: Iterable[Iterable[object]], title: str, widths: Iterable[int],
                   heading=lambda r, row: False) -> bytes:
    """Rows as an XLSX sheet for finance: every text a text cell (a leading = is never a
    formula), Decimal money with two decimals and thousands, text with a line break
    wrapped, the rows ``heading(r, row)`` says in bold, columns A… at ``widths``."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    bold = Font(bold=True)
    for r, row in enumerate(rows, start=1):
        row = list(row)
        strong = heading(r, row)
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):  # a control character stored before validation
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # would stop the save
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            if strong:
                cell.font = bold
    for letter, width in zip("ABCDEFGHIJKL", widths):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_exports(files: Iterable[tuple[Path, bytes]], error: str) -> None:
    """Each (target, data) written whole; a failure is ``error`` (an i18n key with
    {path} and {reason}). The caller makes every file before the first is written."""
    for target, data in files:
        try:
            write_whole(target, data)
        except OSError as exc:
            raise InvalidInput(error, path=str(target), reason=exc.strerror or str(exc)) from None


__all__ = ["FORMULA_START", "csv_bytes", "guarded", "happened_at", "local_day", "locked",
           "tenant_by_name", "workbook_bytes", "write_exports", "write_whole"]


def export_target(path: str) -> Path:
    """Where an export goes: a file in a folder that exists (not a folder itself)."""
    raw = validate.text(path, "file", limit=4096, required=True)
    target = Path(raw).expanduser()
    if target.is_dir() or not target.parent.is_dir():
        raise InvalidInput("error.comms_report_path", path=raw)
    return target
