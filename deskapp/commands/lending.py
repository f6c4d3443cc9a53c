"""Lending on the command line: ``umbrella lend|return|list|stock``, ``recycling
book|done|cancel|list``, and the register's own top-level commands ``booking-register``,
``booking-damage`` and ``booking-ics`` (the ``booking`` group is the bookings core's).
Every one takes --json; counts and amounts are text checked by services.validate."""

from __future__ import annotations

from ..i18n import t
from ..views import fit


def register(commands, leaf, group) -> None:
    umbrella = group(commands, "umbrella")
    lend = leaf(umbrella, "lend", "cli.umbrella_lend")
    lend.add_argument("--to", required=True, metavar="NAME")
    lend.add_argument("--tenant", metavar="NAME")
    lend.add_argument("--umbrella", metavar="U-03")
    lend.add_argument("--phone", default="", metavar="PHONE")
    back = leaf(umbrella, "return", "cli.umbrella_return")
    back.add_argument("umbrella", metavar="U-03")
    listing = leaf(umbrella, "list", "cli.umbrella_list")
    listing.add_argument("--out", action="store_true")
    stock = leaf(umbrella, "stock", "cli.umbrella_stock")
    stock.add_argument("--add", metavar="N")
    stock.add_argument("--retire", metavar="U-03")
    stock.add_argument("--reason", metavar="TEXT")

    recycling = group(commands, "recycling")
    book = leaf(recycling, "book", "cli.recycling_book")
    book.add_argument("--tenant", required=True, metavar="NAME")
    book.add_argument("--at", required=True, metavar="ISO")
    book.add_argument("--what", required=True, metavar="TEXT")
    book.add_argument("--contact", default="", metavar="TEXT")
    done = leaf(recycling, "done", "cli.recycling_done")
    done.add_argument("id", metavar="ID")
    cancel = leaf(recycling, "cancel", "cli.recycling_cancel")
    cancel.add_argument("id", metavar="ID")
    cancel.add_argument("--reason", required=True, metavar="TEXT")
    listing = leaf(recycling, "list", "cli.recycling_list")
    listing.add_argument("--all", action="store_true")

    reg = leaf(commands, "booking-register", "cli.lending_register")
    reg.add_argument("--from", dest="since", metavar="YYYY-MM-DD")
    reg.add_argument("--to", dest="until", metavar="YYYY-MM-DD")
    reg.add_argument("--resource", metavar="NAME")
    reg.add_argument("--tenant", metavar="NAME")
    reg.add_argument("--kind", metavar="rental|borrowing")
    reg.add_argument("--state", metavar="STATE")
    reg.add_argument("--csv", metavar="FILE")
    reg.add_argument("--xlsx", metavar="FILE")
    damage = leaf(commands, "booking-damage", "cli.lending_damage")
    damage.add_argument("id", metavar="ID")
    damage.add_argument("--what", required=True, metavar="TEXT")
    damage.add_argument("--amount", required=True, metavar="YUAN")
    ics = leaf(commands, "booking-ics", "cli.lending_ics")
    ics.add_argument("--tenant", metavar="NAME")
    ics.add_argument("--resource", metavar="NAME")
    ics.add_argument("--since", metavar="YYYY-MM-DD")
    ics.add_argument("--out", required=True, metavar="FILE")


def run(args, desk, emit) -> int | None:
    handler = {"umbrella": _umbrella, "recycling": _recycling,
               "booking-register": _register, "booking-damage": _damage,
               "booking-ics": _ics}.get(args.command)
    if handler is None:
        return None
    handler(args, desk, emit)
    return 0


def _when(text: str | None) -> str:
    return "—" if not text else f"{text[5:10]} {text[11:16]}"


