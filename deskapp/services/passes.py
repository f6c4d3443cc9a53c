"""Access passes (出入证), vehicle insurance, parking permits (停车证).

Issuing at the counter is a timed service (SPEC §2.2): N passes at once open one
``access_pass`` ticket for N people (2 minutes a person), a permit one
``parking_permit`` ticket (10 minutes); the ticket is resolved and answered when the
passes or the permit are handed over, in the same transaction.

Validity: a pass is valid from ``valid_from`` (inclusive) until ``valid_until``
(exclusive). A day given as ``--to 2026-11-30`` runs to the end of that day (until
1 Dec 00:00, building time); a moment given is the moment itself. Insurance and permits
are by whole days, both ends inclusive, as the documents write them.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

import pendulum
from pendulum import DateTime

from ..models import PASS_KINDS, VEHICLES, AccessPass, ParkingPermit, Tenant, VehicleInsurance
from . import common, validate
from .common import locked
from .context import Desk
from .errors import Conflict, InvalidInput
from .export import iso
from .tenants import today
from .tickets import TRANSITIONS, NewTicket, find_tenant, find_ticket, open_ticket, step

MAX_PERSON = 100
MAX_ID_NUMBER = 40
MAX_INSURER = 100
MAX_POLICY = 64
MAX_REASON = 500
MAX_PEOPLE = 500  # one counter ticket holds at most this many (tickets.MAX_PEOPLE)
MAX_EXPIRING_DAYS = 366

# A pass, permit or policy day lies inside this window around today: a policy bought up
# to two years ago still running, a permit or pass at most two years ahead. Year 9999 or
# 1900 is a typing error, not a pass.
DAY_BACK, DAY_AHEAD = timedelta(days=2 * 366), timedelta(days=2 * 366)

_ID_NUMBER = re.compile(r"^[0-9A-Za-z\-]*$")
# A mainland plate, loosely: the province's character, the issuing office's letter, then
# five or six letters/digits (six: the green new-energy plates), the last of which may be
# 学 / 警 / 挂 / 港 / 澳 / 领 / 使. Separators people type (space, ·, -) are dropped.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(f"^[{_PROVINCES}][A-Z][A-Z0-9]{{4,5}}[A-Z0-9学警挂港澳领使]$")
_PLATE_SEPARATORS = re.compile(r"[ ·•\-]")


# --- values ---------------------------------------------------------------------------

def person(value: str | None, field: str = "name") -> str:
    return validate.text(value, field, limit=MAX_PERSON, required=True)


def id_number(value: str | None) -> str:
    raw = validate.text(value, "id", limit=MAX_ID_NUMBER)
    if not _ID_NUMBER.match(raw):
        raise InvalidInput("error.bad_id_number", value=raw)
    return raw.upper()


def plate(value: str | None) -> str:
    """A plate as the desk stores it: ``京A·12345`` → ``京A12345``."""
    raw = validate.text(value, "plate", limit=16, required=True)
    normal = _PLATE_SEPARATORS.sub("", raw).upper()
    if not _PLATE.match(normal):
        raise InvalidInput("error.bad_plate", value=raw)
    return normal


def plain_day(desk: Desk, value: str | dt.date | None, field: str) -> dt.date:
    """A required day ``YYYY-MM-DD`` inside the passes' window around today."""
    now = today(desk)
    parsed = validate.day(value, field, now, "lease", required=True)
    earliest, latest = now - DAY_BACK, now + DAY_AHEAD
    if not earliest <= parsed <= latest:
        raise InvalidInput("error.day_window", field=field, value=parsed.isoformat(),
                           earliest=earliest.isoformat(), latest=latest.isoformat())
    return parsed


def day_range(desk: Desk, start, end, *, names=("--from", "--to")) -> tuple[dt.date, dt.date]:
    first, last = plain_day(desk, start, names[0]), plain_day(desk, end, names[1])
    if last < first:
        raise InvalidInput("error.to_before_from", start=first.isoformat(),
                           end=last.isoformat())
    return first, last


