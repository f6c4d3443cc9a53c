"""Umbrellas lent at the counter (借用雨伞, the catalogue's ``umbrella`` row: 5 minutes).

A lend is one call (the desk presses two keys after the name): it claims a free
umbrella, opens the ``umbrella`` ticket and closes it at once (the work is done while
the borrower stands at the counter), and records the loan. A return is one call too.
The stock is numbered (U-01 … U-40); a lost umbrella is retired, never deleted.

Overdue: an umbrella still out ``umbrella_overdue_days`` building days after the day
it was lent (a setting, default 7): lent Thu 1 Oct 2026, it is overdue from 8 Oct.
"""

from __future__ import annotations

import datetime as dt
import re

from pendulum import DateTime

from ..models import Tenant, Umbrella, UmbrellaLoan
from . import validate
from .comms import tenant_named
from .context import Desk
from .errors import Conflict, InvalidInput
from .passes import locked, serve
from .tenants import phone as phone_number
from .tenants import today
from .tickets import NewTicket

MAX_BORROWER = 100
MAX_REASON = 500
MAX_ADD = 500  # umbrellas added at once; a stock of thousands is a typing error
PREFIX = "U-"
_NUMBER = re.compile(r"^(?:U-?)?(\d{1,4})$", re.IGNORECASE)  # "U-03", "u3", "3"


# --- values -----------------------------------------------------------------------------

def number_of(value: object) -> str:
    """An umbrella's number as the stock writes it: "3", "u3", "U-3" and "U-03" are U-03."""
    raw = validate.text(value if isinstance(value, str) else str(value), "--umbrella",
                        limit=16, required=True)
    found = _NUMBER.match(raw) if raw.isascii() else None
    if found is None:
        raise InvalidInput("error.umbrella_bad_number", value=raw)
    return f"{PREFIX}{int(found.group(1)):02d}"


def overdue_days(desk: Desk) -> int:
    return validate.number(desk.profile().values.get("umbrella_overdue_days", 7),
                           "umbrella_overdue_days", low=1, high=366)


def _local_day(desk: Desk, moment: DateTime) -> dt.date:
    local = moment.in_tz(desk.profile().timezone)
    return dt.date(local.year, local.month, local.day)


def overdue_on(desk: Desk, loan: UmbrellaLoan) -> dt.date:
    """The first building day on which the loan counts as overdue."""
    return _local_day(desk, loan.lent_at) + dt.timedelta(days=overdue_days(desk))


def is_overdue(desk: Desk, loan: UmbrellaLoan) -> bool:
    return loan.returned_at is None and today(desk) >= overdue_on(desk, loan)


# --- the stock --------------------------------------------------------------------------

def add_umbrellas(desk: Desk, count: object) -> list[Umbrella]:
    """``count`` new umbrellas, numbered on from the highest number in stock."""
    desk.require("umbrella.stock")
    count = validate.number(count, "--add", low=1, high=MAX_ADD)
    now = desk.clock.now()
    with desk.db.atomic():
        numbers = [int(n[len(PREFIX):]) for (n,) in Umbrella.select(Umbrella.number).tuples()]
        first = max(numbers, default=0) + 1
        if first + count - 1 > 9999:
            raise InvalidInput("error.out_of_range", field="--add", low=1,
                               high=max(0, 9999 - first + 1))
        made = [Umbrella.create(number=f"{PREFIX}{n:02d}", added_at=now, added_by=desk.user)
                for n in range(first, first + count)]
        desk.audit("umbrella.add", "umbrella", made[0].id, count=count,
                   first=made[0].number, last=made[-1].number)
    return made


def find_umbrella(value: object) -> Umbrella:
    number = number_of(value)
    umbrella = Umbrella.get_or_none(Umbrella.number == number)
    if umbrella is None:
        raise InvalidInput("error.umbrella_unknown", number=number)
    return umbrella


