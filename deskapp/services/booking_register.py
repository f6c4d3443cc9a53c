"""The public-space rental/loan register (公共场所租/借登记表, R-6.3), damage during use,
and bookings as iCalendar.

The register lists every booking in any state (a rental or a borrowing; pending,
confirmed, bumped or cancelled) with its resource, tenant, applicant, from/to, who
registered it and the damage recorded on it. It is exported as CSV (UTF-8 with a BOM,
formula-guarded) and XLSX (every text a string cell) by comms_report's writers.

iCalendar (RFC 5545): CRLF line endings; content lines folded at 75 octets without
splitting a UTF-8 character; TEXT values escaped (backslash, ``;``, ``,``, line breaks);
a UID per booking stable across exports; times in UTC (``...Z``); STATUS from the state.
"""

from __future__ import annotations

import datetime as dt
import re

import pendulum
from peewee import JOIN

from ..i18n import t
from ..models import BOOKING_KINDS, BOOKING_STATES, Booking, BookingDamage, Resource, Tenant
from ..money import format_yuan
from . import validate
from .common import export_target, guarded, write_whole
from .context import Desk
from .errors import InvalidInput
from .export import iso
from .passes import locked
from .tenants import today

MAX_WHAT = 500

COLUMNS = ("id", "resource", "resource_kind", "tenant", "applicant", "from", "to", "kind",
           "state", "applied_at", "registered_by", "decided_by", "reason", "damage",
           "damage_total")


# --- filters ----------------------------------------------------------------------------

def _day_start(desk: Desk, day: dt.date) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, tz=desk.profile().timezone)


def _resource(name: str) -> Resource:
    name = validate.text(name, "--resource", limit=200, required=True)
    row = Resource.get_or_none(Resource.name == name)
    if row is None:
        raise InvalidInput("error.register_unknown_resource", name=name)
    return row


def _tenant(name: str) -> Tenant:
    name = validate.text(name, "--tenant", limit=200, required=True)
    row = Tenant.get_or_none(Tenant.name == name)
    if row is None:
        raise InvalidInput("error.unknown_tenant", name=name)
    return row


def _query(desk: Desk, *, since=None, until=None, resource=None, tenant=None, kind=None,
           state=None):
    """Bookings overlapping the days ``since`` .. ``until`` (both inclusive, building
    time; a window as wide as a lease's, 30 years either way)."""
    day = today(desk)
    first = validate.day(since, "--from", day, "lease")
    last = validate.day(until, "--to", day, "lease")
    if first and last and last < first:
        raise InvalidInput("error.register_days", start=first.isoformat(), end=last.isoformat())
    query = (Booking.select(Booking, Resource, Tenant).join(Resource)
             .switch(Booking).join(Tenant, JOIN.LEFT_OUTER))
    if first is not None:
        query = query.where(Booking.ends_at > _day_start(desk, first))
    if last is not None:
        query = query.where(Booking.starts_at < _day_start(desk, last + dt.timedelta(days=1)))
    if resource:
        query = query.where(Booking.resource == _resource(resource).id)
    if tenant:
        query = query.where(Booking.tenant == _tenant(tenant).id)
    if kind:
        if kind not in BOOKING_KINDS:
            raise InvalidInput("error.register_kind", kind=kind, known=", ".join(BOOKING_KINDS))
        query = query.where(Booking.kind == kind)
    if state:
        if state not in BOOKING_STATES:
            raise InvalidInput("error.register_state", state=state,
                               known=", ".join(BOOKING_STATES))
        query = query.where(Booking.state == state)
    return query.order_by(Booking.starts_at, Booking.id)


def _damages(booking_ids: list[int]) -> dict[int, list[BookingDamage]]:
    found: dict[int, list[BookingDamage]] = {}
    for start in range(0, len(booking_ids), 500):  # a bounded IN list on every database
        chunk = booking_ids[start:start + 500]
        for row in (BookingDamage.select().where(BookingDamage.booking.in_(chunk))
                    .order_by(BookingDamage.id)):
            found.setdefault(row.booking_id, []).append(row)
    return found


