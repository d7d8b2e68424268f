"""Push messages reach a real push service (loopback, TLS), encrypted for the browser's
keys and signed with the portal's VAPID key; a browser that is gone is forgotten, a
busy or failing push service is tried again later."""

import datetime as dt
import json
import os

import pytest
import redis
from celery.exceptions import Retry
from django.utils import timezone

from waterportal.devices import push
from waterportal.devices.actions import do_subscribe_push
from waterportal.devices.models import WebPushSubscription
from waterportal.testing import (
    REDIS_URL,
    WEDNESDAY,
    Browser,
    broker,
    make_member,
    redis_available,
    vapid_claims,
)

pytestmark = pytest.mark.usefixtures("clock")


def subscribe(member, service, name="Chrome (Android)") -> tuple[Browser, WebPushSubscription]:
    browser = Browser(service.endpoint())
    return browser, do_subscribe_push(member, *browser.keys(), name=name)


def test_the_message_is_encrypted_for_the_browser_and_signed_with_the_portal_key(
    tenant, member, push_service
):
    browser, subscription = subscribe(member, push_service)
    message = push.new_bill_message(tenant)
    result = push.deliver(subscription.pk, message)

    assert result.outcome == push.Outcome.SENT
    (received,) = push_service.received
    assert received.path == subscription.endpoint.removeprefix(push_service.origin)
    assert browser.decrypt(received) == {
        "title": "おうむ町 水道ポータル",
        "body": "新しい請求のお知らせが届きました。",
        "url": "/?tenant=oumu",
        "tag": "new-bill",
    }
    # Only the browser's keys open it: the push service sees ciphertext.
    assert "請求".encode() not in received.body
    assert received.headers["ttl"] == str(push.NEW_BILL_TTL)
    assert received.headers["topic"] == "new-bill"
    assert received.headers["urgency"] == "normal"

    claims = vapid_claims(received, str(push.public_key()))
    assert claims["aud"] == push_service.origin
    now = int(WEDNESDAY.timestamp())
    assert now < claims["exp"] <= now + 24 * 60 * 60
    assert claims["sub"] == "mailto:suido@town.oumu.example.jp"
    subscription.refresh_from_db()
    assert subscription.last_sent_at == WEDNESDAY


def test_a_message_signed_with_another_key_does_not_verify(tenant, member, push_service):
    _browser, subscription = subscribe(member, push_service)
    push.deliver(subscription.pk, push.new_bill_message(tenant))
    (received,) = push_service.received
    other = Browser("https://example.invalid/")  # any other P-256 key
    with pytest.raises(AssertionError):
        vapid_claims(received, other.p256dh)


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_the_push_service_no_longer_knows_is_removed(
    tenant, member, push_service, status
):
    _browser, gone = subscribe(member, push_service)
    _other, kept = subscribe(member, push_service, name="Firefox (Windows)")
    push_service.answer(status)
    assert push.deliver(gone.pk, push.new_bill_message(tenant)).outcome == push.Outcome.GONE
    assert list(WebPushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]


def test_another_refusal_drops_the_message_and_keeps_the_browser(tenant, member, push_service):
    _browser, subscription = subscribe(member, push_service)
    push_service.answer(413)
    result = push.send_push.apply(args=(subscription.pk, push.new_bill_message(tenant)))
    assert result.result == "refused"
    assert len(push_service.received) == 1  # not tried again
    assert WebPushSubscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_push_service_is_tried_again_until_it_takes_the_message(
    tenant, member, push_service, status, monkeypatch
):
    browser, subscription = subscribe(member, push_service)
    push_service.answer(status, status)
    # Run inline, Celery's retries follow at once (on a worker they wait: see below);
    # each retry is applied anew, with the app's setting rather than throw=False.
    monkeypatch.setitem(push.send_push.app.conf, "task_eager_propagates", False)
    result = push.send_push.apply(
        args=(subscription.pk, push.new_bill_message(tenant)), throw=False
    )
    assert result.result == "sent"
    assert len(push_service.received) == 3
    assert (
        browser.decrypt(push_service.received[-1])["body"] == "新しい請求のお知らせが届きました。"
    )