def retire_umbrella(desk: Desk, umbrella: object, reason: str) -> Umbrella:
    """Take a lost or broken umbrella out of the stock, with the reason; one still out
    closes its loan as lost (the borrower is on record as the last to have it)."""
    desk.require("umbrella.stock")
    reason = validate.text(reason, "--reason", limit=MAX_REASON, free=True, required=True)
    number = number_of(umbrella)
    now = desk.clock.now()
    with desk.db.atomic():
        row = locked(desk, Umbrella.select().where(Umbrella.number == number))
        if row is None:
            raise InvalidInput("error.umbrella_unknown", number=number)
        if row.retired_at is not None:
            raise Conflict("error.umbrella_retired", number=number)
        loan = _open_loan(row)
        if loan is not None:
            loan.returned_at, loan.returned_by, loan.lost = now, desk.user, True
            loan.save()
        row.retired_at, row.retired_by, row.retire_reason = now, desk.user, reason
        row.on_loan = False
        row.version += 1
        row.save()
        desk.audit("umbrella.retire", "umbrella", row.id, number=number, reason=reason,
                   lost_loan=loan.id if loan else None)
    return row


def stock(desk: Desk) -> dict:
    """How many are in (free to lend), out, and retired; ``total`` in service."""
    rows = list(Umbrella.select(Umbrella.on_loan, Umbrella.retired_at).tuples())
    retired = sum(1 for _, gone in rows if gone is not None)
    out = sum(1 for loaned, gone in rows if loaned and gone is None)
    return {"in": len(rows) - retired - out, "out": out, "retired": retired,
            "total": len(rows) - retired, "overdue_days": overdue_days(desk)}


# --- lend and return --------------------------------------------------------------------

def _open_loan(umbrella: Umbrella) -> UmbrellaLoan | None:
    return (UmbrellaLoan.select().where(UmbrellaLoan.umbrella == umbrella,
                                        UmbrellaLoan.returned_at.is_null())
            .order_by(UmbrellaLoan.id.desc()).first())


def _claim(umbrella_id: int) -> bool:
    """Mark it out, if it still is free: exactly one of two desks lending it wins."""
    return (Umbrella.update(on_loan=True, version=Umbrella.version + 1)
            .where(Umbrella.id == umbrella_id, Umbrella.on_loan == False,  # noqa: E712
                   Umbrella.retired_at.is_null())
            .execute()) == 1


def _free() -> list[Umbrella]:
    return list(Umbrella.select().where(Umbrella.on_loan == False,  # noqa: E712
                                        Umbrella.retired_at.is_null())
                .order_by(Umbrella.number))


def lend_umbrella(desk: Desk, borrower: str, tenant: str | None = None,
                  umbrella: object = None, *, phone: str = "") -> UmbrellaLoan:
    """Lend ``umbrella`` (or the free one with the lowest number) to ``borrower``; the
    ``umbrella`` ticket is opened and closed in the same transaction. Refused when
    none is free, saying how many are out."""
    desk.require("umbrella.lend")
    desk.require("ticket.open")
    borrower = validate.text(borrower, "--to", limit=MAX_BORROWER, required=True)
    phone = phone_number(phone, "--phone") if phone else ""
    holder = tenant_named(tenant, "--tenant") if tenant else None  # not one moved out
    number = number_of(umbrella) if umbrella is not None and str(umbrella).strip() else None
    now = desk.clock.now()
    with desk.db.atomic():
        if number is not None:
            chosen = Umbrella.get_or_none(Umbrella.number == number)
            if chosen is None:
                raise InvalidInput("error.umbrella_unknown", number=number)
            if chosen.retired_at is not None:
                raise Conflict("error.umbrella_retired", number=number)
            if not _claim(chosen.id):
                loan = _open_loan(chosen)
                raise Conflict("error.umbrella_out", number=number,
                               borrower=loan.borrower if loan else "?")
        else:
            chosen = next((row for row in _free() if _claim(row.id)), None)
            if chosen is None:
                counts = stock(desk)
                raise Conflict("error.umbrella_none_free", out=counts["out"],
                               total=counts["total"])
        ticket = serve(desk, NewTicket(service="umbrella",
                                       tenant=holder.name if holder else None,
                                       note=f"{chosen.number} → {borrower}"))
        loan = UmbrellaLoan.create(umbrella=chosen, tenant=holder, borrower=borrower,
                                   phone=phone, lent_at=now, lent_by=desk.user,
                                   ticket=ticket.id)
        desk.audit("umbrella.lend", "umbrella_loan", loan.id, number=chosen.number,
                   borrower=borrower, tenant=holder.name if holder else None,
                   ticket=ticket.id)
    return loan_by_id(loan.id)


