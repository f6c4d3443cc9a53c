"""Move-in (issue 7 item 2; R-5.1, R-5.3, R-7.2), and what move-out shares with it: the
key register, the inspection lines, the electricity meter readings.

A move-in is booked for a moment: that opens the ``move_in`` ticket with the booked time
as its agreed time, so its 15-minute target counts from then (wall clock: a booking on
a holiday is due 15 minutes later all the same). The checklist is run at the booked time;
each item is a row recording who and when, and ``checklist`` reads the items' state from
those rows. Completing it resolves and answers the ticket (late if after booked + 15 min)
and sets the tenant active, in one transaction.

Every write: role first, values through services.validate, then one transaction with
its audit row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peewee import IntegrityError
from pendulum import DateTime

from ..i18n import t
from ..models import Tenant, Ticket
from ..models.movein import Inspection, KeyRecord, Meter, MeterReading, Move, WelcomeGift
from ..money import format_yuan
from . import validate
from .common import happened_at, locked
from .context import Desk
from .errors import Conflict, InvalidInput
from .export import iso as export_iso
from .tenants import contacts_of, current_units, find_tenant, set_status, today
from .tenants import unit as checked_unit

MAX_LABEL = 100
MAX_PERSON = 100
MAX_ITEM = 100
MAX_NOTE = 500
MAX_KEYS = 99  # of one key, to one person: more is a typing error
MAX_CODE = 32
# a meter shows at most 8 whole digits; readings are kept in hundredths of a kWh
MAX_READING = 10**10 - 1
_READING = re.compile(r"^[0-9]{1,8}(\.[0-9]{1,2})?$")  # [0-9]: ASCII only, not ８ or ٣
_METER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")

MOVE_IN_ITEMS = ("data", "keys", "inspection", "meter", "gift", "notice", "visit")
PERMISSION = "move.edit"


@dataclass(frozen=True)
class Item:
    """One line of a checklist: done or not, who did it and when, and in words what
    it holds or what it still lacks."""

    code: str
    done: bool
    at: DateTime | None = None
    by: str = ""
    detail: str = ""


def latest(code: str, done: bool, rows, at: str, by: str, detail: str) -> Item:
    """A checklist line dated by the latest of ``rows`` (its ``at`` and ``by`` columns
    say when and who); no rows, no date."""
    last = max(rows, key=lambda row: getattr(row, at)) if rows else None
    return Item(code, done, getattr(last, at) if last else None,
                getattr(last, by) if last else "", detail)


# --- reading values ---------------------------------------------------------------------

def parse_reading(value: str | int, field: str = "reading") -> int:
    """A meter reading as typed ("1450.50" kWh) in exact hundredths (145050); an int is
    already hundredths. "-1", "1e9", "1,5", full-width digits: refused."""
    if isinstance(value, bool):
        raise InvalidInput("error.bad_reading", field=field, value=str(value))
    if isinstance(value, int):
        return validate.number(value, field, low=0, high=MAX_READING)
    raw = validate.text(value, field, limit=32, required=True)
    if not _READING.match(raw):
        raise InvalidInput("error.bad_reading", field=field, value=raw)
    whole, _, fraction = raw.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


def format_reading(hundredths: int) -> str:
    """145050 -> "1450.50" (kWh)."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def meter_code(value: str, field: str = "meter") -> str:
    raw = validate.text(value, field, limit=MAX_CODE, required=True).upper()
    if not _METER_CODE.match(raw):
        raise InvalidInput("error.bad_meter_code", field=field, value=raw)
    return raw


def key_count(value: str | int, field: str = "count", low: int = 1) -> int:
    return validate.number(value, field, low=low, high=MAX_KEYS)


def local(desk: Desk, moment: DateTime | None) -> str:
    """A stored moment as the desk reads it: building time, to the minute."""
    if moment is None:
        return ""
    return moment.in_tz(desk.profile().timezone).format("YYYY-MM-DD HH:mm")


def iso(desk: Desk, moment: DateTime | None) -> str | None:
    return export_iso(moment, desk.profile().timezone)


# --- finding the move ---------------------------------------------------------------------

