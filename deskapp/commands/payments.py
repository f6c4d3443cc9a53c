"""``deskapp payment add | list | receipt``, ``statement``, ``balance list`` and
``reminder issue | list``: payments, receipts, accounts and reminder letters for scripts.
Amounts are typed in yuan (``validate.yuan``: ASCII digits, at most two decimals, no
sign); money in JSON as strings with two decimals."""

from __future__ import annotations

from ..i18n import t
from ..models import PAYMENT_METHODS
from .common import amount_fen, dispatch, emit_list


def register(commands, leaf, group) -> None:
    payment = group(commands, "payment")
    add = leaf(payment, "add", "cli.payment_add")
    add.add_argument("--tenant", metavar="NAME", required=True)
    add.add_argument("--amount", metavar="YUAN", required=True)
    add.add_argument("--method", metavar="METHOD", required=True, choices=PAYMENT_METHODS)
    add.add_argument("--on", metavar="YYYY-MM-DD")
    add.add_argument("--ref", metavar="TEXT", default="")
    add.add_argument("--note", metavar="TEXT", default="")
    listing = leaf(payment, "list", "cli.payment_list")
    listing.add_argument("--tenant", metavar="NAME")
    listing.add_argument("--month", metavar="YYYY-MM")
    receipt = leaf(payment, "receipt", "cli.payment_receipt")
    receipt.add_argument("number", metavar="NUMBER")
    receipt.add_argument("--out", metavar="PATH")

    statement = leaf(commands, "statement", "cli.statement")
    statement.add_argument("--tenant", metavar="NAME", required=True)
    statement.add_argument("--csv", metavar="PATH")

    balance = group(commands, "balance")
    leaf(balance, "list", "cli.balance_list")

    reminder = group(commands, "reminder")
    issue = leaf(reminder, "issue", "cli.reminder_issue")
    issue.add_argument("notice", metavar="NOTICE_NUMBER")
    issue.add_argument("--out", metavar="PATH")
    listing = leaf(reminder, "list", "cli.reminder_list")
    listing.add_argument("--due", action="store_true")


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"payment": _payment, "statement": _statement,
                                       "balance": _balance, "reminder": _reminder})


def _tenant(name: str):
    from ..services.common import tenant_by_name

    return tenant_by_name(name, "--tenant", unknown="error.payment_unknown_tenant")


def _write(path: str, text: str) -> str:
    """A text document (a receipt, a letter) written whole to ``path``; the message."""
    from ..services.common import export_target, write_whole
    from ..services.errors import InvalidInput

    target = export_target(path)
    try:
        write_whole(target, (text + "\n").encode("utf-8"))
    except OSError as exc:
        raise InvalidInput("error.payment_write", path=str(target),
                           reason=exc.strerror or str(exc)) from None
    return t("payments.written", path=str(target))


def _payment(args, desk, emit) -> None:
    from ..services import payments

    verb = args.payment_command
    if verb == "add":
        amount = amount_fen(args.amount, "--amount")
        payments.payment_amount(amount)
        tenant = _tenant(args.tenant)
        row = payments.record_payment(desk, tenant_id=tenant.id, amount_fen=amount,
                                      method=args.method, received_on=args.on,
                                      reference=args.ref, note=args.note)
        emit(args, payments.receipt_json(desk, row), lambda: payments.receipt_text(desk, row))
    elif verb == "receipt":
        row = payments.by_receipt(args.number)
        text = payments.receipt_text(desk, row)
        if args.out is not None:
            message = _write(args.out, text)
            emit(args, payments.receipt_json(desk, row), message)
        else:
            emit(args, payments.receipt_json(desk, row), text)
    else:
        tenant_id = None if args.tenant is None else _tenant(args.tenant).id
        rows = payments.payment_list_json(desk, payments.payments(tenant_id, args.month))
        emit_list(args, emit, rows, _payment_line, "payments.none")


def _payment_line(row: dict) -> str:
    paid = ", ".join(f"{p['notice']} {p['amount']}" for p in row["paid"]) or "—"
    return t("payments.line", receipt=row["receipt_no"], day=row["received_on"],
             tenant=row["tenant"], amount=row["amount"], method=t(f"method.{row['method']}"),
             paid=paid, credit=row["credit"])


def _statement(args, desk, emit) -> None:
    from ..services import payments
    from ..services.common import export_target

    tenant = _tenant(args.tenant)
    lines = payments.statement(desk, tenant.id)
    rows = [payments.statement_line_json(line) for line in lines]
    if args.csv is not None:
        target = payments.export_statement(lines, export_target(args.csv))
        emit(args, rows, t("payments.statement_written", path=str(target), count=len(rows)))
        return

    def line(row: dict) -> str:
        return t("payments.statement_line", **{**row, "kind": t(f"payments.kind_{row['kind']}")})

    emit_list(args, emit, rows, line, "payments.statement_none")


def _balance(args, desk, emit) -> None:
    from ..services import payments

    rows = [payments.balance_json(row) for row in payments.balances(desk)]

    def line(row: dict) -> str:
        return t("payments.balance_line", **{**row, "oldest": row["oldest_due"] or "—"})

    emit_list(args, emit, rows, line, "payments.balance_none")


def _reminder(args, desk, emit) -> None:
    from ..services import reminders

    if args.reminder_command == "issue":
        notice = reminders.by_notice_number(args.notice)
        row = reminders.issue(desk, notice.id)
        text = reminders.letter_text(desk, row)
        document = reminders.reminder_json(desk, row)
        emit(args, document, _write(args.out, text) if args.out is not None else text)
    elif args.due:
        _due(args, desk, emit)
    else:
        rows = [reminders.reminder_json(desk, row) for row in reminders.reminders()]
        emit_list(args, emit, rows, lambda row: t(
            "reminders.line", day=row["issued_at"][:10], **row), "reminders.none")


def _due(args, desk, emit) -> None:
    from ..money import format_yuan
    from ..services import balances, reminders
    from ..services.tenants import today

    tz, day = desk.profile().timezone, today(desk)
    rows = [{"notice": n.number, "tenant": n.tenant.name, "month": n.month,
             "due_date": balances.due_date(n).isoformat(),
             "owed": format_yuan(balances.outstanding_fen(n, tz, day))}
            for n in reminders.due(desk)]
    emit_list(args, emit, rows, lambda row: t("reminders.due_line", due=row["due_date"], **row),
              "reminders.none_due")
