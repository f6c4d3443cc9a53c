"""Move-out (issue 7 item 3): booked for a moment (the tenant is then ``moving_out``;
the ``move_out`` ticket is due half a working day — 4.5 service hours — from the booked
time), then the checklist: keys returned against the register, the final meter
readings, the inspection compared line by line with the move-in's (a worse condition →
a proposed deduction from the deposit, amount and reason entered by the desk), fees
cleared, the deposit outcome. Completing it answers the ticket and sets the tenant
``gone`` (which frees its units; the signage helper removes its directory entry there).
"""

from __future__ import annotations

from pendulum import DateTime

from ..i18n import t
from ..models import Tenant
from ..models.movein import Inspection, KeyRecord, Meter, MeterReading, Move
from ..money import format_yuan
from . import validate
from .context import Desk
from .errors import Conflict, InvalidInput
from .movein import (
    PERMISSION,
    Item,
    _booked,
    _for_change,
    book,
    complete,
    current_meters,
    format_reading,
    inspection_line,
    inspections_of,
    key_count,
    keys_of,
    latest,
    reading_typed,
    record_reading,
)
from .tenants import current_units, set_status

MAX_REASON = 500
MOVE_OUT_ITEMS = ("keys", "meter", "inspection", "fees", "deposit")


def open_balance_fen(tenant_id: int) -> int:
    """What the tenant still owes, in fen: its balance on the payment notices (never
    below 0), plus the monthly-account services on the ledger no notice carries yet
    (a credit is not set against those: they are billed on a last notice first, so
    the account is settled on paper before the tenant leaves)."""
    from peewee import fn

    from ..models import Charge, NoticeLine
    from .balances import balance_fen

    billed = NoticeLine.select(NoticeLine.charge).where(NoticeLine.charge.is_null(False))
    unbilled = (Charge.select(fn.COALESCE(fn.SUM(Charge.amount_fen), 0))
                .where(Charge.tenant == tenant_id, Charge.settle == "monthly",
                       Charge.id.not_in(billed)).scalar())
    return max(0, balance_fen(tenant_id)) + int(unbilled)


def book_move_out(desk: Desk, tenant_id: int, at: DateTime) -> Move:
    """An active tenant's move-out appointment: the tenant becomes ``moving_out`` and the
    ``move_out`` ticket counts half a working day from ``at``. A tenant already moving
    out whose ticket was cancelled on the queue may be booked again."""
    with desk.db.atomic():
        move = book(desk, tenant_id, at, "out", ("active", "moving_out"))
        if move.tenant.status == "active":
            set_status(desk, move.tenant_id, "moving_out")
    return move


# --- keys ------------------------------------------------------------------------------------

def return_key(desk: Desk, tenant_id: int, label: str, returned: str | int) -> KeyRecord:
    """``returned`` of the key ``label`` came back (0 if none did): recorded against the
    register's line; what is short is listed as missing."""
    desk.require(PERMISSION)
    label = validate.text(label, "key", limit=100, required=True)
    returned = key_count(returned, "count", low=0)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        row = (KeyRecord.select().where(KeyRecord.tenant == tenant.id, KeyRecord.label == label)
               .order_by(KeyRecord.id.desc()).first())
        if row is None:
            raise InvalidInput("error.key_not_registered", label=label, name=tenant.name,
                               keys=", ".join(k.label for k in keys_of(tenant.id)) or "—")
        if returned > row.count:
            raise InvalidInput("error.key_more_than_handed", label=label, count=row.count)
        row.returned_count, row.returned_at = returned, desk.clock.now()
        row.returned_by, row.move_out = desk.user, move
        row.save()
        desk.audit("move_out.key", "move", move.id, tenant=tenant.name, key=label,
                   handed=row.count, returned=returned)
    return row


def missing_keys(tenant_id: int) -> list[str]:
    """Keys returned short, in words: "1201 main door: 1 of 2 missing"."""
    return [t("moveout.key_missing", label=k.label, missing=k.count - k.returned_count,
              count=k.count) for k in keys_of(tenant_id)
            if k.returned_count is not None and k.returned_count < k.count]


# --- meters ----------------------------------------------------------------------------------

