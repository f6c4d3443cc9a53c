"""``deskapp tenant import FILE.csv`` (SPEC §9): the whole file or nothing of it.

The header is exactly ``name,units,contact,phone,monthly_rent,due_day,lease_start,
lease_end``; UTF-8 with or without a BOM. Every cell goes through the validation layer;
every problem is reported by line and column (up to MAX_SHOWN of them) and, if there
is one, nothing is written. Rows are keyed by tenant name: a row equal to what the
registry holds changes nothing, so importing the same file twice is harmless; a
changed row updates its tenant (audited with before and after).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import t
from ..models import Tenant, TenantContact, TenantUnit
from . import validate
from .audit import append_many
from .context import Desk
from .errors import DeskError, InvalidInput
from .tenants import (
    MAX_CONTACT,
    MAX_NAME,
    TenantData,
    _changes,
    _facts,
    _write,
    phone,
    search_text,
    split_unit,
    today,
    units,
)

HEADER = ("name", "units", "contact", "phone", "monthly_rent", "due_day", "lease_start",
          "lease_end")
MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000
MAX_SHOWN = 30  # problems listed; the rest are counted
_BATCH = 500


@dataclass
class Problem:
    line: int
    column: int  # 1-based; 0 when the whole line is wrong
    error: DeskError


class InvalidFile(InvalidInput):
    """A file refused whole: every problem, each by line and column (exit 2)."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__("error.import_refused", file=path, count=len(problems))
        self.problems = problems

    def message(self) -> str:
        lines = [super().message()]
        for problem in self.problems[:MAX_SHOWN]:
            if 1 <= problem.column <= len(HEADER):
                where = t("import.at_cell", line=problem.line, column=problem.column,
                          name=HEADER[problem.column - 1])
            elif problem.column:
                where = t("import.at_column", line=problem.line, column=problem.column)
            else:
                where = t("import.at_line", line=problem.line)
            lines.append(f"  {where}: {problem.error.message()}")
        if len(self.problems) > MAX_SHOWN:
            lines.append("  " + t("import.more", more=len(self.problems) - MAX_SHOWN))
        return "\n".join(lines)


@dataclass
class Row:
    line: int
    data: TenantData


@dataclass
class _Reading:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # (line, name, units) of every row whose name or units could be read, refused rows
    # included: a name or unit twice is reported even beside another problem
    keys: list[tuple[int, str | None, tuple[str, ...]]] = field(default_factory=list)

    def refuse(self, at_line: int, column: int, key: str, **params) -> None:
        self.problems.append(Problem(at_line, column, InvalidInput(key, **params)))