def damage_json(desk: Desk, row: BookingDamage) -> dict:
    return {"id": row.id, "booking": row.booking_id, "what": row.what,
            "amount": format_yuan(row.amount_fen),
            "recorded_at": iso(row.recorded_at, desk.profile().timezone),
            "recorded_by": row.recorded_by, "charge": row.charge_ref}


def register_rows(desk: Desk, *, since=None, until=None, resource=None, tenant=None,
                  kind=None, state=None) -> list[dict]:
    """The register's lines, by start time: SPEC §9's booking keys (``id, resource,
    tenant, from, to, kind, state``) and ``resource_kind, applicant, applied_at,
    registered_by, decided_by, reason, damage`` (a list) and ``damage_total`` (yuan)."""
    desk.require("booking.register")
    bookings = list(_query(desk, since=since, until=until, resource=resource, tenant=tenant,
                           kind=kind, state=state))
    damages = _damages([b.id for b in bookings])
    tz = desk.profile().timezone
    rows = []
    for booking in bookings:
        found = damages.get(booking.id, [])
        rows.append({
            "id": booking.id, "resource": booking.resource.name,
            "resource_kind": booking.resource.kind,
            "tenant": booking.tenant.name if booking.tenant_id else None,
            "applicant": booking.applicant, "from": iso(booking.starts_at, tz),
            "to": iso(booking.ends_at, tz), "kind": booking.kind, "state": booking.state,
            "applied_at": iso(booking.applied_at, tz), "registered_by": booking.applied_by,
            "decided_by": booking.decided_by or None, "reason": booking.reason,
            "damage": [damage_json(desk, d) for d in found],
            "damage_total": format_yuan(sum(d.amount_fen for d in found))})
    return rows


# --- the files --------------------------------------------------------------------------

def _when(text: str | None) -> str:
    return "" if not text else f"{text[:10]} {text[11:16]}"


def table(rows: list[dict]) -> list[list[object]]:
    """The register as a sheet: a title, the headings, a line per booking (damage as
    "what ¥amount" lines in one cell), in the user's language."""
    lines: list[list[object]] = [[t("register.title")],
                                 [t(f"register.col.{c}") for c in COLUMNS]]
    for row in rows:
        lines.append([
            row["id"], row["resource"], _label(f"register.resource_kind.{row['resource_kind']}"),
            row["tenant"] or "", row["applicant"], _when(row["from"]), _when(row["to"]),
            _label(f"register.kind.{row['kind']}"), _label(f"register.state.{row['state']}"),
            _when(row["applied_at"]), row["registered_by"], row["decided_by"] or "",
            row["reason"],
            "\n".join(f"{d['what']} ¥{d['amount']}" for d in row["damage"]),
            row["damage_total"]])
    return lines


def _label(key: str) -> str:
    text = t(key)
    return key.rsplit(".", 1)[-1] if text == key else text  # a kind no label names yet


def csv_bytes(rows: list[dict]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in table(rows):
        writer.writerow([guarded(cell) for cell in line])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[dict]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "register"
    for r, line in enumerate(table(rows), start=1):
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):  # a control character stored before validation
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # would stop the save
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # a leading = is a tenant's text, not a formula
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r <= 2:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_register(desk: Desk, rows: list[dict], *, csv_path: str | None = None,
                   xlsx_path: str | None = None) -> int:
    """Each file asked for, written whole or not at all (all checked before any is
    written); returns how many lines."""
    files = [(export_target(path), make(rows)) for path, make in
             ((csv_path, csv_bytes), (xlsx_path, xlsx_bytes)) if path is not None]
    for target, data in files:
        write_whole(target, data)
    return len(rows)


# --- damage during use (R-6.3: charged to the user) ---------------------------------------

