"""Electricity meters (issue 9 item 3; R-7.1, R-7.5): engineering's monthly readings,
typed or imported from a spreadsheet, a meter added to a tenant already in the
building, a meter replaced.

What a reading is (exact hundredths of a kWh), the meter code and the refusals every
reading shares (in the future, not after the last one, below it) are services.movein's,
imported here, not copied: a move-in baseline, a move-out final and a monthly reading go
through the same ``movein.record_reading``.

Far off usual (the rule, stated once): a monthly reading's interval (since the meter's
previous reading) is compared with the meter's *usual* daily consumption, which is the
kWh of its previous up to 3 intervals divided by the days they span (time-weighted: a
two-day interval after a move-in does not weigh as much as a month). A daily rate above
``meter_flag_factor`` (setting, default 3) × usual is flagged "high", one below usual ÷
factor "low". The reading is kept (the meter may really have run: a server room
installed) but billing holds the tenant until engineering or the manager confirms it.
A meter with no complete interval yet has no usual: its first reading after the
baseline is never flagged. The comparison is done in integers (hundredths × seconds),
never in floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pendulum
from pendulum import DateTime

from ..i18n import t
from ..models import Tenant
from ..models.movein import Meter, MeterReading
from . import validate
from .common import happened_at, locked, tenant_by_name
from .context import Desk
from .errors import Conflict, InvalidInput
from .movein import current_meters, format_reading, iso, last_reading, local, meter_code
from .movein import parse_reading
from .movein import record_reading as write_reading
from .tenants import current_units
from .tenants import unit as checked_unit

READ = "meter.read"  # engineering's monthly round; finance may type or import it too
# Confirming a flagged reading says someone checked the meter itself: engineering or the
# manager (meter.replace), not finance, who bills on the reading.
CHECK = "meter.replace"
USUAL_INTERVALS = 3
MAX_NOTE = 500
SECONDS_A_DAY = 86400


# --- finding a meter ----------------------------------------------------------------------

def tenant_named(name: str | None, field: str = "--tenant") -> Tenant:
    return tenant_by_name(name, field, unknown="error.meter_no_tenant")


def _tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == validate.record_id(tenant_id, "tenant"))
    if tenant is None:
        raise InvalidInput("error.no_tenant_id", id=tenant_id)
    return tenant


def tenant_meter(desk: Desk, tenant: Tenant, code: str) -> Meter:
    """The tenant's meter ``code`` still in service (locked inside a write). A meter the
    tenant had but was removed is refused saying when; one it never had, naming the
    meters it has."""
    meter = locked(desk, Meter.select().where(Meter.tenant == tenant.id, Meter.code == code,
                                              Meter.removed_at.is_null()))
    if meter is not None:
        return meter
    removed = (Meter.select().where(Meter.tenant == tenant.id, Meter.code == code)
               .order_by(Meter.removed_at.desc()).first())
    if removed is not None:
        raise InvalidInput("error.meter_removed", meter=code, name=tenant.name,
                           at=local(desk, removed.removed_at))
    raise InvalidInput("error.no_such_meter", meter=code, name=tenant.name,
                       meters=", ".join(m.code for m in current_meters(tenant.id)) or "—")


def read_moment(desk: Desk, value: DateTime | str | None, field: str = "--at") -> DateTime:
    """When a meter was read: now, a moment, or ISO text (building zone without an
    offset); at most a year back, never ahead."""
    if isinstance(value, str):
        value = validate.parse_iso(value, desk.profile().timezone, field)
    return happened_at(desk, value, field)


# --- far off usual ------------------------------------------------------------------------

def _per_day(hundredths: int, seconds: int) -> str:
    """kWh a day, to two decimals half up, for the note a person reads."""
    rate = Decimal(hundredths) * SECONDS_A_DAY / Decimal(seconds) / 100 if seconds else 0
    return str(Decimal(rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _seconds(later: DateTime, earlier: DateTime) -> int:
    return int((later - earlier).total_seconds())


def far_off(desk: Desk, meter: Meter, reading: int, read_at: DateTime) -> tuple[str | None, str]:
    """(flag, note) for a new reading of ``meter``: ("high"/"low", why in words) when its
    daily rate is far off the meter's usual, else (None, "")."""
    previous = list(MeterReading.select().where(MeterReading.meter == meter.id)
                    .order_by(MeterReading.read_at.desc(), MeterReading.id.desc())
                    .limit(USUAL_INTERVALS + 1))
    if len(previous) < 2:
        return None, ""
    last, first = previous[0], previous[-1]
    usual_kwh, usual_s = last.reading - first.reading, _seconds(last.read_at, first.read_at)
    new_kwh, new_s = reading - last.reading, _seconds(read_at, last.read_at)
    if usual_s <= 0 or new_s <= 0:
        return None, ""
    factor = int(desk.profile()["meter_flag_factor"])
    # new/new_s > factor × usual/usual_s, and new/new_s < usual/usual_s ÷ factor, in integers
    if new_kwh * usual_s > factor * usual_kwh * new_s:
        flag = "high"
    elif new_kwh * usual_s * factor < usual_kwh * new_s:
        flag = "low"
    else:
        return None, ""
    note = t(f"meter.note_{flag}", rate=_per_day(new_kwh, new_s), days=_days(new_s),
             usual=_per_day(usual_kwh, usual_s), intervals=len(previous) - 1, factor=factor)
    return flag, note


