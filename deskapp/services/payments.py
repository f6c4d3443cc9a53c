"""Payments and receipts (R-7.1, issue 9 item 4): money received from a tenant, its
numbered receipt (收据), what it paid, the tenant's statement and everyone's balance.

Rules stated once here:

- a payment is more than 0 and at most ``validate.MAX_FEN``, by one of
  ``PAYMENT_METHODS``; a transfer or a cheque carries its reference (the bank's
  reference, the cheque number);
- it is dated on the building day the money arrived: today or before, at most a year
  back (``MAX_BACK_DAYS``), never in a closed month;
- its receipt number is ``R<year>-000001``, gapless in the order receipts are written:
  the year is the day it is recorded (a back-dated payment still takes the next number,
  so the series stays in the order of the receipt book);
- in the same transaction the tenant's unallocated money (this payment, and any credit
  left from before) pays its notices with something outstanding, oldest first (their
  due date after any deferral, then their number), each up to what it still owes; what
  is left stays on the account as credit (``apply_credit`` uses it when a notice comes);
- a retry never pays twice: a reference identifies its payment (the same tenant, method
  and reference again returns the receipt already written when amount and day agree, a
  Conflict when they do not); a payment without a reference identical to one recorded
  less than ``RETRY_SECONDS`` ago (tenant, amount, method, day) is a double submission
  and refused (Conflict). Two equal cash payments a few minutes apart are two payments.

What is owed is ``balances.py``'s: this module sums nothing of its own, except
``balances()``, which reads the same tables per table (not per tenant) and is tested
to agree with it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN, IntegrityError, fn

from ..i18n import t
from ..models import (Adjustment, Allocation, Notice, PAYMENT_METHODS, Payment, Tenant)
from ..money import format_yuan
from . import balances as owed
from . import validate
from .closing import refuse_if_closed
from .common import csv_bytes, local_day, locked, write_whole
from .context import Desk
from .errors import Conflict, InvalidInput
from .numbering import next_number
from .tenants import today

MAX_BACK_DAYS = 366
MAX_REFERENCE = 64
MAX_NOTE = 500
RETRY_SECONDS = 60
NEEDS_REFERENCE = ("transfer", "cheque")


# --- recording ------------------------------------------------------------------------------

def received_day(desk: Desk, value, field: str = "--on") -> dt.date:
    """The building day money arrived: today (the default) or at most a year back."""
    day = today(desk)
    if value is None or (isinstance(value, str) and not value.strip()):
        return day
    given = validate.day(value, field, day, "lease", required=True)
    earliest = day - dt.timedelta(days=MAX_BACK_DAYS)
    if not earliest <= given <= day:  # the message names this window, not the lease's
        raise InvalidInput("error.day_window", field=field, value=given.isoformat(),
                           earliest=earliest.isoformat(), latest=day.isoformat())
    return given


def payment_amount(value: object, field: str = "--amount") -> int:
    fen = validate.fen(value, field)
    if fen == 0:
        raise InvalidInput("error.payment_zero", field=field)
    return fen


def record_payment(desk: Desk, *, tenant_id: int, amount_fen: int, method: str,
                   received_on=None, reference: str = "", note: str = "") -> Payment:
    """Record money received and allocate it (see the module's rules); returns the
    payment with its receipt number, or the one already recorded for its reference."""
    desk.require("payment.record")
    tenant_id = validate.record_id(tenant_id, "tenant")
    amount_fen = payment_amount(amount_fen)
    if method not in PAYMENT_METHODS:
        raise InvalidInput("error.payment_method", value=str(method),
                           methods=", ".join(PAYMENT_METHODS))
    reference = validate.text(reference, "--ref", limit=MAX_REFERENCE)
    if method in NEEDS_REFERENCE and not reference:
        raise InvalidInput("error.payment_needs_reference", method=t(f"method.{method}"))
    note = validate.text(note, "--note", limit=MAX_NOTE, free=True)
    day = received_day(desk, received_on)
    now = desk.clock.now()
    with numbered(desk):
        tenant = _locked_tenant(desk, tenant_id)
        again = _retry_of(tenant, amount_fen, method, reference, day, now)
        if again is not None:
            return again
        refuse_if_closed(day, desk)
        payment = Payment.create(
            receipt_no=next_number(desk, f"R{today(desk).year}", width=6), tenant=tenant,
            amount_fen=amount_fen, method=method, reference=reference, received_on=day,
            note=note, recorded_at=now, recorded_by=desk.user)
        paid = allocate(desk, tenant.id)
        desk.audit("payment.record", "payment", payment.id, receipt=payment.receipt_no,
                   tenant=tenant.name, amount_fen=amount_fen, method=method,
                   reference=reference, received_on=day.isoformat(), allocated_fen=paid)
    return payment


@contextmanager
def numbered(desk: Desk):
    """The write transaction of something numbered: when two sessions take the first
    number of a series at once, one fails on meta's key (numbering.py says so); it is
    refused as a Conflict with nothing written, to be tried again."""
    try:
        with desk.db.atomic():
            yield
    except IntegrityError:
        raise Conflict("error.payment_number_meanwhile") from None


def _locked_tenant(desk: Desk, tenant_id: int) -> Tenant:
    """The tenant, its row locked until the transaction ends: two sessions paying the
    same tenant allocate one after the other, never both to the same outstanding fen
    (R-8.1)."""
    tenant = locked(desk, Tenant.select().where(Tenant.id == tenant_id))
    if tenant is None:
        raise InvalidInput("error.no_tenant_id", id=tenant_id)
    return tenant


def _retry_of(tenant: Tenant, amount_fen: int, method: str, reference: str, day: dt.date,
              now) -> Payment | None:
    """The payment this one repeats (returned), or a refusal; None for a new payment."""
    if reference:
        earlier = Payment.get_or_none(Payment.tenant == tenant.id, Payment.method == method,
                                      Payment.reference == reference)
        if earlier is None:
            return None
        if (earlier.amount_fen, earlier.received_on) == (amount_fen, day):
            return earlier
        raise Conflict("error.payment_reference_used", reference=reference,
                       receipt=earlier.receipt_no, amount=format_yuan(earlier.amount_fen),
                       day=earlier.received_on.isoformat())
    recent = (Payment.select().where(
        Payment.tenant == tenant.id, Payment.amount_fen == amount_fen,
        Payment.method == method, Payment.reference == "", Payment.received_on == day,
        Payment.recorded_at > now.subtract(seconds=RETRY_SECONDS))
        .order_by(Payment.id.desc()).first())
    if recent is not None:
        raise Conflict("error.payment_twice", receipt=recent.receipt_no,
                       amount=format_yuan(amount_fen), seconds=RETRY_SECONDS)
    return None


def unallocated(tenant_id: int) -> list[tuple[Payment, int]]:
    """The tenant's payments with money not yet allocated, oldest first, and how much."""
    used = fn.COALESCE(fn.SUM(Allocation.amount_fen), 0)
    rows = (Payment.select(Payment, used.alias("used"))
            .join(Allocation, JOIN.LEFT_OUTER).where(Payment.tenant == tenant_id)
            .group_by(Payment.id).order_by(Payment.received_on, Payment.id))
    return [(row, row.amount_fen - int(row.used)) for row in rows
            if row.amount_fen > int(row.used)]


def open_notices(desk: Desk, tenant_id: int) -> list[tuple[Notice, int]]:
    """The tenant's notices with something outstanding, oldest first (due date after
    any deferral, then number), with what each still owes."""
    tz = desk.profile().timezone
    rows = [(owed.due_date(n), n.number, n, owed.outstanding_fen(n, tz))
            for n in Notice.select().where(Notice.tenant == tenant_id)]
    return [(n, left) for _, _, n, left in sorted(rows, key=lambda r: r[:2]) if left > 0]


def allocate(desk: Desk, tenant_id: int) -> int:
    """Inside the caller's transaction: the tenant's unallocated money to its open
    notices, oldest payment to oldest notice; returns the fen allocated."""
    money = unallocated(tenant_id)
    total = 0
    for notice, left in open_notices(desk, tenant_id):
        while left > 0 and money:
            payment, free = money[0]
            part = min(left, free)
            Allocation.create(payment=payment, notice=notice, amount_fen=part)
            left, total = left - part, total + part
            if part == free:
                money.pop(0)
            else:
                money[0] = (payment, free - part)
        if not money:
            break
    return total


def apply_credit(desk: Desk, tenant_id: int) -> int:
    """Allocate the tenant's credit (payments' money not yet allocated) to its open
    notices, oldest first; returns the fen allocated (0: nothing to do, nothing
    written)."""
    desk.require("payment.record")
    return credit_new_notice(desk, tenant_id)


def credit_new_notice(desk: Desk, tenant_id: int) -> int:
    """``apply_credit`` inside a write whose own permission was checked: billing issuing
    a notice (billing.run), or a move-in issuing its first (move.edit) — the credit a
    tenant paid ahead pays the notice it was paid for, whoever issues it."""
    tenant_id = validate.record_id(tenant_id, "tenant")
    with desk.db.atomic():
        _locked_tenant(desk, tenant_id)
        done = allocate(desk, tenant_id)
        if done:
            desk.audit("payment.apply_credit", "tenant", tenant_id, allocated_fen=done)
    return done


# --- reading -------------------------------------------------------------------------------

def by_receipt(number: str) -> Payment:
    number = validate.text(number, "NUMBER", limit=32, required=True)
    payment = Payment.get_or_none(Payment.receipt_no == number)
    if payment is None:
        raise InvalidInput("error.payment_unknown_receipt", number=number)
    return payment


def payments(tenant_id: int | None = None, month: str | None = None) -> list[Payment]:
    """Payments by the day received, then receipt number."""
    query = Payment.select(Payment, Tenant).join(Tenant)
    if tenant_id is not None:
        query = query.where(Payment.tenant == tenant_id)
    if month is not None:
        from .charges import month_key

        month = month_key(month)
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        query = query.where(Payment.received_on >= first, Payment.received_on < after)
    return list(query.order_by(Payment.received_on, Payment.receipt_no))


def allocations_of(payment: Payment) -> list[Allocation]:
    return list(Allocation.select(Allocation, Notice).join(Notice)
                .where(Allocation.payment == payment.id).order_by(Allocation.id))


def payment_json(desk: Desk, payment: Payment, parts: list[Allocation]) -> dict:
    """A payment with what it paid (``parts``): money as strings with two decimals;
    ``credit`` what of it is still on the account, not allocated."""
    credit = payment.amount_fen - sum(a.amount_fen for a in parts)
    return {"receipt_no": payment.receipt_no, "tenant": payment.tenant.name,
            "amount": format_yuan(payment.amount_fen),
            "amount_in_words": capital_yuan(payment.amount_fen), "method": payment.method,
            "reference": payment.reference, "received_on": payment.received_on.isoformat(),
            "note": payment.note,
            "paid": [{"notice": a.notice.number, "month": a.notice.month,
                      "amount": format_yuan(a.amount_fen)} for a in parts],
            "credit": format_yuan(credit),
            "recorded_at": payment.recorded_at.in_tz(desk.profile().timezone).isoformat(),
            "recorded_by": payment.recorded_by}


def receipt_json(desk: Desk, payment: Payment) -> dict:
    """A receipt: the payment, the notices it paid as allocated now, and the tenant's
    balance now (``balances.balance_fen``)."""
    return {**payment_json(desk, payment, allocations_of(payment)),
            "balance": format_yuan(owed.balance_fen(payment.tenant_id))}


def receipt_text(desk: Desk, payment: Payment) -> str:
    """The printable receipt (收据) in the desk's language."""
    from ..i18n import language

    doc = receipt_json(desk, payment)
    lines = [desk.profile().name(language()), t("payments.receipt_title"),
             t("payments.receipt_no", number=doc["receipt_no"]),
             t("payments.receipt_tenant", name=doc["tenant"]),
             t("payments.receipt_amount", amount=doc["amount"]),
             t("payments.receipt_words", words=doc["amount_in_words"]),
             t("payments.receipt_method", method=t(f"method.{doc['method']}"),
               reference=doc["reference"] or "—"),
             t("payments.receipt_received", day=doc["received_on"])]
    if doc["note"]:
        lines.append(t("payments.receipt_note", note=doc["note"]))
    lines.append(t("payments.receipt_paid"))
    lines += [t("payments.receipt_paid_line", notice=p["notice"], month=p["month"],
                amount=p["amount"]) for p in doc["paid"]] or [t("payments.receipt_paid_none")]
    lines += [t("payments.receipt_credit", amount=doc["credit"]),
              t("payments.receipt_by", by=doc["recorded_by"],
                at=doc["recorded_at"][:16].replace("T", " "))]
    return "\n".join(lines)


# --- the amount in Chinese capitals (大写) -----------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _section(n: int) -> str:
    """1..9999: a 零 for each run of zeros between digits, none for trailing zeros."""
    out, zero = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = n // place % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += _DIGITS[digit] + unit
    return out


def _integer(n: int) -> str:
    """n > 0 in 亿 and 万 groups; a lower group under a thousand after a higher one is
    joined by 零 (10300 → 壹万零叁佰, 100010 → 壹拾万零壹拾)."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            text = _integer(high) + unit
            if low == 0:
                return text
            return text + ("零" if low < size // 10 else "") + _integer(low)
    return _section(n)


def capital_yuan(fen: int) -> str:
    """An amount as a receipt writes it in capitals (人民币大写, the rules of the
    People's Bank for filling in bills): 10300.60 → 壹万零叁佰元陆角整.

    - zeros inside the yuan write one 零 per run; "1x" is 壹拾 (never a bare 拾);
    - a zero yuan digit before a non-zero 角 writes no 零 (壹仟陆佰捌拾元叁角贰分: the
      rule allows either, this is the shorter);
    - 角 zero and 分 not: 零 after 元 (壹万陆仟肆佰零玖元零贰分);
    - no 分: 整 at the end (after 元 it is required, after 角 allowed: always, so
      nothing can be added); less than a yuan starts at the 角 or 分 (伍分).
    """
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError(f"not an amount in fen: {fen!r}")
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    if fen == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        text += "零"
    return text + (_DIGITS[fen_digit] + "分" if fen_digit else "整")


# --- the statement -------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    day: dt.date
    kind: str  # notice | payment | waiver | deferral
    number: str
    description: str
    debit_fen: int
    credit_fen: int
    balance_fen: int


# on one day the notice comes first, then what paid or forgave it, then the information
STATEMENT_KINDS = ("notice", "payment", "waiver", "deferral")


def statement(desk: Desk, tenant_id: int) -> list[StatementLine]:
    """The tenant's account line by line with a running balance: notices (debit),
    payments and approved waivers (credit), approved deferrals (information, 0/0); by
    day, then kind in ``STATEMENT_KINDS`` order. The last balance is
    ``balances.balance_fen``."""
    tz = desk.profile().timezone
    tenant_id = validate.record_id(tenant_id, "tenant")
    rows: list[tuple] = []
    for n in Notice.select().where(Notice.tenant == tenant_id):
        rows.append((local_day(n.issued_at, tz), "notice", n.number,
                     t("payments.statement_notice", month=n.month,
                       due=n.due_date.isoformat()), n.total_fen, 0))
    for p in Payment.select().where(Payment.tenant == tenant_id):
        rows.append((p.received_on, "payment", p.receipt_no,
                     t("payments.statement_payment_ref" if p.reference
                       else "payments.statement_payment", method=t(f"method.{p.method}"),
                       reference=p.reference), 0, p.amount_fen))
    decided = (Adjustment.select(Adjustment, Notice).join(Notice)
               .where(Adjustment.tenant == tenant_id, Adjustment.state == "approved"))
    for a in decided:
        day = local_day(a.decided_at, tz)
        if a.kind == "waiver":
            rows.append((day, "waiver", a.notice.number,
                         t("payments.statement_waiver", by=a.decided_by, reason=a.reason),
                         0, a.amount_fen or 0))
        else:
            rows.append((day, "deferral", a.notice.number,
                         t("payments.statement_deferral", day=a.defer_to.isoformat(),
                           by=a.decided_by), 0, 0))
    rows.sort(key=lambda r: (r[0], STATEMENT_KINDS.index(r[1]), r[2]))
    lines, running = [], 0
    for day, kind, number, description, debit, credit in rows:
        running += debit - credit
        lines.append(StatementLine(day, kind, number, description, debit, credit, running))
    return lines


def statement_line_json(line: StatementLine) -> dict:
    return {"day": line.day.isoformat(), "kind": line.kind, "number": line.number,
            "description": line.description, "debit": format_yuan(line.debit_fen),
            "credit": format_yuan(line.credit_fen), "balance": format_yuan(line.balance_fen)}


def statement_csv(lines: list[StatementLine]) -> bytes:
    head = [t(f"payments.csv_{name}") for name in
            ("day", "kind", "number", "description", "debit", "credit", "balance")]
    return csv_bytes([head, *([line.day.isoformat(), t(f"payments.kind_{line.kind}"),
                              line.number, line.description, format_yuan(line.debit_fen),
                              format_yuan(line.credit_fen), format_yuan(line.balance_fen)]
                             for line in lines)])


def export_statement(lines: list[StatementLine], target: Path) -> Path:
    try:
        write_whole(target, statement_csv(lines))
    except OSError as exc:
        raise InvalidInput("error.payment_write", path=str(target),
                           reason=exc.strerror or str(exc)) from None
    return target


# --- everyone's balance --------------------------------------------------------------------

@dataclass(frozen=True)
class TenantBalance:
    tenant_id: int
    name: str
    billed_fen: int
    paid_fen: int
    waived_fen: int
    balance_fen: int
    overdue_fen: int
    oldest_due: dt.date | None


def _per(query) -> dict[int, int]:
    return {key: int(value) for key, value in query.tuples()}


def open_on(desk: Desk, day: dt.date) -> dict[int, tuple[int, dt.date, int]]:
    """Every notice with something outstanding at the end of ``day``, as
    ``outstanding_fen(notice, tz, day)`` and ``due_date(notice)`` say it, read per
    table: notice id → (tenant id, due date after deferrals, fen outstanding)."""
    tz = desk.profile().timezone
    allocated = _per(Allocation.select(Allocation.notice, fn.SUM(Allocation.amount_fen))
                     .join(Payment).where(Payment.received_on <= day)
                     .group_by(Allocation.notice))
    forgiven: dict[int, int] = {}
    moved: dict[int, dt.date] = {}
    for notice_id, kind, amount, defer_to, decided_at in (
            Adjustment.select(Adjustment.notice, Adjustment.kind, Adjustment.amount_fen,
                              Adjustment.defer_to, Adjustment.decided_at)
            .where(Adjustment.state == "approved")
            .order_by(Adjustment.decided_at, Adjustment.id).tuples()):
        if kind == "deferral":
            moved[notice_id] = defer_to  # the last approved one wins, as due_date says
        elif local_day(decided_at, tz) <= day:
            forgiven[notice_id] = forgiven.get(notice_id, 0) + (amount or 0)
    found = {}
    for notice_id, tenant_id, total, due in (
            Notice.select(Notice.id, Notice.tenant, Notice.total_fen, Notice.due_date).tuples()):
        left = total - allocated.get(notice_id, 0) - forgiven.get(notice_id, 0)
        if left > 0:
            found[notice_id] = (tenant_id, moved.get(notice_id, due), left)
    return found


def balances(desk: Desk) -> list[TenantBalance]:
    """Every tenant with a notice or a payment, most overdue first (then the larger
    balance, then the name). The figures of ``balances.py`` read per table, not per
    tenant (a handful of queries for 2,000 tenants): billed, paid and waived as
    ``balance_fen``; overdue as ``overdue_fen`` today; ``oldest_due`` the earliest
    (deferred) due date of a notice still owing something today."""
    day = today(desk)
    billed = _per(Notice.select(Notice.tenant, fn.SUM(Notice.total_fen)).group_by(Notice.tenant))
    paid = _per(Payment.select(Payment.tenant, fn.SUM(Payment.amount_fen))
                .group_by(Payment.tenant))
    waived = _per(Adjustment.select(Adjustment.tenant, fn.SUM(Adjustment.amount_fen))
                  .where(Adjustment.kind == "waiver", Adjustment.state == "approved")
                  .group_by(Adjustment.tenant))
    overdue: dict[int, int] = {}
    oldest: dict[int, dt.date] = {}
    for tenant_id, due, left in open_on(desk, day).values():
        if due < day:
            overdue[tenant_id] = overdue.get(tenant_id, 0) + left
        if tenant_id not in oldest or due < oldest[tenant_id]:
            oldest[tenant_id] = due
    ids = set(billed) | set(paid)
    names = dict(Tenant.select(Tenant.id, Tenant.name).tuples())
    rows = [TenantBalance(tid, names[tid], billed.get(tid, 0), paid.get(tid, 0),
                          waived.get(tid, 0),
                          billed.get(tid, 0) - paid.get(tid, 0) - waived.get(tid, 0),
                          overdue.get(tid, 0), oldest.get(tid)) for tid in ids]
    return sorted(rows, key=lambda r: (-r.overdue_fen, -r.balance_fen, r.name))


def balance_json(row: TenantBalance) -> dict:
    return {"tenant": row.name, "billed": format_yuan(row.billed_fen),
            "paid": format_yuan(row.paid_fen), "waived": format_yuan(row.waived_fen),
            "balance": format_yuan(row.balance_fen), "overdue": format_yuan(row.overdue_fen),
            "oldest_due": row.oldest_due.isoformat() if row.oldest_due else None}


def payment_list_json(desk: Desk, rows: list[Payment]) -> list[dict]:
    """Payments as a list (no balance: that is the tenant's, not a line's), their
    allocations read in one query."""
    parts: dict[int, list[Allocation]] = {p.id: [] for p in rows}
    ids = list(parts)
    for start in range(0, len(ids), 500):  # bound parameters stay few on any database
        for part in (Allocation.select(Allocation, Notice).join(Notice)
                     .where(Allocation.payment.in_(ids[start:start + 500]))
                     .order_by(Allocation.id)):
            parts[part.payment_id].append(part)
    return [payment_json(desk, p, parts[p.id]) for p in rows]


__all__ = ["MAX_BACK_DAYS", "RETRY_SECONDS", "STATEMENT_KINDS", "StatementLine",
           "TenantBalance", "allocate", "allocations_of", "apply_credit", "balance_json", "credit_new_notice",
           "balances", "by_receipt", "numbered", "capital_yuan", "export_statement", "open_notices", "open_on",
           "payment_amount", "payment_json", "payment_list_json", "payments", "receipt_json",
           "receipt_text", "received_day", "record_payment", "statement", "statement_csv",
           "statement_line_json", "unallocated"]
