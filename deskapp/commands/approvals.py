"""``deskapp waiver ask``, ``deferral ask``, ``approval list | approve | refuse |
withdraw`` (the GM's approvals, R-7.3) and ``month report | close`` (R-7.8). Money in
JSON as strings with two decimals; amounts typed in yuan."""

from __future__ import annotations

from ..i18n import t
from .common import dispatch


def register(commands, leaf, group) -> None:
    waiver = group(commands, "waiver")
    ask = leaf(waiver, "ask", "cli.waiver_ask")
    ask.add_argument("--notice", metavar="NUMBER", required=True)
    ask.add_argument("--amount", metavar="YUAN", required=True)
    ask.add_argument("--reason", metavar="TEXT", required=True)
    deferral = group(commands, "deferral")
    ask = leaf(deferral, "ask", "cli.deferral_ask")
    ask.add_argument("--notice", metavar="NUMBER", required=True)
    ask.add_argument("--to", metavar="YYYY-MM-DD", required=True)
    ask.add_argument("--reason", metavar="TEXT", required=True)

    approval = group(commands, "approval")
    listing = leaf(approval, "list", "cli.approval_list")
    listing.add_argument("--all", action="store_true")
    approve = leaf(approval, "approve", "cli.approval_approve")
    approve.add_argument("id", metavar="ID")
    approve.add_argument("--note", metavar="TEXT", default="")
    refuse = leaf(approval, "refuse", "cli.approval_refuse")
    refuse.add_argument("id", metavar="ID")
    refuse.add_argument("--note", metavar="TEXT", required=True)
    withdraw = leaf(approval, "withdraw", "cli.approval_withdraw")
    withdraw.add_argument("id", metavar="ID")

    month = group(commands, "month")
    report = leaf(month, "report", "cli.month_report")
    report.add_argument("--month", metavar="YYYY-MM", required=True)
    report.add_argument("--csv", metavar="PATH")
    report.add_argument("--xlsx", metavar="PATH")
    close = leaf(month, "close", "cli.month_close")
    close.add_argument("--month", metavar="YYYY-MM", required=True)


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"waiver": _ask, "deferral": _ask,
                                       "approval": _approval, "month": _month})


def _ask(args, desk, emit) -> None:
    from ..services import adjustments
    from .common import amount_fen

    notice = adjustments.notice_by_number(args.notice)
    if args.command == "waiver":
        row = adjustments.ask(desk, kind="waiver", notice_id=notice.id,
                              amount_fen=amount_fen(args.amount, "--amount"),
                              reason=args.reason)
    else:
        row = adjustments.ask(desk, kind="deferral", notice_id=notice.id, defer_to=args.to,
                              reason=args.reason)
    _emit_one(args, desk, emit, row)


def _approval(args, desk, emit) -> None:
    from ..services import adjustments

    verb = args.approval_command
    if verb == "list":
        rows = adjustments.all_requests() if args.all else adjustments.pending()
        documents = [adjustments.adjustment_json(desk, row) for row in rows]
        empty = "approvals.none_at_all" if args.all else "approvals.none"
        emit(args, documents, lambda: "\n".join(map(request_line, documents)) or t(empty))
        return
    if verb == "withdraw":
        row = adjustments.withdraw(desk, args.id)
    else:
        row = adjustments.decide(desk, args.id, approve=verb == "approve", note=args.note)
    _emit_one(args, desk, emit, row)


def _emit_one(args, desk, emit, row) -> None:
    from ..services import adjustments

    document = adjustments.adjustment_json(desk, row)
    emit(args, document, lambda: request_line(document))


def request_line(row: dict) -> str:
    """One request as a line a person reads (the screen lists them the same way)."""
    if row["kind"] == "waiver":
        what = t("approvals.waive", amount=row["amount"])
    else:
        what = t("approvals.defer", due=row["printed_due_date"], day=row["defer_to"])
    line = t("approvals.line", id=row["id"], kind=t(f"approvals.kind.{row['kind']}"),
             notice=row["notice"], tenant=row["tenant"], what=what,
             now=t(f"approvals.state.{row['state']}"), asker=row["asked_by"],
             at=row["asked_at"][:16].replace("T", " "), reason=row["reason"])
    if row["decided_by"] and row["state"] != "withdrawn":
        line += t("approvals.decided", by=row["decided_by"], note=row["note"] or "—")
    return line


def _month(args, desk, emit) -> None:
    from ..services import month_end

    if args.month_command == "close":
        row = month_end.close(desk, args.month)
        document = month_end.close_json(desk, row)
        emit(args, document, lambda: t(
            "month_end.closed_line", month=row.month, by=row.closed_by,
            at=document["closed_at"][:16].replace("T", " "),
            closing=document["figures"]["closing"]))
        return
    report = month_end.write_report(desk, args.month, csv_path=args.csv, xlsx_path=args.xlsx)
    emit(args, month_end.report_json(report), lambda: report_text(report))


def report_text(report: dict) -> str:
    """The report's rows as lines: "label: value", a blank line between sections."""
    from ..services.month_end import report_rows

    lines = []
    for row in report_rows(report):  # money cells are Decimal yuan: "1234.50"
        if not row:
            lines.append("")
        elif len(row) == 1:
            lines.append(str(row[0]))
        else:
            lines.append(f"{row[0]}: {row[1]}")
    return "\n".join(lines)