def open_move(tenant_id: int, kind: str) -> Move | None:
    """The tenant's move of this kind still to be done; one whose ticket was cancelled
    on the queue no longer counts (the desk books again)."""
    for move in (Move.select().where(Move.tenant == tenant_id, Move.kind == kind,
                                     Move.done_at.is_null()).order_by(Move.id.desc())):
        ticket = Ticket.get_or_none(Ticket.id == move.ticket_id) if move.ticket_id else None
        if ticket is None or ticket.state != "cancelled":
            return move
    return None


def last_move(tenant_id: int, kind: str) -> Move | None:
    """The open move of this kind, else the last one done (what ``show`` shows)."""
    return open_move(tenant_id, kind) or (
        Move.select().where(Move.tenant == tenant_id, Move.kind == kind,
                            Move.done_at.is_null(False)).order_by(Move.id.desc()).first())


def _booked(tenant: Tenant, kind: str) -> Move:
    move = open_move(tenant.id, kind)
    if move is None:
        raise Conflict(f"error.no_move_{kind}", name=tenant.name)
    return move


def _for_change(desk: Desk, tenant_id: int) -> Tenant:
    """The tenant inside the write transaction, its row locked on PostgreSQL so two
    sessions working one checklist take turns (SQLite's write lock does the same)."""
    tenant = locked(desk, Tenant.select().where(
        Tenant.id == validate.record_id(tenant_id, "tenant")))
    if tenant is None:
        raise InvalidInput("error.no_tenant_id", id=tenant_id)
    return tenant


# --- booking --------------------------------------------------------------------------------

def book(desk: Desk, tenant_id: int, at: DateTime, kind: str,
         statuses: tuple[str, ...]) -> Move:
    """Book a move of ``kind`` for the moment ``at`` (the tenant in one of ``statuses``):
    the move's ticket on the queue, counting from ``at``."""
    from .tickets import NewTicket, open_ticket

    desk.require(PERMISSION)
    if not isinstance(at, DateTime):
        raise InvalidInput("error.required", field="--at")
    now = desk.clock.now()
    validate.in_window(at, now, "agreed", "--at", desk.profile().timezone)
    if at < now.subtract(minutes=1):  # a minute's grace: "14:00" typed at 14:00:30
        raise InvalidInput("error.booked_past", at=local(desk, at))
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        if tenant.status not in statuses:
            raise Conflict(f"error.move_{kind}_status", name=tenant.name, status=tenant.status)
        already = open_move(tenant.id, kind)
        if already is not None:
            raise Conflict(f"error.move_{kind}_booked", name=tenant.name,
                           at=local(desk, already.booked_at))
        ticket = open_ticket(desk, NewTicket(service=f"move_{kind}", tenant=tenant.name,
                                             agreed_at=at.in_tz("UTC")))
        move = Move.create(tenant=tenant, kind=kind, ticket=ticket, booked_at=at,
                           booked_by=desk.user)
        desk.audit(f"move_{kind}.book", "move", move.id, tenant=tenant.name,
                   ticket=ticket.id, booked_at=at.isoformat())
    return move


def book_move_in(desk: Desk, tenant_id: int, at: DateTime) -> Move:
    """An incoming tenant's move-in appointment: one open at a time."""
    return book(desk, tenant_id, at, "in", ("incoming",))


# --- tenant data -----------------------------------------------------------------------------

def missing_data(tenant: Tenant) -> list[str]:
    """What the registry still lacks for a move-in, in words (empty: complete)."""
    missing = []
    if not current_units(tenant.id):
        missing.append(t("movein.missing.units"))
    if not any(c.phone for c in contacts_of(tenant.id)):
        missing.append(t("movein.missing.contact"))
    if tenant.lease_start is None:
        missing.append(t("movein.missing.lease_start"))
    if not tenant.monthly_rent_fen:
        missing.append(t("movein.missing.rent"))
    if not tenant.due_day:
        missing.append(t("movein.missing.due_day"))
    return missing


