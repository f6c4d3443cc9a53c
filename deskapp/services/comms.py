"""Tenant communication at the desk (SPEC §5): the letters log (R-5.2), the mail log
(the catalogue's ``mail`` row: delivered to the tenant's room within 1 hour of arrival,
a ticket on the queue), suggestions (reported by R-5.4) and the monthly rubbish bags
(R-1.1: 30 per tenant, a setting of the building). Visits are in services/visits.py.

Every write: check the role, validate everything first, then one transaction that
writes the rows (and the ticket) and appends the audit row.
"""

from __future__ import annotations

import re

import pendulum
from peewee import fn
from pendulum import DateTime

from ..models import BagHandout, Letter, MAIL_KINDS, Mail, Suggestion, Tenant, Ticket, Visit
from . import validate
from .common import happened_at, locked, tenant_by_name
from .context import Desk
from .errors import Conflict, InvalidInput

MAX_WHAT = 200
MAX_PERSON = 100
MAX_CARRIER = 60
MAX_TRACKING = 64
MAX_TEXT = 2000
MAX_MAIL_ITEMS = 500  # one arrival of more than this is a typing error
MAX_BAGS = 10_000  # a count above any allowance a manager may set (settings: ≤ 1000)

# "government circulars need no log line". A front desk hands circulars to every
# tenant without writing each down, so the log refuses one and says why (a line for
# it would make the log look as if the others had not received theirs).
LETTER_KINDS = ("letter",)
CIRCULAR = "government_circular"

_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
# a month a report or the bag list may ask about: up to ten years back, never ahead
MONTHS_BACK = 120


# --- shared by the comms services ---------------------------------------------------------

def tenant_named(name: str | None, field: str = "tenant") -> Tenant:
    """The tenant a letter, a parcel, a visit or bags are for: by its exact name, not
    one that has moved out (its mail goes back to the sender)."""
    return tenant_by_name(name, field, unknown="error.comms_unknown_tenant",
                          gone="error.comms_tenant_gone")


# when it happened: now, or a back-dated moment inside the plausible window
moment = happened_at


def month_of(desk: Desk, when: DateTime) -> str:
    """The building's month of a moment: 2026-10-31 23:30 in Shanghai is October."""
    local = when.in_tz(desk.profile().timezone)
    return f"{local.year:04d}-{local.month:02d}"


def month(desk: Desk, value: str | None) -> str:
    """A month as asked for (``YYYY-MM``), this month when not given; never ahead of
    this month, at most ten years back."""
    this = month_of(desk, desk.clock.now())
    if value is None:
        return this
    raw = validate.text(value, "--month", limit=20)
    if not _MONTH.match(raw) or not 1 <= int(raw[5:]) <= 12:
        raise InvalidInput("error.comms_bad_month", value=raw)
    now = desk.clock.now().in_tz(desk.profile().timezone)
    earliest = now.start_of("month").subtract(months=MONTHS_BACK)
    if raw > this or raw < f"{earliest.year:04d}-{earliest.month:02d}":
        raise InvalidInput("error.comms_month_window", value=raw, latest=this,
                           earliest=f"{earliest.year:04d}-{earliest.month:02d}")
    return raw


def month_bounds(desk: Desk, month_: str) -> tuple[DateTime, DateTime]:
    """The month's first and the next month's first moment, building time, in UTC."""
    start = pendulum.datetime(int(month_[:4]), int(month_[5:]), 1,
                              tz=desk.profile().timezone)
    return start.in_tz("UTC"), start.add(months=1).in_tz("UTC")


def _locked(desk: Desk, model, row_id: int):
    """A row inside the write transaction, locked against other sessions."""
    return locked(desk, model.select().where(model.id == row_id))


def _to_deliver(desk: Desk, model, row_id: int, missing: str):
    """The letter or mail being handed over, locked; ``missing`` refuses a number the
    log does not have."""
    row = _locked(desk, model, row_id)
    if row is None:
        raise InvalidInput(missing, id=row_id)
    return row


# --- letters (R-5.2) ------------------------------------------------------------------------

