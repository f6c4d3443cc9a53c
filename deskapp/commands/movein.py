"""``deskapp move-in …`` and ``deskapp move-out …``: the checklists of services/movein.py
and moveout.py for scripts. TENANT is the tenant's name as registered. Every command
prints the move's checklist (``--json``: the move as ``move_json`` makes it; ``notice``
adds the notice's text)."""

from __future__ import annotations

from ..i18n import t
from .common import amount_fen, moment

MOVE_IN = ("book", "check", "keys", "inspect", "meter", "gift", "notice", "visit", "done",
           "show")
MOVE_OUT = ("book", "keys", "inspect", "meter", "deduct", "fees", "deposit", "done", "show")


def register(commands, leaf, group) -> None:
    for name, kind, verbs in (("move-in", "movein", MOVE_IN), ("move-out", "moveout", MOVE_OUT)):
        sub = group(commands, name)
        for verb in verbs:
            parser = leaf(sub, verb, f"cli.{kind}_{verb}")
            parser.add_argument("tenant", metavar="TENANT", help=t("cli.move_tenant"))
            _options(parser, kind, verb)


def _options(parser, kind: str, verb: str) -> None:
    if verb == "book":
        parser.add_argument("--at", metavar="ISO", required=True)
    elif verb == "keys":
        parser.add_argument("--key", metavar="LABEL", required=True)
        if kind == "movein":
            parser.add_argument("--count", metavar="N", required=True)
            parser.add_argument("--to", metavar="NAME", required=True)
            parser.add_argument("--signed", action="store_true")
        else:
            parser.add_argument("--returned", metavar="N", required=True)
    elif verb == "inspect":
        parser.add_argument("--unit", metavar="U", required=True)
        parser.add_argument("--item", metavar="ITEM", required=True)
        state = parser.add_mutually_exclusive_group(required=True)
        state.add_argument("--ok", action="store_true")
        state.add_argument("--defect", metavar="NOTE")
    elif verb == "meter":
        parser.add_argument("--meter", metavar="CODE", required=True)
        parser.add_argument("--reading", metavar="KWH", required=True)
        parser.add_argument("--at", metavar="ISO", help=t("cli.move_at_read"))
        if kind == "movein":
            parser.add_argument("--unit", metavar="U")
    elif verb == "deduct":
        parser.add_argument("--unit", metavar="U", required=True)
        parser.add_argument("--item", metavar="ITEM", required=True)
        parser.add_argument("--amount", metavar="YUAN", required=True)
        parser.add_argument("--reason", metavar="TEXT", required=True)
    elif verb == "notice":
        parser.add_argument("--out", metavar="FILE")


def run(args, desk, emit) -> int | None:
    if args.command not in ("move-in", "move-out"):
        return None
    from ..services import movein, moveout, validate
    from ..services.tickets import find_tenant

    kind = "in" if args.command == "move-in" else "out"
    verb = getattr(args, f"{args.command}_command")
    tenant = find_tenant(args.tenant)
    at = moment(desk, getattr(args, "at", None))
    extra: dict = {}
    if verb == "book":
        (movein.book_move_in if kind == "in" else moveout.book_move_out)(desk, tenant.id, at)
    elif verb == "check":
        movein.check_data(desk, tenant.id)
    elif verb == "keys" and kind == "in":
        movein.hand_key(desk, tenant.id, args.key, args.count, args.to, args.signed)
    elif verb == "keys":
        moveout.return_key(desk, tenant.id, args.key, args.returned)
    elif verb == "inspect":
        inspect = movein.inspect_in if kind == "in" else moveout.inspect_out
        inspect(desk, tenant.id, args.unit, args.item, ok=args.ok, note=args.defect or "")
    elif verb == "meter" and kind == "in":
        movein.read_meter_in(desk, tenant.id, args.meter, args.reading, at, args.unit)
    elif verb == "meter":
        moveout.read_meter_out(desk, tenant.id, args.meter, args.reading, at)
    elif verb == "deduct":
        moveout.deduct(desk, tenant.id, args.unit, args.item,
                       amount_fen(args.amount, "--amount"), args.reason)
    elif verb == "gift":
        movein.give_gift(desk, tenant.id)
    elif verb == "notice":
        out = validate.optional_text(args.out, "--out", limit=1000)
        extra["notice"] = movein.cashier_notice(desk, tenant.id, out=out or None)
        extra["out"] = out or None
    elif verb == "visit":
        movein.schedule_visit(desk, tenant.id)
    elif verb == "fees":
        moveout.check_fees(desk, tenant.id)
    elif verb == "deposit":
        moveout.record_deposit(desk, tenant.id)
    elif verb == "done":
        (movein.complete_move_in if kind == "in" else moveout.complete_move_out)(desk, tenant.id)
    move = movein.last_move(tenant.id, kind)
    if move is None:
        from ..services.errors import Conflict

        raise Conflict(f"error.no_move_{kind}", name=tenant.name)
    document = {**movein.move_json(desk, move), **extra}
    emit(args, document, lambda: _human(document, verb))
    return 0


def _human(document: dict, verb: str) -> str:
    """The checklist as lines: "[x] Keys handed over  2 key(s) on 1 line(s)"."""
    from ..views import fit

    prefix = "movein" if document["kind"] == "in" else "moveout"
    at = (document["booked_at"] or "")[:16].replace("T", " ")
    lines = [t(f"{prefix}.header", name=document["tenant"], at=at,
               ticket=document["ticket"] or "—")]
    if document["done_at"]:
        lines.append(t("movein.done_line", at=document["done_at"][:16].replace("T", " "),
                       by=document["done_by"])
                     + (f" ({t('movein.late')})" if document["late"] else ""))
    for item in document["items"]:
        mark = "[x]" if item["done"] else "[ ]"
        label = fit(t(f"{prefix}.item.{item['item']}"), 36)
        lines.append(f"{mark} {label} {item['detail']}".rstrip())
    if verb == "notice":
        if document.get("out"):
            lines.append(t("cli.notice_saved", path=document["out"]))
        else:
            lines += ["", document["notice"]]
    return "\n".join(lines)
