"""Command line: the dashboard, and the headless commands of SPEC §9 for scripts.

Exit codes: 0 done; 2 bad input or usage; 3 conflict; 4 not allowed for the role;
5 the database cannot be used. Never a traceback: every known error leaves through
``_known_error`` with one message in the user's language, its values made safe for a
terminal (``views.safe_text``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Sequence

import pendulum

from . import i18n
from .clock import Clock
from .config import Settings, load_settings
from .i18n import t


class UsageError(Exception):
    """Bad input found by the CLI itself (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors, in our words
        from .views import safe_text

        self.print_usage(sys.stderr)
        # argparse echoes the value it refused ("invalid choice: '\x1b[2J'")
        print(safe_text(f"deskapp: {t('error.usage')}: {message}"), file=sys.stderr)
        raise SystemExit(2)


def _leaf(commands, name: str, help_key: str):
    """A subcommand with the --json every command of SPEC §9 takes."""
    parser = commands.add_parser(name, help=t(help_key))
    parser.add_argument("--json", action="store_true")
    return parser


def _group(commands, name: str):
    """``deskapp NAME …``: a command whose subcommands land in ``args.NAME_command``."""
    parser = commands.add_parser(name, help=t(f"cli.{name}"))
    return parser.add_subparsers(dest=f"{name}_command", required=True, parser_class=_Parser)


def build_parser() -> argparse.ArgumentParser:
    from .models.records import ROLES

    parser = _Parser(prog="deskapp", description=t("cli.description"))
    parser.add_argument("--db", metavar="URL", help=t("cli.db"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=t("cli.lang"))
    parser.add_argument("--no-mouse", action="store_true", help=t("cli.no_mouse"))
    parser.add_argument("--no-bell", action="store_true", help=t("cli.no_bell"))
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    init = _leaf(commands, "init", "cli.init")
    init.add_argument("--demo", action="store_true", help=t("cli.init_demo"))

    ticket_cmds = _group(commands, "ticket")
    add = _leaf(ticket_cmds, "add", "cli.ticket_add")
    add.add_argument("--service", required=True, metavar="CODE")
    add.add_argument("--tier", choices=("extra_urgent", "urgent", "normal"))
    add.add_argument("--tenant", metavar="NAME")
    add.add_argument("--location", metavar="TEXT", default="")
    add.add_argument("--people", type=int, default=1, metavar="N")
    add.add_argument("--agreed", metavar="ISO")
    add.add_argument("--scope", choices=("simple", "systems"))
    add.add_argument("--written", action="store_true")
    add.add_argument("--at", metavar="ISO")
    add.add_argument("--note", metavar="TEXT", default="")
    add.add_argument("--ref", metavar="TEXT", help=t("cli.ref"))

    listing = _leaf(ticket_cmds, "list", "cli.ticket_list")
    listing.add_argument("--all", action="store_true")

    stepper = _leaf(ticket_cmds, "step", "cli.ticket_step")
    stepper.add_argument("id", metavar="ID")  # checked by services.validate.record_id
    stepper.add_argument("action", metavar="ACTION",
                         choices=("dispatch", "arrive", "resolve", "reply", "answer", "hold",
                                  "resume", "cancel", "reopen"))
    stepper.add_argument("--at", metavar="ISO")
    stepper.add_argument("--reason", metavar="TEXT")
    stepper.add_argument("--to", metavar="LOGIN", help=t("cli.step_to"))
    stepper.add_argument("--note", metavar="TEXT", help=t("cli.step_note"))
    stepper.add_argument("--written", action="store_true", help=t("cli.step_written"))

    staff_cmds = _group(commands, "staff")
    staff_add = _leaf(staff_cmds, "add", "cli.staff_add")
    staff_add.add_argument("login", metavar="LOGIN")
    staff_add.add_argument("--name", required=True, metavar="NAME")
    staff_add.add_argument("--role", required=True, metavar="ROLE", choices=ROLES)
    staff_add.add_argument("--inactive", action="store_true", help=t("cli.staff_inactive"))
    _leaf(staff_cmds, "list", "cli.staff_list")

    tenant_cmds = _group(commands, "tenant")
    tenant_import = _leaf(tenant_cmds, "import", "cli.tenant_import")
    tenant_import.add_argument("file", metavar="FILE.csv")
    _leaf(tenant_cmds, "list", "cli.tenant_list")

    setting_cmds = _group(commands, "setting")
    setting_set = _leaf(setting_cmds, "set", "cli.setting_set")
    setting_set.add_argument("key", metavar="KEY")
    setting_set.add_argument("value", metavar="VALUE")
    _leaf(setting_cmds, "list", "cli.setting_list")

    audit_cmds = _group(commands, "audit")
    _leaf(audit_cmds, "verify", "cli.audit_verify")

    from .commands import modules

    for area in modules():
        area.register(commands, _leaf, _group)
    backup = _leaf(commands, "backup", "cli.backup")
    backup.add_argument("path", metavar="PATH")
    return parser


def parse_moment(text: str | None, tz: str, option: str) -> pendulum.DateTime | None:
    """ISO 8601 with or without offset; without, the building's zone (SPEC §9). Whether
    it is plausible (services.validate.WINDOW) the service checks before writing."""
    from .services import validate

    return validate.parse_iso(text, tz, option)


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_early_lang(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(database_url=args.db, lang=args.lang,
                                 mouse=False if args.no_mouse else None,
                                 bell=False if args.no_bell else None)
    except (ValueError, OSError) as exc:  # a config file or DESKAPP_* value unreadable
        from .views import safe_text

        print(safe_text(f"deskapp: {t('error.bad_setting', detail=str(exc))}"),
              file=sys.stderr)
        return 2
    i18n.set_language(settings.lang or i18n.detect_language())
    try:
        if args.command is None:
            return _run_dashboard(settings, clock or Clock())
        return _run_command(args, settings, clock or Clock())
    except BrokenPipeError:
        # the reader stopped early (`ticket list | head`): its choice, not a fault; the
        # output still buffered must not raise again when Python flushes it at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - every known error leaves with its exit code
        code, message = _known_error(exc, settings)
        if code is None:
            raise
        from .views import safe_text

        # a message may hold several lines of our own (every problem of an import); the
        # values in it were made safe already, line breaks included
        print("\n".join(safe_text(line) for line in f"deskapp: {message}".split("\n")),
              file=sys.stderr)
        return code


def _known_error(exc: Exception, settings: Settings | None = None) -> tuple[int | None, str]:
    """The one place an error becomes an exit code and a message (SPEC §9)."""
    from .db import BadDatabaseURL, SchemaTooNew, describe, fault_of
    from .services import DeskError

    if isinstance(exc, UsageError):
        return 2, str(exc)
    if isinstance(exc, DeskError):
        return exc.exit_code, exc.message()
    if isinstance(exc, BadDatabaseURL):
        return 2, t("error.bad_db_url", url=str(exc))
    if isinstance(exc, SchemaTooNew):
        return 2, t("error.schema_too_new", found=exc.found)
    # a fault the database layer did not see itself (opening, the driver, the disk)
    fault = fault_of(exc, describe(settings.database_url) if settings else "")
    if fault is not None:
        return fault.exit_code, fault.message()
    return None, ""


def _early_lang(argv: list[str]) -> str:
    """The language for --help and usage errors, before the parser has run."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in i18n.LANGUAGES:
            return argv[index + 1]
        if arg.startswith("--lang=") and arg[7:] in i18n.LANGUAGES:
            return arg[7:]
    try:
        return load_settings().lang or i18n.detect_language()
    except (ValueError, OSError):  # main says what is wrong with the settings
        return i18n.detect_language()


def _open(settings: Settings, clock: Clock):
    from .db import NoDatabase, check_schema, check_sqlite_path, open_database, sqlite_path
    from .services import DatabaseUnusable, Desk

    path = sqlite_path(settings.database_url)
    if path is not None:  # a mistyped --db must not start an empty building
        check_sqlite_path(path, create=False)
    db = open_database(settings.database_url, settings.busy_timeout)
    try:
        check_schema(db)
    except NoDatabase:
        if path is not None:
            raise DatabaseUnusable("fault.missing", db=str(path)) from None
        # a PostgreSQL database that exists but was never initialised: no file to name
        raise DatabaseUnusable("fault.not_initialised",
                               db=_shown_url(settings.database_url)) from None
    return Desk.for_login(db, clock, _acting(settings))


def _acting(settings: Settings) -> str:
    """The real login, or DESKAPP_USER when root or the database file's owner runs it."""
    from .db import sqlite_path
    from .services.context import acting_login

    path = sqlite_path(settings.database_url)
    owner = path.stat().st_uid if path is not None and path.exists() else None
    return acting_login(settings.user, owner)


def _shown_url(url: str | None) -> str:
    """A database URL as it may be shown and typed again: without its password."""
    from .db import normalise_url

    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", normalise_url(url))


def _run_dashboard(settings: Settings, clock: Clock) -> int:
    from .app import DeskApp

    desk = _open(settings, clock)
    app = DeskApp(desk, settings)
    _exit_on_hangup(app)
    app.run(mouse=settings.mouse)
    return app.return_code or 0


def _exit_on_hangup(app) -> None:
    """When the SSH link drops, leave: cleanly if that finishes within
    HANGUP_GRACE_SECONDS, else at once. Every write is one transaction, so nothing is
    half-done either way; the ticker thread and the database close with the process."""
    import signal

    def hangup(signum, _frame) -> None:
        _arm_watchdog()
        if signum == getattr(signal, "SIGHUP", None):
            _discard_output(app)
        app.exit(return_code=0)

    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), hangup)


def _discard_output(app) -> None:
    """The terminal is gone: nothing is left to draw or restore. Textual's writer thread
    dies on the first write to the closed terminal; its queue then fills, and the exit,
    which queues the terminal's restore codes and waits for the thread, blocks for
    ever. Dropping the output instead lets the exit finish at once."""
    writer = getattr(getattr(app, "_driver", None), "_writer_thread", None)
    if writer is not None:
        writer.write = lambda _text: None
        writer.stop = lambda: None


# Once the terminal is gone, the clean exit gets this long; then the process ends
# anyway. Dropping the link while the palette searched hung 1 time in 15 (the main
# thread stuck stopping Textual's writer thread): the orphan ignored SIGTERM and kept
# the database open.
HANGUP_GRACE_SECONDS = 4.0
_watchdog_sink = None


def _arm_watchdog() -> None:
    """faulthandler's watchdog is a C thread: it ends the process even when a stuck
    thread holds the GIL (a threading.Timer would wait for it)."""
    import faulthandler

    global _watchdog_sink
    if _watchdog_sink is not None:
        return
    _watchdog_sink = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends
    faulthandler.dump_traceback_later(HANGUP_GRACE_SECONDS, exit=True, file=_watchdog_sink)


# JSON escapes C0 but, with ensure_ascii=False, emits DEL and C1 (U+0080-U+009F: CSI is
# U+009B) raw; a terminal showing the document would obey them. Line and paragraph
# separators break naive line readers. Escaped, the document means the same.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_text(document, indent: int | None = 2) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _emit(args, document, human) -> None:
    """``document`` as JSON with --json, else ``human`` (text, or a function making it:
    10,000 lines of it cost 0.23 s that --json should not pay). Stored text reaches the
    terminal only through safe_text."""
    from .views import safe_text

    if getattr(args, "json", False):
        # indented for a person; compact for a pipe: json's C encoder runs only without
        # indent (10,000 tickets: 0.8 s indented)
        print(json_text(document, indent=2 if sys.stdout.isatty() else None))
    else:
        text = human() if callable(human) else human
        print("\n".join(safe_text(line) for line in text.split("\n")))


def _run_command(args, settings: Settings, clock: Clock) -> int:
    from .db import create_sqlite_file, ensure_schema, grant_roles, is_sqlite, open_database

    if args.command == "init":
        create_sqlite_file(settings.database_url)
        db = open_database(settings.database_url, settings.busy_timeout)
        summary = ensure_schema(db)
        from .services import Desk
        from .services.staff import ensure_first_manager

        desk = Desk.for_login(db, clock, _acting(settings))
        summary["manager_added"] = ensure_first_manager(desk)
        if not is_sqlite(db):
            summary.update(grant_roles(db))
        if args.demo:
            from .demo import load_demo

            desk.require("setting.edit")  # the demo building is the manager's to load
            summary.update(load_demo(desk))
        _emit(args, summary, t("cli.init_done", **{k: v for k, v in summary.items()}))
        return 0
    desk = _open(settings, clock)
    if args.command == "ticket":
        return _ticket_command(args, desk)
    if args.command == "staff":
        return _staff_command(args, desk)
    if args.command == "setting":
        return _setting_command(args, desk)
    if args.command == "tenant":
        return _tenant_command(args, desk)
    if args.command == "audit":
        from .services.audit import verify

        result = verify(desk.db)
        broken = result["first_broken"]
        if broken is not None:
            from .models.base import from_micros

            broken["at"] = from_micros(broken.pop("at_micros")).in_tz(
                desk.profile().timezone).isoformat()
        _emit(args, result, lambda: t("cli.audit_ok", rows=result["rows"]) if broken is None
              else t("cli.audit_broken", rows=result["rows"], **broken))
        return 0 if broken is None else 1
    if args.command == "backup":
        from .db import normalise_url
        from .services.backup import backup

        summary = backup(desk, args.path, normalise_url(settings.database_url))
        _emit(args, summary, t("cli.backup_done", **summary))
        return 0
    from .commands import modules

    for area in modules():
        code = area.run(args, desk, _emit)
        if code is not None:
            return code
    raise UsageError(t("error.usage"))


def _setting_command(args, desk) -> int:
    from .services.settings import set_setting, settings

    if args.setting_command == "set":
        value = set_setting(desk, args.key, args.value)
        _emit(args, {"key": args.key, "value": value}, f"{args.key} = {value}")
        return 0
    values = settings()
    _emit(args, values, lambda: "\n".join(f"{k} = {v}" for k, v in sorted(values.items())))
    return 0


def _tenant_command(args, desk) -> int:
    from .services.export import tenants_json
    from .views import tenant_lines

    if args.tenant_command == "import":
        from .services.tenant_import import import_tenants

        summary = import_tenants(desk, args.file)
        _emit(args, summary, t("cli.tenant_imported", **summary))
        return 0
    documents = tenants_json()
    _emit(args, documents, lambda: tenant_lines(documents) or t("tenant.none"))
    return 0


def _staff_command(args, desk) -> int:
    from .views import fit
    from .services.export import staff_json
    from .services.staff import add_staff, list_staff

    def line(person) -> str:
        state = "" if person.active else f"  ({t('staff.inactive')})"
        return f"{fit(person.login, 16)} {fit(person.name, 12)} {t(f'role.{person.role}')}{state}"

    if args.staff_command == "add":
        person = add_staff(desk, args.login, args.name, args.role, active=not args.inactive)
        _emit(args, staff_json(person), line(person))
        return 0
    people = list_staff()
    _emit(args, [staff_json(p) for p in people], "\n".join(line(p) for p in people))
    return 0


def _ticket_command(args, desk) -> int:
    from .services import tickets
    from .services.export import ticket_json, tickets_json
    from .views import remember_service_names, ticket_line

    tz = desk.profile().timezone
    remember_service_names(tickets.service_name_map())
    if args.ticket_command == "add":
        request = tickets.NewTicket(
            service=args.service, tier=args.tier, tenant=args.tenant,
            location=args.location, people=args.people,
            agreed_at=parse_moment(args.agreed, tz, "--agreed"), scope=args.scope,
            written=args.written, at=parse_moment(args.at, tz, "--at"), note=args.note,
            ref=args.ref)
        ticket = tickets.open_ticket(desk, request)
        document = ticket_json(desk, tickets.find_ticket(ticket.id))
        _emit(args, document, ticket_line(document))
        return 0
    if args.ticket_command == "list":
        documents = tickets_json(desk, include_closed=args.all)
        _emit(args, documents, lambda: "\n".join(ticket_line(d) for d in documents)
              or t("queue.empty"))
        return 0
    if args.ticket_command == "step":
        ticket = tickets.step(desk, args.id, args.action,
                              at=parse_moment(args.at, tz, "--at"), reason=args.reason,
                              to=args.to, note=args.note, written=args.written)
        document = ticket_json(desk, tickets.find_ticket(ticket.id))
        _emit(args, document, ticket_line(document))
        return 0
    raise UsageError(t("error.usage"))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
