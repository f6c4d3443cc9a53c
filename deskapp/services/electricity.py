"""What a tenant's meters consumed in a month (SPEC §9, R-7.5), the figure a notice
bills.

For each of the tenant's meter rows: its last reading in the month less its last
reading before the month; a row whose first reading (its baseline: move-in, or the
new meter of a replacement) falls inside the month counts from that baseline. A
replaced meter is two rows — the old one up to its ``replacement`` reading, the new
one from its baseline — so the month's consumption is their sum. A row with no reading
in the month consumed nothing yet: the next reading covers both months, nothing is
lost. Months are the building's (its time zone), readings are exact hundredths of a
kWh. A reading helper A's checks flagged (``flag`` high/low, cleared once engineering
confirms it) makes the use ``flagged``: billing holds that tenant's notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum
from peewee import fn

from ..models import Meter, MeterReading


@dataclass(frozen=True)
class MeterUse:
    meter_code: str
    start_hundredths: int
    end_hundredths: int
    kwh_hundredths: int
    flagged: bool


def month_bounds(month: str, tz: str) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """The first moment of ``month`` (YYYY-MM) and of the next, building time, in UTC."""
    year, number = int(month[:4]), int(month[5:7])
    start = pendulum.datetime(year, number, 1, tz=tz)
    return start.in_tz("UTC"), start.add(months=1).in_tz("UTC")


def uses_by_tenant(month: str, tz: str, tenant_ids: list[int] | None = None
                   ) -> dict[int, list[MeterUse]]:
    """Every tenant's (or these tenants') meter uses in ``month``, in two queries (the
    readings in the month, and each row's last one before it): a run over 2,000
    tenants reads the table twice, not 4,000 times."""
    start, end = month_bounds(month, tz)
    in_month = (MeterReading.select(MeterReading.meter, Meter.tenant, Meter.code,
                                    MeterReading.reading, MeterReading.flag).join(Meter)
                .where(MeterReading.read_at >= start, MeterReading.read_at < end))
    if tenant_ids is not None:
        in_month = in_month.where(Meter.tenant.in_(tenant_ids))
    by_meter: dict[int, list[tuple]] = {}
    for row in in_month.order_by(MeterReading.read_at, MeterReading.id).tuples():
        by_meter.setdefault(row[0], []).append(row)
    if not by_meter:
        return {}
    last_at = (MeterReading.select(MeterReading.meter, fn.MAX(MeterReading.read_at).alias("at"))
               .where(MeterReading.read_at < start))
    if tenant_ids is not None:
        last_at = last_at.where(MeterReading.meter.in_(list(by_meter)))
    last_at = last_at.group_by(MeterReading.meter)
    before = dict(MeterReading.select(MeterReading.meter, MeterReading.reading).join(
        last_at, on=((MeterReading.meter == last_at.c.meter_id)
                     & (MeterReading.read_at == last_at.c.at))).tuples())
    uses: dict[int, list[MeterUse]] = {}
    for meter_id, rows in by_meter.items():
        _, tenant_id, code, first, _ = rows[0]
        first = before.get(meter_id, first)  # no earlier reading: the baseline
        last = rows[-1][3]
        uses.setdefault(tenant_id, []).append(MeterUse(
            code, first, last, last - first, any(row[4] for row in rows)))
    for rows in uses.values():
        rows.sort(key=lambda use: use.meter_code)
    return uses


def consumption(tenant_id: int, month: str, tz: str | None = None) -> list[MeterUse]:
    """The tenant's meters' consumption in ``month`` (one entry a meter row read in it)."""
    from .charges import month_key

    month = month_key(month, "month")
    if tz is None:
        from ..models import Setting
        from ..profile import load_profile

        tz = load_profile(Setting).timezone
    return uses_by_tenant(month, tz, [tenant_id]).get(tenant_id, [])


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def last_day(month: str) -> dt.date:
    start = first_day(month)
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


__all__ = ["MeterUse", "consumption", "first_day", "last_day", "month_bounds",
           "previous_month", "uses_by_tenant"]