def test_a_push_service_that_keeps_failing_is_given_up_after_the_last_try(
    tenant, member, push_service, settings
):
    _browser, subscription = subscribe(member, push_service)
    push_service.answer(503)
    result = push.send_push.apply(
        args=(subscription.pk, push.new_bill_message(tenant)),
        retries=settings.WEBPUSH_MAX_RETRIES,
        throw=False,
    )
    assert isinstance(result.result, push.PushNotDelivered)
    assert len(push_service.received) == 1
    assert WebPushSubscription.objects.filter(pk=subscription.pk).exists()


def test_the_wait_before_a_retry_grows_and_follows_retry_after(settings):
    settings.WEBPUSH_RETRY_DELAY = 30
    assert [push.retry_delay(n, None) for n in range(0, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip
    assert push.retry_delay(0, 120) == 120
    assert push.retry_delay(5, 0) == 0
    assert push.retry_delay(0, 10**6) == push.LONGEST_WAIT


@pytest.fixture
def queue():
    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    queue = redis.Redis.from_url(REDIS_URL)
    queue.flushdb()
    yield queue
    queue.flushdb()


def test_on_a_worker_a_429_is_requeued_after_the_push_service_retry_after(
    tenant, member, push_service, queue
):
    _browser, subscription = subscribe(member, push_service)
    push_service.answer(429, headers={"Retry-After": "120"})
    message = push.new_bill_message(tenant)
    with broker():
        # As a worker runs it: the task's request, not called directly.
        push.send_push.push_request(
            id="first-try", args=[subscription.pk, message], kwargs={}, retries=0,
            called_directly=False, is_eager=False, delivery_info={},
        )  # fmt: skip
        try:
            with pytest.raises(Retry):
                push.send_push.run(subscription.pk, message)
        finally:
            push.send_push.pop_request()
        (raw,) = queue.lrange("celery", 0, -1)
    queued = json.loads(raw)
    assert queued["headers"]["task"] == "waterportal.devices.push.send_push"
    assert queued["headers"]["retries"] == 1
    eta = dt.datetime.fromisoformat(queued["headers"]["eta"])
    assert eta == timezone.now() + dt.timedelta(seconds=120)


def test_the_portal_follows_no_redirect_from_a_push_service(tenant, member, push_service):
    _browser, subscription = subscribe(member, push_service)
    push_service.answer(307, headers={"Location": "http://127.0.0.1:1/internal"})
    assert push.deliver(subscription.pk, push.new_bill_message(tenant)).outcome == (
        push.Outcome.REFUSED
    )
    assert len(push_service.received) == 1


def test_an_address_no_longer_allowed_is_not_posted_to(tenant, member, push_service, settings):
    _browser, subscription = subscribe(member, push_service)
    settings.WEBPUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    assert push.deliver(subscription.pk, push.new_bill_message(tenant)).outcome == (
        push.Outcome.SKIPPED
    )
    assert push_service.received == []


def test_with_push_off_nothing_is_queued_or_sent(tenant, member, push_service, settings):
    _browser, subscription = subscribe(member, push_service)
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    assert push.queue_push(tenant, [member.pk], push.new_bill_message(tenant)) == 0
    assert push.deliver(subscription.pk, push.new_bill_message(tenant)).outcome == (
        push.Outcome.SKIPPED
    )
    assert push_service.received == []


def test_queueing_reaches_each_browser_of_the_members_named_in_their_town_only(
    tenant, other_tenant, member, push_service
):
    phone, _ = subscribe(member, push_service)
    laptop, _ = subscribe(member, push_service, name="Edge (Windows)")
    neighbour = make_member(tenant, "tonari@example.jp")
    subscribe(neighbour, push_service)
    stranger = make_member(other_tenant, "kita@example.jp")
    subscribe(stranger, push_service)
    # The other town's member's id among the names: still only this town's browsers.
    count = push.queue_push(tenant, [member.pk, stranger.pk], push.new_bill_message(tenant))
    assert count == 2
    received = {r.path for r in push_service.received}
    assert received == {b.endpoint.removeprefix(push_service.origin) for b in (phone, laptop)}
    assert WebPushSubscription.objects.count() == 4