def check_data(desk: Desk, tenant_id: int) -> Move:
    """Record that the tenant's data is complete; refused naming what is missing."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        missing = missing_data(tenant)
        if missing:
            raise InvalidInput("error.movein_data_missing", name=tenant.name,
                               missing=t("movein.sep").join(missing))
        move.data_checked_at, move.data_checked_by = desk.clock.now(), desk.user
        move.save()
        desk.audit("move_in.data", "move", move.id, tenant=tenant.name)
    return move


# --- the key register -------------------------------------------------------------------

def hand_key(desk: Desk, tenant_id: int, label: str, count: str | int, to: str,
             signed: bool = False) -> KeyRecord:
    """Keys handed over at move-in: ``count`` of the key ``label`` to the person ``to``,
    who signed the register or not yet. The same label again corrects its line (a
    signature added, a count put right) rather than adding a second one."""
    desk.require(PERMISSION)
    label = validate.text(label, "key", limit=MAX_LABEL, required=True)
    count = key_count(count)
    to = validate.text(to, "to", limit=MAX_PERSON, required=True)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        now = desk.clock.now()
        row = KeyRecord.get_or_none(KeyRecord.move_in == move.id, KeyRecord.label == label)
        if row is None:
            row = KeyRecord.create(tenant=tenant, move_in=move, label=label, count=count,
                                   holder=to, signed=bool(signed), handed_at=now,
                                   handed_by=desk.user)
        else:
            row.count, row.holder, row.signed = count, to, bool(signed)
            row.handed_at, row.handed_by = now, desk.user
            row.save()
        desk.audit("move_in.key", "move", move.id, tenant=tenant.name, key=label,
                   count=count, to=to, signed=bool(signed))
    return row


def keys_of(tenant_id: int) -> list[KeyRecord]:
    return list(KeyRecord.select().where(KeyRecord.tenant == tenant_id)
                .order_by(KeyRecord.id))


# --- inspection, room by room --------------------------------------------------------------

def inspection_line(desk: Desk, tenant: Tenant, move: Move, unit: str, item: str, ok: bool,
                    note: str) -> tuple[Inspection, dict]:
    """Write (or correct) one line of ``move``'s inspection; returns it and what the
    audit row should say. ``unit`` must be one of the tenant's units."""
    unit = checked_unit(unit, "unit")
    item = validate.text(item, "item", limit=MAX_ITEM, required=True)
    note = validate.text(note, "note", limit=MAX_NOTE, free=True)
    if not ok and not note:
        raise InvalidInput("error.defect_needs_note")
    held = current_units(tenant.id)
    if unit not in held:
        raise InvalidInput("error.not_tenant_unit", unit=unit, name=tenant.name,
                           units=", ".join(held) or "—")
    condition = "ok" if ok else "defect"
    row = Inspection.get_or_none(Inspection.move == move.id, Inspection.unit == unit,
                                 Inspection.item == item)
    now = desk.clock.now()
    if row is None:
        row = Inspection.create(move=move, unit=unit, item=item, condition=condition,
                                note=note, at=now, by=desk.user)
    else:
        row.condition, row.note, row.at, row.by = condition, note, now, desk.user
        row.save()
    return row, {"unit": unit, "item": item, "condition": condition, "note": note}


def inspect_in(desk: Desk, tenant_id: int, unit: str, item: str, ok: bool,
               note: str = "") -> Inspection:
    """A line of the move-in inspection with the tenant. A defect opens a repair ticket
    (normal tier, at the unit, the defect as its note) once: saving the line again, as
    a defect or not, opens no second one."""
    from .tickets import NewTicket, open_ticket

    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        row, detail = inspection_line(desk, tenant, move, unit, item, ok, note)
        if not ok and row.repair_ticket_id is None:
            ticket = open_ticket(desk, NewTicket(
                service="repair", tier="normal", tenant=tenant.name, location=row.unit,
                note=f"{row.item}: {row.note}"))
            row.repair_ticket = ticket
            row.save()
            detail["repair_ticket"] = ticket.id
        desk.audit("move_in.inspect", "move", move.id, tenant=tenant.name, **detail)
    return row


def inspections_of(move: Move | None) -> list[Inspection]:
    if move is None:
        return []
    return list(Inspection.select().where(Inspection.move == move.id)
                .order_by(Inspection.unit, Inspection.id))


# --- electricity meters --------------------------------------------------------------------

def last_reading(code: str) -> MeterReading | None:
    """The last reading of the physical meter ``code``, under any tenant."""
    return (MeterReading.select().join(Meter).where(Meter.code == code)
            .order_by(MeterReading.read_at.desc(), MeterReading.id.desc()).first())


