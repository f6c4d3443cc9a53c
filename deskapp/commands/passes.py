"""``deskapp pass|insurance|permit|release …``: passes, permits, large-item release."""

from __future__ import annotations

import datetime as dt

from ..i18n import t
from ..models import PASS_KINDS, VEHICLES
from .common import dispatch, moment, names_list


def register(commands, leaf, group) -> None:
    passes = group(commands, "pass")
    add = leaf(passes, "add", "cli.pass_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--kind", required=True, choices=PASS_KINDS)
    add.add_argument("--name", action="append", required=True, metavar="PERSON")
    add.add_argument("--from", dest="start", required=True, metavar="DAY|ISO")
    add.add_argument("--to", dest="end", required=True, metavar="DAY|ISO")
    add.add_argument("--at", metavar="ISO")
    listing = leaf(passes, "list", "cli.pass_list")
    listing.add_argument("--valid", action="store_true")
    listing.add_argument("--expiring", metavar="DAYS")
    listing.add_argument("--tenant", metavar="NAME")
    listing.add_argument("--name", metavar="PERSON")
    revoke = leaf(passes, "revoke", "cli.pass_revoke")
    revoke.add_argument("id", metavar="ID")
    revoke.add_argument("--reason", required=True, metavar="TEXT")

    insurance = group(commands, "insurance")
    add = leaf(insurance, "add", "cli.insurance_add")
    add.add_argument("--plate", required=True, metavar="PLATE")
    add.add_argument("--insurer", required=True, metavar="NAME")
    add.add_argument("--policy", required=True, metavar="NUMBER")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    leaf(insurance, "list", "cli.insurance_list")

    permit = group(commands, "permit")
    add = leaf(permit, "add", "cli.permit_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--plate", required=True, metavar="PLATE")
    add.add_argument("--vehicle", required=True, choices=VEHICLES)
    add.add_argument("--holder", required=True, metavar="NAME")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--at", metavar="ISO")
    leaf(permit, "list", "cli.permit_list")

    release = group(commands, "release")
    add = leaf(release, "add", "cli.release_add")
    add.add_argument("--tenant", required=True, metavar="NAME")
    add.add_argument("--items", required=True, metavar="TEXT")
    add.add_argument("--carrier", required=True, metavar="NAME")
    add.add_argument("--confirmed-by", required=True, metavar="SIGNATORY")
    add.add_argument("--guard", metavar="LOGIN")
    add.add_argument("--at", metavar="ISO")
    listing = leaf(release, "list", "cli.release_list")
    listing.add_argument("--tenant", metavar="NAME")


def _edge(text: str, *, end: bool) -> str:
    """A validity edge as a person reads it: a whole day as the day (an end at 00:00 is
    the day before, its last), else day and time."""
    moment = dt.datetime.fromisoformat(text)
    if moment.time() != dt.time(0, 0):
        return moment.strftime("%Y-%m-%d %H:%M")
    return (moment.date() - dt.timedelta(days=1 if end else 0)).isoformat()


def pass_lines(documents: list[dict]) -> str:
    return "\n".join(t("pass.line", id=d["id"], name=d["name"], tenant=d["tenant"],
                       kind=t(f"pass.kind.{d['kind']}"),
                       valid_from=_edge(d["valid_from"], end=False),
                       valid_until=_edge(d["valid_until"], end=True),
                       state=t(f"pass.state.{d['state']}"))
                     for d in documents) or t("pass.none")


def _lines(key: str, documents: list[dict], **labels) -> str:
    return "\n".join(t(key, **{**d, **{k: f(d) for k, f in labels.items()}})
                     for d in documents)


def run(args, desk, emit) -> int | None:
    return dispatch(args, desk, emit, {"pass": _pass, "insurance": _insurance,
                                       "permit": _permit, "release": _release})


def _pass(args, desk, emit) -> None:
    from ..services import passes, validate

    if args.pass_command == "add":
        made = passes.issue_passes(desk, args.tenant, args.kind, names_list(args.name),
                                   args.start, args.end, at=moment(desk, args.at))
    elif args.pass_command == "revoke":
        made = [passes.revoke_pass(desk, validate.record_id(args.id, "pass"), args.reason)]
    else:
        made = passes.list_passes(desk, tenant=args.tenant, name=args.name,
                                  valid=args.valid, expiring_days=args.expiring)
    documents = [passes.pass_json(desk, p) for p in made]
    emit(args, documents[0] if args.pass_command == "revoke" else documents,
         lambda: pass_lines(documents))


def _insurance(args, desk, emit) -> None:
    from ..services import passes

    if args.insurance_command == "add":
        row = passes.add_insurance(desk, args.plate, args.insurer, args.policy,
                                   args.start, args.end)
        document = passes.insurance_json(row)
        emit(args, document, lambda: _lines("insurance.line", [document]))
        return
    documents = [passes.insurance_json(r) for r in passes.list_insurance()]
    emit(args, documents, lambda: _lines("insurance.line", documents) or t("insurance.none"))


def _permit(args, desk, emit) -> None:
    from ..services import passes

    vehicle = {"vehicle": lambda d: t(f"vehicle.{d['vehicle']}")}
    if args.permit_command == "add":
        permit = passes.add_permit(desk, args.tenant, args.plate, args.vehicle, args.holder,
                                   args.start, args.end, at=moment(desk, args.at))
        document = passes.permit_json(desk, permit)
        emit(args, document, lambda: _lines("permit.line", [document], **vehicle))
        return
    documents = [passes.permit_json(desk, p) for p in passes.list_permits()]
    emit(args, documents, lambda: _lines("permit.line", documents, **vehicle)
         or t("permit.none"))


def _release(args, desk, emit) -> None:
    from ..services import release

    if args.release_command == "add":
        row = release.release_items(desk, args.tenant, args.items, args.carrier,
                                    args.confirmed_by, guard=args.guard,
                                    at=moment(desk, args.at))
        document = release.release_json(desk, row)
        emit(args, document, lambda: _lines("release.line", [document]))
        return
    documents = [release.release_json(desk, r) for r in release.releases(args.tenant)]
    emit(args, documents, lambda: _lines("release.line", documents) or t("release.none"))
