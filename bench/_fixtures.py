"""Database fixtures for the benchmarks: many consistent tickets, written fast.

The schema comes from ``deskapp.db.ensure_schema``; the rows are bulk-inserted with
``executemany`` in big transactions on a plain sqlite3 connection, but they are the rows
the services would have written: every ticket has its Target rows, one TicketEvent and
one Audit row per step, ``change_seq`` = the audit id of its last change, and the
denormalised ``next_due_at`` / ``next_start_at`` / ``next_target`` / ``late`` /
``provisional`` / ``is_open`` computed exactly as ``services.tickets._summarise`` does.

Nothing here is imported by deskapp; nothing in deskapp/ is changed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pendulum

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from deskapp.calendar import WorkCalendar  # noqa: E402
from deskapp.clock import FrozenClock  # noqa: E402
from deskapp.db import ensure_schema, open_database  # noqa: E402
from deskapp.models import (  # noqa: E402
    Audit, Staff, Target, Tenant, Ticket, TicketEvent, database, to_micros)
from deskapp.sla import (  # noqa: E402
    SEED_CATALOGUE, STEP_ORDER, TIER_RANK, Profile, meets, plan_targets)

TZ = "Asia/Shanghai"
# The tick benchmarks run at a fixed building time (a working Thursday afternoon, as in
# the tests), so the cached base file does not depend on the wall clock.
BENCH_NOW = pendulum.datetime(2026, 11, 26, 14, 0, 0, tz=TZ).in_tz("UTC")
US = 1_000_000
ACTOR = "bench"

RULES = {rule.code: rule for rule in SEED_CATALOGUE}
TENANT_COUNT = 300


def micros(moment) -> int:
    return to_micros(moment)


def iso(us: int) -> str:
    return dt.datetime.fromtimestamp(us / US, dt.timezone.utc).isoformat()


# -- rows in column order ---------------------------------------------------------------

class Table:
    """Column order and defaults of one model, for executemany."""

    def __init__(self, model) -> None:
        self.name = model._meta.table_name
        self.fields = model._meta.sorted_fields
        self.columns = [f.column_name for f in self.fields]
        self.sql = (f'INSERT INTO "{self.name}" ({", ".join(self.columns)}) '
                    f'VALUES ({", ".join("?" * len(self.columns))})')
        self.defaults = []
        for f in self.fields:
            default = f.default
            self.defaults.append((f.name, default))

    def row(self, values: dict) -> tuple:
        out = []
        for name, default in self.defaults:
            if name in values:
                value = values[name]
            else:
                value = default() if callable(default) else default
            if isinstance(value, bool):
                value = int(value)
            out.append(value)
        return tuple(out)


TICKET, TARGET, EVENT, AUDIT, TENANT = (Table(m) for m in (Ticket, Target, TicketEvent,
                                                            Audit, Tenant))


@dataclass
class Builder:
    """Allocates ids like the database would and buffers rows for executemany."""

    conn: sqlite3.Connection
    next_ticket: int = 1
    next_target: int = 1
    next_event: int = 1
    next_audit: int = 1
    buffers: dict = field(default_factory=lambda: {t.name: [] for t in (TICKET, TARGET,
                                                                       EVENT, AUDIT, TENANT)})

    @classmethod
    def on(cls, conn: sqlite3.Connection) -> "Builder":
        def top(table: Table) -> int:
            return (conn.execute(f'SELECT max(id) FROM "{table.name}"').fetchone()[0] or 0) + 1
        return cls(conn, top(TICKET), top(TARGET), top(EVENT), top(AUDIT))

    def audit(self, at: int, action: str, entity: str, entity_id, detail: dict) -> int:
        seq = self.next_audit
        self.next_audit += 1
        self.buffers[AUDIT.name].append(AUDIT.row(dict(
            id=seq, at=at, actor=ACTOR, action=action, entity=entity,
            entity_id=str(entity_id), detail=json.dumps(detail, ensure_ascii=False))))
        return seq

    def flush(self) -> None:
        for table in (TENANT, TICKET, TARGET, EVENT, AUDIT):
            rows = self.buffers[table.name]
            if rows:
                self.conn.executemany(table.sql, rows)
                rows.clear()

    # -- one ticket through the services' lifecycle -------------------------------------
    def ticket(self, *, service: str, tier: str, opened: int, planned: list[tuple],
               steps: list[tuple] = (), tenant_id: int | None = None, location: str = "",
               note: str = "", people: int = 1, scope: str | None = None) -> dict:
        """``planned``: (name, met_by, start_us, due_us | None, provisional[, clock]);
        ``steps``: (action, at_us, reason). Mirrors open_ticket/step/_summarise."""
        ticket_id = self.next_ticket
        self.next_ticket += 1
        targets = []
        for name, met_by, start, due, provisional, *clock in planned:
            targets.append(dict(id=self.next_target, ticket=ticket_id, cycle=1, name=name,
                                met_by=met_by, start_at=start, due_at=due, met_at=None,
                                paused_at=None, paused_seconds=0, provisional=provisional,
                                clock=clock[0] if clock else "wall"))
            self.next_target += 1
        t = dict(id=ticket_id, service=service, tier=tier, tier_rank=TIER_RANK[tier],
                 state="accepted", resume_state=None, is_open=True, tenant=tenant_id,
                 location=location, people=people, scope=scope, written=False,
                 agreed_at=None, note=note, opened_at=opened, opened_by=ACTOR,
                 last_actor=ACTOR, cycle=1, late=False, provisional=False, moved_up_at=None,
                 closed_at=None, version=1)
        events = self.buffers[EVENT.name]
        events.append(EVENT.row(dict(id=self.next_event, ticket=ticket_id, at=opened,
                                     actor=ACTOR, action="open", from_state=None,
                                     to_state="accepted", reason="")))
        self.next_event += 1
        seq = self.audit(opened, "ticket.open", "ticket", ticket_id,
                         dict(service=service, tier=tier, at=iso(opened)))
        for action, moment, reason in steps:
            before = t["state"]
            if action in STEP_ORDER:
                for target in targets:
                    if target["met_at"] is None and meets(action, target["met_by"]):
                        target["met_at"] = moment
                t["state"] = {"dispatch": "dispatched", "arrive": "on_site",
                              "resolve": "resolved", "answer": "closed"}[action]
                if action == "answer":
                    t.update(is_open=False, closed_at=moment, moved_up_at=None)
            elif action == "hold":
                t["resume_state"], t["state"] = t["state"], "on_hold"
                for target in targets:
                    if target["met_at"] is None and target["paused_at"] is None:
                        if target["due_at"] is not None and moment >= target["due_at"]:
                            t["late"] = True
                        target["paused_at"] = moment
            elif action == "resume":
                t["state"], t["resume_state"] = t["resume_state"] or "accepted", None
                for target in targets:
                    if target["paused_at"] is not None:
                        paused = max(0, (moment - target["paused_at"]) // US)
                        target["paused_seconds"] += paused
                        if target["due_at"] is not None:
                            target["due_at"] += paused * US
                        target["paused_at"] = None
            elif action == "cancel":
                t.update(state="cancelled", is_open=False, closed_at=moment, moved_up_at=None)
            else:
                raise ValueError(action)
            t["last_actor"] = ACTOR
            t["version"] += 1
            events.append(EVENT.row(dict(id=self.next_event, ticket=ticket_id, at=moment,
                                         actor=ACTOR, action=action, from_state=before,
                                         to_state=t["state"], reason=reason)))
            self.next_event += 1
            seq = self.audit(moment, f"ticket.{action}", "ticket", ticket_id,
                             dict(from_state=before, to_state=t["state"], reason=reason,
                                  at=iso(moment)))
        # _summarise
        waiting = [x for x in targets if x["met_at"] is None and x["paused_at"] is None
                   and x["due_at"] is not None]
        if t["is_open"] and waiting:
            first = min(waiting, key=lambda x: x["due_at"])
            t["next_due_at"] = first["due_at"]
            t["next_start_at"] = first["start_at"] + first["paused_seconds"] * US
            t["next_target"] = first["name"]
        else:
            t["next_due_at"] = t["next_start_at"] = t["next_target"] = None
        t["late"] = t["late"] or any(x["met_at"] is not None and x["due_at"] is not None
                                     and x["met_at"] > x["due_at"] for x in targets)
        t["provisional"] = any(x["provisional"] for x in targets if x["met_at"] is None)
        t["change_seq"] = seq
        self.buffers[TICKET.name].append(TICKET.row(t))
        self.buffers[TARGET.name].extend(TARGET.row(x) for x in targets)
        return t


# -- planning with the real rules -------------------------------------------------------

_CALENDAR = WorkCalendar(tz=TZ)
_PROFILE = Profile()


def plan(service: str, tier: str, opened_us: int, people: int = 1,
         scope: str = "simple") -> list[tuple]:
    rule = RULES[service]
    opened = pendulum.from_timestamp(opened_us / US, tz="UTC")
    out = []
    for p in plan_targets(rule, tier=tier, opened_at=opened, calendar=_CALENDAR,
                          profile=_PROFILE, people=people, scope=scope):
        out.append((p.name, p.met_by, micros(p.start_at),
                    micros(p.due_at) if p.due_at is not None else None, p.provisional,
                    p.clock))
    return out


def _invariant_templates() -> list[tuple[str, str, list[tuple]]]:
    """(service, tier, [(name, met_by, due offset µs | None)]) for the rules whose
    deadlines are a fixed number of minutes after opening (so they can be shifted)."""
    ref = micros(BENCH_NOW)
    templates = []
    for rule in SEED_CATALOGUE:
        tiers = ("extra_urgent", "urgent", "normal") if rule.tier_chosen else (rule.tier,)
        for tier in tiers:
            kinds_ok = all(
                t.when == "written" or t.kind in ("minutes", "minutes_per_person", "untimed")
                or (t.kind == "tier" and tier in _PROFILE.tier_minutes)
                for t in rule.targets)
            if not kinds_ok:
                continue
            planned = plan(rule.code, tier, ref)
            templates.append((rule.code, tier, [(n, m, None if d is None else d - ref)
                                                for n, m, s, d, p, _c in planned]))
    return templates


# -- databases ----------------------------------------------------------------------------

def create_empty(path: Path) -> None:
    """Schema, catalogue, the first manager and the tenants, as `deskapp init` would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_database(f"sqlite:///{path}")
    ensure_schema(db)
    db.close()
    database.initialize(None)
    conn = sqlite3.connect(path, isolation_level=None)
    b = Builder.on(conn)
    conn.execute("BEGIN")
    conn.execute(f'INSERT INTO "{Staff._meta.table_name}" (login, name, role, active) '
                 "VALUES (?, ?, 'manager', 1)", (ACTOR, ACTOR))
    b.audit(micros(BENCH_NOW) - 400 * 86400 * US, "staff.add", "staff", ACTOR,
            dict(role="manager"))
    for i in range(1, TENANT_COUNT + 1):
        name = f"租户{i:03d} 科技有限公司" if i % 3 else f"Tenant {i:03d} Ltd"
        b.buffers[TENANT.name].append(TENANT.row(dict(
            id=i, name=name, units=f"{i % 30 + 1}F-{i:04d}", contact=f"联系人{i}",
            phone=f"1380000{i:04d}", monthly_rent_fen=1_000_000 + i * 1000, due_day=5,
            lease_start=None, lease_end=None, version=1)))
        b.audit(micros(BENCH_NOW) - 400 * 86400 * US, "tenant.add", "tenant", i,
                dict(name=name))
    b.flush()
    conn.execute("COMMIT")
    conn.close()


