"""Redis down: the portal goes on from the database.

With REDIS_URL, as in production, Redis holds the sessions' copies, the members' cards
and the mail queue. Each of these can be had from the database or done another way, so
none may take the member pages, a write or a code email down with it. These tests give
the portal a Redis server of their own and stop it.
"""

import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.utils.crypto import get_random_string

from waterportal import emails
from waterportal.emails import send_email
from waterportal.lib import after_response, outage
from waterportal.testing import (
    RedisServer,
    broker,
    code_from_mail,
    mails_to,
    make_bill,
    make_customer,
    make_link,
    needs_redis_server,
    sign_in,
)

pytestmark = needs_redis_server


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def retry_clock(monkeypatch):
    """The clock the process waits by before trying Redis again."""
    now = [1000.0]
    monkeypatch.setattr(outage, "_now", lambda: now[0])
    return now


@pytest.fixture
def on_own_redis(settings, own_redis, retry_clock):
    backend = {
        "BACKEND": "waterportal.lib.redis_cache.RedisCache",
        "LOCATION": own_redis.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    settings.CACHES = settings.CACHES | {
        "default": backend,
        "template_fragments": backend | {"KEY_PREFIX": "fragments"},
    }
    settings.SESSION_ENGINE = "waterportal.accounts.sessions"


@pytest.fixture
def customer(tenant, member):
    customer = make_customer(tenant, number="10100001")
    make_link(member, customer)
    make_bill(customer, "2026-08", water=2530, sewer=1650)
    return customer


def test_members_keep_using_the_portal_while_redis_is_down(
    on_own_redis, own_redis, portal, customer, clock
):
    sign_in(portal)
    assert "2026年8月分" in portal.get("/").text
    own_redis.stop()

    assert "2026年8月分" in portal.get("/").text, "the session read from the database"
    make_bill(customer, "2026-10", water=3000, sewer=2000)  # its cards cannot be marked old
    page = portal.get("/").text
    assert "2026年10月分" in page and "5,000円" in page, "the cards drawn, not kept ones"
    assert portal.get("/account").status_code == 200

    cookie = portal.client.cookies["sessionid"].value
    assert portal.post("/logout").status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = cookie
    refused = replay.get("/account?tenant=oumu")
    assert refused.status_code == 302 and refused["Location"].startswith("/login")
    sign_in(portal)
    assert portal.get("/account").status_code == 200


def test_the_portal_uses_redis_again_once_it_is_back(
    on_own_redis, own_redis, portal, customer, clock, retry_clock
):
    sign_in(portal)
    own_redis.stop()
    assert portal.get("/").status_code == 200
    own_redis.start()  # empty, as after a restart
    assert portal.get("/").status_code == 200
    assert own_redis.client().dbsize() == 0, "not tried again within the retry delay"

    retry_clock[0] += outage.RETRY_SECONDS
    assert "2026年8月分" in portal.get("/").text
    keys = [key.decode() for key in own_redis.client().keys()]
    assert any("sessions" in key for key in keys), keys
    assert any("fragments" in key for key in keys), keys


def test_redis_keeps_its_copy_of_a_session_five_minutes_at_most(
    on_own_redis, own_redis, portal, member, clock
):
    # A logout made while Redis could not be reached cannot delete this copy: it must not
    # outlive the logout by more than a few minutes (waterportal.accounts.sessions).
    sign_in(portal)
    portal.get("/account")
    key = f":1:django.contrib.sessions.cached_db{portal.client.cookies['sessionid'].value}"
    assert 0 < own_redis.client().ttl(key) <= 5 * 60


def test_a_reset_code_is_mailed_even_when_the_mail_queue_is_down(portal, member, own_redis):
    own_redis.stop()
    with broker(own_redis.url):
        response = portal.post("/password-reset", {"email": member.email})
    assert response.status_code == 302 and response.url == "/password-reset/code"
    assert code_from_mail(member.email)


# --- Pages that send mail, with Redis stopped or frozen (SIGSTOP) ----------------------


@pytest.fixture
def production_redis(on_own_redis, own_redis):
    """The cache, the sessions' copies and the mail queue on one Redis, as in production."""
    with broker(own_redis.url):
        yield own_redis


def take_down(server, how: str) -> None:
    if how == "stopped":
        server.stop()
    else:
        server.freeze()


UNKNOWN = "nobody@example.jp"


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_a_reset_request_answers_within_two_seconds_and_the_code_arrives_while_redis_is(
    how, production_redis, portal, member, clock, retry_clock
):
    take_down(production_redis, how)
    for attempt in range(3):
        clock.shift(61)  # past the one-code-a-minute limit of each address
        for address in (member.email, UNKNOWN):
            # Each request meets the outage afresh, as the first one after it began.
            retry_clock[0] += outage.RETRY_SECONDS
            sent_before = len(mails_to(address))
            started = time.monotonic()
            response = portal.post("/password-reset", {"email": address})
            elapsed = time.monotonic() - started
            assert elapsed < 2.0, f"try {attempt}: {elapsed:.2f} s"
            assert (response.status_code, response.url) == (302, "/password-reset/code")
            arrived = len(mails_to(address)) - sent_before
            assert arrived == (1 if address == member.email else 0)
    assert code_from_mail(member.email)


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_a_registration_code_arrives_within_two_seconds_while_redis_is(
    how, production_redis, portal, clock, retry_clock
):
    take_down(production_redis, how)
    retry_clock[0] += outage.RETRY_SECONDS
    started = time.monotonic()
    response = portal.post("/register", {"email": "newcomer@example.jp"})
    assert time.monotonic() - started < 2.0
    assert response.status_code == 302 and response.url == "/register/code"
    assert code_from_mail("newcomer@example.jp")


def test_queueing_a_mail_waits_half_a_second_at_most_for_a_frozen_queue(own_redis):
    # What a page waits for is the queue: the mail itself goes after the response, so it
    # is sent outside the measured time (on a busy machine the SMTP exchange alone can
    # take longer than the margin).
    own_redis.freeze()
    with broker(own_redis.url):
        after_response.request_started()
        started = time.monotonic()
        emails.queue(send_email, ("hanako@example.jp", "件名", "本文", "<p>本文</p>"))
        waited = time.monotonic() - started
        after_response.request_finished()
        assert waited < emails.QUEUE_TIMEOUT_SECONDS + 0.3
        assert len(mails_to("hanako@example.jp")) == 1, "sent at once instead"

        after_response.request_started()
        started = time.monotonic()
        emails.queue(send_email, ("hanako@example.jp", "件名", "本文", "<p>本文</p>"))
        waited = time.monotonic() - started
        after_response.request_finished()
        # Half the timeout: touching the frozen Redis again would cost all of it.
        assert waited < emails.QUEUE_TIMEOUT_SECONDS / 2, "Redis left alone after it failed"
        assert len(mails_to("hanako@example.jp")) == 2


@pytest.fixture
def wsgi():
    """The portal as a WSGI server calls it: the response is whole when the handler
    returns it, and the server calls ``close()`` once it has sent the last byte."""
    request_started.disconnect(close_old_connections)  # as Django's test client does
    yield WSGIHandler()
    request_started.connect(close_old_connections)


@pytest.mark.parametrize("how", ["stopped", "frozen"])
def test_no_answer_waits_for_a_mail_sent_at_once_so_it_tells_nobody_who_is_registered(
    how, transactional_db, production_redis, tenant, member, wsgi, retry_clock
):
    # transactional_db: the page's transaction commits, and its mail is handed on then.
    take_down(production_redis, how)
    for address in (member.email, UNKNOWN):
        retry_clock[0] += outage.RETRY_SECONDS
        secret = get_random_string(32)
        environ = (
            RequestFactory()
            .post(
                "/password-reset?tenant=oumu",
                {"email": address, "csrfmiddlewaretoken": secret},
                HTTP_COOKIE=f"csrftoken={secret}",
            )
            .environ
        )
        response = wsgi(environ, lambda status, headers: None)
        assert response.status_code == 302
        assert mails_to(address) == [], "the answer was held back until the mail was sent"
        response.close()
        assert len(mails_to(address)) == (1 if address == member.email else 0)


def test_a_logout_made_while_redis_is_frozen_stays_final_once_redis_is_back(
    on_own_redis, own_redis, portal, member, clock, retry_clock
):
    """Found by probing: after SIGSTOP, a logout, and SIGCONT, the old cookie still
    worked for about a minute, from the session's copy that Redis kept."""
    sign_in(portal)
    assert portal.get("/account").status_code == 200  # the session's copy is in Redis
    cookie = portal.client.cookies["sessionid"].value
    own_redis.freeze()
    page = portal.post("/logout", follow=True)
    assert "ログアウトしました" in page.text
    own_redis.thaw()
    retry_clock[0] += outage.RETRY_SECONDS  # the process uses Redis again
    assert own_redis.client().keys("*cached_db*"), "the old copy is still in Redis"

    replay = Client()
    replay.cookies["sessionid"] = cookie
    refused = replay.get("/account?tenant=oumu")
    assert refused.status_code == 302 and refused["Location"].startswith("/login")
