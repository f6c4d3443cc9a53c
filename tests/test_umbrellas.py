"""Umbrellas at the counter (借用雨伞, the catalogue's 5-minute ``umbrella`` row): lend
and return in one call each, the ticket opened and closed at once, the stock count,
who still has one and since when, overdue after the building's setting (default 7)."""

from __future__ import annotations

import pendulum
import pytest

from deskapp.models import Audit, Target, Ticket, Umbrella, UmbrellaLoan
from deskapp.services import Conflict, InvalidInput, NotAllowed
from deskapp.services.settings import set_setting
from deskapp.services.tenants import upsert_tenant
from deskapp.services.umbrellas import (_claim, add_umbrellas, is_overdue, lend_umbrella,
                                        loan_json, loans, number_of, overdue_on,
                                        retire_umbrella, return_umbrella, stock)

from .conftest import TZ, as_role
from .test_cli import cli, env, url  # noqa: F401 - fixtures
from .test_pass_screen import wait_for

ACME = "Acme Trading Ltd"
# Thu 1 Oct 2026, National Day, 10:00 building time: it rains on the holiday crowd
NATIONAL_DAY = pendulum.datetime(2026, 10, 1, 10, 0, tz=TZ)


@pytest.fixture
def stocked(desk):
    add_umbrellas(desk, 40)
    upsert_tenant(desk, ACME, units=["8F-805"])
    return desk


def test_the_stock_is_numbered_u01_to_u40_and_grows_on(stocked):
    numbers = [u.number for u in Umbrella.select().order_by(Umbrella.id)]
    assert numbers[0] == "U-01" and numbers[-1] == "U-40" and len(numbers) == 40
    more = add_umbrellas(stocked, 2)
    assert [u.number for u in more] == ["U-41", "U-42"]
    assert stock(stocked) == {"in": 42, "out": 0, "retired": 0, "total": 42,
                              "overdue_days": 7}


def test_numbers_as_the_desk_types_them():
    assert number_of("3") == number_of("u3") == number_of("U-03") == "U-03"
    for bad in ("U-", "V-03", "U-12345", "３", "U-0\x1b3", ""):
        with pytest.raises(InvalidInput):
            number_of(bad)


def test_lending_is_one_call_that_opens_and_closes_the_5_minute_ticket(stocked):
    loan = lend_umbrella(stocked, "张伟", tenant=ACME)
    assert loan.umbrella.number == "U-01"  # the lowest free number
    assert (loan.borrower, loan.tenant.name, loan.lent_by) == ("张伟", ACME, "wangfang")
    ticket = Ticket.get_by_id(loan.ticket_id)
    assert (ticket.service, ticket.state, ticket.is_open) == ("umbrella", "closed", False)
    assert ticket.tenant.name == ACME and "U-01" in ticket.note
    target = Target.get(Target.ticket == ticket)
    assert (target.due_at - ticket.opened_at).in_minutes() == 5  # the catalogue's 5 minutes
    assert target.met_at is not None and target.met_at <= target.due_at
    assert Audit.select().where(Audit.action == "umbrella.lend").count() == 1
    second = lend_umbrella(stocked, "Visitor at the desk")  # a visitor: no tenant
    assert second.umbrella.number == "U-02" and second.tenant is None


def test_a_named_umbrella_out_already_is_refused_saying_who_has_it(stocked):
    lend_umbrella(stocked, "张伟", umbrella="U-07")
    with pytest.raises(Conflict) as refused:
        lend_umbrella(stocked, "李娜", umbrella="7")
    assert "U-07" in refused.value.message() and "张伟" in refused.value.message()
    assert UmbrellaLoan.select().count() == 1
    assert Ticket.select().count() == 1  # the refused lend opened no ticket


def test_none_free_is_refused_saying_how_many_are_out(desk):
    add_umbrellas(desk, 2)
    lend_umbrella(desk, "A")
    lend_umbrella(desk, "B")
    tickets = Ticket.select().count()
    with pytest.raises(Conflict) as refused:
        lend_umbrella(desk, "C")
    assert refused.value.message() == "no umbrella is free: all 2 of 2 are out"
    assert Ticket.select().count() == tickets and UmbrellaLoan.select().count() == 2


def test_two_desks_cannot_both_claim_one_umbrella(stocked):
    first = Umbrella.get(Umbrella.number == "U-05")
    assert _claim(first.id) is True
    assert _claim(first.id) is False  # the other session's conditional UPDATE finds it out


def test_return_by_number_or_by_loan_and_only_once(stocked):
    loan = lend_umbrella(stocked, "张伟")
    stocked.clock.advance(hours=3)
    back = return_umbrella(stocked, "U-01")
    assert back.id == loan.id and back.returned_at == stocked.clock.now()
    assert stock(stocked)["out"] == 0
    with pytest.raises(Conflict):
        return_umbrella(stocked, "U-01")
    again = lend_umbrella(stocked, "李娜")
    assert again.umbrella.number == "U-01"  # free again: the lowest number goes first
    assert return_umbrella(stocked, again).returned_at is not None
    with pytest.raises(Conflict):
        return_umbrella(stocked, f"#{again.id}")