def _days(seconds: int) -> str:
    days = Decimal(seconds) / SECONDS_A_DAY
    return format(days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize(), "f")


# --- a monthly reading --------------------------------------------------------------------

def record_reading(desk: Desk, *, tenant_id: int, meter_code: str, reading: str | int,
                   read_at: DateTime | str | None = None) -> MeterReading:
    """A monthly reading of one of the tenant's meters (kind "monthly"), audited; kept
    but flagged when far off the meter's usual (see the module's docstring)."""
    desk.require(READ)
    code, value = _code(meter_code), parse_reading(reading)
    at = read_moment(desk, read_at)
    tenant = _tenant(tenant_id)
    with desk.db.atomic():
        row = _monthly(desk, tenant, code, value, at, source="desk")
    return row


def _code(value: str) -> str:
    return meter_code(value, "meter")


def _monthly(desk: Desk, tenant: Tenant, code: str, value: int, at: DateTime,
             source: str) -> MeterReading:
    """Inside the caller's transaction: the checks, the row, its audit."""
    meter = tenant_meter(desk, tenant, code)
    flag, note = far_off(desk, meter, value, at)
    row = write_reading(desk, meter, value, at, "monthly")
    if flag:
        row.flag, row.note = flag, note
        row.save()
    desk.audit("meter.read", "meter", meter.id, tenant=tenant.name, meter=code,
               reading=value, read_at=at.isoformat(), flag=flag, source=source)
    return row


def confirm_reading(desk: Desk, reading_id: int, note: str) -> MeterReading:
    """Engineering checked the meter: the flagged reading stands and billing may use it.
    The flag's own words stay on the reading, the confirmation is added below them."""
    desk.require(CHECK)
    reading_id = validate.record_id(reading_id, "ID")
    note = validate.text(note, "--note", limit=MAX_NOTE, required=True, free=True)
    with desk.db.atomic():
        row = locked(desk, MeterReading.select().where(MeterReading.id == reading_id))
        if row is None:
            raise InvalidInput("error.meter_no_reading", id=reading_id)
        if not row.flag:
            raise Conflict("error.meter_not_flagged", id=reading_id)
        flag = row.flag
        row.note = f"{row.note}\n" + t("meter.confirmed_note", by=desk.user,
                                       at=local(desk, desk.clock.now()), note=note)
        row.flag = None
        row.save()
        desk.audit("meter.confirm", "meter", row.meter_id, reading=row.id, flag=flag,
                   note=note)
    return row


