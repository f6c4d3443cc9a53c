"""The demo building's tenants have a past: a move-in three weeks ago run through its
whole checklist, a move-out booked, signs on order and on the register, fit-outs under
review and under way, passes and a parking permit, mail waiting and delivered, letters,
visits, rubbish bags and a suggestion.

Each thing is done through the services at the moment it happened: a desk whose clock
is set back to then (``_at``), so the history carries real tickets, targets and audit
rows, exactly as if the desk had done it on the day.
"""

from __future__ import annotations

import datetime as dt

from .clock import FrozenClock
from .models import Tenant
from .services import comms, fitout, movein, moveout, passes, release, signage, visits
from .services import tenants as registry
from .services.context import Desk

# the tenant whose move-in the demo ran three weeks ago (incoming until then)
NEWCOMER = ("青禾咨询", ["11F-1105"], "林晓", "13800001105", 1_680_000)


def _at(desk: Desk, moment, user: str | None = None) -> Desk:
    """The desk as it was at ``moment`` (the services read the time from its clock)."""
    return Desk(db=desk.db, clock=FrozenClock(moment), user=user or desk.user, role=desk.role)


def _id(name: str) -> int:
    return Tenant.get(Tenant.name == name).id


def load_life(desk: Desk) -> dict[str, int]:
    now = desk.clock.now()
    tz = desk.profile().timezone
    local = now.in_tz(tz)
    days = lambda n, hour=10, minute=0: local.subtract(days=n).replace(  # noqa: E731
        hour=hour, minute=minute, second=0, microsecond=0)
    signage.add_supplier(_at(desk, days(60)), "美工广告", "李师傅", "021-55550123")
    _move_in(desk, days)
    _move_out(desk, local)
    _signage(desk, days)
    _fitouts(desk, days, local)
    _passes(desk, days, now)
    _mail_and_letters(desk, days, now)
    _visits_and_bags(desk, days, now)
    from .demo_bookings import load_bookings

    load_bookings(desk, days, _at, local)
    return {"demo_history": 1}


def _move_in(desk: Desk, days) -> None:
    """青禾咨询 moved in three weeks ago, on time, every item of the checklist done; its
    first-month visit is now due within the month."""
    name, units, contact, phone, rent = NEWCOMER
    start = days(22)
    tenant = registry.add_tenant(_at(desk, start), registry.TenantData(
        name=name, units=tuple(units), contact=contact, phone=phone, monthly_rent_fen=rent,
        due_day=5, deposit_fen=rent * 2, lease_start=days(21).date(),
        lease_end=days(21).date().replace(year=days(21).year + 3)))
    morning = days(21, 9, 0)
    movein.book_move_in(_at(desk, morning), tenant.id, morning.add(minutes=30))
    at = _at(desk, morning.add(minutes=31))
    movein.check_data(at, tenant.id)
    movein.hand_key(at, tenant.id, "1105 正门 / main door", 3, contact, signed=True)
    movein.hand_key(at, tenant.id, "1105 档案室 / file room", 1, contact, signed=True)
    for item, ok, note in (("门窗 / doors and windows", True, ""),
                           ("照明 / lighting", False, "会议室筒灯不亮 / a downlight is out"),
                           ("空调 / air conditioning", True, ""),
                           ("卫生 / cleanliness", True, "")):
        movein.inspect_in(at, tenant.id, units[0], item, ok, note)
    movein.read_meter_in(at, tenant.id, "E-1105", "8210.40")
    movein.give_gift(at, tenant.id)
    movein.cashier_notice(at, tenant.id)
    movein.schedule_visit(at, tenant.id)
    movein.complete_move_in(_at(desk, morning.add(minutes=42)), tenant.id)
    sign = signage.apply(_at(desk, morning.add(minutes=45)), signage.Application(
        tenant_id=tenant.id, kind="directory", text=name, position="大堂水牌 第11行",
        applicant=contact, received=morning.date(), supplier="美工广告"))
    for n, action in ((20, "send"), (16, "made"), (15, "installed"), (15, "register")):
        signage.step(_at(desk, days(n, 15)), sign.id, action)
    # the downlight found out at the inspection: fixed the next morning
    from .models import Ticket
    from .services.tickets import step

    repair = Ticket.get((Ticket.tenant == tenant.id) & (Ticket.service == "repair"))
    for hours, action, by, to in ((0.2, "dispatch", "wangfang", "ligong"),
                                  (22, "arrive", "ligong", None), (23, "resolve", "ligong", None),
                                  (24, "answer", "wangfang", None)):
        step(_at(desk, morning.add(minutes=31).add(minutes=int(hours * 60)), by), repair.id,
             action, to=to)


def _move_out(desk: Desk, local) -> None:
    """老城贸易 leaves tomorrow afternoon: its move-out is booked."""
    tomorrow = local.add(days=1).replace(hour=14, minute=0, second=0, microsecond=0)
    moveout.book_move_out(desk, _id("老城贸易"), tomorrow.in_tz("UTC"))


