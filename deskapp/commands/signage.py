"""``deskapp supplier …`` and ``deskapp signage …``: tenant signage (SPEC §3) headless.

Every command takes --json; times are ISO with the building's offset, prices yuan text
with two decimals. Bad input exits 2 with one message and writes nothing (the services
validate everything before their one transaction).
"""

from __future__ import annotations

from ..i18n import t
from ..views import fit
from .common import dispatch, emit_list, moment


def register(commands, leaf, group) -> None:
    suppliers = group(commands, "supplier")
    add = leaf(suppliers, "add", "cli.supplier_add")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--phone", default="", metavar="PHONE")
    add.add_argument("--contact", default="", metavar="NAME")
    leaf(suppliers, "list", "cli.supplier_list")

    signage = group(commands, "signage")
    apply = leaf(signage, "apply", "cli.signage_apply")
    apply.add_argument("--tenant", required=True, metavar="NAME")
    apply.add_argument("--kind", required=True, metavar="directory|name_plate")
    apply.add_argument("--text", required=True, metavar="TEXT")
    apply.add_argument("--position", required=True, metavar="POS")
    apply.add_argument("--applicant", required=True, metavar="NAME")
    apply.add_argument("--received", required=True, metavar="YYYY-MM-DD")
    apply.add_argument("--supplier", metavar="NAME")
    apply.add_argument("--price", metavar="YUAN")
    apply.add_argument("--ref", metavar="REF")
    stepper = leaf(signage, "step", "cli.signage_step")
    stepper.add_argument("id", metavar="ID")
    stepper.add_argument("action", metavar="send|draft|made|installed|register|cancel")
    stepper.add_argument("--reason", metavar="TEXT")
    stepper.add_argument("--at", metavar="ISO")
    stepper.add_argument("--supplier", metavar="NAME")
    fix = leaf(signage, "fix", "cli.signage_fix")
    fix.add_argument("id", metavar="ID")
    fix.add_argument("--text", required=True, metavar="TEXT")
    fix.add_argument("--by", metavar="NAME")
    listing = leaf(signage, "list", "cli.signage_list")
    listing.add_argument("--all", action="store_true")
    book = leaf(signage, "register", "cli.signage_register")
    book.add_argument("--csv", metavar="FILE", help=t("cli.csv_file"))
    settle = leaf(signage, "reconcile", "cli.signage_reconcile")
    settle.add_argument("supplier", metavar="SUPPLIER")
    settle.add_argument("--month", required=True, metavar="YYYY-MM")
    settle.add_argument("--csv", metavar="FILE", help=t("cli.csv_file"))
    lost = leaf(signage, "lost", "cli.signage_lost")
    lost.add_argument("id", metavar="ID")
    lost.add_argument("--note", required=True, metavar="TEXT")


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"supplier": _supplier, "signage": _signage})


def _supplier(args, desk, emit) -> int:
    from ..services import signage

    def document(s):
        return {"id": s.id, "name": s.name, "contact": s.contact, "phone": s.phone,
                "active": s.active}

    def line(doc: dict) -> str:
        return f"{fit(doc['name'], 24)} {fit(doc['contact'], 12)} {doc['phone']}"

    if args.supplier_command == "add":
        made = document(signage.add_supplier(desk, args.name, args.contact, args.phone))
        emit(args, made, line(made))
        return 0
    emit_list(args, emit, [document(s) for s in signage.suppliers()], line,
              "signage.supplier_none")
    return 0


def order_line(doc: dict) -> str:
    """#12 水牌 已送供方 星辰科技 星辰科技有限公司 大堂水牌 第12行"""
    kind = t("sign_kind." + doc["kind"])
    if doc["purpose"] != "new":
        kind += t("sign_purpose." + doc["purpose"])
    state = t("sign_state." + doc["state"])
    return (f"#{fit(str(doc['id']), 5)} {fit(kind, 12)} {fit(state, 12)} "
            f"{fit(doc['tenant'] or '', 16)} {fit(doc['text'], 20)} {doc['position']}")


def register_line(line: dict) -> str:
    kind = t("sign_kind." + line["kind"])
    return (f"#{fit(str(line['id']), 5)} {fit(kind, 10)} {fit(line['tenant'] or '', 16)} "
            f"{fit(line['text'], 20)} {fit(line['position'], 14)} "
            f"{line['registered_on']}")


def _signage(args, desk, emit) -> int:
    from ..services import signage

    command = args.signage_command
    if command == "apply":
        tenant = signage.tenant_named(args.tenant)
        order = signage.apply(desk, signage.Application(
            tenant_id=tenant.id, kind=args.kind, text=args.text, position=args.position,
            applicant=args.applicant, received=args.received, supplier=args.supplier,
            price=args.price, ref=args.ref))
        return _one(args, desk, emit, order.id)
    if command == "step":
        order = signage.step(desk, args.id, args.action, at=moment(desk, args.at),
                             reason=args.reason, supplier=args.supplier)
        return _one(args, desk, emit, order.id)
    if command == "fix":
        order = signage.fix(desk, args.id, args.text, args.by)
        return _one(args, desk, emit, order.id)
    if command == "lost":
        finding = signage.report_lost(desk, args.id, args.note)
        document = {"order": finding.order_id, "ticket": finding.ticket_id,
                    "note": finding.note}
        emit(args, document, t("signage.lost_done", id=finding.order_id,
                               ticket=finding.ticket_id))
        return 0
    if command == "list":
        emit_list(args, emit, signage.order_documents(desk, signage.orders(include_done=args.all)),
                  order_line, "signage.none")
        return 0
    if command == "register":
        lines = signage.register_lines(desk)
        _csv(args, lines)
        emit_list(args, emit, _public(lines), register_line, "signage.register_empty")
        return 0
    if command == "reconcile":
        summary = signage.reconcile(desk, args.supplier, args.month)
        _csv(args, summary["lines"])
        summary["lines"] = _public(summary["lines"])
        head = t("signage.reconcile_head", supplier=summary["supplier"],
                 month=summary["month"], signs=summary["signs"],
                 directory=summary["counts"]["directory"],
                 name_plate=summary["counts"]["name_plate"], total=summary["total"],
                 unpriced=summary["unpriced"])
        emit(args, summary,
             lambda: "\n".join([head] + [register_line(x) for x in summary["lines"]]))
        return 0
    return None


def _public(lines: list[dict]) -> list[dict]:
    """The register's lines for JSON: the price as yuan text only."""
    return [{k: v for k, v in line.items() if k != "price_fen"} for line in lines]


def _csv(args, lines: list[dict]) -> None:
    if args.csv:
        from ..services import signage

        signage.write_csv(args.csv, lines)


def _one(args, desk, emit, order_id: int) -> int:
    from ..services import signage

    document = signage.order_document(desk, signage.find_order(order_id))
    emit(args, document, order_line(document))
    return 0