def record_reading(desk: Desk, meter: Meter, reading: int, read_at: DateTime, kind: str,
                   move: Move | None = None) -> MeterReading:
    """One reading of ``meter`` (inside the caller's transaction). Refused: a moment in
    the future, one not after the meter's last reading, a value below it. Billing's
    monthly readings come through here too."""
    if read_at > desk.clock.now():
        raise InvalidInput("error.reading_future")
    previous = last_reading(meter.code)
    if previous is not None:
        if read_at <= previous.read_at:
            raise InvalidInput("error.reading_not_after", meter=meter.code,
                               at=local(desk, previous.read_at))
        if reading < previous.reading:
            raise InvalidInput("error.reading_below", meter=meter.code,
                               reading=format_reading(reading),
                               previous=format_reading(previous.reading),
                               at=local(desk, previous.read_at))
    return MeterReading.create(meter=meter, read_at=read_at, reading=reading, kind=kind,
                               by=desk.user, recorded_at=desk.clock.now(), move=move)


def current_meters(tenant_id: int) -> list[Meter]:
    return list(Meter.select().where(Meter.tenant == tenant_id, Meter.removed_at.is_null())
                .order_by(Meter.code))


def readings_of(tenant_id: int) -> list[tuple[Meter, MeterReading]]:
    rows = (MeterReading.select(MeterReading, Meter).join(Meter)
            .where(Meter.tenant == tenant_id)
            .order_by(Meter.code, MeterReading.read_at))
    return [(row.meter, row) for row in rows]


def reading_typed(desk: Desk, code: str, reading: str | int,
                  at: DateTime | None) -> tuple[str, int, DateTime]:
    """A reading as typed, checked before its transaction (move-in and move-out alike):
    the meter's code, the reading in hundredths of a kWh, when it was read."""
    desk.require(PERMISSION)
    return meter_code(code), parse_reading(reading), happened_at(desk, at)


def read_meter_in(desk: Desk, tenant_id: int, code: str, reading: str | int,
                  at: DateTime | None = None, unit: str | None = None) -> MeterReading:
    """The move-in reading: the meter's baseline, from which billing counts. The meter
    joins the tenant's record (at its first unit unless another is named); a meter
    another tenant still has on record is refused."""
    code, value, read_at = reading_typed(desk, code, reading, at)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        held = current_units(tenant.id)
        where = checked_unit(unit, "unit") if unit else (held[0] if held else "")
        if unit and where not in held:
            raise InvalidInput("error.not_tenant_unit", unit=where, name=tenant.name,
                               units=", ".join(held) or "—")
        meter = Meter.get_or_none(Meter.code == code, Meter.removed_at.is_null())
        if meter is not None and meter.tenant_id != tenant.id:
            raise Conflict("error.meter_elsewhere", meter=code, holder=meter.tenant.name)
        if meter is not None and MeterReading.get_or_none(MeterReading.meter == meter.id):
            raise Conflict("error.baseline_taken", meter=code, name=tenant.name)
        if meter is None:
            meter = Meter.create(tenant=tenant, code=code, unit=where, installed_at=read_at)
        row = record_reading(desk, meter, value, read_at, "baseline", move)
        desk.audit("move_in.meter", "move", move.id, tenant=tenant.name, meter=code,
                   reading=value, kind="baseline", read_at=read_at.isoformat())
    return row


# --- the welcome gift (R-5.1) ---------------------------------------------------------------

def give_gift(desk: Desk, tenant_id: int) -> WelcomeGift:
    """The welcome gift, once per tenant ever: a second is refused naming the first."""
    desk.require(PERMISSION)
    try:
        with desk.db.atomic():
            tenant = _for_change(desk, tenant_id)
            _refuse_second_gift(desk, tenant)
            move = _booked(tenant, "in")
            gift = WelcomeGift.create(tenant=tenant, move=move, given_at=desk.clock.now(),
                                      given_by=desk.user)
            desk.audit("move_in.gift", "move", move.id, tenant=tenant.name)
    except IntegrityError:
        # the unique index: another session gave it between our look and our insert
        # (the row lock makes that all but impossible; the index makes it impossible)
        _refuse_second_gift(desk, find_tenant(tenant_id))
        raise
    return gift