def read_meter_out(desk: Desk, tenant_id: int, code: str, reading: str | int,
                   at: DateTime | None = None) -> MeterReading:
    """The final reading of one of the tenant's meters (same refusals as every reading);
    the meter then leaves the tenant's record. A tenant registered before the desk kept
    meters may have its meter's final reading taken without a baseline."""
    code, value, read_at = reading_typed(desk, code, reading, at)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        meter = Meter.get_or_none(Meter.tenant == tenant.id, Meter.code == code,
                                  Meter.removed_at.is_null())
        if meter is None:
            known = Meter.select().where(Meter.tenant == tenant.id).count()
            if known:
                raise InvalidInput("error.no_such_meter", meter=code, name=tenant.name,
                                   meters=", ".join(m.code for m in current_meters(tenant.id))
                                   or "—")
            elsewhere = Meter.get_or_none(Meter.code == code, Meter.removed_at.is_null())
            if elsewhere is not None:
                raise Conflict("error.meter_elsewhere", meter=code,
                               holder=elsewhere.tenant.name)
            held = current_units(tenant.id)
            meter = Meter.create(tenant=tenant, code=code, unit=held[0] if held else "")
        row = record_reading(desk, meter, value, read_at, "final", move)
        meter.removed_at = read_at
        meter.save()
        desk.audit("move_out.meter", "move", move.id, tenant=tenant.name, meter=code,
                   reading=value, kind="final", read_at=read_at.isoformat())
    return row


# --- inspection compared with the move-in's ------------------------------------------------

def move_in_record(tenant_id: int) -> dict[tuple[str, str], Inspection]:
    """The last move-in's inspection lines, by (unit, item)."""
    move = (Move.select().where(Move.tenant == tenant_id, Move.kind == "in")
            .order_by(Move.done_at.desc(nulls="LAST"), Move.id.desc()).first())
    return {(row.unit, row.item): row for row in inspections_of(move)}


def is_worse(row: Inspection, before: Inspection | None) -> bool:
    """A defect now that was not one at move-in (or a line the move-in never had)."""
    return row.condition == "defect" and (before is None or before.condition == "ok")


def inspect_out(desk: Desk, tenant_id: int, unit: str, item: str, ok: bool,
                note: str = "") -> Inspection:
    """A line of the move-out inspection, compared with the move-in's same line. A
    line no longer worse than at move-in drops the deduction proposed for it."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        row, detail = inspection_line(desk, tenant, move, unit, item, ok, note)
        before = move_in_record(tenant.id).get((row.unit, row.item))
        worse = is_worse(row, before)
        if not worse and row.deduction_fen is not None:
            row.deduction_fen, row.deduction_reason = None, ""
            row.save()
        desk.audit("move_out.inspect", "move", move.id, tenant=tenant.name, worse=worse,
                   move_in=before.condition if before else None, **detail)
    return row


def deductions_fen(move: Move) -> int:
    return sum(row.deduction_fen or 0 for row in inspections_of(move))


def deduct(desk: Desk, tenant_id: int, unit: str, item: str, amount_fen: int,
           reason: str) -> Inspection:
    """The deduction proposed for a line worse than at move-in: an amount (0 waives it)
    and a reason. All deductions together may not exceed the deposit."""
    desk.require(PERMISSION)
    amount_fen = validate.fen(amount_fen, "amount")
    reason = validate.text(reason, "reason", limit=MAX_REASON, free=True, required=True)
    unit = validate.text(unit, "unit", limit=50, required=True).upper()
    item = validate.text(item, "item", limit=100, required=True)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        row = Inspection.get_or_none(Inspection.move == move.id, Inspection.unit == unit,
                                     Inspection.item == item)
        if row is None:
            raise InvalidInput("error.no_inspection_line", unit=unit, item=item)
        if not is_worse(row, move_in_record(tenant.id).get((unit, item))):
            raise Conflict("error.not_worse", unit=unit, item=item)
        others = deductions_fen(move) - (row.deduction_fen or 0)
        if others + amount_fen > tenant.deposit_fen:
            raise InvalidInput("error.deduction_over_deposit",
                               total=format_yuan(others + amount_fen),
                               deposit=format_yuan(tenant.deposit_fen))
        row.deduction_fen, row.deduction_reason = amount_fen, reason
        row.save()
        desk.audit("move_out.deduct", "move", move.id, tenant=tenant.name, unit=unit,
                   item=item, amount_fen=amount_fen, reason=reason)
    return row


# --- fees and the deposit --------------------------------------------------------------------

def _refuse_open_balance(tenant: Tenant) -> None:
    owed = open_balance_fen(tenant.id)
    if owed > 0:
        raise Conflict("error.fees_open", name=tenant.name, amount=format_yuan(owed))


def check_fees(desk: Desk, tenant_id: int) -> Move:
    """Record that the tenant owes nothing (refused while a balance is open)."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        _refuse_open_balance(tenant)
        move.fees_checked_at, move.fees_checked_by = desk.clock.now(), desk.user
        move.save()
        desk.audit("move_out.fees", "move", move.id, tenant=tenant.name)
    return move


def refund_fen(deposit: int, deductions: int) -> int:
    """The deposit less the deductions, never below 0."""
    return max(0, deposit - deductions)


