"""Several desk sessions writing to one database at the same moment (R-8.1).

Four separate processes (spawned, so each has its own interpreter and connection) each
open 25 tickets as fast as they can into one SQLite file, or into the PostgreSQL test
database when DESKAPP_TEST_DATABASE_URL is set. Every ticket must arrive, none may be
lost to "database is locked", and ids must be unique.

Marked ``slow`` so it can be deselected with ``-m "not slow"``; it runs in the normal
suite and takes a few seconds.
"""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from deskapp.models import Audit, Ticket

PROCESSES = 4
TICKETS_EACH = 25
SERVICES = ("umbrella", "mail", "parking_permit", "large_item")


def open_many(url: str, number: int, start, results) -> None:
    """One session: wait for the others, then open TICKETS_EACH tickets, one per write."""
    ids: list[int] = []
    errors: list[str] = []
    try:
        from deskapp.clock import Clock
        from deskapp.db import check_schema, open_database
        from deskapp.services import Desk
        from deskapp.services.tickets import NewTicket, open_ticket

        db = open_database(url)
        check_schema(db)
        desk = Desk.for_login(db, Clock(), f"clerk{number}", default_role="desk")
        start.wait(timeout=30)
        for index in range(TICKETS_EACH):
            service = SERVICES[(number + index) % len(SERVICES)]
            try:
                ticket = open_ticket(desk, NewTicket(service=service,
                                                     note=f"clerk{number} #{index}"))
                ids.append(ticket.id)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                errors.append(f"{type(exc).__name__}: {exc}")
        db.close()
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{type(exc).__name__}: {exc}")
    results.put((number, ids, errors))


@pytest.mark.slow
def test_four_processes_open_tickets_at_once(db_url, db, desk):
    url = db_url
    db.close()
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=open_many, args=(url, n, start, results))
               for n in range(PROCESSES)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    elapsed = time.monotonic() - began

    errors = [error for _, _, errs in reports for error in errs]
    assert errors == []                              # no "database is locked", nothing else
    ids = [ticket_id for _, got, _ in reports for ticket_id in got]
    assert len(ids) == PROCESSES * TICKETS_EACH
    assert len(set(ids)) == len(ids)                 # every session got its own ids

    db.connect(reuse_if_open=True)
    stored = [t.id for t in Ticket.select(Ticket.id)]
    assert sorted(stored) == sorted(ids)             # all 100 are there
    for number in range(PROCESSES):
        assert Ticket.select().where(Ticket.opened_by == f"clerk{number}").count() \
            == TICKETS_EACH
    opened = Audit.select().where(Audit.action == "ticket.open")
    assert opened.count() == PROCESSES * TICKETS_EACH
    assert len({t.change_seq for t in Ticket.select(Ticket.change_seq)}) == len(ids)
    assert elapsed < 60