def _refuse_second_gift(desk: Desk, tenant: Tenant) -> None:
    given = WelcomeGift.get_or_none(WelcomeGift.tenant == tenant.id)
    if given is not None:
        raise Conflict("error.gift_given", name=tenant.name,
                       at=local(desk, given.given_at), by=given.given_by)


# --- the notice to the cashier (R-7.2) --------------------------------------------------------

def notice_text(desk: Desk, tenant: Tenant, move: Move) -> str:
    """入住情况通知书: what the cashier needs to bill the tenant from its first month."""
    lease = t("movein.notice.lease_value",
              start=tenant.lease_start.isoformat() if tenant.lease_start else "—",
              end=tenant.lease_end.isoformat() if tenant.lease_end else "—")
    c = t("movein.notice.colon")  # "：" in Chinese
    rows = [
        t("movein.notice.title"),
        "",
        f"{t('movein.notice.to')}",
        f"{t('movein.notice.tenant')}{c}{tenant.name}",
        f"{t('movein.notice.units')}{c}{', '.join(current_units(tenant.id)) or '—'}",
        f"{t('movein.notice.lease')}{c}{lease}",
        f"{t('movein.notice.rent')}{c}"
        + t("movein.notice.rent_value", yuan=format_yuan(tenant.monthly_rent_fen),
            day=tenant.due_day),
        f"{t('movein.notice.deposit')}{c}"
        + t("movein.notice.yuan", yuan=format_yuan(tenant.deposit_fen)),
    ]
    baselines = [(m, r) for m, r in readings_of(tenant.id) if r.kind == "baseline"]
    rows.append(f"{t('movein.notice.meter')}{c.rstrip()}")
    rows += [f"  {m.code} ({m.unit}): {format_reading(r.reading)} kWh, {local(desk, r.read_at)}"
             for m, r in baselines] or ["  —"]
    rows.append(f"{t('movein.notice.keys')}{c.rstrip()}")
    rows += [f"  {k.label} × {k.count} → {k.holder}"
             + (f" ({t('movein.signed')})" if k.signed else "")
             for k in KeyRecord.select().where(KeyRecord.move_in == move.id)
             .order_by(KeyRecord.id)] or ["  —"]
    rows += [f"{t('movein.notice.date')}{c}{local(desk, desk.clock.now())[:10]}",
             f"{t('movein.notice.by')}{c}{desk.user}", ""]
    return "\n".join(rows)


def cashier_notice(desk: Desk, tenant_id: int, out: str | None = None) -> str:
    """Produce the notice to the cashier (the desk prints or sends it) and record that
    it was produced; with ``out``, also saved to that file (a file that cannot be
    written records nothing). It names the meter baseline and the keys: refused
    before those are recorded."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        missing = [t(f"movein.item.{code}") for code in ("data", "keys", "meter")
                   if not item_done(move, code)]
        if missing:
            raise Conflict("error.notice_too_early", missing=t("movein.sep").join(missing))
        text = notice_text(desk, tenant, move)
        if out:
            _save(out, text)
        move.notice_at, move.notice_by = desk.clock.now(), desk.user
        move.save()
        desk.audit("move_in.notice", "move", move.id, tenant=tenant.name)
    return text


def _save(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InvalidInput("error.cannot_write_file", path=path,
                           reason=exc.strerror or type(exc).__name__) from None


# --- the first-month visit (R-5.3) --------------------------------------------------------

def schedule_visit(desk: Desk, tenant_id: int):
    """The first-month visit, due a month after today's move-in."""
    from .visits import schedule_first_visit

    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "in")
        visit = schedule_first_visit(desk, tenant.id, today(desk))
        move.visit_at, move.visit_by = desk.clock.now(), desk.user
        move.save()
        desk.audit("move_in.visit", "move", move.id, tenant=tenant.name,
                   due_on=visit.due_on.isoformat())
    return visit


# --- the checklist ---------------------------------------------------------------------------

