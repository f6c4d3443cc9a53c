"""The demo building a newcomer opens: tenants in every status, each with the history a
real desk would have made (issue 7's "done when")."""

from __future__ import annotations

from deskapp.models import (KeyRecord, Mail, Meter, MeterReading, SignOrder, Tenant, Ticket, Visit,
                            WelcomeGift)
from deskapp.models.fitout import Fitout
from deskapp.services.audit import verify

from .conftest import START
from .test_cli import cli, demo, env, url  # noqa: F401 - fixtures


def test_the_demo_has_tenants_in_every_status_with_their_history(demo, db):  # noqa: F811
    assert {t.status for t in Tenant.select()} == {"incoming", "active", "moving_out", "gone"}
    newcomer = Tenant.get(Tenant.name == "青禾咨询")
    # its move-in ran its whole checklist three weeks ago
    assert newcomer.status == "active"
    assert KeyRecord.select().where(KeyRecord.tenant == newcomer.id).count() == 2
    assert MeterReading.select().join(Meter).where(
        (MeterReading.kind == "baseline") & (Meter.tenant == newcomer.id)).count() == 1
    assert WelcomeGift.select().where(WelcomeGift.tenant == newcomer.id).count() == 1
    move_in = Ticket.get((Ticket.tenant == newcomer.id) & (Ticket.service == "move_in"))
    assert move_in.state == "closed" and not move_in.late
    # the defect found at its inspection became a repair, fixed and answered
    repair = Ticket.get((Ticket.tenant == newcomer.id) & (Ticket.service == "repair"))
    assert repair.state == "closed"
    # its first-month visit is due, not yet made
    assert Visit.get((Visit.tenant == newcomer.id) & (Visit.kind == "first_month")).done_at is None
    leaving = Tenant.get(Tenant.name == "老城贸易")
    assert Ticket.get((Ticket.tenant == leaving.id) & (Ticket.service == "move_out")).is_open
    # signs on the register and on order, fit-outs under review and under way, mail waiting
    assert {o.state for o in SignOrder.select()} >= {"registered", "made", "sent_to_supplier"}
    assert {f.state for f in Fitout.select()} >= {"reviewing"}
    assert Mail.select().where(Mail.delivered_at.is_null()).count() == 1
    # done through the services, at the moments they happened: the trail is whole
    assert verify(db)["first_broken"] is None


def test_the_demo_has_a_realistic_week_of_bookings(demo, db):  # noqa: F811
    from deskapp.models import Booking, Charge, Resource, UmbrellaLoan

    assert {r.kind for r in Resource.select()} == {"meeting_room", "reception_room",
                                                    "notice_board", "parking_space", "ad_space"}
    confirmed = Booking.select().where(Booking.state == "confirmed")
    assert confirmed.count() >= 12
    assert Booking.select().where(Booking.state == "pending").count() == 1  # awaits the GM
    # some rentals charged (paid or signed for), some still to settle
    charged = {c.source_id for c in Charge.select().where(Charge.source == "booking")}
    assert 0 < len(charged) < confirmed.count()
    assert UmbrellaLoan.select().where(UmbrellaLoan.returned_at.is_null()).count() == 3


def test_the_demo_has_months_of_money_that_reconcile(demo, db):  # noqa: F811
    """Six months of notices, payments, late fees, a waiver, a deferral waiting for the
    GM, a reading held for engineering, closed months; every figure agrees."""
    import datetime as dt

    from deskapp.clock import FrozenClock
    from deskapp.models import Adjustment, MonthClose, Notice, NoticeLine, Payment, Reminder
    from deskapp.services import Desk, balances, billing, month_end

    desk = Desk.for_login(db, FrozenClock(START), "chenkuai")  # the clock the demo was made at
    months = sorted({n.month for n in Notice.select()})
    assert len(months) == 6
    assert Payment.select().count() > 40
    assert NoticeLine.select().where(NoticeLine.kind == "late_fee").count() >= 3
    owing = Tenant.get(Tenant.name == "康宁医疗器械")
    assert balances.overdue_fen(owing.id, "Asia/Shanghai", dt.date(2026, 11, 26)) > 0
    assert Reminder.select().count() >= 2
    assert {(a.kind, a.state) for a in Adjustment.select()} == {("waiver", "approved"),
                                                                ("deferral", "pending")}
    assert [c.month for c in MonthClose.select().order_by(MonthClose.month)] == months[:-2]
    last = month_end.report(desk, months[-2])
    assert last["reconciles"] and not last["closed"]
    held = billing.run_month(desk, months[-1])
    assert (held["issued"], held["held"]) == (0, 1)  # 云帆网络's flagged reading
    for month in months[:-1]:
        figures = month_end.report(desk, month)
        following = month_end.report(desk, months[months.index(month) + 1])
        assert figures["reconciles"] and figures["closing"] == following["opening"]