def day_start(desk: Desk, day: dt.date) -> DateTime:
    """00:00 of ``day`` in the building's zone, as a UTC moment."""
    tz = desk.profile().timezone
    return pendulum.datetime(day.year, day.month, day.day, tz=tz).in_tz("UTC")


def local_day(desk: Desk, moment: DateTime) -> dt.date:
    return common.local_day(moment, desk.profile().timezone)


def _edge(desk: Desk, value, field: str, *, end: bool) -> DateTime:
    """A validity edge: a day (its start; for the end, the start of the next day) or an
    ISO moment (itself), inside the window an agreed time may take."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = plain_day(desk, value, field)
    elif isinstance(value, str) and re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", value):
        day = plain_day(desk, value.strip(), field)
    else:
        day = None
    if day is not None:
        return day_start(desk, day + timedelta(days=1) if end else day)
    tz = desk.profile().timezone
    moment = value.in_tz("UTC") if isinstance(value, DateTime) else validate.parse_iso(
        value, tz, field)
    if moment is None:
        raise InvalidInput("error.required", field=field)
    return validate.in_window(moment, desk.clock.now(), "agreed", field, tz)


def validity(desk: Desk, start, end) -> tuple[DateTime, DateTime]:
    """(valid_from, valid_until) from what was typed; the end must come after the start."""
    first = _edge(desk, start, "--from", end=False)
    until = _edge(desk, end, "--to", end=True)
    if until <= first:
        tz = desk.profile().timezone
        raise InvalidInput("error.to_before_from", start=first.in_tz(tz).isoformat(),
                           end=until.in_tz(tz).isoformat())
    return first, until


# --- the counter ticket ---------------------------------------------------------------

def finish(desk: Desk, ticket_id: int):
    """The work of a ticket done and the tenant told: resolve, then answer (close).
    Whatever of that someone already did on the queue (resolved it, closed it, put it
    on hold) is taken as it stands: the fit-out's step still goes through."""
    ticket = find_ticket(ticket_id)
    if ticket.state == "on_hold":
        ticket = step(desk, ticket_id, "resume")
    if ticket.state in TRANSITIONS["resolve"][0]:
        ticket = step(desk, ticket_id, "resolve")
    if ticket.state == "resolved":
        ticket = step(desk, ticket_id, "answer")
    return ticket


def serve(desk: Desk, request: NewTicket):
    """A counter service done while the tenant waits: open its ticket and finish it."""
    ticket = open_ticket(desk, request)
    return finish(desk, ticket.id)


# --- access passes --------------------------------------------------------------------

def issue_passes(desk: Desk, tenant: str, kind: str, people: list[tuple[str, str]] | list[str],
                 valid_from, valid_to, *, at: DateTime | None = None,
                 fitout_id: int | None = None) -> list[AccessPass]:
    """Passes for several people of one tenant at once: one ``access_pass`` ticket for
    all of them (2 minutes a person), closed as they are handed over. ``people``: names,
    or (name, id number) pairs."""
    desk.require("pass.issue")
    if kind not in PASS_KINDS:
        raise InvalidInput("error.pass_kind", kind=kind, known=", ".join(PASS_KINDS))
    holder = find_tenant(tenant)
    pairs = [(p, "") if isinstance(p, str) else p for p in people]
    checked = [(person(name), id_number(number)) for name, number in pairs]
    if not checked:
        raise InvalidInput("error.required", field="--name")
    if len(checked) > MAX_PEOPLE:
        raise InvalidInput("error.out_of_range", field="--name", low=1, high=MAX_PEOPLE)
    first, until = validity(desk, valid_from, valid_to)
    now = desk.clock.now()
    with desk.db.atomic():
        ticket = serve(desk, NewTicket(service="access_pass", tenant=holder.name,
                                       people=len(checked), at=at))
        made = []
        for name, number in checked:
            issued = AccessPass.create(tenant=holder, kind=kind, person=name, id_number=number,
                                       valid_from=first, valid_until=until, fitout=fitout_id,
                                       ticket=ticket.id, issued_at=now, issued_by=desk.user)
            desk.audit("pass.issue", "access_pass", issued.id, tenant=holder.name, kind=kind,
                       person=name, valid_from=first.isoformat(),
                       valid_until=until.isoformat(), ticket=ticket.id)
            made.append(issued)
    return made


