"""Tenant communication on the command line (SPEC §5): ``mail``, ``letter``, ``visit``,
``suggestion``, ``bags`` and ``report communication``; every one with --json.

Counts are taken as text and checked by services.validate (argparse's ``int`` would
read "１２" and "1_0"); times with or without offset, building time without.
"""

from __future__ import annotations

from ..i18n import t
from ..views import fit, rjust_cells
from .common import dispatch, emit_list, moment


def register(commands, leaf, group) -> None:
    mail = group(commands, "mail")
    add = leaf(mail, "add", "cli.mail_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--kind", required=True, metavar="express|registered|official")
    add.add_argument("--carrier", default="", metavar="TEXT")
    add.add_argument("--tracking", default="", metavar="TEXT")
    add.add_argument("--count", default="1", metavar="N")
    add.add_argument("--at", metavar="ISO")
    deliver = leaf(mail, "deliver", "cli.mail_deliver")
    deliver.add_argument("id", metavar="ID")
    deliver.add_argument("--signed-by", metavar="NAME")
    deliver.add_argument("--at", metavar="ISO")
    listing = leaf(mail, "list", "cli.mail_list")
    listing.add_argument("--waiting", action="store_true")

    letter = group(commands, "letter")
    add = leaf(letter, "add", "cli.letter_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--what", required=True, metavar="TEXT")
    add.add_argument("--from", dest="sender", required=True, metavar="WHO")
    add.add_argument("--kind", default="letter", metavar="letter")
    add.add_argument("--delivered-to", metavar="NAME")
    add.add_argument("--at", metavar="ISO")
    deliver = leaf(letter, "deliver", "cli.letter_deliver")
    deliver.add_argument("id", metavar="ID")
    deliver.add_argument("--to", required=True, metavar="NAME")
    deliver.add_argument("--at", metavar="ISO")
    listing = leaf(letter, "list", "cli.letter_list")
    listing.add_argument("--waiting", action="store_true")

    visit = group(commands, "visit")
    add = leaf(visit, "add", "cli.visit_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--visitor", required=True, metavar="LOGIN")
    add.add_argument("--feedback", required=True, metavar="TEXT")
    add.add_argument("--issues", default="", metavar="TEXT")
    add.add_argument("--suggestion", default="", metavar="TEXT")
    add.add_argument("--at", metavar="ISO")
    due = leaf(visit, "due", "cli.visit_due")
    due.add_argument("--days", metavar="N")

    suggestion = group(commands, "suggestion")
    add = leaf(suggestion, "add", "cli.suggestion_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--text", required=True, metavar="TEXT")
    add.add_argument("--at", metavar="ISO")

    bags = group(commands, "bags")
    give = leaf(bags, "give", "cli.bags_give")
    give.add_argument("--tenant", required=True, metavar="NAME")
    give.add_argument("--count", required=True, metavar="N")
    give.add_argument("--received-by", default="", metavar="NAME")
    give.add_argument("--at", metavar="ISO")
    missing = leaf(bags, "missing", "cli.bags_missing")
    missing.add_argument("--month", metavar="YYYY-MM")

    report = group(commands, "report")
    communication = leaf(report, "communication", "cli.report_communication")
    communication.add_argument("--month", metavar="YYYY-MM")
    communication.add_argument("--csv", metavar="FILE")
    communication.add_argument("--xlsx", metavar="FILE")


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"mail": _mail, "letter": _letter, "visit": _visit,
                                       "suggestion": _suggestion, "bags": _bags,
                                       "report": _report})


def _at(args, desk):
    return moment(desk, getattr(args, "at", None))


# --- documents (JSON: times ISO with the building's offset) -------------------------------

def _iso(moment, tz: str) -> str | None:
    from ..services.export import iso

    return iso(moment, tz)


