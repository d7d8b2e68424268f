"""Redis down: the portal goes on from the database.

With REDIS_URL, as in production, Redis holds the sessions' copies, the members' cards
and the mail queue. Each of these can be had from the database or done another way, so
none may take the member pages, a write or a code email down with it. These tests give
the portal a Redis server of their own and stop it.
"""

import os

import pytest
from django.test import Client

from accounts.tests.factories import make_customer
from accounts.tests.test_account_page import sign_in
from billing.tests.factories import make_bill, make_link
from conftest import code_from_mail
from waterportal.lib import redis_cache
from waterportal.tests.broker import RedisServer, broker, redis_server_available

pytestmark = pytest.mark.skipif(
    not redis_server_available() and not os.environ.get("CI"), reason="needs redis-server"
)


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def retry_clock(monkeypatch):
    """The clock the cache backend waits by before trying Redis again."""
    now = [1000.0]
    monkeypatch.setattr(redis_cache, "_now", lambda: now[0])
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
    settings.SESSION_ENGINE = "accounts.sessions"


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
    assert refused.status_code == 302 and refused.url.startswith("/login")
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

    retry_clock[0] += redis_cache.RETRY_SECONDS
    assert "2026年8月分" in portal.get("/").text
    keys = [key.decode() for key in own_redis.client().keys()]
    assert any("sessions" in key for key in keys), keys
    assert any("fragments" in key for key in keys), keys


def test_redis_keeps_its_copy_of_a_session_five_minutes_at_most(
    on_own_redis, own_redis, portal, member, clock
):
    # A logout made while Redis could not be reached cannot delete this copy: it must not
    # outlive the logout by more than a few minutes (accounts.sessions).
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
