"""``deskapp parking in | out | inside | handover | receive | tariff``, ``postal add |
dispatch``, ``service sell`` and ``ledger --month``: temporary parking at the gate, the
postal agency, business services and the paid-services ledger for scripts. Money in
JSON as strings with two decimals."""

from __future__ import annotations

from ..i18n import t
from ..models import PAID_METHODS, POSTAL_KINDS
from .common import dispatch, emit_list, moment


def register(commands, leaf, group) -> None:
    parking = group(commands, "parking")
    for verb in ("in", "out"):
        gate = leaf(parking, verb, f"cli.parking_{verb}")
        gate.add_argument("plate", metavar="PLATE")
        gate.add_argument("--at", metavar="ISO")
        if verb == "out":
            gate.add_argument("--method", metavar="METHOD", choices=PAID_METHODS,
                              default="cash")
    for verb in ("inside", "handover", "tariff"):
        leaf(parking, verb, f"cli.parking_{verb}")
    receive = leaf(parking, "receive", "cli.parking_receive")
    receive.add_argument("number", metavar="NUMBER")

    postal = group(commands, "postal")
    add = leaf(postal, "add", "cli.postal_add")
    add.add_argument("--tenant", metavar="NAME", required=True)
    add.add_argument("--kind", metavar="KIND", choices=POSTAL_KINDS, required=True)
    add.add_argument("--weight", metavar="GRAMS", required=True)
    add.add_argument("--to", metavar="TEXT", required=True)
    _settlement(add)
    add.add_argument("--serial", metavar="TEXT")
    sent = leaf(postal, "dispatch", "cli.postal_dispatch")
    sent.add_argument("--day", metavar="YYYY-MM-DD")
    sent.add_argument("--out", metavar="PATH")

    service = group(commands, "service")
    sell = leaf(service, "sell", "cli.service_sell")
    sell.add_argument("--tenant", metavar="NAME", required=True)
    sell.add_argument("--item", metavar="CODE", required=True)
    sell.add_argument("--pages", metavar="N", required=True)
    _settlement(sell)

    ledger = leaf(commands, "ledger", "cli.paid_ledger")
    ledger.add_argument("--month", metavar="YYYY-MM", required=True)
    ledger.add_argument("--csv", metavar="PATH")
    ledger.add_argument("--xlsx", metavar="PATH")


def _settlement(parser) -> None:
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--method", metavar="METHOD", choices=PAID_METHODS)
    parser.add_argument("--signed-by", metavar="NAME")


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"parking": _parking, "postal": _postal,
                                       "service": _service, "ledger": _ledger})


def _tenant(name: str):
    from ..services.common import tenant_by_name

    return tenant_by_name(name, "--tenant", unknown="error.paid_unknown_tenant",
                          gone="error.paid_tenant_gone")


# --- parking ----------------------------------------------------------------------------

def _parking(args, desk, emit) -> None:
    from ..services import parking

    verb = args.parking_command
    if verb in ("in", "out"):
        at = moment(desk, args.at)
        visit = (parking.enter(desk, args.plate, at) if verb == "in"
                 else parking.leave(desk, args.plate, at, method=args.method))
        document = parking.visit_json(desk, visit)
        emit(args, document, lambda: _visit_line(document))
    elif verb == "inside":
        documents = [parking.visit_json(desk, v) for v in parking.inside(desk)]
        emit_list(args, emit, documents, _visit_line, "parking.nobody_inside")
    elif verb == "tariff":
        document = parking.tariff_json(desk)
        emit(args, document, lambda: t("parking.tariff_line", **document))
    else:
        handover = (parking.hand_over(desk) if verb == "handover"
                    else parking.receive(desk, args.number))
        document = parking.handover_json(desk, handover)
        emit(args, document, lambda: _handover_line(document))


def _visit_line(row: dict) -> str:
    entered = row["entered_at"][:16].replace("T", " ")
    if row["left_at"] is None:
        return t("parking.line_in", plate=row["plate"], at=entered)
    return t("parking.line_out", plate=row["plate"], entered=entered,
             left=row["left_at"][:16].replace("T", " "), minutes=row["minutes"],
             amount=row["amount"], method=t(f"paid_method.{row['method']}"))


def _handover_line(row: dict) -> str:
    line = t("parking.handover_line", number=row["number"], count=row["count"],
             total=row["total"], by=row["handed_by"])
    if row["received_by"]:
        line += "\n" + t("parking.received_line", number=row["number"], by=row["received_by"],
                         at=row["received_at"][:16].replace("T", " "))
    return line


# --- postal -----------------------------------------------------------------------------

def _postal(args, desk, emit) -> None:
    from ..services import postal

    if args.postal_command == "add":
        tenant = _tenant(args.tenant)
        item = postal.accept(desk, tenant_id=tenant.id, kind=args.kind, weight_g=args.weight,
                             destination=args.to, paid=args.paid, signed_by=args.signed_by,
                             method=args.method, serial=args.serial)
        document = postal.item_json(desk, item)
        emit(args, document, lambda: t(
            "postal.item_line", id=document["id"], kind=t(f"postal.kind.{document['kind']}"),
            weight=document["weight_g"], to=document["destination"],
            amount=document["amount"], tenant=document["tenant"]))
        return
    from ..services import common
    from ..services.errors import InvalidInput

    target = None if args.out is None else common.export_target(args.out)
    with desk.db.atomic():  # a list that could not be written is not made either
        made = postal.dispatch(desk, args.day)
        text = postal.dispatch_text(desk, made)
        if target is not None:
            try:
                common.write_whole(target, (text + "\n").encode("utf-8"))
            except OSError as exc:
                raise InvalidInput("error.paid_ledger_write", path=str(target),
                                   reason=exc.strerror or str(exc)) from None
    emit(args, postal.dispatch_json(desk, made), text)


# --- business services and the ledger ---------------------------------------------------

def _service(args, desk, emit) -> None:
    from ..services import business, charges
    from .prices import _charge_line

    tenant = _tenant(args.tenant)
    line = business.sell(desk, tenant_id=tenant.id, item_code=args.item, pages=args.pages,
                         paid=args.paid, signed_by=args.signed_by, method=args.method)
    document = charges.charge_json(desk, line)
    emit(args, document, lambda: _charge_line(document))


def _ledger(args, desk, emit) -> None:
    from ..services import paid_ledger

    document = paid_ledger.write_ledger(desk, args.month, csv_path=args.csv,
                                        xlsx_path=args.xlsx)

    def human() -> str:
        parked = t("paid_ledger.parking_line", **document["temporary_parking"])
        if not document["lines"]:
            return t("paid_ledger.empty", month=document["month"]) + "\n" + parked
        lines = [t("paid_ledger.line", **row, settle_label=t(f"settle.{row['settle']}"),
                   how=row["signed_by"] or (t(f"paid_method.{row['paid_method']}")
                                            if row["paid_method"] else ""))
                 for row in document["lines"]]
        lines += [t("paid_ledger.total_line", **row) for row in document["totals"]]
        lines.append(t("paid_ledger.grand_total", amount=document["total"]))
        lines.append(parked)
        return "\n".join(lines)

    emit(args, document, human)
