"""No double booking, ever (issue 8 item 3): several processes book one slot at the same
moment; exactly one booking is confirmed and every other process is refused with the
clash (exit 3 on the command line). On SQLite the IMMEDIATE write transaction
serialises the check and the insert; on PostgreSQL (DESKAPP_TEST_DATABASE_URL) the
resource row lock does, and the exclusion constraint would refuse an overlap even if the
program's check were skipped (the last test here skips it)."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys

import pytest

from deskapp.models import Booking, Ticket
from deskapp.services import bookings as bk

PROCESSES = 6
ROOM = "3F会议室"
MAIN = "import sys; from deskapp.cli import main; sys.exit(main(sys.argv[1:]))"
SLOT = ("2026-12-01T09:00", "2026-12-01T10:00")


def book_once(url: str, number: int, start, results, skip_check: bool) -> None:
    """One session: wait for the others, then book the slot (each a little differently:
    overlapping, not identical)."""
    outcome = "error"
    try:
        from deskapp.clock import Clock
        from deskapp.db import check_schema, open_database
        from deskapp.services import Desk
        from deskapp.services import bookings
        from deskapp.services.errors import Conflict

        db = open_database(url)
        check_schema(db)
        desk = Desk.for_login(db, Clock(), f"clerk{number}", default_role="desk")
        if skip_check:  # what a buggy or hostile client would do: no check at all
            bookings.plan = lambda desk, resource, kind, slots: bookings.Plan(
                resource, kind, slots)
        start.wait(timeout=30)
        try:
            bookings.add_booking(desk, ROOM, f"2026-12-01T09:{number:02d}", SLOT[1])
            outcome = "booked"
        except Conflict as exc:
            outcome = "clash:" + exc.key
        db.close()
    except Exception as exc:  # noqa: BLE001 - every failure is reported
        outcome = f"error:{type(exc).__name__}: {exc}"
    results.put((number, outcome))


def race(db_url, db, skip_check: bool = False) -> list[str]:
    db.close()
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=book_once, args=(db_url, n, start, results, skip_check))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=90)[1] for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    db.connect(reuse_if_open=True)
    return outcomes


@pytest.mark.slow
def test_six_processes_book_one_slot_and_one_gets_it(db_url, db, desk):
    bk.add_resource(desk, ROOM, "meeting_room")
    outcomes = race(db_url, db)
    assert outcomes.count("booked") == 1, outcomes
    assert sorted(outcomes).count("clash:error.booking_clash") == PROCESSES - 1, outcomes
    assert Booking.select().where(Booking.state == "confirmed").count() == 1
    # the refused ones left no counter ticket behind
    assert Ticket.select().where(Ticket.service == "meeting_room").count() == 1


@pytest.mark.slow
def test_the_database_itself_refuses_when_the_check_is_skipped(db_url, db, desk):
    from deskapp.db import is_sqlite

    if is_sqlite(db):
        pytest.skip("SQLite has no exclusion constraint: its writers are serialised")
    bk.add_resource(desk, ROOM, "meeting_room")
    outcomes = race(db_url, db, skip_check=True)
    assert outcomes.count("booked") == 1, outcomes
    assert all(o.startswith("clash:") for o in outcomes if o != "booked"), outcomes
    assert Booking.select().where(Booking.state == "confirmed").count() == 1


@pytest.mark.slow
def test_six_command_lines_at_once(db_url, db, desk, tmp_path):
    """The same through ``deskapp booking add``: one exit 0, five exit 3."""
    bk.add_resource(desk, ROOM, "meeting_room")
    db.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKAPP_")}
    env.update(DESKAPP_USER="wangfang", XDG_CONFIG_HOME=str(tmp_path / "c"),
               XDG_DATA_HOME=str(tmp_path / "d"), LANG="C.UTF-8")
    procs = [subprocess.Popen([sys.executable, "-c", MAIN, "--db", db_url, "booking",
                               "add", "--resource", ROOM, "--from", SLOT[0], "--to", SLOT[1]],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(PROCESSES)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    errors = [p.stderr.read().decode() for p in procs]
    assert codes == [0] + [3] * (PROCESSES - 1), (codes, errors)
    db.connect(reuse_if_open=True)
    assert Booking.select().count() == 1
