"""Each town's active 管理者 get one email a day listing the customer-number locks made
since the last one: numbers masked, when, how many tries, the console's link; nothing on
a day without a new lock, and never a lock twice."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from waterportal.accounts.models import User
from waterportal.contracts.actions import LINK_NUMBER, ContractError, find_contract
from waterportal.contracts.models import NumberLock
from waterportal.staff.actions import do_report_number_locks, report_number_locks_everywhere
from waterportal.staff.tasks import report_number_locks
from waterportal.testing import html_of, mails_to, make_customer, make_staff


def lock(tenant, number, **extra) -> NumberLock:
    now = timezone.now()
    return NumberLock.objects.create(
        tenant=tenant, number=number, locked_at=now, until=now + dt.timedelta(hours=24), **extra
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The daily run, its mail sent as after a commit."""

    def run_now(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return report_number_locks_everywhere(**kwargs)

    return run_now


@pytest.fixture
def managers(tenant):
    active = make_staff(tenant, "kanri@town.oumu.example.jp")
    disabled = make_staff(tenant, "kanri2@town.oumu.example.jp")
    User.objects.filter(pk=disabled.user.pk).update(is_active=False)
    clerk = make_staff(tenant, "tanto@town.oumu.example.jp", role="clerk")
    viewer = make_staff(tenant, "etsuran@town.oumu.example.jp", role="viewer")
    return active, disabled, clerk, viewer


def test_the_active_managers_get_the_days_new_locks(tenant, clock, managers, run):
    active, disabled, clerk, viewer = managers
    lock(tenant, "10100001", tries=10)
    clock.shift(dt.timedelta(hours=2))
    lock(tenant, "20200002", tries=13)
    assert run() == {"oumu": 2}
    (message,) = mails_to(active.email)
    for nobody in (disabled, clerk, viewer):
        assert not mails_to(nobody.email)
    assert len(mail.outbox) == 1
    assert "使用者番号のロック 2件" in message.subject
    assert "••••0001" in message.body and "••••0002" in message.body
    assert "10100001" not in message.body and "20200002" not in message.body
    assert "2026年11月25日 10:00にロック" in message.body  # Tokyo time
    assert "2026年11月25日 12:00にロック" in message.body
    assert "ロック（試行 10回）" in message.body and "ロック（試行 13回）" in message.body
    assert f"{settings.SITE_URL}/staff/locks?tenant=oumu" in message.body
    html = html_of(message)
    assert "/staff/locks?tenant=oumu" in html and "10100001" not in html


def test_nothing_is_sent_on_a_day_without_a_new_lock(tenant, clock, managers, run):
    assert run() == {"oumu": 0}
    assert not mail.outbox
    lock(tenant, "10100001")
    run()
    mail.outbox.clear()
    clock.shift(dt.timedelta(days=1))
    assert run() == {"oumu": 0}
    assert not mail.outbox


def test_a_lock_is_listed_once_and_the_next_list_has_only_the_new_ones(
    tenant, clock, managers, run
):
    first = lock(tenant, "10100001")
    run()
    first.refresh_from_db()
    assert first.reported_at == timezone.now()
    assert run() == {"oumu": 0}  # a second run the same morning
    clock.shift(dt.timedelta(days=1))
    lock(tenant, "30300003")
    mail.outbox.clear()
    assert run() == {"oumu": 1}
    (message,) = mail.outbox
    assert "••••0003" in message.body and "••••0001" not in message.body


def test_a_lock_lifted_before_the_list_is_listed_as_lifted(tenant, clock, managers, run):
    lock(tenant, "10100001", unlocked_at=timezone.now())
    run()
    (message,) = mail.outbox
    assert "••••0001" in message.body and "解除済み" in message.body


def test_each_town_gets_its_own_locks_only(tenant, other_tenant, clock, managers, run):
    kita_manager = make_staff(other_tenant, "kanri@city.kita.example.jp")
    lock(tenant, "10100001")
    lock(other_tenant, "55550009")
    assert run() == {"oumu": 1, "kita": 1}
    (ours,) = mails_to(managers[0].email)
    (theirs,) = mails_to(kita_manager.email)
    assert "••••0001" in ours.body and "0009" not in ours.body
    assert "••••0009" in theirs.body and "0001" not in theirs.body
    assert "tenant=kita" in theirs.body


def test_a_lock_made_by_wrong_names_is_reported(tenant, clock, managers, run):
    make_customer(tenant, number="10100001")
    for attempt in range(LINK_NUMBER.limit):
        with pytest.raises(ContractError):
            find_contract(
                tenant,
                "10100001",
                "チガウ ナマエ",
                flow_key=f"flow-{attempt}",
                email=f"{attempt}@x.jp",
            )
    assert NumberLock.objects.filter(tenant=tenant, number="10100001").exists()
    assert run() == {"oumu": 1}
    assert "••••0001" in mails_to(managers[0].email)[0].body


def test_the_daily_task_runs_at_half_past_eight_in_tokyo(tenant, clock, managers, run):
    entry = settings.CELERY_BEAT_SCHEDULE["report-number-locks"]
    assert entry["task"] == report_number_locks.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    lock(tenant, "10100001")
    assert report_number_locks.apply().get() == {"oumu": 1}
    assert do_report_number_locks(tenant) == 0
