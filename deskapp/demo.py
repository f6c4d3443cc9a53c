"""A realistic demo building: tenants and a live mix of tickets in every tier and state
(and, in demo_life, the history of the tenants' life at the desk).

Times are relative to now, so the demo queue is counting down, flashing and showing a
breach the moment the dashboard opens.
"""

from __future__ import annotations

import datetime as dt

from .models import Service, Staff, Tenant, Ticket
from .services.context import Desk
from .services import tenants as registry
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

# the registry beyond the lease: more people to call, and who may sign for monthly
# settlement with the days of their written applications (days before today)
CONTACTS = {
    "星辰科技有限公司": [("陈静", "13800001299", "行政 / office manager")],
    "Acme Trading Ltd": [("Mary Li", "13800000806", "finance")],
    "北辰律师事务所": [("韩律师", "13800001504", "合伙人 / partner")],
}
SIGNATORIES = {
    "星辰科技有限公司": [("刘洋", 400), ("陈静", 120)],
    "Acme Trading Ltd": [("John Chen", 300)],
    "金穗会计师事务所": [("钱芳", 90)],
}
# tenants in the other states: (name, units, contact, phone, rent, lease from/to in days
# from today, the statuses it goes through after being added as incoming)
OTHERS = [
    ("旧时光咖啡", ["3F-301"], "何平", "13800000301", 680_000, (-900, -20),
     ["active", "moving_out", "gone"]),
    ("老城贸易", ["7F-702"], "冯刚", "13800000702", 1_420_000, (-1000, 25),
     ["active"]),  # its move-out is booked (demo_life): that makes it moving out
    ("Blue Harbour Consulting", ["3F-301"], "Anna Berg", "13800000311", 720_000, (14, 1110),
     []),
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
    (25, "complaint", dict(tier="normal", tenant="北辰律师事务所", location="15F",
                           written=True, note="走廊噪音"), []),
    (45, "repair", dict(tier="normal", tenant="Acme Trading Ltd", location="8F-805",
                        note="灯具不亮"), [("dispatch", 1, "")]),
    (30, "patrol", dict(location="11F 消防通道", note="杂物堆放"), []),
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
         ("laochen", "老陈", "security"), ("zhaozong", "赵总", "gm")]
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
    _registry(desk)
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
    from .demo_life import load_life

    load_life(desk)  # the passes, mail, signs and fit-outs of the queue come from here
    from .demo_billing import load_billing

    load_billing(desk)  # six months of notices, payments, approvals, closed months
    return {"demo_tenants": len(TENANTS) + len(OTHERS) + 1, "demo_tickets": added}


def _registry(desk: Desk) -> None:
    """Contacts, signatories, and tenants incoming, moving out and gone (the one that
    left frees 3F-301, which the incoming one takes)."""
    today = registry.today(desk)
    for name, people in CONTACTS.items():
        tenant = Tenant.get(Tenant.name == name)
        for person, phone, role in people:
            registry.add_contact(desk, tenant.id, person, phone, role)
    for name, signers in SIGNATORIES.items():
        tenant = Tenant.get(Tenant.name == name)
        for person, days_ago in signers:
            registry.add_signatory(desk, tenant.id, person, today - dt.timedelta(days=days_ago))
    for name, units, contact, phone, rent, (start, end), statuses in OTHERS:
        tenant = registry.add_tenant(desk, registry.TenantData(
            name=name, units=tuple(units), contact=contact, phone=phone,
            monthly_rent_fen=rent, due_day=10, deposit_fen=rent * 2,
            lease_start=today + dt.timedelta(days=start),
            lease_end=today + dt.timedelta(days=end)))
        for status in statuses:
            registry.set_status(desk, tenant.id, status)