def _keys_item(move: Move) -> Item:
    rows = list(KeyRecord.select().where(KeyRecord.move_in == move.id).order_by(KeyRecord.id))
    unsigned = [k.label for k in rows if not k.signed]
    detail = t("movein.detail.keys", count=sum(k.count for k in rows), lines=len(rows))
    if unsigned:
        detail += t("movein.sep") + t("movein.detail.unsigned", keys=", ".join(unsigned))
    return latest("keys", bool(rows) and not unsigned, rows, "handed_at", "handed_by", detail)


def _inspection_item(move: Move) -> Item:
    rows = inspections_of(move)
    seen = {row.unit for row in rows}
    left = [u for u in current_units(move.tenant_id) if u not in seen]
    defects = sum(1 for row in rows if row.condition == "defect")
    detail = t("movein.detail.inspection", lines=len(rows), defects=defects)
    if left:
        detail += t("movein.sep") + t("movein.detail.units_left", units=", ".join(left))
    return latest("inspection", bool(rows) and not left, rows, "at", "by", detail)


def _meter_item(move: Move) -> Item:
    row = (MeterReading.select(MeterReading, Meter).join(Meter)
           .where(MeterReading.move == move.id, MeterReading.kind == "baseline")
           .order_by(MeterReading.id).first())
    if row is None:
        return Item("meter", False)
    return Item("meter", True, row.recorded_at, row.by,
                f"{row.meter.code} {format_reading(row.reading)} kWh")


def _visit_detail(move: Move) -> str:
    from ..models import Visit

    visit = (Visit.select().where(Visit.tenant == move.tenant_id, Visit.kind == "first_month")
             .order_by(Visit.id.desc()).first())
    return t("movein.detail.visit_due", day=visit.due_on.isoformat()) if visit else ""


def move_in_items(move: Move) -> list[Item]:
    gift = WelcomeGift.get_or_none(WelcomeGift.tenant == move.tenant_id)
    visit = move.visit_at is not None
    checked = move.data_checked_at is not None
    return [
        Item("data", checked, move.data_checked_at, move.data_checked_by,
             "" if checked else t("movein.sep").join(missing_data(move.tenant))),
        _keys_item(move),
        _inspection_item(move),
        _meter_item(move),
        Item("gift", gift is not None, gift.given_at if gift else None,
             gift.given_by if gift else ""),
        Item("notice", move.notice_at is not None, move.notice_at, move.notice_by),
        Item("visit", visit, move.visit_at, move.visit_by,
             _visit_detail(move) if visit else ""),
    ]


def checklist(move: Move) -> list[Item]:
    if move.kind == "in":
        return move_in_items(move)
    from .moveout import move_out_items

    return move_out_items(move)


def item_done(move: Move, code: str) -> bool:
    return any(item.done for item in checklist(move) if item.code == code)


def still_to_do(move: Move) -> list[str]:
    """The checklist's items not done, in words."""
    return [t(f"{'movein' if move.kind == 'in' else 'moveout'}.item.{item.code}")
            for item in checklist(move) if not item.done]


def finish_ticket(desk: Desk, move: Move) -> None:
    """Resolve and answer the move's ticket (its ``done`` target met now: late if now is
    past it); a step someone already took on the queue is not taken twice, and a ticket
    put on hold is resumed first."""
    from .tickets import step

    ticket = Ticket.get_or_none(Ticket.id == move.ticket_id) if move.ticket_id else None
    if ticket is None:
        return
    if ticket.state == "on_hold":  # the tenant came after all: the work went on
        ticket = step(desk, ticket.id, "resume")
    if ticket.state in ("accepted", "dispatched", "on_site"):
        ticket = step(desk, ticket.id, "resolve")
    if ticket.state == "resolved":
        step(desk, ticket.id, "answer")


