"""Reminder letters (催缴函, R-7.4): for a notice past its due date (after any deferral
the GM approved) with something still owed, a numbered letter (``CJ<year>-0001``)
stating what is owed that day and the first day late fees run
(``balances.fees_from``: the due date + the grace period + 1), at the rate the settings
say (``late_fee_per_10000_daily`` per 10,000 a day).

One letter per notice and building day: asking again that day returns the letter
already written (a retry, or a reprint), so the tenant never gets two numbers for one
reminder. The next day a new letter states the new figures.
"""

from __future__ import annotations

from decimal import Decimal

from ..i18n import language, t
from ..models import Notice, Reminder, Tenant
from ..money import format_yuan
from . import balances as owed
from . import validate
from .common import local_day
from .context import Desk
from .errors import Conflict, InvalidInput
from .numbering import next_number
from .payments import capital_yuan, numbered, open_on
from .tenants import today


def by_notice_number(number: str) -> Notice:
    number = validate.text(number, "NOTICE_NUMBER", limit=32, required=True)
    notice = Notice.get_or_none(Notice.number == number)
    if notice is None:
        raise InvalidInput("error.reminder_unknown_notice", number=number)
    return notice


def issue(desk: Desk, notice_id: int) -> Reminder:
    """Write the reminder letter for an overdue notice (see the module's rules)."""
    desk.require("reminder.issue")
    notice_id = validate.record_id(notice_id, "notice")
    tz = desk.profile().timezone
    grace = int(desk.profile()["late_fee_grace_days"])
    day = today(desk)
    with numbered(desk):
        notice = Notice.get_or_none(Notice.id == notice_id)
        if notice is None:
            raise InvalidInput("error.reminder_unknown_notice", number=str(notice_id))
        for earlier in (Reminder.select().where(Reminder.notice == notice.id)
                        .order_by(Reminder.id.desc())):
            if local_day(earlier.issued_at, tz) == day:
                return earlier
        due = owed.due_date(notice)
        if due >= day:
            raise Conflict("error.reminder_not_overdue", number=notice.number,
                           due=due.isoformat())
        owing = owed.outstanding_fen(notice, tz, day)
        if owing <= 0:
            raise Conflict("error.reminder_nothing_owed", number=notice.number)
        row = Reminder.create(number=next_number(desk, f"CJ{day.year}"), notice=notice,
                              owed_fen=owing, fees_from=owed.fees_from(notice, grace),
                              issued_at=desk.clock.now(), issued_by=desk.user)
        desk.audit("reminder.issue", "reminder", row.id, number=row.number,
                   notice=notice.number, tenant=notice.tenant.name, owed_fen=owing,
                   fees_from=row.fees_from.isoformat())
    return row


def due(desk: Desk) -> list[Notice]:
    """Overdue notices (past their deferred due date, something owed today) that have
    no reminder yet, oldest due first; figures read per table (``payments.open_on``)."""
    day = today(desk)
    overdue = {notice_id: due_day for notice_id, (_, due_day, _) in open_on(desk, day).items()
               if due_day < day}
    reminded = {notice_id for (notice_id,) in Reminder.select(Reminder.notice).tuples()}
    waiting = [notice_id for notice_id in overdue if notice_id not in reminded]
    rows = []
    for start in range(0, len(waiting), 500):
        rows.extend(Notice.select(Notice, Tenant).join(Tenant).where(
            Notice.id.in_(waiting[start:start + 500])))
    return sorted(rows, key=lambda n: (overdue[n.id], n.number))


def reminders() -> list[Reminder]:
    return list(Reminder.select(Reminder, Notice, Tenant).join(Notice).join(Tenant)
                .order_by(Reminder.issued_at.desc(), Reminder.id.desc()))


def rate_percent(per_10000: int) -> str:
    """5 per 10,000 a day → "0.05"."""
    return format(Decimal(per_10000) / 100, "f")


def reminder_json(desk: Desk, row: Reminder) -> dict:
    tz = desk.profile().timezone
    notice = row.notice
    return {"number": row.number, "notice": notice.number, "tenant": notice.tenant.name,
            "month": notice.month, "owed": format_yuan(row.owed_fen),
            "due_date": owed.due_date(notice).isoformat(),
            "fees_from": row.fees_from.isoformat(),
            "rate_per_10000_daily": int(desk.profile()["late_fee_per_10000_daily"]),
            "issued_at": row.issued_at.in_tz(tz).isoformat(), "issued_by": row.issued_by}


def letter_text(desk: Desk, row: Reminder) -> str:
    """The letter as printed, in the desk's language."""
    profile = desk.profile()
    doc = reminder_json(desk, row)
    rate = doc["rate_per_10000_daily"]
    return "\n".join([
        profile.name(language()), t("reminders.title"),
        t("reminders.number", number=doc["number"]),
        t("reminders.to", tenant=doc["tenant"]),
        t("reminders.body", notice=doc["notice"], month=doc["month"], due=doc["due_date"],
          owed=doc["owed"], words=capital_yuan(row.owed_fen),
          day=local_day(row.issued_at, profile.timezone).isoformat()),
        t("reminders.fees", fees_from=doc["fees_from"], rate=rate,
          percent=rate_percent(rate)),
        t("reminders.hotline", hotline=profile["hotline"]),
        t("reminders.sign", building=profile.name(language()),
          day=local_day(row.issued_at, profile.timezone).isoformat())])


__all__ = ["by_notice_number", "due", "issue", "letter_text", "rate_percent", "reminder_json",
           "reminders"]