def _umbrella(args, desk, emit) -> None:
    from ..services import umbrellas
    from ..services.errors import InvalidInput

    def line(doc: dict) -> str:
        if doc["returned_at"]:
            state = t("umbrella.lost") if doc["lost"] else \
                f"{t('umbrella.back')} {_when(doc['returned_at'])}"
        else:
            state = t("umbrella.overdue") if doc["overdue"] else ""
        return (f"{doc['umbrella']:<6} {fit(doc['borrower'], 16)} {fit(doc['tenant'] or '', 20)} "
                f"{_when(doc['lent_at'])} {state}").rstrip()

    command = args.umbrella_command
    if command in ("lend", "return"):
        loan = (umbrellas.lend_umbrella(desk, args.to, args.tenant, args.umbrella,
                                        phone=args.phone) if command == "lend"
                else umbrellas.return_umbrella(desk, args.umbrella))
        doc = umbrellas.loan_json(desk, loan)
        key = "umbrella.lent" if command == "lend" else "umbrella.returned"
        emit(args, doc, t(key, number=doc["umbrella"], borrower=doc["borrower"]))
    elif command == "list":
        docs = [umbrellas.loan_json(desk, loan) for loan in umbrellas.loans(out_only=args.out)]
        emit(args, docs, lambda: "\n".join(line(d) for d in docs) or t("umbrella.none_out"))
    else:
        if args.add is not None and args.retire is not None:
            raise InvalidInput("error.umbrella_stock_one")
        if args.reason is not None and args.retire is None:
            raise InvalidInput("error.umbrella_stock_one")
        if args.add is not None:
            made = umbrellas.add_umbrellas(desk, args.add)
            human = t("umbrella.added", count=len(made), first=made[0].number,
                      last=made[-1].number)
        elif args.retire is not None:
            row = umbrellas.retire_umbrella(desk, args.retire, args.reason)
            human = t("umbrella.retired_line", number=row.number, reason=row.retire_reason)
        else:
            human = None
        doc = umbrellas.stock(desk)
        shown = t("umbrella.stock_line", days=doc["overdue_days"], **{
            k: doc[k] for k in ("in", "out", "retired")})
        emit(args, doc, f"{human}\n{shown}" if human else shown)


def _recycling(args, desk, emit) -> None:
    from ..services import recycling

    def line(doc: dict) -> str:
        return (f"#{doc['id']:<5} {_when(doc['at'])} {fit(doc['tenant'], 20)} "
                f"{fit(doc['what'], 24)} {t('recycling.state.' + doc['state'])}")

    command = args.recycling_command
    if command == "list":
        docs = [recycling.pickup_json(desk, p)
                for p in recycling.pickups(booked_only=not args.all)]
        emit(args, docs, lambda: "\n".join(line(d) for d in docs) or t("recycling.none"))
        return
    if command == "book":
        from .common import moment

        pickup = recycling.book_pickup(desk, args.tenant, moment(desk, args.at, "--at"),
                                       args.what, contact=args.contact)
    elif command == "done":
        pickup = recycling.pickup_done(desk, args.id)
    else:
        pickup = recycling.cancel_pickup(desk, args.id, args.reason)
    doc = recycling.pickup_json(desk, pickup)
    emit(args, doc, line(doc))


def _register(args, desk, emit) -> None:
    from ..services import booking_register as register

    rows = register.register_rows(desk, since=args.since, until=args.until,
                                  resource=args.resource, tenant=args.tenant,
                                  kind=args.kind, state=args.state)
    if args.csv is not None or args.xlsx is not None:
        register.write_register(desk, rows, csv_path=args.csv, xlsx_path=args.xlsx)

    def line(doc: dict) -> str:
        damage = f" ¥{doc['damage_total']}" if doc["damage"] else ""
        return (f"#{doc['id']:<5} {_when(doc['from'])}–{doc['to'][11:16]} "
                f"{fit(doc['resource'], 16)} {fit(doc['tenant'] or doc['applicant'], 20)} "
                f"{fit(t('register.kind.' + doc['kind']), 6)} "
                f"{t('register.state.' + doc['state'])}{damage}")

    def human() -> str:
        text = "\n".join(line(d) for d in rows) or t("register.none")
        if args.csv is not None or args.xlsx is not None:
            text += "\n" + t("register.written", count=len(rows))
        return text

    emit(args, rows, human)


def _damage(args, desk, emit) -> None:
    from ..services import booking_register as register
    from .common import amount_fen

    row = register.record_damage(desk, args.id, args.what, amount_fen(args.amount, "--amount"))
    doc = register.damage_json(desk, row)
    emit(args, doc, t("register.damage_recorded", id=doc["booking"], what=doc["what"],
                      amount=doc["amount"]))


def _ics(args, desk, emit) -> None:
    from ..services import booking_register as register

    count = register.write_ics(desk, args.out, tenant=args.tenant, resource=args.resource,
                              since=args.since)
    emit(args, {"events": count, "path": args.out},
         t("register.ics_written", count=count, path=args.out))