def complete(desk: Desk, tenant_id: int, kind: str, status: str,
             before_done=None) -> Move:
    """Complete the open move: every item done (else refused naming what is left), its
    ticket resolved and answered, the tenant's status set — in one transaction."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, kind)
        left = still_to_do(move)
        if left:
            raise Conflict(f"error.move_{kind}_incomplete", name=tenant.name,
                           missing=t("movein.sep").join(left))
        if before_done is not None:
            before_done(tenant, move)
        now = desk.clock.now()
        move.done_at, move.done_by = now, desk.user
        move.save()
        finish_ticket(desk, move)
        set_status(desk, tenant.id, status)
        desk.audit(f"move_{kind}.done", "move", move.id, tenant=tenant.name,
                   late=bool(Ticket.get_by_id(move.ticket_id).late) if move.ticket_id
                   else False)
    return move


def complete_move_in(desk: Desk, tenant_id: int) -> Move:
    """All seven items done → the move-in ticket answered, the tenant active, and its
    first payment notice issued (in the same transaction)."""
    from . import billing

    def still_complete(tenant: Tenant, _move: Move) -> None:
        missing = missing_data(tenant)  # the registry may have changed since the check
        if missing:
            raise InvalidInput("error.movein_data_missing", name=tenant.name,
                               missing=t("movein.sep").join(missing))
        billing.issue_first(desk, tenant.id)  # the first period, paid at move-in

    return complete(desk, tenant_id, "in", "active", still_complete)


# --- what a screen or ``show`` reads ----------------------------------------------------------

def last_change(tenant_id: int) -> int:
    """The newest audit row of the tenant's moves or registry entry: a screen showing
    a checklist reads this every few seconds and redraws only when it moved (another
    session recorded an item)."""
    from peewee import fn

    from ..models import Audit

    moves = [str(m) for (m,) in Move.select(Move.id).where(Move.tenant == tenant_id).tuples()]
    query = Audit.select(fn.MAX(Audit.id)).where(
        ((Audit.entity == "move") & Audit.entity_id.in_(moves or ["-"]))
        | ((Audit.entity == "tenant") & (Audit.entity_id == str(tenant_id))))
    return query.scalar() or 0


def move_json(desk: Desk, move: Move) -> dict:
    """A move as JSON (SPEC §9 style: times ISO with offset in building time, money as
    strings with two decimals, readings in kWh with two decimals)."""
    tenant = move.tenant
    ticket = Ticket.get_or_none(Ticket.id == move.ticket_id) if move.ticket_id else None
    document = {
        "id": move.id, "kind": move.kind, "tenant": tenant.name, "status": tenant.status,
        "ticket": ticket.id if ticket else None,
        "ticket_state": ticket.state if ticket else None,
        "late": bool(ticket.late) if ticket else False,
        "booked_at": iso(desk, move.booked_at), "done_at": iso(desk, move.done_at),
        "done_by": move.done_by or None,
        "items": [{"item": i.code, "done": i.done, "at": iso(desk, i.at), "by": i.by or None,
                   "detail": i.detail} for i in checklist(move)],
        "keys": [{"key": k.label, "count": k.count, "to": k.holder, "signed": k.signed,
                  "handed_at": iso(desk, k.handed_at), "returned": k.returned_count,
                  "returned_at": iso(desk, k.returned_at)} for k in keys_of(tenant.id)],
        "inspection": [_inspection_json(row) for row in inspections_of(move)],
        "readings": [{"meter": m.code, "unit": m.unit, "read_at": iso(desk, r.read_at),
                      "reading": format_reading(r.reading), "kind": r.kind, "by": r.by}
                     for m, r in readings_of(tenant.id)],
    }
    gift = WelcomeGift.get_or_none(WelcomeGift.tenant == tenant.id)
    document["gift"] = ({"given_at": iso(desk, gift.given_at), "given_by": gift.given_by}
                        if gift else None)
    if move.kind == "out":
        from .moveout import deposit_json

        document["deposit"] = deposit_json(move)
    return document


def _inspection_json(row: Inspection) -> dict:
    out = {"unit": row.unit, "item": row.item, "condition": row.condition, "note": row.note,
           "by": row.by, "repair_ticket": row.repair_ticket_id}
    if row.deduction_fen is not None:
        out.update(deduction=format_yuan(row.deduction_fen), reason=row.deduction_reason)
    return out


__all__ = ["Item", "MOVE_IN_ITEMS", "book_move_in", "cashier_notice", "check_data",
           "checklist", "complete_move_in", "current_meters", "format_reading", "give_gift",
           "hand_key", "inspect_in", "keys_of", "last_move", "missing_data", "move_json",
           "open_move", "parse_reading", "read_meter_in", "record_reading",
           "schedule_visit", "still_to_do"]
