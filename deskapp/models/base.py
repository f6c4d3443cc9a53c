"""The database handle, the UTC time field and the base model."""

from __future__ import annotations

import datetime as dt

import pendulum
from peewee import BigIntegerField, DatabaseProxy, Model

database = DatabaseProxy()

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def to_micros(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every moment must carry its zone")
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> pendulum.DateTime:
    return pendulum.instance(_EPOCH + dt.timedelta(microseconds=micros))


class UTCField(BigIntegerField):
    """A moment stored as whole microseconds since the epoch, UTC.

    An integer sorts and compares the same on SQLite and PostgreSQL, cannot be
    shifted by a session time zone, and is cheap to read back for 10,000 rows a tick.
    Reads come back as pendulum DateTimes in UTC; show them in the building's zone.
    """

    def db_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return to_micros(value)

    def python_value(self, value):
        return None if value is None else from_micros(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
