"""The tabs of a tenant's detail that each area of its life keeps (signage, fit-out,
passes and permits, mail and letters), and their lines in the summary's "to do".
Reads only; stored text through ``safe_text``."""

from __future__ import annotations

from .i18n import t
from .models import (AccessPass, Fitout, KeyRecord, Letter, Mail, Meter, MeterReading,
                     ParkingPermit, SignOrder)
from .views import safe_text

Lines = list[tuple[str, str]]

_DONE_SIGNS = ("registered", "cancelled")
_DONE_FITOUTS = ("refused", "refunded")


def _local(moment, tz: str, pattern: str = "YYYY-MM-DD HH:mm") -> str:
    return moment.in_tz(tz).format(pattern) if moment else "—"


def signage_tab(tenant, tz: str) -> Lines:
    rows = SignOrder.select().where(SignOrder.tenant == tenant.id).order_by(SignOrder.id.desc())
    return [(t("tenant_tab.sign", id=row.id, kind=t(f"sign_kind.{row.kind}"),
               text=safe_text(row.text), position=safe_text(row.position),
               state=t(f"sign_state.{row.state}")),
             "dim" if row.state in _DONE_SIGNS else "") for row in rows.limit(200)]


def fitout_tab(tenant, tz: str) -> Lines:
    rows = Fitout.select().where(Fitout.tenant == tenant.id).order_by(Fitout.id.desc())
    return [(t("tenant_tab.fitout", id=row.id, scope=t(f"fitout.scope.{row.scope}"),
               units=safe_text(" ".join(u for u in row.units.split(";") if u)),
               state=t(f"fitout.state.{row.state}"), applied=_local(row.applied_at, tz,
                                                                    "YYYY-MM-DD")),
             "dim" if row.state in _DONE_FITOUTS else "") for row in rows.limit(100)]


def passes_tab(tenant, tz: str) -> Lines:
    lines: Lines = []
    passes = (AccessPass.select().where(AccessPass.tenant == tenant.id)
              .order_by(AccessPass.valid_until.desc()).limit(200))
    for row in passes:
        lines.append((t("tenant_tab.pass", kind=t(f"pass.kind.{row.kind}"),
                        person=safe_text(row.person), start=_local(row.valid_from, tz),
                        end=_local(row.valid_until, tz)),
                      "dim" if row.revoked_at else ""))
    permits = (ParkingPermit.select().where(ParkingPermit.tenant == tenant.id)
               .order_by(ParkingPermit.valid_to.desc()).limit(100))
    for row in permits:
        lines.append((t("tenant_tab.permit", plate=safe_text(row.plate),
                        vehicle=t(f"vehicle.{row.vehicle}"), holder=safe_text(row.holder),
                        start=row.valid_from.isoformat(), end=row.valid_to.isoformat()), ""))
    return lines


def mail_tab(tenant, tz: str) -> Lines:
    lines: Lines = []
    for row in (Mail.select().where(Mail.tenant == tenant.id)
                .order_by(Mail.arrived_at.desc()).limit(200)):
        done = (t("tenant_tab.mail_signed", at=_local(row.delivered_at, tz),
                  who=safe_text(row.signed_by or "—")) if row.delivered_at
                else t("tenant_tab.waiting"))
        lines.append((t("tenant_tab.mail", kind=t(f"comms.mail_kind.{row.kind}"),
                        count=row.count, carrier=safe_text(row.carrier),
                        arrived=_local(row.arrived_at, tz), done=done),
                      "dim" if row.delivered_at else "bold"))
    for row in (Letter.select().where(Letter.tenant == tenant.id)
                .order_by(Letter.received_at.desc()).limit(100)):
        lines.append((t("tenant_tab.letter", what=safe_text(row.what),
                        sender=safe_text(row.sender), at=_local(row.received_at, tz)),
                      "dim" if row.delivered_at else ""))
    return lines


def keys_tab(tenant, tz: str) -> Lines:
    """The key register (who holds which key, signed, returned) and the meters."""
    lines: Lines = []
    for row in KeyRecord.select().where(KeyRecord.tenant == tenant.id).order_by(KeyRecord.id):
        back = ("" if row.returned_count is None else
                t("tenant_tab.key_back", n=row.returned_count, at=_local(row.returned_at, tz)))
        lines.append((t("tenant_tab.key", label=safe_text(row.label), n=row.count,
                        holder=safe_text(row.holder), at=_local(row.handed_at, tz),
                        signed=t("tenant_tab.signed" if row.signed else "tenant_tab.unsigned"),
                        back=back), "dim" if row.returned_count is not None else ""))
    for meter, reading in _meters(tenant.id):
        lines.append((t("tenant_tab.meter", code=safe_text(meter.code),
                        reading=_kwh(reading.reading) if reading else "—",
                        at=_local(reading.read_at, tz, "YYYY-MM-DD") if reading else "—"),
                      "dim" if meter.removed_at else ""))
    return lines


def _kwh(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _meters(tenant_id: int):
    """Each meter of the tenant with its last reading (None before the first)."""
    for meter in Meter.select().where(Meter.tenant == tenant_id).order_by(Meter.id):
        reading = (MeterReading.select().where(MeterReading.meter == meter.id)
                   .order_by(MeterReading.read_at.desc(), MeterReading.id.desc()).first())
        yield meter, reading


def keys_line(tenant, tz: str) -> Lines:
    """The summary's "keys 6/6" and "meter E-1201 1450.50 (11-30)" lines: keys held now
    of those handed, and each meter in use with its last reading."""
    keys = list(KeyRecord.select().where(KeyRecord.tenant == tenant.id))
    parts = []
    if keys:
        held = sum(k.count - (k.returned_count or 0) for k in keys)
        parts.append(t("tenants.keys", held=held, handed=sum(k.count for k in keys)))
    for meter, reading in _meters(tenant.id):
        if meter.removed_at is None and reading is not None:
            parts.append(t("tenants.meter", code=safe_text(meter.code),
                           reading=_kwh(reading.reading),
                           at=_local(reading.read_at, tz, "MM-DD")))
    return [(part, "") for part in parts]


def area_todo(tenant, today) -> Lines:
    """Signs being made, a fit-out under way, mail waiting: one line each."""
    lines: Lines = []
    signs = (SignOrder.select().where((SignOrder.tenant == tenant.id)
                                      & SignOrder.state.not_in(_DONE_SIGNS)).count())
    if signs:
        lines.append((t("tenant_todo.signs", n=signs), ""))
    fitout = (Fitout.select().where((Fitout.tenant == tenant.id)
                                    & Fitout.state.not_in(_DONE_FITOUTS))
              .order_by(Fitout.id.desc()).first())
    if fitout is not None:
        lines.append((t("tenant_todo.fitout", state=t(f"fitout.state.{fitout.state}")), ""))
    waiting = (Mail.select().where((Mail.tenant == tenant.id) & Mail.delivered_at.is_null())
               .count())
    if waiting:
        lines.append((t("tenant_todo.mail", n=waiting), "bold"))
    return lines
