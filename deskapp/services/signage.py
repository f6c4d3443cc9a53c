"""Tenant signage (SPEC §3): suppliers, orders for directory-board entries (水牌) and
name plates (名牌), the signage register (R-3.4) and the per-supplier reconciliation.

The rules, where they are enforced:

- R-3.5 no private orders: ``apply`` refuses an order without the tenant's application
  (the day it was received, who at the tenant applied, a reference);
- R-3.1 the desk receives the application and sends a copy to the supplier: the
  ``send`` step, refused while no supplier is chosen;
- R-3.2 / R-3.3 one week: every order is timed by a ``signage`` ticket on the one queue
  (7 working days, from the catalogue). A directory entry's ticket opens with the
  application. A name plate is made within one week *after* the tenant signed the colour
  draft (R-3.3), and how long the tenant takes to sign is not the desk's or the
  supplier's time: its ticket opens at the ``draft`` step, so its due time is seven
  working days from the signing. Registering resolves and answers the ticket;
- R-3.2 one day: a wrong or missing character on an installed entry opens a correction
  order with a ``signage_fix`` ticket (1 working day);
- R-3.4 the register: one line per registered order, the basis for settling with the
  supplier (``register_lines``, ``reconcile``);
- R-3.5 patrol: a lost or loose sign opens a same-day ``patrol`` ticket naming it;
  a tenant gone or renamed gets a removal or change order for each directory entry it
  has up (``tenant_gone`` / ``tenant_renamed``, called by services/tenants.py inside its
  own transaction).

Every write: role first, every value validated, then one transaction that writes the
order, its ticket step and the audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pendulum
from pendulum import DateTime

from ..i18n import t
from ..models import SignFinding, SignOrder, SignSupplier, Tenant, Ticket
from ..models.signage import SIGN_KINDS
from . import validate
from .common import csv_bytes, happened_at, local_day, locked, tenant_by_name, write_whole
from .context import Desk
from .errors import Conflict, InvalidInput
from .tenants import find_tenant, phone, today, unit
from .tickets import NewTicket, open_ticket, step as ticket_step

MAX_TEXT = 200  # a tenant's name may be that long (services/tenants.MAX_NAME)
MAX_POSITION = 100
MAX_PERSON = 100
MAX_REF = 100
MAX_SUPPLIER = 100
MAX_NOTE = 500
# one sign costs hundreds of yuan, a large board a few thousand: 100,000 yuan is a typo
MAX_PRICE_FEN = 100_000 * 100
# an application older than a year is not one the desk is still acting on
MAX_APPLICATION_AGE = dt.timedelta(days=365)

# action -> the state it leads to
ACTIONS = {"send": "sent_to_supplier", "draft": "draft_signed", "made": "made",
           "installed": "installed", "register": "registered", "cancel": "cancelled"}
STEP_COLUMNS = {"applied": "applied", "sent_to_supplier": "sent", "draft_signed": "draft",
                "made": "made", "installed": "installed", "registered": "registered",
                "cancelled": "cancelled"}
ACTION_OF_STATE = {state: action for action, state in ACTIONS.items()}
FINAL_STATES = ("registered", "cancelled")
# a sign is up on the board from its installation on
UP_STATES = ("installed", "registered")


def path(order: SignOrder) -> tuple[str, ...]:
    """The states an order goes through, in order. Only a name plate has a colour draft
    for the tenant to sign (R-3.3); a removal is not installed or accepted (the tenant
    is gone): it is taken down and registered."""
    if order.purpose == "removal":
        return ("applied", "sent_to_supplier", "made", "registered")
    if order.kind == "name_plate":
        return ("applied", "sent_to_supplier", "draft_signed", "made", "installed",
                "registered")
    return ("applied", "sent_to_supplier", "made", "installed", "registered")


def next_action(order: SignOrder) -> str | None:
    """The one step the order may take next (besides cancel); None when it is done."""
    states = path(order)
    if order.state in FINAL_STATES:
        return None
    return ACTION_OF_STATE[states[states.index(order.state) + 1]]


# --- values --------------------------------------------------------------------------------

def kind_of(value: str) -> str:
    if value not in SIGN_KINDS:
        raise InvalidInput("error.sign_kind", value=str(value), known=", ".join(SIGN_KINDS))
    return value


def price(value: str | int | None) -> int | None:
    """The agreed price: yuan as typed ("380", "1,200.50") or whole fen; None: none agreed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    fen = validate.yuan(value, t("sign_field.sign_price")) if isinstance(value, str) \
        else validate.fen(value, t("sign_field.sign_price"))
    if fen > MAX_PRICE_FEN:
        raise InvalidInput("error.sign_price_too_high", limit=MAX_PRICE_FEN // 100)
    return fen


def position_of(kind: str, value: str) -> str:
    """A plate hangs at a unit or a floor (12F-1201, 20F); an entry is a board and a line,
    in the desk's own words (大堂水牌 第12行)."""
    if kind == "name_plate":
        return unit(value, t("sign_field.sign_position"))
    return validate.text(value, t("sign_field.sign_position"), limit=MAX_POSITION, required=True)


def received_on(desk: Desk, value: str | dt.date | None) -> dt.date:
    day = validate.day(value, t("sign_field.sign_received"), today(desk), "applied",
                       required=True)
    if day < today(desk) - MAX_APPLICATION_AGE:
        raise InvalidInput("error.sign_application_old", value=day.isoformat())
    return day


def find_supplier(name: str, *, active: bool = True) -> SignSupplier:
    name = validate.text(name, t("sign_field.supplier"), limit=MAX_SUPPLIER, required=True)
    supplier = SignSupplier.get_or_none(SignSupplier.name == name)
    if supplier is None or (active and not supplier.active):
        known = ", ".join(s.name for s in suppliers()) or "—"
        raise InvalidInput("error.sign_unknown_supplier", name=name, known=known)
    return supplier


def order_number(value: object) -> int:
    """An order number, 1 .. 2**63-1 (said as an order's, not a ticket's)."""
    try:
        return validate.record_id(value, t("sign_field.sign_order"))
    except InvalidInput:
        raise InvalidInput("error.sign_bad_id", value=str(value)) from None


def tenant_named(name: str) -> Tenant:
    """The tenant an application names (the command line names tenants, the screen
    hands an id); one gone is refused by ``check_application``, as a conflict."""
    return tenant_by_name(name, t("sign_register.tenant"), unknown="error.sign_no_tenant")


def find_order(order_id: object) -> SignOrder:
    order_id = order_number(order_id)
    order = SignOrder.get_or_none(SignOrder.id == order_id)
    if order is None:
        raise InvalidInput("error.no_sign_order", id=order_id)
    return order


def _for_change(desk: Desk, order_id: int) -> SignOrder:
    order = locked(desk, SignOrder.select().where(SignOrder.id == order_number(order_id)))
    if order is None:
        raise InvalidInput("error.no_sign_order", id=order_id)
    return order


# --- suppliers -----------------------------------------------------------------------------

def add_supplier(desk: Desk, name: str, contact: str = "", phone_: str = "") -> SignSupplier:
    desk.require("signage.supplier")
    name = validate.text(name, t("sign_field.supplier"), limit=MAX_SUPPLIER, required=True)
    contact = validate.text(contact, t("sign_field.supplier_contact"), limit=MAX_PERSON)
    phone_ = phone(phone_, t("sign_field.supplier_phone"))
    with desk.db.atomic():
        if SignSupplier.get_or_none(SignSupplier.name == name) is not None:
            raise Conflict("error.sign_supplier_exists", name=name)
        supplier = SignSupplier.create(name=name, contact=contact, phone=phone_,
                                       added_at=desk.clock.now(), added_by=desk.user)
        desk.audit("supplier.add", "sign_supplier", supplier.id, name=name, contact=contact,
                   phone=phone_)
    return supplier


def suppliers(include_inactive: bool = False) -> list[SignSupplier]:
    query = SignSupplier.select()
    if not include_inactive:
        query = query.where(SignSupplier.active == True)  # noqa: E712
    return sorted(query, key=lambda s: s.name)  # code point order on both databases


def supplier_names() -> list[str]:
    """What the order form's supplier field suggests."""
    return [s.name for s in suppliers()]


# --- applying -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Application:
    """What the form or the command line hands in: the tenant's application (R-3.5)."""

    tenant_id: int
    kind: str
    text: str
    position: str
    applicant: str
    received: str | dt.date | None
    supplier: str | None = None
    price: str | int | None = None
    ref: str | None = None


@dataclass(frozen=True)
class CheckedApplication:
    tenant: Tenant
    kind: str
    text: str
    position: str
    applicant: str
    received: dt.date
    supplier: SignSupplier | None
    price_fen: int | None
    ref: str


def check_application(desk: Desk, request: Application) -> CheckedApplication:
    """Validate an application; writes nothing (the form calls it before saving)."""
    kind = kind_of(request.kind)
    text = validate.text(request.text, t("sign_field.sign_text"), limit=MAX_TEXT, required=True)
    position = position_of(kind, request.position)
    # no private orders: who applied, when the desk received it
    applicant = validate.text(request.applicant, t("sign_field.sign_applicant"), limit=MAX_PERSON,
                              required=True)
    received = received_on(desk, request.received)
    ref = validate.text(request.ref, t("sign_field.sign_ref"), limit=MAX_REF)
    supplier = find_supplier(request.supplier) if request.supplier and \
        str(request.supplier).strip() else None
    fen = price(request.price)
    tenant = find_tenant(request.tenant_id)
    if tenant.status == "gone":
        raise Conflict("error.tenant_gone", name=tenant.name)
    return CheckedApplication(tenant, kind, text, position, applicant, received, supplier,
                              fen, ref)


def _received_moment(desk: Desk, received: dt.date) -> DateTime | None:
    """When the ticket's clock starts: now for an application received today, else
    noon of the day it was received (the desk typing it in late does not buy the
    supplier time; working days count from the day after either way)."""
    if received >= today(desk):
        return None
    tz = desk.profile().timezone
    return pendulum.datetime(received.year, received.month, received.day, 12, tz=tz) \
        .in_tz("UTC")


def apply(desk: Desk, request: Application) -> SignOrder:
    """Record the tenant's application and place the order (state ``applied``).

    A directory entry's 7-working-day ticket opens now; a name plate's when the tenant
    signs its colour draft (see the module doc)."""
    desk.require("signage.order")
    checked = check_application(desk, request)
    with desk.db.atomic():
        order = SignOrder.create(
            tenant=checked.tenant, kind=checked.kind, purpose="new", text=checked.text,
            position=checked.position, supplier=checked.supplier, price_fen=checked.price_fen,
            applied_on=checked.received, applicant=checked.applicant,
            application_ref=checked.ref or "", applied_at=desk.clock.now(),
            applied_by=desk.user)
        if not checked.ref:  # the desk's own number for the form in the tenant's file
            order.application_ref = f"SQ{checked.received:%Y%m%d}-{order.id}"
        if checked.kind == "directory":
            order.ticket = _open_ticket(desk, order, "signage",
                                        at=_received_moment(desk, checked.received))
        order.save()
        desk.audit("signage.apply", "sign_order", order.id, tenant=checked.tenant.name,
                   kind=order.kind, text=order.text, position=order.position,
                   applicant=order.applicant, applied_on=order.applied_on.isoformat(),
                   ref=order.application_ref,
                   supplier=checked.supplier.name if checked.supplier else None,
                   price_fen=order.price_fen,
                   ticket=order.ticket_id)
    return order


def _open_ticket(desk: Desk, order: SignOrder, service: str,
                 at: DateTime | None = None) -> Ticket:
    tenant = Tenant.get_by_id(order.tenant_id)
    note = f"{t(f'sign_kind.{order.kind}')} #{order.id}: {order.text}"
    if order.purpose != "new":
        note = f"{t(f'sign_purpose.{order.purpose}')} · {note}"
    return open_ticket(desk, NewTicket(service=service, tenant=tenant.name,
                                       location=order.position, note=note, at=at))


# --- steps -----------------------------------------------------------------------------------

def _moment(desk: Desk, order: SignOrder, at: DateTime | None) -> DateTime:
    """The step's time: now, or ``at`` (plausible, and not before the order's last step)."""
    if at is None:
        return desk.clock.now()
    at = happened_at(desk, at)
    last = max(stamp for stamp in (getattr(order, f"{c}_at") for c in STEP_COLUMNS.values())
               if stamp is not None)
    if at < last:
        tz = desk.profile().timezone
        raise InvalidInput("error.sign_at_before_last",
                           at=last.in_tz(tz).format("YYYY-MM-DD HH:mm:ss"))
    return at


def step(desk: Desk, order_id: object, action: str, *, at: DateTime | None = None,
         reason: str | None = None, supplier: str | None = None,
         expected_version: int | None = None) -> SignOrder:
    """Move an order one step: send → draft (name plates) → made → installed → register,
    or cancel with a reason. A step out of order is a Conflict naming the next one."""
    desk.require("signage.order")
    order_id = order_number(order_id)
    if action not in ACTIONS:
        raise InvalidInput("error.sign_action", value=str(action), known=", ".join(ACTIONS))
    reason = validate.text(reason, t("sign_field.reason"), limit=MAX_NOTE)
    if action == "cancel" and not reason:
        raise InvalidInput("error.required", field=t("sign_field.reason"))
    picked = find_supplier(supplier) if supplier and supplier.strip() else None
    if picked is not None and action != "send":
        raise InvalidInput("error.sign_supplier_only_send")
    if at is not None:  # the window first: a moment no database holds never reaches one
        happened_at(desk, at)
    with desk.db.atomic():
        order = _for_change(desk, order_id)
        if expected_version is not None and order.version != expected_version:
            raise Conflict("error.sign_changed", id=order.id)
        _check_step(order, action)
        moment = _moment(desk, order, at)
        if picked is not None:
            order.supplier = picked
        if action == "send" and order.supplier_id is None:
            raise Conflict("error.sign_no_supplier", id=order.id)
        before = order.state
        order.state = ACTIONS[action]
        column = STEP_COLUMNS[order.state]
        setattr(order, f"{column}_at", moment)
        setattr(order, f"{column}_by", desk.user)
        if action == "draft":
            # made within one week of the signed draft: the clock starts now
            order.ticket = _open_ticket(desk, order, "signage", at=at)
        elif action == "register":
            _finish_ticket(desk, order.ticket_id, at)
        elif action == "cancel":
            order.cancel_reason = reason
            _cancel_ticket(desk, order.ticket_id, reason, at)
        order.version += 1
        order.save()
        detail = dict(from_state=before, to_state=order.state, at=moment.isoformat())
        if reason:
            detail["reason"] = reason
        if picked is not None:
            detail["supplier"] = picked.name
        desk.audit(f"signage.{action}", "sign_order", order.id, **detail)
    return order


def _check_step(order: SignOrder, action: str) -> None:
    label = t(f"sign_state.{order.state}")
    if order.state in FINAL_STATES:
        raise Conflict("error.sign_done", id=order.id, now=label)
    if action == "cancel":
        return
    if action == "draft" and "draft_signed" not in path(order):
        raise Conflict("error.sign_no_draft", id=order.id)
    wanted = next_action(order)
    if action != wanted:
        raise Conflict("error.sign_step_order", id=order.id, now=label,
                       step=t(f"sign_action.{action}"), next=t(f"sign_action.{wanted}"))


def _finish_ticket(desk: Desk, ticket_id: int | None, at: DateTime | None) -> None:
    """Registering is the sign done: its ticket resolved and answered (closed)."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id) if ticket_id else None
    if ticket is None or not ticket.is_open:
        return  # closed on the queue already (or a removal's ticket was cancelled there)
    if ticket.state != "resolved":
        ticket_step(desk, ticket.id, "resolve", at=at)
    ticket_step(desk, ticket.id, "answer", at=at)


def _cancel_ticket(desk: Desk, ticket_id: int | None, reason: str,
                   at: DateTime | None) -> None:
    ticket = Ticket.get_or_none(Ticket.id == ticket_id) if ticket_id else None
    if ticket is None or not ticket.is_open:
        return
    if ticket.state == "resolved":
        ticket_step(desk, ticket.id, "answer", at=at)
    else:
        ticket_step(desk, ticket.id, "cancel", at=at, reason=reason)


# --- corrections, changes, removals -------------------------------------------------------

def _followup(desk: Desk, original: SignOrder, purpose: str, text: str, *,
              applicant: str, ref: str, service: str) -> SignOrder:
    """A new order for a sign already up: same tenant, kind, place and supplier."""
    order = SignOrder.create(
        tenant=original.tenant_id, kind=original.kind, purpose=purpose, text=text,
        position=original.position, supplier=original.supplier_id, price_fen=None,
        applied_on=today(desk), applicant=applicant, application_ref=ref,
        corrects=original.id, applied_at=desk.clock.now(), applied_by=desk.user)
    order.ticket = _open_ticket(desk, order, service)
    order.save()
    desk.audit(f"signage.{purpose}", "sign_order", order.id, corrects=original.id,
               tenant=Tenant.get_by_id(original.tenant_id).name, kind=order.kind,
               text=text, ticket=order.ticket_id)
    return order


def _pending_followup(original: SignOrder) -> SignOrder | None:
    return (SignOrder.select().where(SignOrder.corrects == original.id,
                                     SignOrder.state.not_in(FINAL_STATES)).first())


def fix(desk: Desk, order_id: object, text: str, reported_by: str | None = None) -> SignOrder:
    """A wrong or missing character on a directory entry that is up (R-3.2): a
    correction order with the new text, due within one working day."""
    desk.require("signage.order")
    order_id = order_number(order_id)
    text = validate.text(text, t("sign_field.sign_text"), limit=MAX_TEXT, required=True)
    reported_by = validate.text(reported_by, t("sign_field.sign_applicant"), limit=MAX_PERSON)
    with desk.db.atomic():
        original = _for_change(desk, order_id)
        if original.kind != "directory":
            raise Conflict("error.sign_fix_directory", id=original.id)
        if original.state not in UP_STATES or original.purpose == "removal":
            raise Conflict("error.sign_fix_not_up", id=original.id,
                           now=t(f"sign_state.{original.state}"))
        if text == original.text:
            raise InvalidInput("error.sign_fix_same", text=text)
        pending = _pending_followup(original)
        if pending is not None:
            raise Conflict("error.sign_followup_open", id=original.id, other=pending.id)
        return _followup(desk, original, "correction", text,
                         applicant=reported_by or desk.user,
                         ref=f"FIX-{original.application_ref}", service="signage_fix")


def live_directory_entries(tenant_id: int) -> list[SignOrder]:
    """The tenant's directory entries up on the board now: installed or registered, not
    a removal, and not replaced by a later order for the same sign that went up."""
    up = list(SignOrder.select().where(SignOrder.tenant == tenant_id,
                                       SignOrder.kind == "directory",
                                       SignOrder.state.in_(UP_STATES))
              .order_by(SignOrder.id))
    replaced = {order.corrects_id for order in up if order.corrects_id}
    return [order for order in up if order.id not in replaced and order.purpose != "removal"]


def tenant_gone(desk: Desk, tenant: Tenant) -> list[SignOrder]:
    """The tenant moved out (R-3.5): its orders still under way are cancelled (a
    correction of an entry included), then each directory entry it has up is taken
    down. Called inside services/tenants' own transaction (the status change and these
    orders commit together)."""
    under_way = SignOrder.select().where(SignOrder.tenant == tenant.id,
                                         SignOrder.state.not_in(FINAL_STATES + UP_STATES),
                                         SignOrder.purpose != "removal")
    for order in list(under_way):
        step(desk, order.id, "cancel", reason=t("signage.cancel_gone"))
    return [_followup(desk, order, "removal", order.text, applicant=desk.user,
                      ref=f"OUT-{order.application_ref}", service="signage")
            for order in live_directory_entries(tenant.id)
            if _pending_followup(order) is None]


def tenant_renamed(desk: Desk, tenant: Tenant, old_name: str) -> list[SignOrder]:
    """The tenant renamed (R-3.5): each directory entry it has up gets a change order,
    the old name replaced by the new in its text (星辰科技有限公司 → 星辰智能有限公司),
    or the new name when the entry did not spell the old one (the desk corrects it to
    the tenant's new application). Inside services/tenants' own transaction."""
    made = []
    for order in live_directory_entries(tenant.id):
        if _pending_followup(order) is not None:
            continue
        text = order.text.replace(old_name, tenant.name)
        if old_name not in order.text or len(text) > MAX_TEXT:
            text = tenant.name
        made.append(_followup(desk, order, "change", text, applicant=desk.user,
                              ref=f"RN-{order.application_ref}", service="signage"))
    return made


# --- patrol ------------------------------------------------------------------------------------

def report_lost(desk: Desk, order_id: object, note: str) -> SignFinding:
    """A lost or loose sign found on the patrol (R-3.5): a same-day patrol ticket naming
    it, followed up on the queue until it is fixed."""
    desk.require("signage.order")
    order_id = order_number(order_id)
    note = validate.text(note, t("sign_field.note"), limit=MAX_NOTE, required=True)
    with desk.db.atomic():
        order = _for_change(desk, order_id)
        if order.state not in UP_STATES:
            raise Conflict("error.sign_not_up", id=order.id,
                           now=t(f"sign_state.{order.state}"))
        for finding in SignFinding.select().where(SignFinding.order == order.id):
            ticket = Ticket.get_by_id(finding.ticket_id)
            if ticket.is_open:
                raise Conflict("error.sign_finding_open", id=order.id, ticket=ticket.id)
        tenant = Tenant.get_by_id(order.tenant_id)
        ticket = open_ticket(desk, NewTicket(
            service="patrol", tenant=tenant.name, location=order.position,
            note=f"{t(f'sign_kind.{order.kind}')} #{order.id} {order.text}: {note}"))
        finding = SignFinding.create(order=order, ticket=ticket, note=note,
                                     found_at=desk.clock.now(), found_by=desk.user)
        desk.audit("signage.lost", "sign_order", order.id, note=note, ticket=ticket.id)
    return finding


# --- reading ----------------------------------------------------------------------------------

def orders(include_done: bool = False, tenant_id: int | None = None) -> list[SignOrder]:
    query = SignOrder.select()
    if not include_done:
        query = query.where(SignOrder.state.not_in(FINAL_STATES))
    if tenant_id is not None:
        query = query.where(SignOrder.tenant == tenant_id)
    return list(query.order_by(SignOrder.id))


def timeline(order: SignOrder) -> list[tuple[str, DateTime, str]]:
    """(state, when, who) of each step taken, in order."""
    taken = []
    for state, column in STEP_COLUMNS.items():
        at = getattr(order, f"{column}_at")
        if at is not None:
            taken.append((state, at, getattr(order, f"{column}_by")))
    return sorted(taken, key=lambda item: item[1])


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(model.select(model.id, model.name).where(model.id.in_(list(ids))).tuples())


def order_document(desk: Desk, order: SignOrder, tenants: dict | None = None,
                   supplier_map: dict | None = None) -> dict:
    """An order as JSON: times ISO in the building's zone, the price as yuan text."""
    from ..money import format_yuan

    tz = desk.profile().timezone
    tenants = tenants if tenants is not None else _names(Tenant, [order.tenant_id])
    supplier_map = supplier_map if supplier_map is not None else \
        _names(SignSupplier, [order.supplier_id])
    return {
        "id": order.id, "kind": order.kind, "purpose": order.purpose,
        "tenant": tenants.get(order.tenant_id), "text": order.text,
        "position": order.position, "supplier": supplier_map.get(order.supplier_id),
        "price": None if order.price_fen is None else format_yuan(order.price_fen),
        "state": order.state, "next_step": next_action(order),
        "application": {"received_on": order.applied_on.isoformat(),
                        "applicant": order.applicant, "ref": order.application_ref},
        "corrects": order.corrects_id, "ticket": order.ticket_id,
        "steps": [{"state": state, "at": at.in_tz(tz).isoformat(), "by": who}
                  for state, at, who in timeline(order)],
        "cancel_reason": order.cancel_reason or None,
    }


def order_documents(desk: Desk, rows: list[SignOrder]) -> list[dict]:
    tenants = _names(Tenant, [o.tenant_id for o in rows])
    supplier_map = _names(SignSupplier, [o.supplier_id for o in rows])
    return [order_document(desk, o, tenants, supplier_map) for o in rows]


REGISTER_COLUMNS = ("id", "tenant", "kind", "purpose", "text", "position", "supplier",
                    "applied_on", "installed_on", "registered_on", "application_ref",
                    "price")


def register_lines(desk: Desk, supplier_id: int | None = None,
                   month: tuple[int, int] | None = None) -> list[dict]:
    """The signage register (名牌水牌登记表, R-3.4): one line per registered sign, in the
    order they were registered; for one supplier and month when asked (reconciliation)."""
    from ..money import format_yuan

    tz = desk.profile().timezone
    query = SignOrder.select().where(SignOrder.state == "registered")
    if supplier_id is not None:
        query = query.where(SignOrder.supplier == supplier_id)
    if month is not None:
        start = pendulum.datetime(month[0], month[1], 1, tz=tz)
        query = query.where(SignOrder.registered_at >= start.in_tz("UTC"),
                            SignOrder.registered_at < start.add(months=1).in_tz("UTC"))
    rows = list(query.order_by(SignOrder.registered_at, SignOrder.id))
    tenants = _names(Tenant, [o.tenant_id for o in rows])
    supplier_map = _names(SignSupplier, [o.supplier_id for o in rows])
    lines = []
    for order in rows:
        installed = local_day(order.installed_at, tz)
        lines.append({
            "id": order.id, "tenant": tenants.get(order.tenant_id), "kind": order.kind,
            "purpose": order.purpose, "text": order.text, "position": order.position,
            "supplier": supplier_map.get(order.supplier_id),
            "applied_on": order.applied_on.isoformat(),
            "installed_on": installed.isoformat() if installed else None,
            "registered_on": local_day(order.registered_at, tz).isoformat(),
            "application_ref": order.application_ref,
            "price": None if order.price_fen is None else format_yuan(order.price_fen),
            "price_fen": order.price_fen,
        })
    return lines


def parse_month(value: str) -> tuple[int, int]:
    raw = validate.text(value, "--month", limit=7, required=True)
    if len(raw) != 7 or raw[4] != "-" or not (raw[:4] + raw[5:]).isdigit() \
            or not raw.isascii():
        raise InvalidInput("error.sign_bad_month", value=raw)
    year, month = int(raw[:4]), int(raw[5:])
    if not 1 <= month <= 12:
        raise InvalidInput("error.sign_bad_month", value=raw)
    return year, month


def reconcile(desk: Desk, supplier_name: str, month: str) -> dict:
    """What a supplier made and the desk registered in a month: the basis for settling
    with it (R-3.4). Counts by kind, the lines, and the total of the agreed prices."""
    from ..money import format_yuan

    supplier = find_supplier(supplier_name, active=False)
    year, number = parse_month(month)
    earliest = today(desk) - dt.timedelta(days=30 * 366)
    if not earliest.year <= year <= today(desk).year + 1:
        raise InvalidInput("error.sign_bad_month", value=month)
    lines = register_lines(desk, supplier.id, (year, number))
    counts = {kind: sum(1 for line in lines if line["kind"] == kind) for kind in SIGN_KINDS}
    total = sum(line["price_fen"] or 0 for line in lines)
    return {"supplier": supplier.name, "month": f"{year:04d}-{number:02d}",
            "counts": counts, "signs": len(lines),
            "unpriced": sum(1 for line in lines if line["price_fen"] is None),
            "total": format_yuan(total), "lines": lines}


def csv_text(lines: list[dict]) -> str:
    """The register's lines as CSV (formula-guarded like every CSV the desk writes:
    ``common.csv_bytes``); the text, without the BOM the file gets."""
    return csv_bytes(_register_rows(lines)).decode("utf-8-sig")


def _register_rows(lines: list[dict]):
    yield [t(f"sign_register.{column}") for column in REGISTER_COLUMNS]
    for line in lines:
        row = []
        for column in REGISTER_COLUMNS:
            value = line[column]
            if column in ("kind", "purpose"):
                value = t(f"sign_{column}.{value}")
            row.append("" if value is None else str(value))
        yield row


def write_csv(path: str, lines: list[dict]) -> int:
    """Write the lines to ``path`` (UTF-8 with a BOM; the whole file, or nothing);
    returns how many lines."""
    target = Path(path).absolute()
    if not target.parent.is_dir():
        raise InvalidInput("error.sign_csv_folder", path=path)
    try:
        write_whole(target, csv_bytes(_register_rows(lines)))
    except OSError as exc:
        raise InvalidInput("error.sign_csv_write", path=path, detail=exc.strerror or "") from None
    return len(lines)


__all__ = ["ACTIONS", "Application", "CheckedApplication", "add_supplier", "apply",
           "check_application", "csv_text", "find_order", "find_supplier", "fix", "tenant_named",
           "live_directory_entries", "next_action", "order_document", "order_documents",
           "orders", "parse_month", "path", "reconcile", "register_lines", "report_lost",
           "step", "supplier_names", "suppliers", "tenant_gone", "tenant_renamed",
           "timeline", "write_csv"]