def revoke_pass(desk: Desk, pass_id: int, reason: str) -> AccessPass:
    desk.require("pass.revoke")
    pass_id = validate.record_id(pass_id, "pass")
    reason = validate.text(reason, "reason", limit=MAX_REASON, free=True, required=True)
    with desk.db.atomic():
        held = locked(desk, AccessPass.select().where(AccessPass.id == pass_id))
        if held is None:
            raise InvalidInput("error.no_pass", id=pass_id)
        if held.revoked_at is not None:
            raise Conflict("error.pass_revoked", id=pass_id, who=held.revoked_by)
        held.revoked_at, held.revoked_by, held.revoke_reason = (desk.clock.now(), desk.user,
                                                                reason)
        held.save()
        desk.audit("pass.revoke", "access_pass", held.id, person=held.person, reason=reason)
    return held


def pass_state(held: AccessPass, now: DateTime) -> str:
    if held.revoked_at is not None:
        return "revoked"
    if now < held.valid_from:
        return "not_yet"
    return "valid" if now < held.valid_until else "expired"


def list_passes(desk: Desk, *, tenant: str | None = None, name: str | None = None,
                valid: bool = False, expiring_days: int | None = None) -> list[AccessPass]:
    """Passes, newest first. ``valid``: only those valid at the clock's now (who holds a
    valid pass now); ``expiring_days``: only valid ones that end within that many days."""
    now = desk.clock.now()
    query = AccessPass.select(AccessPass, Tenant).join(Tenant)
    if tenant is not None:
        query = query.where(AccessPass.tenant == find_tenant(tenant).id)
    if name is not None:
        query = query.where(AccessPass.person == person(name, "--name"))
    if valid or expiring_days is not None:
        query = query.where(AccessPass.revoked_at.is_null(), AccessPass.valid_from <= now,
                            AccessPass.valid_until > now)
    if expiring_days is not None:
        days = validate.number(expiring_days, "--expiring", low=0, high=MAX_EXPIRING_DAYS)
        query = query.where(AccessPass.valid_until <= now.add(days=days))
        return list(query.order_by(AccessPass.valid_until, AccessPass.id))
    return list(query.order_by(AccessPass.id.desc()))


def holds_valid_pass(desk: Desk, tenant: str, name: str) -> bool:
    return bool(list_passes(desk, tenant=tenant, name=name, valid=True))


def pass_json(desk: Desk, held: AccessPass) -> dict:
    tz = desk.profile().timezone
    return {"id": held.id, "tenant": held.tenant.name, "kind": held.kind,
            "name": held.person, "id_number": held.id_number,
            "valid_from": iso(held.valid_from, tz), "valid_until": iso(held.valid_until, tz),
            "state": pass_state(held, desk.clock.now()),
            "fitout": held.fitout_id, "ticket": held.ticket_id,
            "issued_at": iso(held.issued_at, tz), "issued_by": held.issued_by,
            "revoked_at": iso(held.revoked_at, tz), "revoke_reason": held.revoke_reason}


# --- vehicle insurance and parking permits --------------------------------------------

def add_insurance(desk: Desk, plate_: str, insurer: str, policy: str, valid_from,
                  valid_to) -> VehicleInsurance:
    """Record a vehicle's insurance policy as the desk saw it (R-6.3: a copy of the
    valid insurance comes before a parking permit)."""
    desk.require("insurance.edit")
    number = plate(plate_)
    insurer = validate.text(insurer, "--insurer", limit=MAX_INSURER, required=True)
    policy = validate.text(policy, "--policy", limit=MAX_POLICY, required=True)
    first, last = day_range(desk, valid_from, valid_to)
    with desk.db.atomic():
        row = VehicleInsurance.create(plate=number, insurer=insurer, policy=policy,
                                      valid_from=first, valid_to=last,
                                      recorded_at=desk.clock.now(), recorded_by=desk.user)
        desk.audit("insurance.add", "vehicle_insurance", row.id, plate=number, insurer=insurer,
                   policy=policy, valid_from=first.isoformat(), valid_to=last.isoformat())
    return row