def _loan_to_return(value: object) -> UmbrellaLoan:
    """A loan (its row or its id: "#12", 12) or an umbrella's number ("U-03")."""
    if isinstance(value, UmbrellaLoan):
        value = value.id
    if isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("#").isdigit()
                                  and value.strip().startswith("#")):
        loan_id = validate.record_id(value, "loan")
        loan = UmbrellaLoan.get_or_none(UmbrellaLoan.id == loan_id)
        if loan is None:
            raise InvalidInput("error.umbrella_no_loan", id=loan_id)
        return loan
    umbrella = find_umbrella(value)
    loan = _open_loan(umbrella)
    if loan is None:
        raise Conflict("error.umbrella_not_out", number=umbrella.number)
    return loan


def return_umbrella(desk: Desk, umbrella_or_loan: object) -> UmbrellaLoan:
    """The umbrella is back: its loan closed, the umbrella free to lend again."""
    desk.require("umbrella.lend")
    now = desk.clock.now()
    with desk.db.atomic():
        loan = _loan_to_return(umbrella_or_loan)
        loan = locked(desk, UmbrellaLoan.select().where(UmbrellaLoan.id == loan.id))
        if loan.returned_at is not None:
            raise Conflict("error.umbrella_not_out", number=loan.umbrella.number)
        loan.returned_at, loan.returned_by = now, desk.user
        loan.save()
        (Umbrella.update(on_loan=False, version=Umbrella.version + 1)
         .where(Umbrella.id == loan.umbrella_id).execute())
        desk.audit("umbrella.return", "umbrella_loan", loan.id, number=loan.umbrella.number,
                   borrower=loan.borrower, days=(now - loan.lent_at).in_days())
    return loan_by_id(loan.id)


# --- reading ----------------------------------------------------------------------------

def loan_by_id(loan_id: int) -> UmbrellaLoan:
    from peewee import JOIN

    return (UmbrellaLoan.select(UmbrellaLoan, Umbrella, Tenant).join(Umbrella)
            .switch(UmbrellaLoan).join(Tenant, JOIN.LEFT_OUTER)
            .where(UmbrellaLoan.id == loan_id).get())


def loans(*, out_only: bool = False) -> list[UmbrellaLoan]:
    """Who has one and since when, the oldest first (``out_only``: still out); then
    the loans that came back, the latest first."""
    from peewee import JOIN

    query = (UmbrellaLoan.select(UmbrellaLoan, Umbrella, Tenant).join(Umbrella)
             .switch(UmbrellaLoan).join(Tenant, JOIN.LEFT_OUTER))
    out = list(query.where(UmbrellaLoan.returned_at.is_null())
               .order_by(UmbrellaLoan.lent_at, UmbrellaLoan.id))
    if out_only:
        return out
    back = list(query.where(UmbrellaLoan.returned_at.is_null(False))
                .order_by(UmbrellaLoan.returned_at.desc(), UmbrellaLoan.id.desc()).limit(200))
    return out + back


def free_numbers() -> list[str]:
    return [row.number for row in _free()]


def loan_json(desk: Desk, loan: UmbrellaLoan) -> dict:
    from .export import iso

    tz = desk.profile().timezone
    return {"id": loan.id, "umbrella": loan.umbrella.number, "borrower": loan.borrower,
            "tenant": loan.tenant.name if loan.tenant_id else None, "phone": loan.phone,
            "lent_at": iso(loan.lent_at, tz), "lent_by": loan.lent_by,
            "returned_at": iso(loan.returned_at, tz), "lost": loan.lost,
            "overdue": is_overdue(desk, loan),
            "overdue_on": overdue_on(desk, loan).isoformat(), "ticket": loan.ticket_id}


__all__ = ["add_umbrellas", "find_umbrella", "free_numbers", "is_overdue", "lend_umbrella",
           "loan_by_id", "loan_json", "loans", "number_of", "overdue_days", "overdue_on",
           "retire_umbrella", "return_umbrella", "stock"]