def test_stock_count_in_out_retired_and_a_lost_one_closes_its_loan(stocked):
    lend_umbrella(stocked, "张伟")
    lend_umbrella(stocked, "李娜")
    lost = retire_umbrella(stocked, "U-02", "lost: never came back")
    assert lost.retired_at is not None
    assert stock(stocked) == {"in": 38, "out": 1, "retired": 1, "total": 39,
                              "overdue_days": 7}
    gone = UmbrellaLoan.get(UmbrellaLoan.borrower == "李娜")
    assert gone.lost and gone.returned_at is not None
    with pytest.raises(Conflict):
        lend_umbrella(stocked, "王芳", umbrella="U-02")
    with pytest.raises(InvalidInput):
        retire_umbrella(stocked, "U-03", "  ")  # a reason is required


def test_who_still_has_one_oldest_first(stocked):
    lend_umbrella(stocked, "first")
    stocked.clock.advance(minutes=10)
    lend_umbrella(stocked, "second")
    stocked.clock.advance(minutes=10)
    lend_umbrella(stocked, "third")
    return_umbrella(stocked, "U-02")
    out = loans(out_only=True)
    assert [loan.borrower for loan in out] == ["first", "third"]
    assert [loan.borrower for loan in loans()] == ["first", "third", "second"]


def test_lent_on_national_day_is_overdue_on_8_october(db, clock):
    from deskapp.services import Desk
    from deskapp.services.staff import ensure_first_manager

    clock.set(NATIONAL_DAY)
    desk = Desk.for_login(db, clock, "wangfang")
    ensure_first_manager(desk)
    add_umbrellas(desk, 1)
    loan = lend_umbrella(desk, "游客")
    assert overdue_on(desk, loan).isoformat() == "2026-10-08"
    clock.set(pendulum.datetime(2026, 10, 7, 23, 59, tz=TZ))
    assert not is_overdue(desk, loan)
    clock.set(pendulum.datetime(2026, 10, 8, 0, 1, tz=TZ))
    assert is_overdue(desk, loan)
    assert loan_json(desk, loan)["overdue"] is True
    set_setting(desk, "umbrella_overdue_days", "10")  # the manager gives a longer week
    assert not is_overdue(desk, loan)
    assert overdue_on(desk, loan).isoformat() == "2026-10-11"
    with pytest.raises(InvalidInput):
        set_setting(desk, "umbrella_overdue_days", "0")


def test_a_viewer_may_not_lend_and_nothing_is_written(stocked):
    viewer = as_role(stocked, "viewer")
    before = (UmbrellaLoan.select().count(), Ticket.select().count(), Audit.select().count())
    with pytest.raises(NotAllowed):
        lend_umbrella(viewer, "张伟")
    with pytest.raises(NotAllowed):
        add_umbrellas(viewer, 1)
    engineering = as_role(stocked, "engineering")
    with pytest.raises(NotAllowed):
        return_umbrella(engineering, "U-01")
    assert (UmbrellaLoan.select().count(), Ticket.select().count(),
            Audit.select().count()) == before


def test_hostile_borrower_names_are_refused(stocked):
    for bad in ("", "   ", "a\x00b", "\x1b[2J", "\u202e张伟", "x" * 101, "a\nb"):
        with pytest.raises(InvalidInput):
            lend_umbrella(stocked, bad)
    assert UmbrellaLoan.select().count() == 0 and Ticket.select().count() == 0


# --- the command line ---------------------------------------------------------------------

def test_umbrella_commands(cli, url):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "umbrella", "stock", "--add", "40").code == 0
    lent = cli("--db", url, "umbrella", "lend", "--to", "张伟", "--umbrella", "U-03", "--json")
    assert lent.code == 0
    doc = lent.json
    assert doc["umbrella"] == "U-03" and doc["lent_at"].endswith("+08:00")
    assert doc["overdue_on"] == "2026-12-03"  # lent Thu 26 Nov, 7 days
    listing = cli("--db", url, "umbrella", "list", "--out", "--json").json
    assert [d["borrower"] for d in listing] == ["张伟"]
    shown = cli("--db", url, "umbrella", "stock").out
    assert "39 in, 1 out, 0 retired" in shown
    assert cli("--db", url, "umbrella", "return", "U-03", "--json").json["returned_at"]
    assert cli("--db", url, "umbrella", "return", "U-03").code == 3
    retired = cli("--db", url, "umbrella", "stock", "--retire", "U-40", "--reason", "broken",
                  "--json").json
    assert retired == {"in": 39, "out": 0, "retired": 1, "total": 39, "overdue_days": 7}


