"""Reminder letters (催缴函, R-7.4): only for a notice past its (deferred) due date with
something owed; what is owed that day and the first day late fees run (due date + 5
grace days + 1) at 5 per 10,000 a day; one letter per notice and building day.
Clock: Thursday 2026-11-26 14:00 building time."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from deskapp import i18n
from deskapp.models import Audit, Reminder
from deskapp.services import reminders
from deskapp.services.errors import Conflict, NotAllowed

from .conftest import START, TZ, as_role
from .test_payments import MONTHLY, _numbers_from_one, approve, make_notice, pay  # noqa: F401
from .test_payments import tenant, three  # noqa: F401 - fixtures

D = dt.date


def test_a_reminder_states_what_is_owed_today_and_when_late_fees_run(desk, tenant, three):
    october, november, december = three
    pay(desk, tenant, 1_200_000)  # Oct paid, 1,699.40 of Nov
    letter = reminders.issue(desk, november.id)
    assert (letter.number, letter.owed_fen, letter.fees_from) == (
        "CJ2026-0001", 860_120, D(2026, 11, 22))  # due 16 Nov + 5 grace days + 1
    assert reminders.reminder_json(desk, letter) == {
        "number": "CJ2026-0001", "notice": "2026-11-0001", "tenant": "星辰科技",
        "month": "2026-11", "owed": "8601.20", "due_date": "2026-11-16",
        "fees_from": "2026-11-22", "rate_per_10000_daily": 5,
        "issued_at": "2026-11-26T14:00:00+08:00", "issued_by": "wangfang"}
    text = reminders.letter_text(desk, letter)
    for part in ("Golden Tower", "No. CJ2026-0001", "To: 星辰科技",
                 "Payment notice 2026-11-0001 for 2026-11 was due on 2026-11-16",
                 "On 2026-11-26 8601.20 yuan (捌仟陆佰零壹元贰角整)",
                 "Late fees run from 2026-11-22 at 5 per 10,000 a day (0.05% a day)",
                 "hotline 12345678"):
        assert part in text
    assert [r.action for r in Audit.select().where(Audit.entity == "reminder")] == [
        "reminder.issue"]


def test_the_letter_in_chinese(desk, tenant, three):
    letter = reminders.issue(desk, three[0].id)
    i18n.set_language("zh")
    text = reminders.letter_text(desk, letter)
    assert "金座大厦" in text and "催 缴 函" in text and "致：星辰科技" in text
    assert "尚欠 10300.60 元（人民币壹万零叁佰元陆角整）" in text
    assert "自 2026-10-21 起，按未缴金额每日万分之5（即每日 0.05%）计收滞纳金" in text
    assert "客户服务热线 12345678" in text


def test_one_letter_per_notice_and_day_a_new_one_the_next_day(desk, tenant, three, clock):
    october = three[0]
    first = reminders.issue(desk, october.id)
    clock.set(START.add(hours=3))  # 17:00, the same building day
    assert reminders.issue(desk, october.id).id == first.id
    assert Reminder.select().count() == 1
    clock.set(pendulum.datetime(2026, 11, 27, 9, tz=TZ))
    pay(desk, tenant, 30_060)
    second = reminders.issue(desk, october.id)
    assert (second.number, second.owed_fen) == ("CJ2026-0002", 1_000_000)
    assert Audit.select().where(Audit.action == "reminder.issue").count() == 2


def test_no_letter_before_the_due_date_or_for_a_paid_notice(desk, tenant, three):
    october, november, december = three
    with pytest.raises(Conflict, match="not overdue: it is due on 2026-12-15"):
        reminders.issue(desk, december.id)
    approve("deferral", november, defer_to=D(2026, 11, 30))
    with pytest.raises(Conflict, match="due on 2026-11-30"):
        reminders.issue(desk, november.id)
    pay(desk, tenant, MONTHLY)
    with pytest.raises(Conflict, match="2026-10-0001 is paid"):
        reminders.issue(desk, october.id)
    assert Reminder.select().count() == 0


def test_the_due_date_day_itself_is_not_overdue(desk, tenant, clock):
    notice = make_notice(tenant, "2026-11", D(2026, 11, 26))
    with pytest.raises(Conflict, match="not overdue"):
        reminders.issue(desk, notice.id)
    clock.set(pendulum.datetime(2026, 11, 27, 0, 5, tz=TZ))
    assert reminders.issue(desk, notice.id).fees_from == D(2026, 12, 2)


def test_due_lists_overdue_notices_without_a_letter(desk, tenant, three):
    october, november, december = three
    assert [n.number for n in reminders.due(desk)] == ["2026-10-0001", "2026-11-0001"]
    reminders.issue(desk, october.id)
    assert [n.number for n in reminders.due(desk)] == ["2026-11-0001"]
    pay(desk, tenant, MONTHLY)  # pays October (already reminded) first
    pay(desk, tenant, MONTHLY, method="card")
    assert reminders.due(desk) == []


@pytest.mark.parametrize("role", ["desk", "engineering", "security", "viewer"])
def test_only_finance_and_the_managers_write_reminders(desk, tenant, three, role):
    with pytest.raises(NotAllowed, match="issue a reminder letter"):
        reminders.issue(as_role(desk, role), three[0].id)
    assert reminders.issue(as_role(desk, "finance", "qianjin"), three[0].id).issued_by == \
        "qianjin"