# --- adding and replacing meters ----------------------------------------------------------

def _free_code(code: str) -> None:
    meter = Meter.get_or_none(Meter.code == code, Meter.removed_at.is_null())
    if meter is not None:
        raise Conflict("error.meter_elsewhere", meter=code, holder=meter.tenant.name)


def add_meter(desk: Desk, *, tenant_id: int, code: str, reading: str | int,
              at: DateTime | str | None = None, unit: str | None = None) -> Meter:
    """A meter for a tenant already in the building (registered before the desk kept
    meters, or a second unit's meter), with its baseline reading. An incoming tenant's
    meter is read at move-in (``movein.read_meter_in``). Engineering's work: meter.replace."""
    desk.require(CHECK)
    code, value = _code(code), parse_reading(reading)
    read_at = read_moment(desk, at)
    where = checked_unit(unit, "--unit") if unit else None
    with desk.db.atomic():
        tenant = locked(desk, Tenant.select().where(
            Tenant.id == validate.record_id(tenant_id, "tenant")))
        if tenant is None:
            raise InvalidInput("error.no_tenant_id", id=tenant_id)
        if tenant.status == "gone":
            raise InvalidInput("error.meter_tenant_gone", name=tenant.name)
        if tenant.status == "incoming":  # its move-in checklist takes the baseline
            raise InvalidInput("error.meter_at_move_in", name=tenant.name)
        held = current_units(tenant.id)
        if where is not None and where not in held:
            raise InvalidInput("error.not_tenant_unit", unit=where, name=tenant.name,
                               units=", ".join(held) or "—")
        _free_code(code)
        meter = Meter.create(tenant=tenant, code=code, installed_at=read_at,
                             unit=where or (held[0] if held else ""))
        write_reading(desk, meter, value, read_at, "baseline")
        desk.audit("meter.add", "meter", meter.id, tenant=tenant.name, meter=code,
                   reading=value, read_at=read_at.isoformat())
    return meter


def replace_meter(desk: Desk, *, tenant_id: int, old_code: str, final_reading: str | int,
                  new_code: str, new_reading: str | int,
                  at: DateTime | str | None = None) -> Meter:
    """One action, one transaction: the old meter's last reading (kind "replacement") and
    its removal, the new meter with its baseline, both at the same moment. A month's
    consumption is then old (final − last before) + new (last − baseline)."""
    desk.require(CHECK)
    old, new = meter_code(old_code, "--old"), meter_code(new_code, "--new")
    final, baseline = parse_reading(final_reading, "--final"), parse_reading(new_reading)
    moment = read_moment(desk, at)
    if old == new:
        raise InvalidInput("error.meter_same_code", meter=old)
    tenant = _tenant(tenant_id)
    with desk.db.atomic():
        meter = tenant_meter(desk, tenant, old)
        write_reading(desk, meter, final, moment, "replacement")
        meter.removed_at = moment
        meter.save()
        _free_code(new)
        fresh = Meter.create(tenant=tenant, code=new, unit=meter.unit, installed_at=moment)
        write_reading(desk, fresh, baseline, moment, "baseline")
        desk.audit("meter.replace", "meter", fresh.id, tenant=tenant.name, old=old,
                   final=final, new=new, baseline=baseline, at=moment.isoformat())
    return fresh


# --- what the CLI and screens read --------------------------------------------------------

def meters(tenant_id: int | None = None, flagged: bool = False) -> list[Meter]:
    """Meters in service (by tenant, then code); ``flagged``: only those with a reading
    waiting for confirmation."""
    query = (Meter.select(Meter, Tenant).join(Tenant).where(Meter.removed_at.is_null())
             .order_by(Tenant.name, Meter.code))
    if tenant_id is not None:
        query = query.where(Meter.tenant == tenant_id)
    if flagged:
        query = query.where(Meter.id.in_(
            MeterReading.select(MeterReading.meter).where(MeterReading.flag.is_null(False))))
    return list(query)