def add_letter(desk: Desk, tenant: str, what: str, sender: str, *, at: DateTime | None = None,
               kind: str = "letter", delivered_to: str | None = None) -> Letter:
    """Log a letter for a tenant as it comes in; with ``delivered_to``, handed over at
    the same moment. A government circular is refused: it needs no line (R-5.2)."""
    desk.require("comms.letter")
    kind = validate.text(kind, "--kind", limit=40)
    if kind == CIRCULAR:
        raise InvalidInput("error.comms_circular")
    if kind not in LETTER_KINDS:
        raise InvalidInput("error.comms_letter_kind", kind=kind,
                           known=", ".join((*LETTER_KINDS, CIRCULAR)))
    what = validate.text(what, "--what", limit=MAX_WHAT, required=True)
    sender = validate.text(sender, "--from", limit=MAX_PERSON, required=True)
    to = validate.optional_text(delivered_to, "--delivered-to", limit=MAX_PERSON) or None
    received = moment(desk, at)
    with desk.db.atomic():
        row = tenant_named(tenant)
        letter = Letter.create(tenant=row.id, what=what, sender=sender, received_at=received,
                               logged_by=desk.user, delivered_at=received if to else None,
                               delivered_to=to, delivered_by=desk.user if to else None)
        desk.audit("letter.add", "letter", letter.id, tenant=row.name, what=what,
                   sender=sender, at=received.isoformat(), delivered_to=to)
    return letter


def deliver_letter(desk: Desk, letter_id: object, to: str, *,
                   at: DateTime | None = None) -> Letter:
    """The letter handed to ``to`` (a person at the tenant)."""
    desk.require("comms.letter")
    letter_id = validate.record_id(letter_id, "letter")
    to = validate.text(to, "--to", limit=MAX_PERSON, required=True)
    when = moment(desk, at)
    with desk.db.atomic():
        letter = _to_deliver(desk, Letter, letter_id, "error.comms_no_letter")
        if letter.delivered_at is not None:
            raise Conflict("error.comms_letter_delivered", id=letter_id, to=letter.delivered_to)
        if when < letter.received_at:
            raise InvalidInput("error.comms_before_arrival")
        letter.delivered_at, letter.delivered_to, letter.delivered_by = when, to, desk.user
        letter.save()
        desk.audit("letter.deliver", "letter", letter.id, to=to, at=when.isoformat())
    return letter


def _logged(model, at, *, waiting: bool, since: DateTime | None, until: DateTime | None):
    """Rows of a log with their tenant, in the order they came in; ``waiting``: not
    handed over yet; ``since``/``until``: came in within [since, until)."""
    query = model.select(model, Tenant).join(Tenant)
    if waiting:
        query = query.where(model.delivered_at.is_null())
    if since is not None:
        query = query.where(at >= since)
    if until is not None:
        query = query.where(at < until)
    return list(query.order_by(at, model.id))


def letters(*, waiting: bool = False, since: DateTime | None = None,
            until: DateTime | None = None) -> list[Letter]:
    return _logged(Letter, Letter.received_at, waiting=waiting, since=since, until=until)


# --- mail: express, registered, official letters ------------------------------------------

def mail_arrived(desk: Desk, tenant: str, kind: str, *, carrier: str = "",
                 tracking: str = "", count: object = 1,
                 at: DateTime | None = None) -> Mail:
    """Log mail that came for a tenant: a ``mail`` ticket opens at the moment it
    arrived, so its delivery to the room within 1 hour is on the queue."""
    from .tickets import NewTicket, open_ticket

    desk.require("comms.mail")
    kind = validate.text(kind, "--kind", limit=40)
    if kind not in MAIL_KINDS:
        raise InvalidInput("error.comms_mail_kind", kind=kind, known=", ".join(MAIL_KINDS))
    carrier = validate.text(carrier, "--carrier", limit=MAX_CARRIER)
    tracking = validate.text(tracking, "--tracking", limit=MAX_TRACKING)
    count = validate.number(count, "--count", low=1, high=MAX_MAIL_ITEMS)
    arrived = moment(desk, at)
    from ..i18n import t

    note = t("comms.mail_note", count=count, kind=t(f"comms.mail_kind.{kind}"),
             carrier=carrier or "—", tracking=tracking or "—")
    with desk.db.atomic():
        row = tenant_named(tenant)
        ticket = open_ticket(desk, NewTicket(service="mail", tenant=row.name, at=arrived,
                                             note=note))
        mail = Mail.create(tenant=row.id, kind=kind, carrier=carrier, tracking=tracking,
                           count=count, arrived_at=arrived, logged_by=desk.user,
                           ticket=ticket.id)
        desk.audit("mail.arrive", "mail", mail.id, tenant=row.name, kind=kind, count=count,
                   carrier=carrier, tracking=tracking, ticket=ticket.id,
                   at=arrived.isoformat())
    return mail