def record_damage(desk: Desk, booking_id: object, what: str, amount: object) -> BookingDamage:
    """Damage found after a booking's use: what, and the amount in fen (an int) or yuan
    as typed ("350.00"). Charging it is ``charge_damage``'s (see there)."""
    desk.require("booking.damage")
    booking_id = validate.record_id(booking_id, "ID")
    what = validate.text(what, "--what", limit=MAX_WHAT, free=True, required=True)
    fen = validate.fen(amount, "--amount") if isinstance(amount, int) and not isinstance(
        amount, bool) else validate.yuan(amount, "--amount")
    if fen == 0:
        raise InvalidInput("error.register_zero_damage")
    with desk.db.atomic():
        booking = locked(desk, Booking.select().where(Booking.id == booking_id))
        if booking is None:
            raise InvalidInput("error.register_no_booking", id=booking_id)
        row = BookingDamage.create(booking=booking, what=what, amount_fen=fen,
                                   recorded_at=desk.clock.now(), recorded_by=desk.user)
        desk.audit("booking.damage", "booking_damage", row.id, booking=booking.id,
                   what=what, amount=format_yuan(fen),
                   tenant=booking.tenant.name if booking.tenant_id else None)
        row.charge_ref = charge_damage(desk, row)
        if row.charge_ref is not None:
            row.save()
    return row


def charge_damage(desk: Desk, damage: BookingDamage) -> str | None:
    """Put the damage on the user's account (R-6.3). A no-op returning None on this
    branch: the charges service (deskapp/services/charges.py) is built in parallel and
    the lead wires it here — return the charge's reference, which ``record_damage``
    keeps in ``charge_ref`` (None: not charged yet, the register still shows it)."""
    return None


# --- iCalendar (RFC 5545) -------------------------------------------------------------------

ICS_STATUS = {"confirmed": "CONFIRMED", "pending": "TENTATIVE", "bumped": "CANCELLED",
              "cancelled": "CANCELLED"}
# neither stored text nor a calendar may carry control characters (tab and newline are
# escaped or folded away); one stored before validation is shown as U+FFFD
_ICS_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def ics_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): \\ ; , escaped, a line break as \\n."""
    value = _ICS_CONTROL.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n").replace("\t", " "))


def fold(line: str, limit: int = 75) -> str:
    """A content line folded at ``limit`` octets (§3.1): the continuation lines start
    with a space, which counts; never inside a UTF-8 character."""
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        room = limit if not parts else limit - 1
        if size + width > room:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment) -> str:
    return moment.in_tz("UTC").format("YYYYMMDD[T]HHmmss[Z]")


def uid(booking_id: int) -> str:
    """The same booking keeps its UID in every export (a calendar updates the event)."""
    return f"booking-{booking_id}@deskapp"


def ics_for(desk: Desk, *, tenant=None, resource=None, since=None) -> str:
    """The bookings of a tenant (or a resource) from ``since`` (a day, default: 30 days
    back) as one VCALENDAR."""
    desk.require("booking.register")
    if since is None:
        since = today(desk) - dt.timedelta(days=30)
    bookings = list(_query(desk, since=since, resource=resource, tenant=tenant))
    stamp = _utc(desk.clock.now())
    name = desk.profile().name("en")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//deskapp//bookings//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{ics_text(name)}"]
    for booking in bookings:
        summary = booking.resource.name
        if booking.tenant_id:
            summary += f" · {booking.tenant.name}"
        description = "\n".join(part for part in (
            f"{_label('register.kind.' + booking.kind)}: {booking.applicant}".rstrip(": "),
            booking.note) if part)
        lines += ["BEGIN:VEVENT", f"UID:{uid(booking.id)}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_utc(booking.starts_at)}", f"DTEND:{_utc(booking.ends_at)}",
                  f"SEQUENCE:{max(0, booking.version - 1)}",
                  f"SUMMARY:{ics_text(summary)}", f"LOCATION:{ics_text(booking.resource.name)}",
                  f"STATUS:{ICS_STATUS.get(booking.state, 'TENTATIVE')}"]
        if description:
            lines.append(f"DESCRIPTION:{ics_text(description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def write_ics(desk: Desk, path: str, **filters) -> int:
    """``ics_for`` into ``path`` (whole, or not at all); returns how many events."""
    text = ics_for(desk, **filters)
    target = export_target(path)
    write_whole(target, text.encode("utf-8"))
    return text.count("BEGIN:VEVENT")


__all__ = ["COLUMNS", "charge_damage", "csv_bytes", "damage_json", "fold", "ics_for",
           "ics_text", "record_damage", "register_rows", "table", "uid", "write_ics",
           "write_register", "xlsx_bytes"]
