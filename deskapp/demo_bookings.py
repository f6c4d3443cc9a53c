"""The demo building's shared things and a realistic week of their bookings: rooms
booked by the hour (some settled, some still to settle), a weekly series, a borrowing
awaiting the general manager, notice boards by the day, a parking space by the month,
umbrellas out and a recycling pickup booked. Each made through the services at the
moment it was applied for (a desk whose clock is set back: demo_life._at)."""

from __future__ import annotations

from .services import bookings, recycling, umbrellas
from .services.context import Desk
from .services.passes import add_insurance
from .services.rental_charges import Settlement

RESOURCES = [
    # name, kind, capacity, size, price item, buffer minutes
    ("会议室 A / Room A", "meeting_room", 12, "", "room_large_hour", 15),
    ("会议室 B / Room B", "meeting_room", 6, "", "room_small_hour", 0),
    ("接待室 / Reception", "reception_room", 4, "", "reception_room_hour", 0),
    ("告示牌 1F / Board 1F", "notice_board", None, "1.2 m × 0.8 m", "notice_board_day", 0),
    ("广告位 大堂东 / Lobby east", "ad_space", None, "3 m × 2 m", "ad_space_month", 0),
    ("车位 B1-017", "parking_space", None, "B1-017", "parking_month", 0),
    ("车位 B1-018", "parking_space", None, "B1-018", "parking_month", 0),
]

# (day from today, start, end, resource, tenant, how it is settled, days it was asked before)
WEEK = [
    (-2, "09:30", "11:00", "会议室 A / Room A", "星辰科技有限公司", "monthly", 3),
    (-1, "14:00", "16:00", "会议室 B / Room B", "Acme Trading Ltd", "paid", 1),
    (0, "10:00", "11:30", "会议室 A / Room A", "北辰律师事务所", "later", 2),
    (0, "15:00", "17:00", "接待室 / Reception", "金穗会计师事务所", "paid", 1),
    (1, "09:00", "12:00", "会议室 A / Room A", "Nordic Design Studio", "later", 4),
    (1, "14:00", "15:00", "会议室 B / Room B", "星辰科技有限公司", "monthly", 2),
    (2, "13:30", "17:30", "会议室 A / Room A", "宏远建筑设计院", "monthly", 5),
    (3, "10:00", "12:00", "接待室 / Reception", "远景投资", "later", 1),
]
SIGNERS = {"星辰科技有限公司": "刘洋", "Acme Trading Ltd": "John Chen",
           "金穗会计师事务所": "钱芳"}


def load_bookings(desk: Desk, days, at, local) -> None:
    """``days(n, hour, minute)``: building time n days ago; ``at(desk, moment)``: the desk
    as it was then; ``local``: now, building time (nothing is applied for after it)."""
    for name, kind, capacity, size, price, buffer in RESOURCES:
        bookings.add_resource(at(desk, days(30)), name, kind, capacity=capacity, size=size,
                              price_item=price, buffer_minutes=buffer)
    for offset, start, end, resource, tenant, how, asked in WEEK:
        day = days(-offset)
        first = day.replace(hour=int(start[:2]), minute=int(start[3:]))
        last = day.replace(hour=int(end[:2]), minute=int(end[3:]))
        settle = {"paid": Settlement(paid=True, method="wechat"),
                  "monthly": Settlement(signed_by=SIGNERS.get(tenant)),
                  "later": None}[how if how != "monthly" or tenant in SIGNERS else "later"]
        applied = min(days(max(asked - offset, 0), 9), local)
        bookings.add_booking(at(desk, applied), resource, first, last,
                             tenant=tenant, settle=settle)
    # 星辰's weekly team meeting, every Monday at 9 for the next four weeks
    monday = days(0).add(days=(7 - days(0).weekday()) % 7 or 7)
    bookings.add_booking(at(desk, days(6, 10)), "会议室 B / Room B",
                         monday.replace(hour=9, minute=0), monday.replace(hour=10, minute=0),
                         tenant="星辰科技有限公司", repeat_rule="weekly", count=4,
                         settle=Settlement(signed_by="刘洋"))
    # a free borrowing for the residents' committee, awaiting the GM
    borrow_day = days(-4)
    bookings.add_booking(at(desk, days(1, 16)), "会议室 A / Room A",
                         borrow_day.replace(hour=14, minute=0), borrow_day.replace(hour=16, minute=0),
                         borrow=True, applicant="业主委员会 / owners' committee",
                         note="季度例会 / quarterly meeting")
    # notice boards by the day, a parking space by the month on its insurance
    bookings.add_booking(at(desk, days(2)), "告示牌 1F / Board 1F",
                         days(1).replace(hour=8, minute=0), days(-2).replace(hour=22, minute=0),
                         tenant="云帆网络", settle=Settlement(paid=True))
    add_insurance(at(desk, days(60)), "沪B67890", "太平洋保险", "CP-2026-5521",
                  days(60).date(), days(60).date().replace(year=days(60).year + 1))
    month = days(0).format("YYYY-MM")
    bookings.rent_parking(at(desk, days(5)), "车位 B1-017", month, "沪B67890", "Acme Trading Ltd",
                          settle=Settlement(signed_by="John Chen"))
    # forty umbrellas, three out since the rain; a recycling pickup tomorrow
    umbrellas.add_umbrellas(at(desk, days(60)), 40)
    for hours, who, tenant in ((3, "张伟", "Acme Trading Ltd"), (2, "李娜", None),
                               (1, "Erik Lund", "Nordic Design Studio")):
        umbrellas.lend_umbrella(at(desk, local.subtract(hours=hours)), who, tenant)
    recycling.book_pickup(desk, "宏远建筑设计院",
                          days(-1).replace(hour=10, minute=0).in_tz("UTC"),
                          "旧纸箱与废纸 / old boxes and paper", contact="孙建国")
