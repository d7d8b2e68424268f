"""The outbox's rows: written with the change, claimed once, retried from the database,
counted per state, purged once sent."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from waterportal import emails
from waterportal.accounts import codes
from waterportal.accounts.code_mail import queue_code_email
from waterportal.accounts.models import CodePurpose
from waterportal.emails import deliver_outbox, sweep_outbox
from waterportal.outbox import store
from waterportal.outbox.models import OutboxEmail
from waterportal.testing import free_port, make_member, smtp_mailer

pytestmark = pytest.mark.usefixtures("clock")


def test_an_email_exists_exactly_when_the_change_that_causes_it_commits(
    tenant, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emails.send("password_changed", "taro@example.jp", {"tenant": tenant})
            raise RuntimeError("the change failed")
    assert OutboxEmail.objects.count() == 0 and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emails.send("password_changed", "taro@example.jp", {"tenant": tenant})
    (row,) = OutboxEmail.objects.all()
    (message,) = mail.outbox
    assert (row.state, row.attempts, row.tenant) == ("sent", 1, tenant)
    # Each row's own Message-ID: a message delivered twice is recognisable.
    assert message.extra_headers["Message-ID"] == row.message_id
    assert message.subject == row.subject


def test_a_code_waits_in_the_outbox_encrypted_and_is_blanked_once_sent(
    tenant, django_capture_on_commit_callbacks
):
    make_member(tenant, email="hanako@example.jp")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row, plain = codes.issue_code(tenant, CodePurpose.RESET, "hanako@example.jp")
        queue_code_email(row, plain)
    (email,) = OutboxEmail.objects.all()
    assert (email.kind, email.to, email.expires_at) == ("code", row.email, row.expires_at)
    assert plain not in email.secret and store.unseal(email.secret) == plain
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert (email.state, email.secret) == ("sent", "")
    (message,) = mail.outbox
    assert plain in message.body


def test_a_code_email_whose_code_expired_while_it_waited_is_dropped(
    tenant, clock, django_capture_on_commit_callbacks
):
    make_member(tenant, email="hanako@example.jp")
    with django_capture_on_commit_callbacks(execute=False):
        queue_code_email(*codes.issue_code(tenant, CodePurpose.RESET, "hanako@example.jp"))
    clock.shift(codes.CODE_TTL + dt.timedelta(seconds=1))
    assert sweep_outbox.apply().get() == 0
    (email,) = OutboxEmail.objects.all()
    assert (email.state, email.secret) == ("dropped", "") and mail.outbox == []


def add(tenant, to="taro@example.jp", **fields) -> OutboxEmail:
    return store.add(kind=OutboxEmail.Kind.RENDERED, to=to, tenant=tenant, subject="件名", **fields)


def test_a_claimed_row_is_nobody_elses_until_its_lease_runs_out(tenant, clock, settings):
    row = add(tenant)
    token, rows = store.claim([row.pk])
    assert [r.pk for r in rows] == [row.pk]
    assert store.claim([row.pk])[1] == [], "claimed twice"
    assert store.claim()[1] == [], "the sweep took a claimed row"
    clock.shift(settings.OUTBOX_LEASE_SECONDS + 1)  # its worker presumed dead
    second, rows = store.claim()
    assert [r.pk for r in rows] == [row.pk] and rows[0].attempts == 2
    assert not store.mark_sent(rows[0], token), "the first claim no longer holds it"
    assert store.mark_sent(rows[0], second)


def test_a_failed_try_waits_longer_each_time_then_fails_for_good(tenant, clock, settings):
    settings.EMAIL_RETRY_DELAY = 30
    settings.EMAIL_MAX_RETRIES = 2
    smtp_mailer(settings, free_port())  # nothing listens there
    row = add(tenant)
    waits = []
    for _try in range(3):
        deliver_outbox.apply(args=([row.pk],)).get()
        row.refresh_from_db()
        waits.append((row.state, (row.next_attempt_at - dt.datetime.now(dt.UTC)).seconds))
        clock.shift(3600)
    assert waits == [("queued", 30), ("queued", 60), ("failed", 0)]
    assert row.last_error == "ConnectionRefusedError errno 111"
    assert store.counts("") == store.Counts(queued=0, sent=0, failed=1)


def test_counts_per_state_are_what_was_delivered(tenant):
    for state in ["queued", "sending", "sent", "sent", "failed", "dropped"]:
        add(tenant, batch="new_bill:7", state=state)
    add(tenant, batch="new_bill:8", state="sent")
    assert store.counts("new_bill:7") == store.Counts(queued=2, sent=2, failed=1)


def test_the_backlog_is_the_unsent_rows_and_the_age_of_the_oldest(tenant, clock):
    assert store.backlog() == store.Backlog(unsent=0, oldest_age=None)
    add(tenant)
    clock.shift(90)
    add(tenant)
    add(tenant, state="sent")
    assert store.backlog() == store.Backlog(unsent=2, oldest_age=dt.timedelta(seconds=90))


def test_sent_rows_are_purged_after_the_retention_period_and_unsent_ones_kept(
    tenant, clock, settings
):
    sent = add(tenant)
    deliver_outbox.apply(args=([sent.pk],)).get()
    waiting = add(tenant, next_attempt_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    clock.shift(dt.timedelta(days=settings.OUTBOX_KEEP_DAYS) - dt.timedelta(minutes=1))
    assert emails.purge_outbox.apply().get() == 0
    clock.shift(dt.timedelta(minutes=2))
    assert emails.purge_outbox.apply().get() == 1
    assert list(OutboxEmail.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_the_schedule_sweeps_the_outbox_and_purges_it_daily(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["sweep-outbox"]["task"] == "waterportal.emails.sweep_outbox"
    )
    assert (
        settings.CELERY_BEAT_SCHEDULE["purge-outbox"]["task"] == "waterportal.emails.purge_outbox"
    )