def flagged_readings(meter: Meter) -> list[MeterReading]:
    return list(MeterReading.select().where(MeterReading.meter == meter.id,
                                            MeterReading.flag.is_null(False))
                .order_by(MeterReading.read_at))


def reading_json(desk: Desk, row: MeterReading) -> dict:
    return {"id": row.id, "meter": row.meter.code, "tenant": row.meter.tenant.name,
            "read_at": iso(desk, row.read_at), "reading": format_reading(row.reading),
            "kind": row.kind, "flag": row.flag, "note": row.note, "by": row.by,
            "recorded_at": iso(desk, row.recorded_at)}


def meters_json(desk: Desk, meter: Meter) -> dict:
    """A meter in service: its last reading and the readings waiting for confirmation."""
    last = last_reading(meter.code)
    return {"id": meter.id, "tenant": meter.tenant.name, "meter": meter.code,
            "unit": meter.unit, "installed_at": iso(desk, meter.installed_at),
            "last": reading_json(desk, last) if last is not None else None,
            "flagged": [reading_json(desk, r) for r in flagged_readings(meter)]}


def day_start(desk: Desk, day: dt.date) -> DateTime:
    """A day alone ("2026-11-30", as spreadsheets write it) means the start of that
    building day, 00:00: never in the future when the file is imported the same day,
    the same moment on every import, and in that day's month."""
    return pendulum.datetime(day.year, day.month, day.day,
                             tz=desk.profile().timezone).in_tz("UTC")


__all__ = ["CHECK", "READ", "add_meter", "confirm_reading", "day_start", "far_off",
           "flagged_readings", "format_reading", "meters", "meters_json", "parse_reading",
           "read_moment", "reading_json", "record_reading", "replace_meter", "tenant_meter",
           "tenant_named"]


# --- the import (SPEC §9: ``meter import FILE.csv``) ---------------------------------------

HEADER = ("tenant", "meter", "read_at", "reading")
MAX_SHOWN = 30  # problems listed; the rest are counted
MAX_ROWS = 100_000
_DAY_ONLY = 10  # "YYYY-MM-DD"


class ImportRefused(InvalidInput):
    """The file refused whole (exit 2): each problem by line and column, nothing written."""

    def __init__(self, path: str, problems: list[tuple[int, int, InvalidInput]]) -> None:
        super().__init__("error.import_refused", file=path, count=len(problems))
        self.problems = sorted(problems, key=lambda p: (p[0], p[1]))

    def message(self) -> str:
        lines = [super().message()]
        for line, column, error in self.problems[:MAX_SHOWN]:
            where = (t("import.at_cell", line=line, column=column, name=HEADER[column - 1])
                     if column else t("import.at_line", line=line))
            lines.append(f"  {where}: {error.message()}")
        if len(self.problems) > MAX_SHOWN:
            lines.append("  " + t("import.more", more=len(self.problems) - MAX_SHOWN))
        return "\n".join(lines)


def _read_at(desk: Desk, raw: str) -> DateTime:
    text = validate.text(raw, "read_at", limit=64, required=True)
    if len(text) == _DAY_ONLY:
        day = validate.day(text, "read_at", _today(desk), "applied", required=True)
        return happened_at(desk, day_start(desk, day), "read_at")
    return read_moment(desk, text, "read_at")


def _today(desk: Desk) -> dt.date:
    now = desk.clock.now().in_tz(desk.profile().timezone)
    return dt.date(now.year, now.month, now.day)


