"""``deskapp price …`` (SPEC §9: ``price list``, ``price set CODE YUAN --from
YYYY-MM-DD [--reason TEXT]``; plus ``price stop`` and ``price notices``) and ``deskapp
charge add | list | reverse``: the price list and the charges ledger for scripts.
Money in JSON as strings with two decimals."""

from __future__ import annotations

from ..i18n import t
from ..models import FREE_REASONS, PAID_METHODS, PRICE_UNITS, SETTLEMENTS


def register(commands, leaf, group) -> None:
    price = group(commands, "price")
    leaf(price, "list", "cli.price_list")
    setter = leaf(price, "set", "cli.price_set")
    setter.add_argument("code", metavar="CODE")
    setter.add_argument("yuan", metavar="YUAN")
    setter.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", required=True)
    setter.add_argument("--reason", metavar="TEXT", default="")
    setter.add_argument("--name-zh", metavar="TEXT")
    setter.add_argument("--name-en", metavar="TEXT")
    setter.add_argument("--unit", metavar="UNIT", choices=PRICE_UNITS)
    stop = leaf(price, "stop", "cli.price_stop")
    stop.add_argument("code", metavar="CODE")
    stop.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", required=True)
    stop.add_argument("--reason", metavar="TEXT", required=True)
    leaf(price, "notices", "cli.price_notices")

    charge = group(commands, "charge")
    add = leaf(charge, "add", "cli.charge_add")
    add.add_argument("--tenant", metavar="NAME", required=True)
    add.add_argument("--item", metavar="CODE", required=True)
    add.add_argument("--quantity", metavar="Q", required=True)
    add.add_argument("--date", metavar="YYYY-MM-DD", required=True)
    add.add_argument("--paid", action="store_true")
    add.add_argument("--method", metavar="METHOD", choices=PAID_METHODS)
    add.add_argument("--receipt", metavar="NO")
    add.add_argument("--signed-by", metavar="NAME")
    add.add_argument("--price", metavar="YUAN")
    add.add_argument("--free", metavar="REASON", choices=FREE_REASONS)
    add.add_argument("--description", metavar="TEXT", default="")
    add.add_argument("--ref", metavar="TEXT", help=t("cli.ref"))
    listing = leaf(charge, "list", "cli.charge_list")
    listing.add_argument("--tenant", metavar="NAME")
    listing.add_argument("--month", metavar="YYYY-MM")
    listing.add_argument("--settle", choices=SETTLEMENTS)
    reverse = leaf(charge, "reverse", "cli.charge_reverse")
    reverse.add_argument("id", metavar="ID")
    reverse.add_argument("--reason", metavar="TEXT", required=True)


def run(args, desk, emit) -> int | None:
    if args.command == "price":
        return _price(args, desk, emit)
    if args.command == "charge":
        return _charge(args, desk, emit)
    return None


def _price(args, desk, emit) -> int:
    from ..services import prices
    from .common import amount_fen

    verb = args.price_command
    if verb == "list":
        rows = [prices.price_json(row) for row in prices.published(desk)]
        emit(args, rows, lambda: "\n".join(_price_line(row) for row in rows))
    elif verb == "notices":
        rows = [prices.notice_json(desk, n) for n in prices.notices()]
        emit(args, rows, lambda: "\n".join(_notice_line(row) for row in rows)
             or t("prices.no_notices"))
    else:
        if verb == "set":
            notice = prices.set_price(desk, args.code, amount_fen(args.yuan, "YUAN"), args.from_,
                                      reason=args.reason, name_zh=args.name_zh,
                                      name_en=args.name_en, unit=args.unit)
        else:
            notice = prices.withdraw(desk, args.code, args.from_, args.reason)
        document = prices.notice_json(desk, notice)
        emit(args, document, lambda: _notice_line(document))
    return 0


def _price_line(row: dict) -> str:
    price = row["price"] if row["active"] else t("prices.withdrawn")
    line = t("prices.head", code=row["code"], name=row["name"], price=price,
             unit=t(f"unit.{row['unit']}"), day=row["effective_from"])
    return f"{line} ({t('prices.announced')})" if row["announced"] else line


def _notice_line(row: dict) -> str:
    none = t("prices.none")
    return t("prices.notice", id=row["id"], day=row["effective_from"], name=row["name"],
             old=row["old_price"] or none, new=row["new_price"] or t("prices.withdrawn"),
             reason=row["reason"] or none, at=row["issued_at"][:16].replace("T", " "),
             by=row["issued_by"])


def _charge(args, desk, emit) -> int:
    from ..money import format_yuan
    from ..services import charges
    from ..services.errors import InvalidInput
    from ..services.tickets import find_tenant
    from .common import amount_fen

    verb = args.charge_command
    if verb == "add":
        if args.paid and args.signed_by is not None:
            raise InvalidInput("error.charge_paid_and_signed")
        price = None if args.price is None else amount_fen(args.price, "--price")
        tenant = find_tenant(args.tenant)
        charge = charges.post_charge(
            desk, tenant_id=tenant.id, item_code=args.item, quantity=args.quantity,
            service_date=args.date, source="cli" if args.ref is None else "cli_ref",
            source_id=args.ref, settle="paid" if args.paid else "monthly",
            signed_by=args.signed_by, description=args.description, unit_price_fen=price,
            free_reason=args.free, paid_method=args.method, receipt_no=args.receipt)
        document = charges.charge_json(desk, charge)
        emit(args, document, lambda: _charge_line(document))
    elif verb == "reverse":
        charge = charges.reverse_charge(desk, args.id, args.reason)
        document = charges.charge_json(desk, charge)
        emit(args, document, lambda: _charge_line(document))
    else:
        tenant_id = None if args.tenant is None else find_tenant(args.tenant).id
        lines = charges.charges(tenant_id=tenant_id, month=args.month, settle=args.settle)
        reversed_ = charges.reversed_ids([line.id for line in lines])
        rows = [charges.charge_json(desk, line, line.id in reversed_) for line in lines]

        def human() -> str:
            if not rows:
                return t("charges.none")
            total = format_yuan(sum(line.amount_fen for line in lines))
            return "\n".join([*(_charge_line(row) for row in rows),
                              t("charges.total", amount=total)])

        emit(args, rows, human)
    return 0


def _charge_line(row: dict) -> str:
    settle = t(f"settle.{row['settle']}")
    if row["free_reason"]:
        settle = f"{settle}; {t('free.' + row['free_reason'])}"
    return t("charges.line", id=row["id"], day=row["service_date"], tenant=row["tenant"],
             name=row["name"], quantity=row["quantity"], price=row["unit_price"],
             amount=row["amount"], settle=settle)