def mail_json(desk, mail) -> dict:
    from ..services.comms import mail_due_at

    tz, now = desk.profile().timezone, desk.clock.now()
    due = mail_due_at(mail)
    done = mail.delivered_at
    return {"id": mail.id, "tenant": mail.tenant.name, "kind": mail.kind,
            "carrier": mail.carrier, "tracking": mail.tracking, "count": mail.count,
            "arrived_at": _iso(mail.arrived_at, tz), "due_at": _iso(due, tz),
            "delivered_at": _iso(done, tz), "signed_by": mail.signed_by,
            "delivered_by": mail.delivered_by, "ticket": mail.ticket_id,
            "late": (done if done is not None else now) > due}


def letter_json(desk, letter) -> dict:
    tz = desk.profile().timezone
    return {"id": letter.id, "tenant": letter.tenant.name, "what": letter.what,
            "from": letter.sender, "received_at": _iso(letter.received_at, tz),
            "delivered_at": _iso(letter.delivered_at, tz),
            "delivered_to": letter.delivered_to}


def visit_json(desk, visit) -> dict:
    from ..services.visits import is_late

    tz = desk.profile().timezone
    return {"id": visit.id, "tenant": visit.tenant.name, "kind": visit.kind,
            "due_on": visit.due_on.isoformat() if visit.due_on else None,
            "done_at": _iso(visit.done_at, tz), "visitor": visit.visitor,
            "feedback": visit.feedback, "issues": visit.issues,
            "late": is_late(visit, tz)}


def to_visit_json(desk, row: dict) -> dict:
    tz = desk.profile().timezone
    return {**row, "due_on": row["due_on"].isoformat() if row["due_on"] else None,
            "complained_at": _iso(row["complained_at"], tz),
            "last_visit_at": _iso(row["last_visit_at"], tz)}


def _when(text: str | None) -> str:
    return "—" if not text else f"{text[5:10]} {text[11:16]}"


# --- the commands -----------------------------------------------------------------------------

def _mail(args, desk, emit) -> None:
    from ..services import comms

    def line(doc: dict) -> str:
        state = (f"→ {doc['signed_by'] or '—'} {_when(doc['delivered_at'])}"
                 if doc["delivered_at"] else t("comms.waiting"))
        late = f" ({t('comms.late')})" if doc["late"] else ""
        return (f"#{doc['id']:<5} {_when(doc['arrived_at'])} {fit(doc['tenant'], 20)} "
                f"{fit(t('comms.mail_kind.' + doc['kind']), 10)} {doc['count']:>3} "
                f"{fit(doc['carrier'], 10)} {state}{late}")

    if args.mail_command == "add":
        mail = comms.mail_arrived(desk, args.tenant, args.kind, carrier=args.carrier,
                                  tracking=args.tracking, count=args.count, at=_at(args, desk))
    elif args.mail_command == "deliver":
        mail = comms.deliver_mail(desk, args.id, args.signed_by, at=_at(args, desk))
    else:
        mail = None
    _emit_log(args, emit, mail and comms.mail_by_id(mail.id),
              lambda: comms.mail_items(waiting=args.waiting), lambda m: mail_json(desk, m), line)


def _emit_log(args, emit, written, listed, document, line) -> None:
    """The row just written as its document, or (``written`` None) the whole log."""
    if written is not None:
        doc = document(written)
        emit(args, doc, line(doc))
        return
    emit_list(args, emit, [document(row) for row in listed()], line, "comms.none")


def _letter(args, desk, emit) -> None:
    from ..services import comms

    def line(doc: dict) -> str:
        state = (f"→ {doc['delivered_to']} {_when(doc['delivered_at'])}"
                 if doc["delivered_at"] else t("comms.waiting"))
        return (f"#{doc['id']:<5} {_when(doc['received_at'])} {fit(doc['tenant'], 20)} "
                f"{fit(doc['what'], 20)} {fit(doc['from'], 12)} {state}")

    if args.letter_command == "add":
        letter = comms.add_letter(desk, args.tenant, args.what, args.sender,
                                  at=_at(args, desk), kind=args.kind,
                                  delivered_to=args.delivered_to)
    elif args.letter_command == "deliver":
        letter = comms.deliver_letter(desk, args.id, args.to, at=_at(args, desk))
    else:
        letter = None
    _emit_log(args, emit, letter and comms.letter_by_id(letter.id),
              lambda: comms.letters(waiting=args.waiting), lambda x: letter_json(desk, x), line)