def covered_through(number: str, day: dt.date) -> tuple[VehicleInsurance | None, dt.date | None]:
    """The policy covering ``day`` and the last day covered without a gap from it (a
    renewal that starts the day after one ends continues the cover)."""
    policies = list(VehicleInsurance.select().where(VehicleInsurance.plate == number)
                    .order_by(VehicleInsurance.valid_from))
    covering = [p for p in policies if p.valid_from <= day <= p.valid_to]
    if not covering:
        return None, None
    first = max(covering, key=lambda p: p.valid_to)
    through = first.valid_to
    for policy in policies:
        if policy.valid_from <= through + timedelta(days=1) and policy.valid_to > through:
            through = policy.valid_to
    return first, through


def add_permit(desk: Desk, tenant: str, plate_: str, vehicle: str, holder: str, valid_from,
               valid_to, *, at: DateTime | None = None) -> ParkingPermit:
    """A parking permit (10 minutes at the counter). Refused without an insurance record
    covering its first day; refused, too, when it would run past the last day insured
    (not cut short silently: the desk shortens it or records the renewed policy)."""
    desk.require("permit.issue")
    owner = find_tenant(tenant)
    number = plate(plate_)
    if vehicle not in VEHICLES:
        raise InvalidInput("error.vehicle", vehicle=vehicle, known=", ".join(VEHICLES))
    holder = person(holder, "--holder")
    first, last = day_range(desk, valid_from, valid_to)
    with desk.db.atomic():
        policy, through = covered_through(number, first)
        if policy is None:
            raise Conflict("error.permit_uninsured", plate=number, day=first.isoformat())
        if last > through:
            raise Conflict("error.permit_past_insurance", plate=number, end=through.isoformat(),
                           to=last.isoformat())
        ticket = serve(desk, NewTicket(service="parking_permit", tenant=owner.name, at=at))
        permit = ParkingPermit.create(tenant=owner, plate=number, vehicle=vehicle, holder=holder,
                                      valid_from=first, valid_to=last, insurance=policy,
                                      ticket=ticket.id, issued_at=desk.clock.now(),
                                      issued_by=desk.user)
        desk.audit("permit.issue", "parking_permit", permit.id, tenant=owner.name, plate=number,
                   vehicle=vehicle, holder=holder, valid_from=first.isoformat(),
                   valid_to=last.isoformat(), insurance=policy.id, ticket=ticket.id)
    return permit


def insurance_json(row: VehicleInsurance) -> dict:
    return {"id": row.id, "plate": row.plate, "insurer": row.insurer, "policy": row.policy,
            "valid_from": row.valid_from.isoformat(), "valid_to": row.valid_to.isoformat()}


def permit_json(desk: Desk, permit: ParkingPermit) -> dict:
    tz = desk.profile().timezone
    return {"id": permit.id, "tenant": permit.tenant.name, "plate": permit.plate,
            "vehicle": permit.vehicle, "holder": permit.holder,
            "valid_from": permit.valid_from.isoformat(), "valid_to": permit.valid_to.isoformat(),
            "insurance": permit.insurance_id, "ticket": permit.ticket_id,
            "issued_at": iso(permit.issued_at, tz), "issued_by": permit.issued_by}


def list_permits() -> list[ParkingPermit]:
    return list(ParkingPermit.select(ParkingPermit, Tenant).join(Tenant)
                .order_by(ParkingPermit.id.desc()))


def list_insurance() -> list[VehicleInsurance]:
    return list(VehicleInsurance.select().order_by(VehicleInsurance.plate,
                                                   VehicleInsurance.valid_from))
