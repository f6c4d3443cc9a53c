"""``deskapp resource …`` and ``deskapp booking …`` (SPEC §9 and issue 8).

    deskapp resource add 3F会议室 --kind meeting_room --capacity 12 --buffer 15 --hours 08:00-22:00
    deskapp booking add --resource 3F会议室 --from 2026-12-01T09:00 --to 2026-12-01T11:00 --tenant 华辰科技
    deskapp booking add --resource 3F会议室 --from … --to … --repeat weekly --count 52 [--only-free]
    deskapp booking add --resource B1-017 --quarter 2026Q4 --plate 沪A12345 --tenant 华辰科技
    deskapp booking approve 12        (general manager)
    deskapp booking expiring --days 30

A clash exits 3 and names the booking in the way; JSON of one booking is §9's object;
a series prints ``{series, bookings, skipped, bumped}``.
"""

from __future__ import annotations

from ..i18n import t
from ..models import RESOURCE_KINDS
from ..models.prices import PAID_METHODS
from ..services.errors import InvalidInput


def register(commands, leaf, group) -> None:
    resource = group(commands, "resource")
    add = leaf(resource, "add", "cli.resource_add")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--kind", required=True, choices=RESOURCE_KINDS)
    add.add_argument("--capacity", metavar="N")
    add.add_argument("--size", default="", metavar="TEXT")
    add.add_argument("--price-item", metavar="CODE")
    add.add_argument("--buffer", default="0", metavar="MIN")
    add.add_argument("--hours", default="08:00-22:00", metavar="HH:MM-HH:MM")
    listing = leaf(resource, "list", "cli.resource_list")
    listing.add_argument("--all", action="store_true")
    off = leaf(resource, "deactivate", "cli.resource_deactivate")
    off.add_argument("name", metavar="NAME")

    booking = group(commands, "booking")
    add = leaf(booking, "add", "cli.booking_add")
    add.add_argument("--resource", required=True, metavar="NAME")
    add.add_argument("--from", dest="start", metavar="ISO")
    add.add_argument("--to", dest="end", metavar="ISO")
    add.add_argument("--tenant", metavar="NAME")
    add.add_argument("--borrow", action="store_true")
    add.add_argument("--applicant", default="", metavar="NAME")
    add.add_argument("--note", default="", metavar="TEXT")
    add.add_argument("--repeat", choices=("daily", "weekly"))
    add.add_argument("--count", metavar="N")
    add.add_argument("--until", metavar="YYYY-MM-DD")
    add.add_argument("--only-free", action="store_true")
    add.add_argument("--month", metavar="YYYY-MM")
    add.add_argument("--quarter", metavar="YYYYQn")
    add.add_argument("--plate", metavar="PLATE")
    _settlement_options(add)
    settle = leaf(booking, "settle", "cli.booking_settle")
    settle.add_argument("id", metavar="ID")
    _settlement_options(settle)
    unsettled = leaf(booking, "unsettled", "cli.booking_unsettled")
    unsettled.add_argument("--tenant", metavar="NAME")
    listing = leaf(booking, "list", "cli.booking_list")
    listing.add_argument("--resource", metavar="NAME")
    for name, key in (("approve", "cli.booking_approve"), ("renew", "cli.booking_renew")):
        leaf(booking, name, key).add_argument("id", metavar="ID")
    for name, key in (("refuse", "cli.booking_refuse"), ("cancel", "cli.booking_cancel")):
        parser = leaf(booking, name, key)
        parser.add_argument("id", metavar="ID")
        parser.add_argument("--reason", required=True, metavar="TEXT")
    expiring = leaf(booking, "expiring", "cli.booking_expiring")
    expiring.add_argument("--days", default="30", metavar="N")


def _settlement_options(parser) -> None:
    """How a rental is settled: paid now, or on the monthly account signed for (R-4.2)."""
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--method", choices=PAID_METHODS)
    parser.add_argument("--receipt", metavar="NO")
    parser.add_argument("--signed-by", metavar="NAME")


def _settlement(args):
    from ..services.rental_charges import Settlement

    if args.paid and args.signed_by:
        raise InvalidInput("error.rental_settle_how")
    if (args.method or args.receipt) and not args.paid:
        raise InvalidInput("error.rental_method_needs_paid")
    return Settlement(paid=args.paid, signed_by=args.signed_by, method=args.method,
                      receipt_no=args.receipt)


def run(args, desk, emit) -> int | None:
    if args.command == "resource":
        _resource(args, desk, emit)
        return 0
    if args.command == "booking":
        _booking(args, desk, emit)
        return 0
    return None


def resource_lines(documents: list[dict]) -> str:
    def extra(d: dict) -> str:
        parts = [str(d["capacity"]) + "p" if d["capacity"] else "", d["size"],
                 d["price_item"] or "",
                 f"+{d['buffer_minutes']}min" if d["buffer_minutes"] else ""]
        return "  ".join(p for p in parts if p)

    return "\n".join(t("resource.line", name=d["name"], kind=t(f"resource.kind.{d['kind']}"),
                       hours=f"{d['opens']}-{d['closes']}", extra=extra(d))
                     for d in documents) or t("resource.none")


