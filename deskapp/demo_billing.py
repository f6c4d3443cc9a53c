"""The demo building's money: six months of it, made through the services on the days it
happened (a desk whose clock is set back, as in demo_life), so every notice, receipt,
approval and closed month carries its real audit trail.

- Engineering reads every tenant's meter at each month end (summer air conditioning
  shows); one reading last month is five times the usual and waits, flagged, for
  engineering to confirm, so this month's run holds that tenant's notice.
- Finance issues the notices on each month's first morning. Most tenants pay by
  transfer before the 5th; 远景投资 pays three weeks late (late fees follow on the
  next notice); 华夏保险经纪 paid half of one month and the rest later; 康宁医疗器械 has
  stopped paying and has had reminder letters.
- The general manager waived part of a notice (an air-conditioning outage) that finance
  asked for; a deferral finance asked for waits for the GM.
- The months before last are closed; last month is open, for finance to close.
- Security's car park: cars parked by the hour these last days, shift takings handed
  over (one received by finance, one not yet); the postal agency and business services.
"""

from __future__ import annotations

import datetime as dt

import pendulum

from .clock import FrozenClock
from .models import Notice, Tenant
from .services import (adjustments, billing, business, meters, month_end, parking, payments,
                       postal, reminders)
from .services.context import Desk

ENGINEER, FINANCE, GM, GUARD, FRONT = "ligong", "chenkuai", "zhaozong", "laochen", "wangfang"
MONTHS_BACK = 5  # notices for the five months before this one, and this month's
LATE_PAYER, PART_PAYER, ARREARS = "远景投资", "华夏保险经纪", "康宁医疗器械"
SPIKE = "云帆网络"  # last month's reading five times its usual: held until confirmed
# air conditioning: a month's consumption against the year's average
SEASON = {1: 110, 2: 105, 3: 95, 4: 90, 5: 100, 6: 120, 7: 135, 8: 140, 9: 115, 10: 95,
          11: 100, 12: 110}
PLATES = ("沪A12345", "沪B88K21", "苏E6C7D8", "浙A9F0G1", "沪C20261", "皖A7H8J9", "沪D5E6F7",
          "沪A66666")


def _as(desk: Desk, moment, user: str, role: str) -> Desk:
    return Desk(db=desk.db, clock=FrozenClock(moment), user=user, role=role)


def _month(local, back: int) -> tuple[int, int]:
    first = local.replace(day=1).subtract(months=back)
    return first.year, first.month


def _key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _tenants() -> list[Tenant]:
    return list(Tenant.select().where(Tenant.status.in_(("active", "moving_out")))
                .order_by(Tenant.id))


def load_billing(desk: Desk) -> dict[str, int]:
    tz = desk.profile().timezone
    now = desk.clock.now()
    local = now.in_tz(tz)
    at = lambda year, month, day, hour=9, minute=30: min(  # noqa: E731
        pendulum.datetime(year, month, day, hour, minute, tz=tz), now)
    months = [_month(local, back) for back in range(MONTHS_BACK, -1, -1)]
    _meters(desk, months, at)
    for index in range(len(months)):
        _bill_month(desk, months, index, at)
    _approvals(desk, months, at)
    _close(desk, months[:-2], at)
    _car_park(desk, local, tz)
    _counter_services(desk, local, tz)
    return {"demo_notices": Notice.select().count()}


