"""``deskapp meter …``: SPEC §9 ``meter import FILE.csv [--json]`` (header
``tenant,meter,read_at,reading``), and ``meter read | add | list | confirm | replace``
for engineering's scripts. Readings in kWh with at most two decimals ("1450.50"); times
ISO 8601 (building zone without an offset). Exit codes as SPEC §9: 2 bad input (nothing
written), 3 conflict, 4 not this role's."""

from __future__ import annotations

from ..i18n import t
from .common import dispatch


def register(commands, leaf, group) -> None:
    meter = group(commands, "meter")
    importing = leaf(meter, "import", "cli.meter_import")
    importing.add_argument("file", metavar="FILE.csv")
    read = leaf(meter, "read", "cli.meter_read")
    _reading(read, "--meter", "--reading")
    add = leaf(meter, "add", "cli.meter_add")
    _reading(add, "--meter", "--reading")
    add.add_argument("--unit", metavar="U")
    listing = leaf(meter, "list", "cli.meter_list")
    listing.add_argument("--tenant", metavar="NAME")
    listing.add_argument("--flagged", action="store_true")
    confirm = leaf(meter, "confirm", "cli.meter_confirm")
    confirm.add_argument("id", metavar="ID")
    confirm.add_argument("--note", metavar="TEXT", required=True)
    replace = leaf(meter, "replace", "cli.meter_replace")
    _reading(replace, "--old", "--final")
    replace.add_argument("--new", metavar="CODE", required=True)
    replace.add_argument("--reading", metavar="KWH", required=True)


def _reading(parser, code: str, value: str) -> None:
    parser.add_argument("--tenant", metavar="NAME", required=True)
    parser.add_argument(code, metavar="CODE", required=True)
    parser.add_argument(value, metavar="KWH", required=True)
    parser.add_argument("--at", metavar="ISO", help=t("cli.meter_at"))


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"meter": _meter})


def _meter(args, desk, emit) -> None:
    from ..services import meters
    from .common import moment

    verb = args.meter_command
    if verb == "import":
        summary = meters.import_readings(desk, args.file)
        emit(args, summary, lambda: t("meters.imported", **summary))
        return
    if verb == "list":
        tenant = None if args.tenant is None else meters.tenant_named(args.tenant)
        rows = [meters.meters_json(desk, m)
                for m in meters.meters(tenant.id if tenant else None, args.flagged)]
        emit(args, rows, lambda: "\n".join(_meter_lines(row) for row in rows)
             or t("meters.none"))
        return
    if verb == "confirm":
        row = meters.confirm_reading(desk, args.id, args.note)
        document = meters.reading_json(desk, row)
        emit(args, document, lambda: _reading_line(document))
        return
    tenant = meters.tenant_named(args.tenant)
    at = moment(desk, args.at)
    if verb == "read":
        row = meters.record_reading(desk, tenant_id=tenant.id, meter_code=args.meter,
                                    reading=args.reading, read_at=at)
        document = meters.reading_json(desk, row)
        emit(args, document, lambda: _reading_line(document))
        return
    if verb == "add":
        meter = meters.add_meter(desk, tenant_id=tenant.id, code=args.meter,
                                 reading=args.reading, at=at, unit=args.unit)
    else:
        meter = meters.replace_meter(desk, tenant_id=tenant.id, old_code=args.old,
                                     final_reading=args.final, new_code=args.new,
                                     new_reading=args.reading, at=at)
    document = meters.meters_json(desk, meter)
    emit(args, document, lambda: _meter_lines(document))


def _reading_line(row: dict) -> str:
    line = t("meters.reading_line", id=row["id"], tenant=row["tenant"], meter=row["meter"],
             reading=row["reading"], at=row["read_at"][:16].replace("T", " "),
             kind=t(f"meters.kind.{row['kind']}"))
    if row["flag"]:
        line += f"  [{t('meters.flag.' + row['flag'])}] {row['note']}"
    return line


def _meter_lines(row: dict) -> str:
    last = row["last"]
    head = t("meters.meter_line", tenant=row["tenant"], meter=row["meter"],
             unit=row["unit"] or "—",
             reading=last["reading"] if last else "—",
             at=last["read_at"][:16].replace("T", " ") if last else "—")
    return "\n".join([head, *("  " + _reading_line(r) for r in row["flagged"])])