def add_closed(path: Path, count: int, *, seed: int = 1, chunk: int = 100_000,
               progress=None) -> None:
    """``count`` answered (90 %) or cancelled (10 %) tickets over the three years before
    BENCH_NOW - 1 day, each with its targets, events and audit rows."""
    rng = random.Random(seed)
    templates = _invariant_templates()
    weights = [6 if s == "repair" else 3 if s in ("phone", "mail", "umbrella") else 1
               for s, _, _ in templates]
    end = micros(BENCH_NOW) - 86400 * US
    start = end - 3 * 365 * 86400 * US
    span = (end - start) // max(count, 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    b = Builder.on(conn)
    conn.execute("BEGIN")
    picks = rng.choices(range(len(templates)), weights=weights, k=count)
    for i in range(count):
        service, tier, offsets = templates[picks[i]]
        opened = start + i * span + rng.randrange(span // 2 or 1)
        planned = [(n, m, opened, None if d is None else opened + d, False)
                   for n, m, d in offsets]
        longest = max((d for _, _, d in offsets if d is not None), default=300 * US)
        closed = opened + int(longest * rng.uniform(0.3, 1.2)) + US
        if rng.random() < 0.9:
            steps = [("answer", closed, "")]
        else:
            steps = [("cancel", closed, "租户撤回 / withdrawn")]
        b.ticket(service=service, tier=tier, opened=opened, planned=planned, steps=steps,
                 tenant_id=rng.randint(1, TENANT_COUNT) if service != "patrol" else None,
                 location=f"{rng.randint(1, 30)}F-{rng.randint(1, 20):02d}",
                 note="" if rng.random() < 0.7 else "历史工单 history")
        if (i + 1) % chunk == 0:
            b.flush()
            if progress:
                progress(i + 1)
    b.flush()
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


OPEN_MIX = [  # (service, tier, weight)
    ("repair", "extra_urgent", 2), ("repair", "urgent", 6), ("repair", "normal", 18),
    ("complaint", "normal", 6), ("complaint", "urgent", 1), ("phone", "normal", 4),
    ("access_pass", "urgent", 3), ("parking_permit", "urgent", 2), ("mail", "normal", 6),
    ("umbrella", "extra_urgent", 2), ("large_item", "normal", 3), ("patrol", "normal", 5),
    ("signage", "normal", 5), ("fitout_approval", "normal", 4),
    ("fitout_acceptance", "normal", 3), ("move_out", "normal", 2),
    ("breaker_trip", "urgent", 2), ("recycling", "normal", 3),
]


def add_open(path: Path, count: int, *, now=BENCH_NOW, seed: int = 2,
             window_s: int = 6 * 3600) -> list[int]:
    """``count`` open tickets of a realistic mix, opened within ``window_s`` before
    ``now``; some dispatched, some on hold; some ok, near and breached at ``now``."""
    rng = random.Random(seed)
    now_us = micros(now)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    b = Builder.on(conn)
    conn.execute("BEGIN IMMEDIATE")
    ids = []
    mix = rng.choices(OPEN_MIX, weights=[w for *_, w in OPEN_MIX], k=count)
    for service, tier, _ in mix:
        opened = now_us - rng.randrange(30, window_s) * US
        people = rng.randint(1, 3) if RULES[service].uses_people else 1
        steps = []
        age = now_us - opened
        if service == "repair" and rng.random() < 0.5 and age > 90 * US:
            steps.append(("dispatch", opened + 60 * US, ""))
            if rng.random() < 0.05 and age > 700 * US:
                steps.append(("hold", opened + 600 * US, "等待配件 / parts"))
        t = b.ticket(service=service, tier=tier, opened=opened,
                     planned=plan(service, tier, opened, people=people), steps=steps,
                     tenant_id=rng.randint(1, TENANT_COUNT) if service != "patrol" else None,
                     location=f"{rng.randint(1, 30)}F-{rng.randint(1, 20):02d}",
                     note=rng.choice(["", "", "漏水 leak", "空调 AC", "门禁 access"]),
                     people=people,
                     scope="simple" if RULES[service].uses_scope else None)
        ids.append(t["id"])
    b.flush()
    conn.execute("COMMIT")
    conn.close()
    return ids


def add_specific(path: Path, specs: list[dict]) -> list[int]:
    """Open tickets exactly as given: dicts with service, tier, opened (µs), steps,
    optional tenant_id, location, note."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    b = Builder.on(conn)
    conn.execute("BEGIN IMMEDIATE")
    ids = []
    for spec in specs:
        planned = plan(spec["service"], spec["tier"], spec["opened"])
        t = b.ticket(service=spec["service"], tier=spec["tier"], opened=spec["opened"],
                     planned=planned, steps=spec.get("steps", []),
                     tenant_id=spec.get("tenant_id"), location=spec.get("location", ""),
                     note=spec.get("note", ""))
        ids.append(t["id"])
    b.flush()
    conn.execute("COMMIT")
    conn.close()
    return ids


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)


def base_with_closed(closed: int = 1_000_000, *, rebuild: bool = False, log=print) -> Path:
    """The cached base file: schema + tenants + ``closed`` closed tickets."""
    path = OUT / f"base_closed_{closed}.db"
    if path.exists() and not rebuild:
        return path
    tmp = OUT / f"base_closed_{closed}.building.db"
    started = time.perf_counter()
    log(f"building {path.name} (once; cached in bench/out/) ...")
    create_empty(tmp)
    add_closed(tmp, closed, progress=lambda n: log(
        f"  {n:>9,} closed tickets  {time.perf_counter() - started:6.1f} s"))
    os.replace(tmp, path)
    log(f"  built in {time.perf_counter() - started:.1f} s, "
        f"{path.stat().st_size / 1e6:.0f} MB")
    return path


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    out = {}
    for table in (TICKET, TARGET, EVENT, AUDIT):
        out[table.name] = conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
    out["open"] = conn.execute(f'SELECT count(*) FROM "{TICKET.name}" WHERE is_open=1').fetchone()[0]
    conn.close()
    return out


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def frozen_clock(now=BENCH_NOW) -> FrozenClock:
    return FrozenClock(now)