def _usual_kwh(tenant: Tenant) -> int:
    """A tenant's usual monthly kWh (hundredths), about 1 kWh for each 12 yuan of rent,
    with a steady difference between tenants."""
    return (tenant.monthly_rent_fen // 1200 + 37 * (tenant.id % 7)) * 100


def _meters(desk: Desk, months, at) -> None:
    """A meter on every tenant in the building without one, its baseline read at the
    month end before the first notice's electricity, then a reading each month end."""
    year, month = months[0]
    start = pendulum.datetime(year, month, 1, tz="UTC").subtract(days=1)
    baseline_at = at(start.year, start.month, start.day, 18, 0)
    last = {}
    for tenant in _tenants():
        if tenant.meters.count():
            continue
        code = "E-" + (tenant.unit_list[0].split("-")[-1] if tenant.unit_list else str(tenant.id))
        reading = 100_000 + 4_321 * tenant.id
        meters.add_meter(_as(desk, baseline_at, ENGINEER, "engineering"), tenant_id=tenant.id,
                         code=code, reading=_kwh(reading), at=baseline_at)
        last[tenant.id] = (code, reading)
    for year, month in months[:-1]:
        end = pendulum.datetime(year, month, 1, tz="UTC").add(months=1).subtract(days=1)
        read_at = at(end.year, end.month, end.day, 18, 0)
        engineer = _as(desk, read_at, ENGINEER, "engineering")
        for tenant in _tenants():
            if tenant.id not in last:
                continue
            code, reading = last[tenant.id]
            used = _usual_kwh(tenant) * SEASON[month] // 100
            if tenant.name == SPIKE and (year, month) == months[-2]:
                used *= 5
            reading += used
            meters.record_reading(engineer, tenant_id=tenant.id, meter_code=code,
                                  reading=_kwh(reading), read_at=read_at)
            last[tenant.id] = (code, reading)


def _kwh(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _bill_month(desk: Desk, months, index: int, at) -> None:
    """Finance runs the month's notices on its first morning; the tenants pay (or not)."""
    year, month = months[index]
    tz = desk.profile().timezone
    billing.run_month(_as(desk, at(year, month, 1), FINANCE, "finance"), _key(year, month))
    now = desk.clock.now()
    for notice in Notice.select(Notice, Tenant).join(Tenant).where(
            Notice.month == _key(year, month)).order_by(Notice.number):
        tenant = notice.tenant
        if tenant.name == ARREARS and index >= 2:
            continue  # has paid nothing since its third notice of the period
        day, share = 2 + tenant.id % 3, 1
        if tenant.name == LATE_PAYER:
            day = 26  # three weeks after the due date: late fees on the next notice
        elif tenant.name == PART_PAYER and index == PART_MONTH:
            day, share = 4, 2  # half now, the rest with the next month's payment
        paid_on = pendulum.datetime(year, month, day, 11, 0, tz=tz)
        _pay(desk, tenant, notice.total_fen // share, paid_on, now)
        if share == 2:
            rest = paid_on.add(months=1).replace(day=3)
            _pay(desk, tenant, notice.total_fen - notice.total_fen // share, rest, now)
    if index < len(months) - 1:
        _remind(desk, year, month, at)


PART_MONTH = 2  # the month 华夏保险经纪 paid half of


def _pay(desk: Desk, tenant: Tenant, amount: int, when, now) -> None:
    if amount <= 0 or when >= now:
        return  # not paid yet: the day it will be paid is still to come
    finance = _as(desk, when, FINANCE, "finance")
    payments.record_payment(finance, tenant_id=tenant.id, amount_fen=amount, method="transfer",
                            reference=f"ICBC-{when.format('YYYYMMDD')}-{tenant.id:03d}",
                            received_on=dt.date(when.year, when.month, when.day))


def _remind(desk: Desk, year: int, month: int, at) -> None:
    """The 20th: a reminder letter for each notice of the month still unpaid."""
    day = at(year, month, 20, 10, 0)
    finance = _as(desk, day, FINANCE, "finance")
    for notice in reminders.due(finance):
        if notice.tenant.name == ARREARS:
            reminders.issue(finance, notice.id)


def _approvals(desk: Desk, months, at) -> None:
    """A waiver the GM approved (asked by finance), and a deferral waiting for the GM,
    both on the notices of the tenant in arrears."""
    owing = Tenant.get(Tenant.name == ARREARS)
    year, month = months[-2]
    waived = Notice.get_or_none((Notice.tenant == owing.id)
                                & (Notice.month == _key(*months[-3])))
    if waived is not None:
        asked = at(year, month, 8, 15, 0)
        row = adjustments.ask(_as(desk, asked, FINANCE, "finance"), kind="waiver",
                              notice_id=waived.id, amount_fen=50_000,
                              reason="空调故障两天，按租约补偿 / two days without air "
                                     "conditioning, compensated per the lease")
        adjustments.decide(_as(desk, asked.add(hours=20), GM, "gm"), row.id, approve=True,
                           note="同意 / approved")
    latest = (Notice.select().where(Notice.tenant == owing.id)
              .order_by(Notice.month.desc()).first())
    if latest is not None:
        adjustments.ask(_as(desk, at(*months[-1], 1, 16, 0), FINANCE, "finance"),
                        kind="deferral", notice_id=latest.id,
                        defer_to=latest.due_date + dt.timedelta(days=30),
                        reason="客户资金周转困难，书面申请缓交一个月 / the tenant asked in "
                               "writing for a month's deferral")


def _close(desk: Desk, months, at) -> None:
    """Finance closes each month on the 3rd of the next."""
    for year, month in months:
        when = pendulum.datetime(year, month, 1, tz="UTC").add(months=1)
        day = at(when.year, when.month, 3, 17, 0)
        month_end.close(_as(desk, day, FINANCE, "finance"), _key(year, month))


def _car_park(desk: Desk, local, tz: str) -> None:
    """Cars by the hour over the last two days; yesterday's shift handed over and
    received; today's shift has two cars still inside."""
    yesterday = local.subtract(days=1).replace(hour=8, minute=0, second=0, microsecond=0)
    stays = ((0, 35), (40, 130), (95, 14), (180, 300), (260, 61), (400, 125))
    for (offset, minutes), plate in zip(stays, PLATES):
        entered = yesterday.add(minutes=offset)
        parking.enter(_as(desk, entered, GUARD, "security"), plate, at=entered)
        left = entered.add(minutes=minutes)
        parking.leave(_as(desk, left, GUARD, "security"), plate, at=left,
                      method="cash" if offset % 2 == 0 else "wechat")
    evening = yesterday.replace(hour=20)
    handover = parking.hand_over(_as(desk, evening, GUARD, "security"))
    parking.receive(_as(desk, evening.add(hours=13), FINANCE, "finance"), handover.number)
    for plate in PLATES[len(stays):]:
        entered = min(local.subtract(hours=1), local.replace(hour=9, minute=10))
        parking.enter(_as(desk, entered, GUARD, "security"), plate, at=entered)


def _counter_services(desk: Desk, local, tz: str) -> None:
    """Copies and prints at the counter, and letters posted on the last working day."""
    calendar = desk.calendar()
    day = local.subtract(days=1)
    while not calendar.is_working_day(dt.date(day.year, day.month, day.day)):
        day = day.subtract(days=1)
    morning = day.replace(hour=10, minute=15, second=0, microsecond=0)
    front = _as(desk, morning, FRONT, "desk")
    star = Tenant.get(Tenant.name == "星辰科技有限公司")
    acme = Tenant.get(Tenant.name == "Acme Trading Ltd")
    business.sell(front, tenant_id=star.id, item_code="print_page_colour", pages=24,
                  paid=False, signed_by="刘洋")
    business.sell(front, tenant_id=acme.id, item_code="copy_page", pages=60, paid=True,
                  method="wechat")
    postal.accept(front, tenant_id=star.id, kind="registered", weight_g=45,
                  destination="北京市海淀区 / Haidian, Beijing", paid=False, signed_by="刘洋")
    postal.accept(front, tenant_id=acme.id, kind="letter", weight_g=18,
                  destination="广州市天河区 / Tianhe, Guangzhou", paid=True, method="cash")
    postal.dispatch(_as(desk, morning.replace(hour=15), FRONT, "desk"),
                    dt.date(day.year, day.month, day.day))