def test_viewer_may_not_lend_from_the_command_line(cli, url, env):  # noqa: F811
    assert cli("--db", url, "init").code == 0
    assert cli("--db", url, "umbrella", "stock", "--add", "2").code == 0
    env.setenv("DESKAPP_USER", "nobody")  # not in the staff table: a viewer
    refused = cli("--db", url, "umbrella", "lend", "--to", "张伟")
    assert refused.code == 4 and refused.out == ""
    assert "lend or take back umbrellas" in refused.err


# --- the screen (80×24, both languages) ------------------------------------------------------

@pytest.mark.parametrize("lang, title, lent, back, overdue", [
    ("en", "Umbrellas: 39 free, 1 out", "U-02 lent to [b]李娜[/b]", "U-01 back from 张伟",
     "overdue"),
    ("zh", "借用雨伞：在库 39 把，借出 1 把", "U-02 已借给 [b]李娜[/b]", "U-01 已由 张伟 归还",
     "逾期"),
])
async def test_the_screen_lends_and_takes_back_with_enter(stocked, db_url, lang, title, lent,
                                                          back, overdue):
    from deskapp import i18n
    from deskapp.screens.umbrellas import UmbrellaScreen

    from .test_form import screen_text
    from .test_tui import SIZE, make_app

    lend_umbrella(stocked, "张伟", tenant=ACME)
    stocked.clock.advance(days=8)  # still out a week later: overdue
    i18n.set_language(lang)
    app = make_app(stocked, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(UmbrellaScreen())
        await pilot.pause()
        shown = screen_text(app)
        assert title in shown
        assert "U-01" in shown and "张伟 · Acme Trading Ltd" in shown and overdue in shown
        await pilot.press(*"[b]李娜[/b]", "enter")  # the name, then Enter: lent
        await wait_for(pilot, lambda: lent in screen_text(app))
        assert isinstance(app.screen, UmbrellaScreen)  # open for the next person
        await pilot.press("tab", "tab", "1", "enter")  # to the number: 1 is U-01
        await wait_for(pilot, lambda: back in screen_text(app))
    assert [(loan.borrower, loan.returned_at is None) for loan in loans(out_only=True)] == [
        ("[b]李娜[/b]", True)]
    assert Ticket.select().where(Ticket.service == "umbrella").count() == 2


async def test_the_screen_shows_a_refusal_and_asks_before_losing_a_name(stocked, db_url):
    from deskapp.screens.umbrellas import UmbrellaScreen

    from .test_form import screen_text
    from .test_tui import SIZE, make_app

    app = make_app(stocked, db_url)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(UmbrellaScreen())
        await pilot.pause()
        await pilot.press("tab", "tab", *"U-07", "enter")  # not out
        await wait_for(pilot, lambda: "umbrella U-07 is not out on loan" in screen_text(app))
        await pilot.press("tab", "enter")  # back round to the name: lending needs one
        await wait_for(pilot, lambda: "required" in screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, UmbrellaScreen)  # the discard question
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, UmbrellaScreen)
    assert UmbrellaLoan.select().count() == 0


# --- several desks at once (R-8.1) ------------------------------------------------------------

def lend_some(url: str, number: int, start, results) -> None:
    """One session: wait for the others, then lend two umbrellas, one write each."""
    made, refused, errors = [], 0, []
    try:
        from deskapp.clock import Clock
        from deskapp.db import open_database
        from deskapp.services import Conflict as Refused
        from deskapp.services import Desk
        from deskapp.services.umbrellas import lend_umbrella as lend

        db = open_database(url)
        desk = Desk.for_login(db, Clock(), f"clerk{number}", default_role="desk")
        start.wait(timeout=30)
        for index in range(2):
            try:
                made.append(lend(desk, f"clerk{number} #{index}").umbrella.number)
            except Refused:
                refused += 1
        db.close()
    except Exception as exc:  # noqa: BLE001 - every failure is reported
        errors.append(f"{type(exc).__name__}: {exc}")
    results.put((made, refused, errors))


@pytest.mark.slow
def test_four_desks_lending_at_once_never_lend_one_umbrella_twice(db_url, db, desk):
    import multiprocessing as mp

    add_umbrellas(desk, 5)
    db.close()
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=lend_some, args=(db_url, n, start, results))
               for n in range(4)]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [error for _, _, errors in reports for error in errors] == []
    lent = [number for made, _, _ in reports for number in made]
    assert sorted(lent) == ["U-01", "U-02", "U-03", "U-04", "U-05"]  # each once
    assert sum(refused for _, refused, _ in reports) == 3  # 8 asked, 5 in stock
    db.connect(reuse_if_open=True)
    assert UmbrellaLoan.select().count() == 5
    assert Ticket.select().where(Ticket.service == "umbrella").count() == 5


def test_a_tenant_that_moved_out_borrows_no_more(stocked):
    from deskapp.models import Tenant

    Tenant.update(status="gone").where(Tenant.name == ACME).execute()
    with pytest.raises(InvalidInput) as refused:
        lend_umbrella(stocked, "张伟", tenant=ACME)
    assert "moved out" in refused.value.message()
    assert UmbrellaLoan.select().count() == 0