def _visit(args, desk, emit) -> None:
    from ..services import visits

    if args.visit_command == "add":
        visit = visits.record_visit(desk, args.tenant, args.visitor, args.feedback,
                                    at=_at(args, desk), issues=args.issues,
                                    suggestion=args.suggestion)
        doc = visit_json(desk, visits.visit_by_id(visit.id))
        late = f" ({t('comms.late')})" if doc["late"] else ""
        emit(args, doc, f"#{doc['id']} {_when(doc['done_at'])} {doc['tenant']} "
                        f"{t('comms.visit_kind.' + doc['kind'])} {doc['visitor']}{late}")
        return
    docs = [to_visit_json(desk, row) for row in visits.to_visit(desk, args.days)]

    def line(doc: dict) -> str:
        if doc["reason"] == "first_month":
            when = doc["due_on"] + (f" {t('comms.overdue')}" if doc["overdue"] else "")
        elif doc["reason"] == "complained":
            when = _when(doc["complained_at"])
        else:
            when = _when(doc["last_visit_at"]) if doc["last_visit_at"] else t("comms.never")
        return f"{fit(doc['tenant'], 30)} {fit(t('comms.reason.' + doc['reason']), 14)} {when}"

    emit_list(args, emit, docs, line, "comms.none")


def _suggestion(args, desk, emit) -> None:
    from ..services import comms

    row = comms.add_suggestion(desk, args.tenant, args.text, at=_at(args, desk))
    tz = desk.profile().timezone
    doc = {"id": row.id, "tenant": comms.tenant_named(args.tenant).name, "text": row.text,
           "at": _iso(row.received_at, tz), "via": "desk"}
    emit(args, doc, f"#{doc['id']} {_when(doc['at'])} {doc['tenant']}: {doc['text']}")


def _bags(args, desk, emit) -> None:
    from ..services import comms

    if args.bags_command == "give":
        row = comms.give_bags(desk, args.tenant, args.count, at=_at(args, desk),
                              received_by=args.received_by)
        tenant = comms.tenant_named(args.tenant)
        left = comms.bag_allowance(desk) - comms.bags_given(tenant.id, row.month)
        doc = {"id": row.id, "tenant": tenant.name, "month": row.month, "count": row.count,
               "handed_at": _iso(row.handed_at, desk.profile().timezone),
               "handed_by": row.handed_by, "received_by": row.received_by, "left": left}
        emit(args, doc, t("comms.bags_given", count=row.count, tenant=tenant.name,
                          month=row.month, left=left))
        return
    emit_list(args, emit, comms.bags_missing(desk, args.month),
              lambda d: f"{fit(d['tenant'], 30)} {rjust_cells(str(d['given']), 4)} "
                        f"{rjust_cells(str(d['left']), 4)}", "comms.none")


def _report(args, desk, emit) -> None:
    from ..services.comms_report import summary_rows, write_report

    report = write_report(desk, args.month, csv_path=args.csv, xlsx_path=args.xlsx)

    def human() -> str:
        lines = [f"{t('comms_report.title')} {report['month']}"]
        lines += [f"{fit(label, 44)} {rjust_cells(str(value), 5)}"
                  for label, value in summary_rows(report)]
        written = [path for path in (args.csv, args.xlsx) if path]
        if written:
            lines.append(t("comms.report_written", files=", ".join(written)))
        return "\n".join(lines)

    emit(args, report, human)


