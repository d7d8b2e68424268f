"""Important notices are emailed: once per notice and member, only to the members it is
for who want them, when it becomes visible (at once, or at its scheduled start by the
sweep); every such email can be turned off in one click (RFC 8058)."""

import base64
import json
import os

import pytest
import redis
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from waterportal import emails
from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent
from waterportal.notices.actions import (
    NoticeError,
    do_edit_notice,
    do_mail_notice,
    do_publish_notice,
    do_withdraw_notice,
)
from waterportal.notices.models import NoticeEmail
from waterportal.notices.tasks import sweep_notice_mail
from waterportal.testing import (
    REDIS_URL,
    SMTPServer,
    broker,
    make_customer,
    make_link,
    make_member,
    redis_available,
    smtp_mailer,
)
from waterportal.testing.notices import hours, make_notice, notice_fields

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish (and, with its changes, write) a notice as staff do, its after-commit work
    (the emails' task, run inline) done."""

    def run(tenant, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            return make_notice(tenant, **changes)

    return run


@pytest.fixture
def smtp(settings):
    server = SMTPServer().start()
    smtp_mailer(settings, server.port, timeout=5)
    yield server
    server.stop()


def addresses() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_an_important_notice_is_emailed_through_smtp_with_one_click_unsubscribe(
    tenant, member, publish, smtp
):
    notice = publish(tenant, title="料金改定のお知らせ", important=True, category_name="料金")
    (message,) = smtp.inbox.wait_for(1, timeout=10)
    assert message["To"] == member.email
    assert message["Subject"] == "【おうむ町 水道ポータル】重要なお知らせ: 料金改定のお知らせ"
    body = message.get_body(("plain",)).get_content()
    assert f"/notices/{notice.pk}?tenant=oumu" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"]
    assert link.startswith("<http://") and "/unsubscribe/" in link and link.endswith(">")
    url = link.strip("<>")
    assert url in body

    # A mail program's one click: a POST with no cookie, no login and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.notify_notices is False and member.notify_new_bill is True
    event = AuditEvent.objects.get(action="notifications_unsubscribed")
    assert event.member == member and event.data == {"email_kind": "notices"}

    # And the next important notice is not sent to them.
    publish(tenant, title="二つ目", important=True)
    assert len(smtp.inbox.wait_for(2, timeout=1)) == 1


def test_the_unsubscribe_page_asks_before_it_turns_anything_off(tenant, member):
    url = emails.unsubscribe_url(member.pk, "new_bill").removeprefix("http://127.0.0.1:8000")
    page = Client().get(url)
    assert page.status_code == 200 and "このメールを止める" in page.text
    assert "新しい請求のお知らせメール" in page.text
    assert "新しい請求（使用量と料金）がメールで届かなくなります。" in page.text
    member.refresh_from_db()
    assert member.notify_new_bill is True
    Client().post(url)
    member.refresh_from_db()
    assert member.notify_new_bill is False
    assert Client().post(url).status_code == 200  # again: nothing more to do
    assert AuditEvent.objects.filter(action="notifications_unsubscribed").count() == 1


def test_a_forged_or_broken_unsubscribe_link_changes_nothing(tenant, member):
    token = emails.unsubscribe_token(member.pk, "notices")
    someone_else = emails.unsubscribe_token(member.pk + 1000, "notices")
    # Another member's id under this token's signature; a kind that does not exist.
    swapped = someone_else.split(":", 1)[0] + ":" + token.split(":", 1)[1]
    wrong_kind = signing.dumps([member.pk, "everything"], salt="waterportal.emails.unsubscribe")
    for bad in (token[:-2] + "xx", "abc", swapped, wrong_kind, someone_else):
        assert Client().post(f"/unsubscribe/{bad}").status_code == 404
    member.refresh_from_db()
    assert member.notify_notices is True


def test_each_member_gets_one_email_per_notice_however_often_it_is_sent(tenant, member, publish):
    notice = publish(tenant, important=True)
    assert addresses() == [member.email]
    assert do_mail_notice(notice.pk) == 0
    sweep_notice_mail.delay()
    do_withdraw_notice(notice, actor=None)
    do_publish_notice(notice, actor=None)
    notice.refresh_from_db()
    notice.mailed_at = None
    notice.save(update_fields=["mailed_at"])
    assert do_mail_notice(notice.pk) == 0
    assert addresses() == [member.email]
    assert NoticeEmail.objects.filter(notice=notice).count() == 1


def test_a_second_click_on_publish_is_refused_and_emails_nobody_again(
    tenant, member, publish, django_capture_on_commit_callbacks
):
    notice = publish(tenant, important=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(NoticeError, match="すでに公開"):
            do_publish_notice(notice, actor=None)
    assert callbacks == []
    assert addresses() == [member.email]


def test_a_member_who_turned_notice_emails_off_is_not_sent_one(tenant, member, publish):
    quiet = make_member(tenant, "quiet@example.jp")
    User.objects.filter(pk=quiet.pk).update(notify_notices=False)
    publish(tenant, important=True)
    assert addresses() == [member.email]


def test_a_notice_that_is_not_important_is_not_emailed(tenant, member, publish):
    publish(tenant, important=False)
    assert mail.outbox == []


def test_a_notice_for_some_contracts_is_emailed_to_their_members_only(tenant, member, publish):
    mine = make_customer(tenant, number="10100001", address="おうむ町本町1-2")
    make_link(member, mine)
    neighbour = make_member(tenant, "tonari@example.jp")
    make_link(neighbour, make_customer(tenant, number="10100002", address="おうむ町北町"))
    publish(tenant, important=True, audience="contracts", targets=[mine.pk])
    assert addresses() == [member.email]


def test_another_towns_members_are_not_emailed(tenant, other_tenant, member, publish):
    make_member(other_tenant, "kita@example.jp")
    publish(tenant, important=True)
    assert addresses() == [member.email]


def test_a_scheduled_important_notice_is_emailed_by_the_sweep_at_its_start(
    tenant, member, publish, clock
):
    start = timezone.now() + hours(0.5)
    notice = publish(tenant, important=True, starts_at=start)
    assert mail.outbox == []
    assert sweep_notice_mail.delay().get() == {"oumu": 0}
    clock.shift(hours(0.5))
    assert sweep_notice_mail.delay().get() == {"oumu": 1}
    assert addresses() == [member.email]
    assert sweep_notice_mail.delay().get() == {"oumu": 0}
    notice.refresh_from_db()
    assert notice.mailed_at is not None
    assert addresses() == [member.email]


def test_a_notice_withdrawn_or_ended_before_its_start_is_not_emailed(
    tenant, member, publish, clock
):
    start = timezone.now() + hours(0.5)
    notice = publish(tenant, important=True, starts_at=start)
    do_withdraw_notice(notice, actor=None)
    clock.shift(hours(1))
    assert sweep_notice_mail.delay().get() == {"oumu": 0}
    assert do_mail_notice(notice.pk) == 0
    assert mail.outbox == []


def test_the_emails_go_in_batches_and_a_second_run_carries_on(tenant, publish):
    members = [make_member(tenant, f"m{i}@example.jp") for i in range(5)]
    notice = make_notice(tenant, important=True, publish=False)
    do_publish_notice(notice, actor=None)  # its task not run: after-commit work not done
    assert do_mail_notice(notice.pk, batch=2) == 5
    assert addresses() == sorted(m.email for m in members)
    assert do_mail_notice(notice.pk, batch=2) == 0


def test_an_edit_that_adds_members_emails_only_the_new_ones(tenant, member, console, publish):
    mine = make_customer(tenant, number="10100001")
    make_link(member, mine)
    other = make_member(tenant, "other@example.jp")
    notice = publish(tenant, important=True, audience="contracts", targets=[mine.pk])
    assert addresses() == [member.email]
    do_edit_notice(notice, notice_fields(tenant, important=True), actor=console.staff)
    assert do_mail_notice(notice.pk) == 1
    assert addresses() == sorted([member.email, other.email])


def test_publishing_queues_one_task_whatever_the_audience(
    tenant, django_capture_on_commit_callbacks
):
    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    for i in range(30):
        make_member(tenant, f"m{i}@example.jp")
    queue = redis.Redis.from_url(REDIS_URL)
    queue.flushdb()
    try:
        notice = make_notice(tenant, important=True, publish=False)
        with broker(), django_capture_on_commit_callbacks(execute=True):
            do_publish_notice(notice, actor=None)
        (raw,) = queue.lrange("celery", 0, -1)
        call = json.loads(raw)
        assert call["headers"]["task"] == "waterportal.notices.actions.notify_notice"
        assert json.loads(base64.b64decode(call["body"]))[0] == [notice.pk]
        assert mail.outbox == [] and not NoticeEmail.objects.exists()
    finally:
        queue.flushdb()


def test_the_unsubscribe_page_says_what_the_member_will_miss(tenant, member, settings):
    url = emails.unsubscribe_url(member.pk, "notices").removeprefix("http://127.0.0.1:8000")
    page = Client().get(url).text
    assert (
        "断水や料金など、町からの重要なお知らせがメールで届かなくなります。"
        "お知らせはポータルでいつでも読めます。"
    ) in page
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(url).text
    assert "Stop this email (Email about important notices)?" in page
    assert "Turn off Email" not in page