def deliver_mail(desk: Desk, mail_id: object, signed_by: str | None = None, *,
                 at: DateTime | None = None) -> Mail:
    """Mail handed over in the tenant's room: who signed for it (required for
    registered mail); its ticket is resolved and answered (closed)."""
    desk.require("comms.mail")
    mail_id = validate.record_id(mail_id, "mail")
    signed_by = validate.text(signed_by, "--signed-by", limit=MAX_PERSON) or None
    when = moment(desk, at)
    with desk.db.atomic():
        mail = _to_deliver(desk, Mail, mail_id, "error.comms_no_mail")
        if mail.delivered_at is not None:
            raise Conflict("error.comms_mail_delivered", id=mail_id, who=mail.signed_by or "—")
        if mail.kind == "registered" and not signed_by:
            raise InvalidInput("error.comms_needs_signer", id=mail_id)
        if when < mail.arrived_at:
            raise InvalidInput("error.comms_before_arrival")
        _close_mail_ticket(desk, mail.ticket_id, None if at is None else when)
        mail.delivered_at, mail.signed_by, mail.delivered_by = when, signed_by, desk.user
        mail.save()
        desk.audit("mail.deliver", "mail", mail.id, signed_by=signed_by, at=when.isoformat(),
                   ticket=mail.ticket_id)
    return mail


def _close_mail_ticket(desk: Desk, ticket_id: int | None, at: DateTime | None) -> None:
    """Resolve and answer the mail's ticket from wherever it stands on the queue (held,
    dispatched to a runner…); one already closed or cancelled is left as it is."""
    from .tickets import step

    ticket = Ticket.get_or_none(Ticket.id == ticket_id) if ticket_id else None
    if ticket is None or not ticket.is_open:
        return
    if ticket.state == "on_hold":
        ticket = step(desk, ticket.id, "resume", at=at)
    if ticket.state in ("accepted", "dispatched", "on_site"):
        ticket = step(desk, ticket.id, "resolve", at=at)
    step(desk, ticket.id, "answer", at=at)


def mail_items(*, waiting: bool = False, since: DateTime | None = None,
               until: DateTime | None = None) -> list[Mail]:
    """Mail by arrival; ``waiting``: not delivered yet."""
    return _logged(Mail, Mail.arrived_at, waiting=waiting, since=since, until=until)


MAIL_DUE_MINUTES = 60  # the catalogue's mail row; the ticket carries the real due time


def mail_due_at(mail: Mail) -> DateTime:
    """When the mail is due in the room: its ticket's target (the catalogue, as the
    manager may have edited it), else an hour after arrival."""
    from ..models import Target

    if mail.ticket_id is not None:
        target = (Target.select(Target.due_at).where(Target.ticket == mail.ticket_id)
                  .order_by(Target.cycle, Target.id).first())
        if target is not None and target.due_at is not None:
            return target.due_at
    return mail.arrived_at.add(minutes=MAIL_DUE_MINUTES)


# --- suggestions (R-5.4) ------------------------------------------------------------------

def add_suggestion(desk: Desk, tenant: str, text: str, *, at: DateTime | None = None,
                   visit: Visit | None = None) -> Suggestion:
    """A tenant's suggestion, told at the desk or on a visit (``visit``)."""
    desk.require("comms.visit")
    text = validate.text(text, "--text", limit=MAX_TEXT, free=True, required=True)
    when = moment(desk, at)
    with desk.db.atomic():
        row = tenant_named(tenant)
        suggestion = Suggestion.create(tenant=row.id, text=text, received_at=when,
                                       recorded_by=desk.user,
                                       visit=visit.id if visit is not None else None)
        desk.audit("suggestion.add", "suggestion", suggestion.id, tenant=row.name,
                   text=text, at=when.isoformat(),
                   visit=visit.id if visit is not None else None)
    return suggestion