def read_text(path: str) -> str:
    """The file's text (UTF-8, a BOM dropped); a byte that is not UTF-8 is refused by
    line and column."""
    file = Path(path)
    try:
        if not file.is_file():
            raise InvalidInput("error.import_no_file", file=path)
        if file.stat().st_size > MAX_BYTES:
            raise InvalidInput("error.import_too_big", file=path, limit=MAX_BYTES // 2**20)
        raw = file.read_bytes()
    except OSError as exc:
        raise InvalidInput("error.import_unreadable", file=path,
                           detail=exc.strerror or str(exc)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = before[before.rfind(b"\n") + 1:].count(b",") + 1
        raise InvalidFile(path, [Problem(line, column, InvalidInput(
            "error.import_not_utf8", byte=f"0x{raw[exc.start]:02x}"))]) from None


def read_rows(text: str, desk: Desk) -> _Reading:
    """Every row checked cell by cell, then across rows (a name or a unit twice)."""
    reading = _Reading()
    day = today(desk)
    reader = csv.reader(io.StringIO(text, newline=""))
    header_seen, line = False, 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1  # where this record began
            if not cells or all(not c.strip() for c in cells):
                continue
            if not header_seen:
                header_seen = True
                if tuple(cells) != HEADER:
                    _wrong_header(reading, start, cells)
                    return reading
                continue
            if len(reading.rows) + len(reading.problems) >= MAX_ROWS:
                reading.refuse(start, 0, "error.import_too_many", limit=MAX_ROWS)
                return reading
            if len(cells) != len(HEADER):
                # the first cell missing, or the first one too many
                reading.refuse(start, min(len(cells), len(HEADER)) + 1, "error.import_cells",
                               expected=len(HEADER), found=len(cells))
                continue
            data = _row(reading, start, cells, day)
            if data is not None:
                reading.rows.append(Row(start, data))
    except csv.Error as exc:
        reading.refuse(reader.line_num, 0, "error.import_csv", detail=str(exc))
    if not header_seen:
        reading.refuse(1, 0, "error.import_no_header", header=",".join(HEADER))
    _across_rows(reading)
    return reading


def _wrong_header(reading: _Reading, line: int, cells: list[str]) -> None:
    column = next((i for i, (a, b) in enumerate(zip(cells, HEADER), 1) if a != b),
                  min(len(cells), len(HEADER)) + 1)
    reading.refuse(line, column, "error.import_header", header=",".join(HEADER))


def _row(reading: _Reading, line: int, cells: list[str], day) -> TenantData | None:
    """One row's cells through the validation layer, each refusal named by its column."""
    readers = {
        "name": lambda v: validate.text(v, "name", limit=MAX_NAME, required=True),
        "units": units,
        "contact": lambda v: validate.text(v, "contact", limit=MAX_CONTACT),
        "phone": phone,
        "monthly_rent": lambda v: validate.yuan(v, "monthly_rent"),
        "due_day": lambda v: validate.number(v, "due_day", low=1, high=28),
        "lease_start": lambda v: validate.day(v, "lease_start", day, "lease"),
        "lease_end": lambda v: validate.day(v, "lease_end", day, "lease"),
    }
    values, ok = {}, True
    for column, (name, raw) in enumerate(zip(HEADER, cells), 1):
        try:
            values[name] = readers[name](raw)
        except InvalidInput as refused:
            reading.problems.append(Problem(line, column, refused))
            ok = False
    reading.keys.append((line, values.get("name"), values.get("units", ())))
    if not ok:
        return None
    start, end = values["lease_start"], values["lease_end"]
    if start is not None and end is not None and end < start:
        reading.refuse(line, HEADER.index("lease_end") + 1, "error.lease_end_before_start",
                       start=start.isoformat(), end=end.isoformat())
        return None
    return TenantData(name=values["name"], units=values["units"], contact=values["contact"],
                      phone=values["phone"], monthly_rent_fen=values["monthly_rent"],
                      due_day=values["due_day"], lease_start=start, lease_end=end)


def _across_rows(reading: _Reading) -> None:
    names: dict[str, int] = {}
    claimed: dict[str, tuple[int, str | None]] = {}
    for line, name, unit_names in reading.keys:
        first = names.setdefault(name, line) if name is not None else line
        if first != line:
            reading.refuse(line, 1, "error.import_name_twice", name=name, first=first)
        for unit in unit_names:
            other_line, other_name = claimed.setdefault(unit, (line, name))
            if other_line != line:
                reading.refuse(line, 2, "error.import_unit_twice", unit=unit,
                               first=other_line, holder=other_name or "?", line=line,
                               name=name or "?")
    reading.problems.sort(key=lambda p: (p.line, p.column))


def import_tenants(desk: Desk, path: str) -> dict[str, int]:
    """The whole file, or nothing of it (InvalidFile naming every problem)."""
    desk.require("tenant.import")
    path = validate.text(path, "FILE", limit=4096, required=True)
    reading = read_rows(read_text(path), desk)
    if reading.problems:
        raise InvalidFile(path, reading.problems)
    with desk.db.atomic():
        summary = _apply(desk, path, reading)
    return summary


def _apply(desk: Desk, path: str, reading: _Reading) -> dict[str, int]:
    existing = {tenant.name: tenant for tenant in Tenant.select()}
    held = {unit: tenant_id for unit, tenant_id in TenantUnit.select(
        TenantUnit.unit, TenantUnit.tenant).where(TenantUnit.released_at.is_null()).tuples()}
    by_id = {tenant.id: tenant for tenant in existing.values()}
    wanted = {row.data.name: set(row.data.units) for row in reading.rows}
    added, changed, unchanged = [], [], 0
    for row in reading.rows:
        tenant = existing.get(row.data.name)
        for unit in row.data.units:
            holder = by_id.get(held.get(unit))
            if holder is None or holder is tenant:
                continue
            if unit not in wanted.get(holder.name, {unit}):
                continue  # its holder's row gives it up: it moves to this tenant
            reading.refuse(row.line, 2, "error.unit_taken", unit=unit, holder=holder.name)
        if tenant is None:
            added.append(row)
            continue
        if tenant.status == "gone" and row.data.units:
            reading.refuse(row.line, 2, "error.gone_holds_no_units", name=tenant.name)
            continue
        before = _facts(tenant)
        difference = _changes(before, _with_lease_extras(row.data, tenant))
        if difference:
            changed.append((tenant, row, difference))
        else:
            unchanged += 1
    if reading.problems:
        raise InvalidFile(path, reading.problems)
    _release_given_up(desk, changed)
    audit = [("tenant.update", "tenant", tenant.id,
              {"name": tenant.name, "source": "import", **difference})
             for tenant, row, difference in changed]
    for tenant, row, _ in changed:
        _write(desk, tenant, _with_lease_extras(row.data, tenant))
    audit += _add_all(desk, added)
    append_many(desk.db, desk.clock.now(), desk.user, audit)
    return {"rows": len(reading.rows), "added": len(added), "changed": len(changed),
            "unchanged": unchanged}


def _with_lease_extras(data: TenantData, tenant: Tenant) -> TenantData:
    """What the CSV does not carry (the deposit) stays as the registry holds it."""
    return TenantData(**{**data.__dict__, "deposit_fen": tenant.deposit_fen})


def _release_given_up(desk: Desk, changed) -> None:
    """Units a changed row no longer lists are released first, so another row of the
    same file may take them."""
    now = desk.clock.now()
    for tenant, row, _ in changed:
        (TenantUnit.update(released_at=now)
         .where(TenantUnit.tenant == tenant.id, TenantUnit.released_at.is_null(),
                TenantUnit.unit.not_in(list(row.data.units) or [""]))
         .execute())


def _add_all(desk: Desk, rows: list[Row]) -> list[tuple]:
    """New tenants in bulk: one insert each, their units and contacts in batches."""
    now, day = desk.clock.now(), today(desk)
    units_rows, contact_rows, audit = [], [], []
    for row in rows:
        data = row.data
        people = [(data.contact, data.phone)] if data.contact or data.phone else []
        status = "incoming" if data.lease_start and data.lease_start > day else "active"
        tenant = Tenant.create(
            name=data.name, units=";".join(data.units), contact=data.contact,
            phone=data.phone, monthly_rent_fen=data.monthly_rent_fen, due_day=data.due_day,
            lease_start=data.lease_start, lease_end=data.lease_end, status=status,
            search=search_text(data.name, data.units, people))
        for position, unit in enumerate(data.units):
            floor, room = split_unit(unit)
            units_rows.append(dict(tenant=tenant.id, unit=unit, floor=floor, room=room,
                                   position=position, since=now))
        contact_rows += [dict(tenant=tenant.id, name=n, phone=p) for n, p in people]
        audit.append(("tenant.add", "tenant", tenant.id, {
            "name": data.name, "source": "import", "status": status,
            "units": list(data.units), "contact": data.contact, "phone": data.phone,
            "monthly_rent_fen": data.monthly_rent_fen, "due_day": data.due_day,
            "lease_start": data.lease_start, "lease_end": data.lease_end}))
    for model, batch in ((TenantUnit, units_rows), (TenantContact, contact_rows)):
        for start in range(0, len(batch), _BATCH):
            model.insert_many(batch[start:start + _BATCH]).execute()
    return audit