def _rows(desk: Desk, text: str, problems: list) -> list[tuple]:
    """(line, tenant, code, read_at, reading) of every row whose cells all read; the
    others' problems by line and column."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    rows, header_seen, line = [], False, 1
    tenants: dict[str, Tenant] = {}
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if not header_seen:
                header_seen = True
                if tuple(cells) != HEADER:
                    problems.append((start, 0, InvalidInput(
                        "error.import_header", header=",".join(HEADER))))
                    return []
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append((start, 0, InvalidInput("error.import_too_many",
                                                        limit=MAX_ROWS)))
                return []
            if len(cells) != len(HEADER):
                problems.append((start, 0, InvalidInput(
                    "error.import_cells", expected=len(HEADER), found=len(cells))))
                continue
            row = _cells(desk, start, cells, tenants, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append((reader.line_num, 0, InvalidInput("error.import_csv", detail=str(exc))))
    if not header_seen:
        problems.append((1, 0, InvalidInput("error.import_no_header", header=",".join(HEADER))))
    return rows


def _cells(desk: Desk, line: int, cells: list[str], tenants: dict, problems: list):
    def tenant(raw: str) -> Tenant:
        name = validate.text(raw, "tenant", limit=200, required=True)
        if name not in tenants:
            tenants[name] = tenant_named(name, "tenant")
        return tenants[name]

    readers = (tenant, _code, lambda raw: _read_at(desk, raw),
               lambda raw: parse_reading(raw, "reading"))
    values, ok = [], True
    for column, (read, raw) in enumerate(zip(readers, cells), 1):
        try:
            values.append(read(raw))
        except InvalidInput as refused:
            problems.append((line, column, refused))
            ok = False
    return (line, *values) if ok else None


def _same(tenant: Tenant, code: str, at: DateTime) -> MeterReading | None:
    """The reading this tenant's meter ``code`` (in service or since removed) already
    has at exactly ``at``."""
    return (MeterReading.select().join(Meter)
            .where(Meter.tenant == tenant.id, Meter.code == code, MeterReading.read_at == at)
            .first())


def import_readings(desk: Desk, path: str) -> dict[str, int]:
    """Every row of the file, or none (ImportRefused naming each problem's line). Rows
    are checked meter by meter in read_at order, whatever their order in the file; a row
    the database already holds (same meter, moment and reading) is unchanged, so the
    same file imported twice adds nothing."""
    from .tenant_import import InvalidFile, read_text

    desk.require(READ)
    path = validate.text(path, "FILE", limit=4096, required=True)
    try:
        text = read_text(path)
    except InvalidFile as refused:  # not UTF-8: said with this file's columns
        raise ImportRefused(path, [(p.line, p.column if p.column <= len(HEADER) else 0,
                                    p.error) for p in refused.problems]) from None
    problems: list = []
    rows = _rows(desk, text, problems)
    if problems:
        raise ImportRefused(path, problems)
    summary = {"lines": len(rows), "imported": 0, "unchanged": 0, "flagged": 0}
    # the checks of a row depend on the rows before it: they run in the transaction,
    # which a single problem rolls back whole
    with desk.db.atomic():
        for line, tenant, code, at, value in sorted(rows, key=lambda r: (r[1].id, r[2], r[3])):
            try:
                summary_key = _import_row(desk, tenant, code, at, value)
            except InvalidInput as refused:
                problems.append((line, 0, refused))
                continue
            summary[summary_key] += 1
            summary["imported"] += summary_key == "flagged"
        if problems:
            raise ImportRefused(path, problems)  # leaving the transaction undoes every row
        if summary["imported"]:  # a file already imported leaves no trace either
            desk.audit("meter.import", "meter", "-", file=path, **summary)
    return summary


def _import_row(desk: Desk, tenant: Tenant, code: str, at: DateTime, value: int) -> str:
    """"unchanged", "imported" or "flagged"; InvalidInput when the row cannot be taken."""
    same = _same(tenant, code, at)
    if same is not None:
        if same.reading != value:
            raise InvalidInput("error.meter_reading_differs", meter=code, at=local(desk, at),
                               reading=format_reading(same.reading),
                               typed=format_reading(value))
        return "unchanged"
    row = _monthly(desk, tenant, code, value, at, source="import")
    return "flagged" if row.flag else "imported"