def suggestions(since: DateTime, until: DateTime) -> list[Suggestion]:
    return list(Suggestion.select(Suggestion, Tenant).join(Tenant)
                .where(Suggestion.received_at >= since, Suggestion.received_at < until)
                .order_by(Suggestion.received_at, Suggestion.id))


# --- rubbish bags (R-1.1) -------------------------------------------------------------------

def bag_allowance(desk: Desk) -> int:
    """Bags per tenant per month: the building's setting ``rubbish_bags_per_month``."""
    return int(desk.profile()["rubbish_bags_per_month"])


def bags_given(tenant_id: int, month_: str) -> int:
    return int(BagHandout.select(fn.COALESCE(fn.SUM(BagHandout.count), 0))
               .where(BagHandout.tenant == tenant_id, BagHandout.month == month_).scalar())


def give_bags(desk: Desk, tenant: str, count: object, *, at: DateTime | None = None,
              received_by: str = "") -> BagHandout:
    """Bags handed to a tenant, counted in the building's month of the hand-out; more
    than the month's allowance is refused, saying how many are left."""
    desk.require("comms.bags")
    count = validate.number(count, "--count", low=1, high=MAX_BAGS)
    received_by = validate.text(received_by, "--received-by", limit=MAX_PERSON)
    when = moment(desk, at)
    month_ = month_of(desk, when)
    allowance = bag_allowance(desk)
    with desk.db.atomic():
        row = tenant_named(tenant)
        _locked(desk, Tenant, row.id)  # two desks handing bags to one tenant: one at a time
        left = allowance - bags_given(row.id, month_)
        if count > left:
            raise InvalidInput("error.comms_bags_over", tenant=row.name, month=month_,
                               left=max(0, left), allowance=allowance, count=count)
        handout = BagHandout.create(tenant=row.id, month=month_, count=count, handed_at=when,
                                    handed_by=desk.user, received_by=received_by)
        desk.audit("bags.give", "bag_handout", handout.id, tenant=row.name, count=count,
                   month=month_, at=when.isoformat(), left=left - count)
    return handout


def bags_by_tenant(month_: str) -> dict[int, int]:
    return dict(BagHandout.select(BagHandout.tenant, fn.SUM(BagHandout.count))
                .where(BagHandout.month == month_).group_by(BagHandout.tenant).tuples())


def bags_missing(desk: Desk, month_: str | None = None) -> list[dict]:
    """Active tenants that have had fewer bags than the allowance in ``month_`` (none
    at all first), by name: ``{tenant, given, left}``."""
    from .tenants import by_name

    month_ = month(desk, month_)
    allowance = bag_allowance(desk)
    given = bags_by_tenant(month_)
    rows = []
    for tenant in Tenant.select().where(Tenant.status == "active").order_by(by_name()):
        had = int(given.get(tenant.id, 0))
        if had < allowance:
            rows.append({"tenant": tenant.name, "month": month_, "given": had,
                         "left": allowance - had})
    rows.sort(key=lambda r: r["given"] > 0)  # stable: those who had none first, by name
    return rows


__all__ = ["CIRCULAR", "LETTER_KINDS", "add_letter", "add_suggestion", "bag_allowance",
           "bags_given", "bags_missing", "deliver_letter", "deliver_mail", "give_bags",
           "letters", "mail_arrived", "mail_due_at", "mail_items", "month", "month_bounds",
           "month_of", "moment", "suggestions", "tenant_named"]


def mail_by_id(mail_id: int) -> Mail:
    return Mail.select(Mail, Tenant).join(Tenant).where(Mail.id == mail_id).get()


def letter_by_id(letter_id: int) -> Letter:
    return Letter.select(Letter, Tenant).join(Tenant).where(Letter.id == letter_id).get()