def booking_lines(documents: list[dict]) -> str:
    def shown(text: str) -> str:
        return text[:16].replace("T", " ")

    return "\n".join(t("booking.line", id=d["id"], resource=d["resource"],
                       start=shown(d["from"]), end=shown(d["to"]),
                       who=" / ".join(x for x in (d["tenant"], d["applicant"]) if x),
                       kind=t(f"booking.kind.{d['kind']}"),
                       state=t(f"booking.state.{d['state']}"))
                     for d in documents) or t("booking.none")


def _resource(args, desk, emit) -> None:
    from ..services import bookings

    if args.resource_command == "add":
        opens, closes = bookings.hours(args.hours)
        row = bookings.add_resource(desk, args.name, args.kind, capacity=args.capacity,
                                    size=args.size, price_item=args.price_item,
                                    buffer_minutes=args.buffer, opens=opens, closes=closes)
    elif args.resource_command == "deactivate":
        row = bookings.set_resource_active(desk, args.name, False)
    else:
        documents = [bookings.resource_json(r)
                     for r in bookings.list_resources(include_inactive=args.all)]
        emit(args, documents, lambda: resource_lines(documents))
        return
    document = bookings.resource_json(row)
    emit(args, document, lambda: resource_lines([document]))


def _booking(args, desk, emit) -> None:
    from ..services import bookings

    command = args.booking_command
    if command == "add":
        _add(args, desk, emit)
        return
    if command == "list":
        documents = [bookings.booking_json(desk, b)
                     for b in bookings.list_bookings(desk, args.resource)]
        emit(args, documents, lambda: booking_lines(documents))
        return
    if command == "expiring":
        rows = bookings.expiring(desk, args.days)
        emit(args, rows, lambda: "\n".join(
            t("booking.expiring_rental" if r["kind"] == "parking_rental"
              else "booking.expiring_insurance", **r) for r in rows)
            or t("booking.expiring_none"))
        return
    if command == "renew":
        _outcome(args, desk, emit, bookings.renew_parking(desk, args.id))
        return
    if command in ("settle", "unsettled"):
        _settle(args, desk, emit)
        return
    change = {"approve": lambda: bookings.approve_borrowing(desk, args.id),
              "refuse": lambda: bookings.refuse_borrowing(desk, args.id, args.reason),
              "cancel": lambda: bookings.cancel_booking(desk, args.id, args.reason)}[command]
    document = bookings.booking_json(desk, change())

    def human() -> str:
        lines = booking_lines([document])
        if command == "cancel" and document["charge"] is not None:  # money is finance's
            lines += "\n" + t("booking.charge_stays", charge=document["charge"])
        return lines

    emit(args, document, human)


def _add(args, desk, emit) -> None:
    from ..services import bookings

    period = args.month or args.quarter
    if args.month and args.quarter:
        raise InvalidInput("error.booking_period_and_times")
    if period is not None:
        if args.start or args.end or args.repeat or args.borrow:
            raise InvalidInput("error.booking_period_and_times")
        if not args.plate or not args.tenant:
            raise InvalidInput("error.booking_plate_needed")
        outcome = bookings.rent_parking(desk, args.resource, period, args.plate, args.tenant,
                                        applicant=args.applicant, note=args.note,
                                        settle=_settlement(args))
    else:
        if args.start is None or args.end is None:
            raise InvalidInput("error.booking_period_and_times")
        outcome = bookings.add_booking(
            desk, args.resource, args.start, args.end, tenant=args.tenant, borrow=args.borrow,
            applicant=args.applicant, note=args.note, repeat_rule=args.repeat,
            count=args.count, until=args.until, only_free=args.only_free,
            settle=_settlement(args))
    _outcome(args, desk, emit, outcome)


def _settle(args, desk, emit) -> None:
    from ..services import bookings
    from ..services.charges import charge_json
    from ..services.rental_charges import settle_rental, to_settle
    from ..services.tickets import find_tenant

    if args.booking_command == "settle":
        how = _settlement(args)
        charge = settle_rental(desk, args.id, paid=how.paid, signed_by=how.signed_by,
                               method=how.method, receipt_no=how.receipt_no)
        document = charge_json(desk, charge)
        emit(args, document, lambda: t("cli.rental_settled", id=args.id, charge=charge.id,
                                       amount=document["amount"]))
        return
    tenant = find_tenant(args.tenant).id if args.tenant else None
    documents = [bookings.booking_json(desk, b) for b in to_settle(tenant)]
    emit(args, documents, lambda: booking_lines(documents) or t("cli.rental_none_to_settle"))


def _outcome(args, desk, emit, outcome) -> None:
    from ..services import bookings

    made = [bookings.booking_json(desk, b) for b in outcome.bookings]
    skipped = [bookings.clash_json(desk, c) for c in outcome.skipped]
    bumped = [bookings.booking_json(desk, b) for b in outcome.bumped]

    def human() -> str:
        lines = [booking_lines(made)]
        lines += [t("booking.skipped", start=s["from"][:16].replace("T", " "),
                    end=s["to"][:16].replace("T", " "), id=s["clashes_with"]["id"])
                  for s in skipped]
        lines += [t("booking.bumped_line", id=b["id"]) for b in bumped]
        return "\n".join(lines)

    if outcome.series is None:
        document = dict(made[0], bumped=[b["id"] for b in bumped])
    else:
        document = {"series": outcome.series.id, "bookings": made, "skipped": skipped,
                    "bumped": [b["id"] for b in bumped]}
    emit(args, document, human)
