"""What the bookings screen shows, read in the ticker's thread (no Textual here): the
resources and their bookings over one day (the day grid) or one resource over a week.

A poll costs one look at the change token; the window is read again only when an audit
row about a booking or a resource was written since (another session booked, cancelled,
approved…), and only the rows whose bookings differ are repainted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum

from .db import change_token, is_sqlite
from .models import RESOURCE_KINDS, Audit, Booking, Resource, Tenant
from .views import safe_text

PG_LOOKBACK = 1000  # the window of db.change_token on PostgreSQL (ids taken before commit)
SHOWN_STATES = ("pending", "confirmed")  # bumped and cancelled leave the grid
ENTITIES = ("booking", "resource")


@dataclass(frozen=True)
class Span:
    """One booking as a bar: [start, end) in epoch seconds."""

    booking_id: int
    start: float
    end: float
    kind: str  # rental | borrowing
    state: str  # pending | confirmed
    who: str  # the tenant, else the applicant


@dataclass(frozen=True)
class GridRow:
    key: tuple  # ("resource", id) or ("day", date)
    label: str
    day_start: float  # epoch seconds of the row's day's midnight, building time
    spans: tuple[Span, ...]
    resource_id: int
    capacity: int | None = None


@dataclass(frozen=True)
class ResourceInfo:
    id: int
    name: str
    kind: str
    capacity: int | None
    opens: str
    closes: str


def _hours(text: str) -> float:
    hours, _, minutes = text.partition(":")
    return int(hours) + int(minutes or 0) / 60


class BookingsModel:
    def __init__(self, db, tz: str) -> None:
        self.db, self.tz = db, tz
        self.day: dt.date | None = None
        self.week_of: int | None = None  # a resource id: its week; None: the day grid
        self.resources: list[ResourceInfo] = []
        self._token: int | None = None
        self._seen = 0

    # -- the window ----------------------------------------------------------------------
    def show_day(self, day: dt.date) -> list[GridRow]:
        self.day, self.week_of = day, None
        return self.load()

    def show_week(self, resource_id: int, day: dt.date) -> list[GridRow]:
        self.day, self.week_of = day, resource_id
        return self.load()

    def _midnight(self, day: dt.date) -> pendulum.DateTime:
        return pendulum.datetime(day.year, day.month, day.day, tz=self.tz)

    def week_days(self) -> list[dt.date]:
        monday = self.day - dt.timedelta(days=self.day.weekday())
        return [monday + dt.timedelta(days=n) for n in range(7)]

    def hours(self) -> tuple[int, int]:
        """The hours the grid spans: the earliest opening to the latest closing."""
        shown = [r for r in self.resources if self.week_of in (None, r.id)]
        if not shown:
            return 8, 22
        first = min(int(_hours(r.opens)) for r in shown)
        last = max(-int(-_hours(r.closes) // 1) for r in shown)
        return max(0, first), min(24, max(first + 1, last))

    # -- reading -------------------------------------------------------------------------
    def load(self) -> list[GridRow]:
        self._token = change_token(self.db)
        self._seen = self._newest()
        # rooms first, then boards, parking and ad spaces (the order of RESOURCE_KINDS)
        rank = {kind: n for n, kind in enumerate(RESOURCE_KINDS)}
        self.resources = sorted(
            (ResourceInfo(r.id, r.name, r.kind, r.capacity, r.opens, r.closes)
             for r in Resource.select().where(Resource.active == True)),  # noqa: E712
            key=lambda r: (rank.get(r.kind, 9), r.name))
        if self.week_of is None:
            start = self._midnight(self.day)
            end = start.add(days=1)
            spans = self._spans(start, end, None)
            return [GridRow(("resource", r.id), safe_text(r.name), start.timestamp(),
                            tuple(s for rid, s in spans if rid == r.id), r.id, r.capacity)
                    for r in self.resources]
        days = self.week_days()
        start, end = self._midnight(days[0]), self._midnight(days[-1]).add(days=1)
        spans = [s for _rid, s in self._spans(start, end, self.week_of)]
        rows = []
        for day in days:
            midnight = self._midnight(day).timestamp()
            label = pendulum.date(day.year, day.month, day.day).format("MM-DD ddd")
            rows.append(GridRow(("day", day), label, midnight,
                                tuple(s for s in spans
                                      if s.start < midnight + 86400 and s.end > midnight),
                                self.week_of))
        return rows

    def _spans(self, start, end, resource_id: int | None) -> list[tuple[int, Span]]:
        query = (Booking.select(Booking.id, Booking.resource, Booking.starts_at,
                                Booking.ends_at, Booking.kind, Booking.state, Tenant.name,
                                Booking.applicant)
                 .join(Tenant, join_type="LEFT OUTER JOIN", on=(Booking.tenant == Tenant.id))
                 .where((Booking.starts_at < end) & (Booking.ends_at > start)
                        & Booking.state.in_(SHOWN_STATES)))
        if resource_id is not None:
            query = query.where(Booking.resource == resource_id)
        out = []
        for bid, rid, starts, ends, kind, state, tenant, applicant in query.order_by(
                Booking.starts_at).tuples():
            out.append((rid, Span(bid, starts.timestamp(), ends.timestamp(), kind, state,
                                  safe_text(tenant or applicant or ""))))
        return out

    def _newest(self) -> int:
        value = self.db.execute_sql(f"SELECT max(id) FROM {Audit._meta.table_name}").fetchone()[0]
        return int(value or 0)

    def poll(self) -> list[GridRow] | None:
        """None while nothing about bookings was written; else the window read again."""
        if self.day is None:
            return None
        token = change_token(self.db)
        if token == self._token:
            return None
        since = self._seen if is_sqlite(self.db) else max(0, self._seen - PG_LOOKBACK)
        touched = (Audit.select(Audit.id).where((Audit.id > since)
                                                & Audit.entity.in_(ENTITIES)).exists())
        self._token = token
        if not touched:
            self._seen = self._newest()
            return None
        return self.load()

    def free(self, start: pendulum.DateTime, end: pendulum.DateTime,
             people: int | None = None, kind: str | None = None) -> list[ResourceInfo]:
        """The active resources with room for ``people`` and nothing held over
        [start, end) — what the finder lists (the service re-checks on booking)."""
        busy = {rid for (rid,) in Booking.select(Booking.resource).where(
            (Booking.starts_at < end) & (Booking.ends_at > start)
            & (Booking.state == "confirmed")).tuples()}
        local_start, local_end = start.in_tz(self.tz), end.in_tz(self.tz)
        out = []
        for r in Resource.select().where(Resource.active == True).order_by(  # noqa: E712
                Resource.capacity.asc(nulls="LAST"), Resource.name):
            if r.id in busy or (kind and r.kind != kind):
                continue
            if people and (r.capacity is None or r.capacity < people):
                continue
            opens, closes = _hours(r.opens), _hours(r.closes)
            if (local_start.hour + local_start.minute / 60 < opens
                    or (local_end.date() == local_start.date()
                        and local_end.hour + local_end.minute / 60 > closes)):
                continue
            out.append(ResourceInfo(r.id, r.name, r.kind, r.capacity, r.opens, r.closes))
        return out
