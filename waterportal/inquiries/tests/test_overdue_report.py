"""The daily email to 管理者 about inquiries waiting longer than the town's target, on
the town's calendar, with a controlled clock.

The clock's Wednesday is 2026-11-25; 11-21/22 are a weekend and 11-23 (Mon) is
勤労感謝の日. So an inquiry of Friday 11-20 has waited 2 business days (11-24, 11-25),
one of Thursday 11-19 has waited 3.
"""

import datetime as dt

import pytest
from django.core import mail

from waterportal.audit.models import AuditEvent
from waterportal.inquiries.actions import do_report_overdue_inquiries, report_overdue_everywhere
from waterportal.inquiries.models import Status
from waterportal.inquiries.tasks import report_overdue_inquiries
from waterportal.inquiries.waiting import business_days_between
from waterportal.tenants.calendar import TOKYO
from waterportal.tenants.models import ClosedDay
from waterportal.testing import mails_to, make_staff
from waterportal.testing.inquiries import make_inquiry

pytestmark = pytest.mark.usefixtures("clock")
MANAGER = "kanri@town.oumu.example.jp"


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=TOKYO)


@pytest.fixture
def send_report(django_capture_on_commit_callbacks):
    """``do_report_overdue_inquiries``, with the mail it queues after commit sent (the
    test's transaction never commits)."""

    def run(tenant, *, now):
        with django_capture_on_commit_callbacks(execute=True):
            return do_report_overdue_inquiries(tenant, now=now)

    return run


@pytest.fixture
def staff(tenant):
    make_staff(tenant, MANAGER, role="manager")
    make_staff(tenant, "tanto@town.oumu.example.jp", role="clerk")
    stopped = make_staff(tenant, "teishi@town.oumu.example.jp", role="manager")
    stopped.user.is_active = False
    stopped.user.save(update_fields=["is_active"])


def test_weekends_and_holidays_do_not_count(tenant):
    assert business_days_between(tenant, dt.date(2026, 11, 20), dt.date(2026, 11, 25)) == 2
    assert business_days_between(tenant, dt.date(2026, 11, 19), dt.date(2026, 11, 25)) == 3
    assert business_days_between(tenant, dt.date(2026, 11, 25), dt.date(2026, 11, 25)) == 0


def test_below_the_target_no_email(tenant, staff, send_report):
    make_inquiry(tenant, when=at(20))
    assert send_report(tenant, now=at(25, 8)) == 0
    assert not mail.outbox


def test_above_the_target_one_email_to_each_active_manager_only(tenant, staff, send_report):
    late = make_inquiry(tenant, when=at(19), subject="秘密の件名")
    make_inquiry(tenant, when=at(20))
    make_inquiry(tenant, when=at(10), status=Status.ANSWERED)
    assert send_report(tenant, now=at(25, 8)) == 1
    (message,) = mail.outbox
    assert message.to == [MANAGER]
    assert late.reference in message.body and "3営業日" in message.body
    assert "秘密の件名" not in message.body and "本文です" not in message.body
    assert "/staff/inquiries?tenant=oumu" in message.body


def test_a_closed_day_of_the_town_does_not_count(tenant, staff, send_report):
    ClosedDay.objects.create(tenant=tenant, date=dt.date(2026, 11, 24), reason="停電")
    make_inquiry(tenant, when=at(19))
    assert send_report(tenant, now=at(25, 8)) == 0


def test_the_towns_own_target_is_used(tenant, staff, send_report):
    tenant.inquiry_target_days = 5
    tenant.save(update_fields=["inquiry_target_days"])
    make_inquiry(tenant, when=at(19))
    assert send_report(tenant, now=at(25, 8)) == 0


def test_at_most_once_per_town_and_day(tenant, staff, send_report):
    make_inquiry(tenant, when=at(19))
    assert send_report(tenant, now=at(25, 8)) == 1
    assert send_report(tenant, now=at(25, 15)) == 0
    assert len(mails_to(MANAGER)) == 1
    assert send_report(tenant, now=at(26, 8)) == 1
    assert len(mails_to(MANAGER)) == 2
    assert AuditEvent.objects.filter(action="inquiry_overdue_reported").count() == 2


def test_a_reopened_inquiry_waits_from_the_residents_reply(tenant, staff, send_report):
    inquiry = make_inquiry(tenant, when=at(10), status=Status.IN_PROGRESS)
    inquiry.waiting_since = at(20)
    inquiry.save(update_fields=["waiting_since"])
    assert send_report(tenant, now=at(25, 8)) == 0


def test_each_town_is_told_only_of_its_own(tenant, other_tenant, staff, send_report):
    make_staff(other_tenant, "kanri@city.kita.example.jp")
    make_inquiry(tenant, when=at(19))
    assert report_overdue_everywhere(now=at(25, 8)) == {"oumu": 1, "kita": 0}
    assert not mails_to("kanri@city.kita.example.jp")


def test_the_task_runs_every_morning_at_half_past_eight(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["report-overdue-inquiries"]
    assert entry["task"] == report_overdue_inquiries.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {30}