def record_deposit(desk: Desk, tenant_id: int) -> Move:
    """The deposit outcome: deposit, deductions, refund — once the inspection is
    compared and every worse line has its deduction."""
    desk.require(PERMISSION)
    with desk.db.atomic():
        tenant = _for_change(desk, tenant_id)
        move = _booked(tenant, "out")
        inspection = _inspection_item(move)
        if not inspection.done:
            raise Conflict("error.deposit_too_early", detail=inspection.detail)
        deductions = deductions_fen(move)
        move.deposit_fen, move.deductions_fen = tenant.deposit_fen, deductions
        move.refund_fen = refund_fen(tenant.deposit_fen, deductions)
        move.deposit_at, move.deposit_by = desk.clock.now(), desk.user
        move.save()
        desk.audit("move_out.deposit", "move", move.id, tenant=tenant.name,
                   deposit_fen=move.deposit_fen, deductions_fen=deductions,
                   refund_fen=move.refund_fen)
    return move


def complete_move_out(desk: Desk, tenant_id: int) -> Move:
    """Every item done → the move-out ticket answered, the tenant gone."""
    return complete(desk, tenant_id, "out", "gone",
                    lambda tenant, _move: _refuse_open_balance(tenant))


# --- the checklist ---------------------------------------------------------------------------

def _keys_item(move: Move) -> Item:
    rows = keys_of(move.tenant_id)
    waiting = [k.label for k in rows if k.returned_count is None]
    if not rows:
        return Item("keys", True, detail=t("moveout.detail.no_keys"))
    parts = ([t("moveout.detail.keys_waiting", keys=", ".join(waiting))] if waiting
             else []) + missing_keys(move.tenant_id)
    done = [k for k in rows if k.returned_at is not None]
    return latest("keys", not waiting, done, "returned_at", "returned_by",
                  t("movein.sep").join(parts) or t("moveout.detail.keys_all"))


def _meter_item(move: Move) -> Item:
    finals = list(MeterReading.select(MeterReading, Meter).join(Meter)
                  .where(MeterReading.move == move.id, MeterReading.kind == "final")
                  .order_by(MeterReading.id))
    left = [m.code for m in current_meters(move.tenant_id)]
    detail = ", ".join(f"{r.meter.code} {format_reading(r.reading)} kWh" for r in finals)
    if left:
        detail = t("movein.sep").join(filter(None, [detail, t("moveout.detail.meters_left",
                                                   meters=", ".join(left))]))
    last = finals[-1] if finals else None
    return Item("meter", bool(finals) and not left, last.recorded_at if last else None,
                last.by if last else "", detail)


def _inspection_item(move: Move) -> Item:
    rows = {(r.unit, r.item): r for r in inspections_of(move)}
    before = move_in_record(move.tenant_id)
    if before:
        left = [f"{u} {i}" for (u, i) in before if (u, i) not in rows]
    else:
        seen = {u for (u, _i) in rows}
        left = [u for u in current_units(move.tenant_id) if u not in seen]
    worse = [r for key, r in rows.items() if is_worse(r, before.get(key))]
    to_price = [f"{r.unit} {r.item}" for r in worse if r.deduction_fen is None]
    parts = [t("moveout.detail.inspection", lines=len(rows), worse=len(worse))]
    if left:
        parts.append(t("moveout.detail.lines_left", lines=", ".join(left)))
    if to_price:
        parts.append(t("moveout.detail.to_price", lines=", ".join(to_price)))
    return latest("inspection", bool(rows) and not left and not to_price, list(rows.values()),
                  "at", "by", t("movein.sep").join(parts))


def _deposit_item(move: Move) -> Item:
    if move.deposit_at is None:
        return Item("deposit", False)
    current = (move.tenant.deposit_fen, deductions_fen(move))
    if (move.deposit_fen, move.deductions_fen) != current:
        return Item("deposit", False, detail=t("moveout.detail.deposit_stale"))
    return Item("deposit", True, move.deposit_at, move.deposit_by,
                t("moveout.detail.deposit", deposit=format_yuan(move.deposit_fen),
                  deductions=format_yuan(move.deductions_fen),
                  refund=format_yuan(move.refund_fen)))


def move_out_items(move: Move) -> list[Item]:
    return [
        _keys_item(move),
        _meter_item(move),
        _inspection_item(move),
        Item("fees", move.fees_checked_at is not None, move.fees_checked_at,
             move.fees_checked_by),
        _deposit_item(move),
    ]


def deposit_json(move: Move) -> dict:
    deductions = deductions_fen(move)
    deposit = move.tenant.deposit_fen
    return {"deposit": format_yuan(deposit), "deductions": format_yuan(deductions),
            "refund": format_yuan(refund_fen(deposit, deductions)),
            "recorded_by": move.deposit_by or None,
            "missing_keys": missing_keys(move.tenant_id)}


__all__ = ["MOVE_OUT_ITEMS", "book_move_out", "check_fees", "complete_move_out", "deduct",
           "deductions_fen", "inspect_out", "is_worse", "missing_keys", "move_in_record",
           "move_out_items", "open_balance_fen", "read_meter_out", "record_deposit",
           "refund_fen", "return_key"]