def _signage(desk: Desk, days) -> None:
    """A name plate on the register, a directory entry made and one just sent."""
    plate = signage.apply(_at(desk, days(40)), signage.Application(
        tenant_id=_id("星辰科技有限公司"), kind="name_plate", text="星辰科技有限公司",
        position="12F-1201", applicant="刘洋", received=days(40).date(),
        supplier="美工广告", price="380.00"))
    for n, action in ((39, "send"), (36, "draft"), (30, "made"), (29, "installed"),
                      (28, "register")):
        signage.step(_at(desk, days(n)), plate.id, action)
    entry = signage.apply(_at(desk, days(6)), signage.Application(
        tenant_id=_id("Acme Trading Ltd"), kind="directory", text="Acme Trading Ltd",
        position="大堂水牌 第8行", applicant="John Chen", received=days(6).date(),
        supplier="美工广告"))
    for n, action in ((5, "send"), (1, "made")):
        signage.step(_at(desk, days(n)), entry.id, action)
    nordic = signage.apply(_at(desk, days(1, 16)), signage.Application(
        tenant_id=_id("Nordic Design Studio"), kind="directory", text="Nordic Design Studio",
        position="大堂水牌 第18行", applicant="Erik Lund", received=days(1).date()))
    signage.step(_at(desk, days(1, 16, 30)), nordic.id, "send", supplier="美工广告")


def _fitouts(desk: Desk, days, local) -> None:
    """宏远's fit-out touching the central AC is under review (its documents came in
    yesterday: the 3-working-day clock runs); Nordic's partitions are being built, its
    acceptance booked for tomorrow."""
    big = fitout.apply(_at(desk, days(3)), "宏远建筑设计院", "systems", ["20F"])
    for document in fitout.documents_of(big):
        fitout.receive_document(_at(desk, days(1, 15)), big.id, document.name)
    small = fitout.apply(_at(desk, days(14)), "Nordic Design Studio", "simple", ["18F-1806"],
                         period_from=days(10).date(), period_to=local.add(days=5).date())
    for document in fitout.documents_of(small):
        fitout.receive_document(_at(desk, days(13)), small.id, document.name)
    fitout.approve(_at(desk, days(12)), small.id)
    fitout.take_deposit(_at(desk, days(11)), small.id, 500_000)
    fitout.issue_worker_passes(_at(desk, days(11, 10, 30)), small.id, ["王强", "李军"])
    fitout.book_acceptance(desk, small.id,
                           local.add(days=1).replace(hour=15, minute=0, second=0, microsecond=0))


def _passes(desk: Desk, days, now) -> None:
    """Three visitors at the counter a minute ago; staff passes; a permit on insurance."""
    passes.issue_passes(_at(desk, now.subtract(minutes=1)), "宏远建筑设计院", "visitor",
                        ["赵先生", "钱女士", "孙先生"], now.date(), now.date())
    passes.issue_passes(_at(desk, days(20)), "星辰科技有限公司", "staff", ["刘洋", "陈静"],
                        days(20).date(), days(20).date().replace(year=days(20).year + 1))
    passes.add_insurance(_at(desk, days(30)), "沪A12345", "平安保险", "PA-2026-778812",
                         days(30).date(), days(30).date().replace(year=days(30).year + 1))
    passes.add_permit(_at(desk, days(30, 11)), "星辰科技有限公司", "沪A12345", "car", "刘洋",
                      days(30).date(), days(30).date().replace(year=days(30).year + 1)
                      - dt.timedelta(days=1))
    release.release_items(_at(desk, days(3, 16)), "星辰科技有限公司",
                          "旧打印机 2 台 / two old printers", "搬运工 张师傅", "刘洋",
                          guard="laochen")


def _mail_and_letters(desk: Desk, days, now) -> None:
    """Registered mail for 华夏 waiting (its hour runs); yesterday's delivered."""
    comms.mail_arrived(_at(desk, now.subtract(minutes=10)), "华夏保险经纪", "registered",
                       carrier="EMS", tracking="EA123456789CN", count=2)
    express = comms.mail_arrived(_at(desk, days(1, 9, 40)), "星辰科技有限公司", "express",
                                 carrier="顺丰", tracking="SF1402233445")
    comms.deliver_mail(_at(desk, days(1, 10, 5)), express.id, "陈静")
    official = comms.mail_arrived(_at(desk, days(2, 14)), "北辰律师事务所", "official",
                                  carrier="法院专递")
    comms.deliver_mail(_at(desk, days(2, 14, 30)), official.id, "韩律师")
    comms.add_letter(_at(desk, days(4)), "北辰律师事务所", "年度消防检查通知 / fire drill notice",
                     "物业管理处 / management office", delivered_to="赵敏")


def _visits_and_bags(desk: Desk, days, now) -> None:
    """Regular visits, a suggestion, and this month's rubbish bags (not everyone yet)."""
    visits.record_visit(_at(desk, days(40, 15)), "Acme Trading Ltd", desk.user,
                        "对保洁满意；希望延长空调时间 / happy with cleaning; asks for longer AC hours",
                        suggestion="周六空调延长到 18:00 / AC until 18:00 on Saturdays")
    visits.record_visit(_at(desk, days(15, 16)), "金穗会计师事务所", desk.user,
                        "一切正常 / all well")
    comms.give_bags(_at(desk, now.subtract(hours=3)), "星辰科技有限公司", 30, received_by="陈静")
    comms.give_bags(_at(desk, now.subtract(hours=2)), "华夏保险经纪", 20, received_by="周婷")
