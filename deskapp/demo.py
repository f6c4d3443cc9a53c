"""A realistic demo building: tenants and a live mix of tickets in every tier and state.

Times are relative to now, so the demo queue is counting down, flashing and showing a
breach the moment the dashboard opens.
"""

from __future__ import annotations

import datetime as dt

from .models import Service, Staff, Ticket
from .services.context import Desk
from .services.tenants import upsert_tenant
from .services.tickets import NewTicket, open_ticket, step

TENANTS = [
    ("星辰科技有限公司", ["12F-1201", "12F-1202"], "刘洋", "13800001201", 4_860_000),
    ("Acme Trading Ltd", ["8F-805"], "John Chen", "13800000805", 1_250_000),
    ("北辰律师事务所", ["15F-1503"], "赵敏", "13800001503", 2_100_000),
    ("宏远建筑设计院", ["20F"], "孙建国", "13800002000", 9_800_000),
    ("华夏保险经纪", ["6F-601", "6F-602"], "周婷", "13800000601", 3_300_000),
    ("Nordic Design Studio", ["18F-1806"], "Erik Lund", "13800001806", 1_560_000),
    ("金穗会计师事务所", ["10F-1001"], "钱芳", "13800001001", 1_980_000),
    ("云帆网络", ["16F-1608"], "吴磊", "13800001608", 1_120_000),
    ("康宁医疗器械", ["9F-901"], "郑华", "13800000901", 2_450_000),
    ("远景投资", ["21F-2101"], "王海", "13800002101", 3_900_000),
]

# (minutes ago, service, options, steps taken [(action, minutes after opening, reason)])
TICKETS = [
    (7, "repair", dict(tier="extra_urgent", tenant="星辰科技有限公司", location="12F-1201",
                       note="水管爆裂 / burst pipe"), [("dispatch", 1, "")]),
    (1.5, "salesperson", dict(location="8F 电梯厅"), []),
    (4.4, "umbrella", dict(tenant="Acme Trading Ltd", location="大堂"), []),
    (2, "breaker_trip", dict(tenant="Acme Trading Ltd", location="8F-805"), []),
    (6, "repair", dict(tier="urgent", tenant="北辰律师事务所", location="15F-1503",
                       note="空调不制热"), [("dispatch", 1, "")]),
    (12.5, "repair", dict(tier="urgent", tenant="云帆网络", location="16F-1608",
                          note="门禁失灵"), [("dispatch", 1, "")]),
    (1, "access_pass", dict(tenant="宏远建筑设计院", location="20F", people=3), []),
    (10, "mail", dict(tenant="华夏保险经纪", location="6F-601", note="挂号信 2 件"), []),
    (25, "complaint", dict(tier="normal", tenant="北辰律师事务所", location="15F",
                           written=True, note="走廊噪音"), []),
    (45, "repair", dict(tier="normal", tenant="Acme Trading Ltd", location="8F-805",
                        note="灯具不亮"), [("dispatch", 1, "")]),
    (30, "patrol", dict(location="11F 消防通道", note="杂物堆放"), []),
    (60 * 20, "fitout_approval", dict(tenant="宏远建筑设计院", location="20F",
                                      scope="systems"), []),
    (60 * 26, "signage", dict(tenant="Nordic Design Studio", location="18F-1806"), []),
    (40, "large_item", dict(tenant="康宁医疗器械", location="9F-901"), []),
    (50, "repair", dict(tier="normal", tenant="金穗会计师事务所", location="10F-1001",
                        note="等待配件 / waiting for parts"),
     [("dispatch", 1, ""), ("hold", 10, "等待配件到货 / parts on order")]),
    (14, "repair", dict(tier="urgent", tenant="康宁医疗器械", location="9F-901",
                        note="插座冒烟 / smoking socket"), [("dispatch", 1, ""), ("arrive", 8, "")]),
    (90, "repair", dict(tier="urgent", tenant="远景投资", location="21F-2101",
                        note="漏水"), [("dispatch", 1, ""), ("arrive", 9, ""),
                                       ("resolve", 40, "")]),
    (180, "umbrella", dict(tenant="云帆网络"), [("resolve", 2, ""), ("answer", 3, "")]),
    (200, "repair", dict(tier="normal", tenant="康宁医疗器械", location="9F-901"),
     [("cancel", 5, "租户自行处理 / tenant fixed it")]),
]


STAFF = [("wangfang", "王芳", "desk"), ("ligong", "李工", "engineering"),
         ("zhanggong", "张工", "engineering"), ("chenkuai", "陈会计", "finance"),
         ("laochen", "老陈", "security")]
# who is sent, by department, in turn: the Who column names real people
SENT = {"engineering": ["ligong", "zhanggong"], "security": ["laochen"], "desk": ["wangfang"]}
# who takes which step in the demo, so the "who" column reads like a real shift
STEP_BY = {"dispatch": "wangfang", "arrive": "ligong", "resolve": "zhanggong",
           "answer": "wangfang", "hold": "ligong", "cancel": "wangfang"}


def load_demo(desk: Desk) -> dict[str, int]:
    if Ticket.select().exists():
        return {"demo_tenants": 0, "demo_tickets": 0}
    for login, name, role in STAFF:
        person, made = Staff.get_or_create(login=login, defaults={"name": name, "role": role})
        if not made and person.name == person.login:  # the manager init made: give a name
            person.name = name
            person.save()
    front = Desk(db=desk.db, clock=desk.clock, user="wangfang", role="desk")
    for name, units, contact, phone, rent in TENANTS:
        upsert_tenant(desk, name, units=units, contact=contact, phone=phone,
                      monthly_rent_fen=rent, due_day=5, lease_start=dt.date(2025, 1, 1),
                      lease_end=dt.date(2027, 12, 31))
    now = desk.clock.now()
    added = 0
    turn = 0
    for minutes_ago, service, options, steps in TICKETS:
        opened = now.subtract(seconds=int(minutes_ago * 60))
        ticket = open_ticket(front, NewTicket(service=service, at=opened, **options))
        sent_to = None
        for action, after, reason in steps:
            by = sent_to if sent_to and action in ("arrive", "resolve", "hold") else STEP_BY[action]
            actor = Desk(db=desk.db, clock=desk.clock, user=by, role="manager")
            to = None
            if action == "dispatch":
                crew = SENT[Service.get(Service.code == service).department]
                to, turn = crew[turn % len(crew)], turn + 1
                sent_to = to
            step(actor, ticket.id, action, at=opened.add(seconds=int(after * 60)),
                 reason=reason or None, to=to)
        added += 1
    return {"demo_tenants": len(TENANTS), "demo_tickets": added}
