"""``deskapp fitout …``: a fit-out from application to deposit refund."""

from __future__ import annotations

import re

from ..i18n import t
from .common import amount_fen, emit_list, moment, names_list


def register(commands, leaf, group) -> None:
    fitout = group(commands, "fitout")
    apply = leaf(fitout, "apply", "cli.fitout_apply")
    apply.add_argument("--tenant", required=True, metavar="NAME")
    apply.add_argument("--scope", required=True, choices=("simple", "systems"))
    apply.add_argument("--units", metavar="U", help="12F-1201;12F-1202")
    apply.add_argument("--documents", metavar="A,B,C")
    apply.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    apply.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    docs = leaf(fitout, "docs", "cli.fitout_docs")
    docs.add_argument("id", metavar="ID")
    docs.add_argument("--received", required=True, metavar="NAME")
    docs.add_argument("--at", metavar="ISO")
    approve = leaf(fitout, "approve", "cli.fitout_approve")
    approve.add_argument("id", metavar="ID")
    approve.add_argument("--reason", metavar="TEXT")
    refuse = leaf(fitout, "refuse", "cli.fitout_refuse")
    refuse.add_argument("id", metavar="ID")
    refuse.add_argument("--reason", metavar="TEXT")
    deposit = leaf(fitout, "deposit", "cli.fitout_deposit")
    deposit.add_argument("id", metavar="ID")
    deposit.add_argument("--amount", required=True, metavar="YUAN")
    workers = leaf(fitout, "workers", "cli.fitout_workers")
    workers.add_argument("id", metavar="ID")
    workers.add_argument("--name", action="append", required=True, metavar="PERSON")
    workers.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    workers.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    accept = leaf(fitout, "accept", "cli.fitout_accept")
    accept.add_argument("id", metavar="ID")
    accept.add_argument("--at", required=True, metavar="ISO")
    inspect = leaf(fitout, "inspect", "cli.fitout_inspect")
    inspect.add_argument("id", metavar="ID")
    inspect.add_argument("--pass", dest="passed", action="store_true")
    inspect.add_argument("--rectify", metavar="ITEMS")
    inspect.add_argument("--by", metavar="YYYY-MM-DD")
    refund = leaf(fitout, "refund", "cli.fitout_refund")
    refund.add_argument("id", metavar="ID")
    listing = leaf(fitout, "list", "cli.fitout_list")
    listing.add_argument("--tenant", metavar="NAME")
    show = leaf(fitout, "show", "cli.fitout_show")
    show.add_argument("id", metavar="ID")


def _line(document: dict) -> str:
    return t("fitout.line", id=document["id"], tenant=document["tenant"],
             scope=t(f"fitout.scope.{document['scope']}"),
             state=t(f"fitout.state.{document['state']}"))


def run(args, desk, emit) -> int | None:
    if args.command != "fitout":
        return None
    from ..services import fitout as service
    from ..services import validate
    from ..services.passes import pass_json
    from .passes import pass_lines

    command = args.fitout_command
    if getattr(args, "id", None) is not None:
        args.id = validate.record_id(args.id, "fit-out")
    if command == "list":
        emit_list(args, emit, [service.fitout_json(desk, f)
                               for f in service.list_fitouts(args.tenant)], _line, "fitout.none")
        return 0
    if command == "workers":
        made = service.issue_worker_passes(desk, args.id, names_list(args.name),
                                           args.start, args.end)
        documents = [pass_json(desk, p) for p in made]
        emit(args, documents, lambda: pass_lines(documents))
        return 0
    if command == "apply":
        units = args.units.split(";") if args.units is not None else None
        documents = (None if args.documents is None
                     else [d for d in re.split("[,，、]", args.documents)])
        fitout = service.apply(desk, args.tenant, args.scope, units, documents,
                               args.start, args.end)
    elif command == "docs":
        fitout = service.receive_document(desk, args.id, args.received,
                                          at=moment(desk, args.at, "--at"))
    elif command == "approve":
        fitout = service.approve(desk, args.id, args.reason)
    elif command == "refuse":
        fitout = service.refuse(desk, args.id, args.reason)
    elif command == "deposit":
        fitout = service.take_deposit(desk, args.id, amount_fen(args.amount, "--amount"))
    elif command == "accept":
        service.book_acceptance(desk, args.id, moment(desk, args.at, "--at"))
        fitout = service.find_fitout(args.id)
    elif command == "inspect":
        service.inspect(desk, args.id, passed=args.passed, items=args.rectify,
                        deadline=args.by)
        fitout = service.find_fitout(args.id)
    elif command == "refund":
        fitout = service.hand_refund(desk, args.id)
    else:  # show
        fitout = service.find_fitout(args.id)
    document = service.fitout_json(desk, service.find_fitout(fitout.id))
    emit(args, document, lambda: _line(document))
    return 0
