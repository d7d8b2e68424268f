"""With REDIS_URL, as in production: sessions and the member's cards live in Redis.

These run the portal in this process with the settings production gets from REDIS_URL
(the project's Redis cache backend, sessions read from Redis and written through to the
database) against the machine's real Redis.
"""

import uuid

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from waterportal.lib.redis_cache import RedisCache
from waterportal.testing import (
    REDIS_URL,
    Portal,
    change_password,
    make_bill,
    make_customer,
    make_link,
    needs_redis,
    sign_in,
)

pytestmark = needs_redis


@pytest.fixture
def on_redis(settings):
    # A prefix of the test's own, so nothing another test or run left behind is read.
    prefix = f"test-{uuid.uuid4().hex}"
    backend = {
        "BACKEND": "waterportal.lib.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = settings.CACHES | {
        "default": backend,
        "template_fragments": backend | {"KEY_PREFIX": f"{prefix}-fragments"},
    }
    settings.SESSION_ENGINE = "waterportal.accounts.sessions"
    yield
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_the_cache_backend_reads_and_writes_redis(on_redis):
    cache = caches["default"]
    cache.set("greeting", "こんにちは", 60)
    assert cache.get("greeting") == "こんにちは"
    assert cache.add("greeting", "other", 60) is False
    cache.set_many({"a": 1, "b": 2}, 60)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.incr("a") == 2
    cache.delete_many(["a", "b", "greeting"])
    assert cache.get("greeting") is None
    # One redis-py client per connection pool, not one per call (see the backend).
    assert isinstance(cache, RedisCache)
    assert cache._cache.get_client() is cache._cache.get_client()


def test_clearing_the_cache_leaves_the_mail_queue_alone(on_redis):
    # One REDIS_URL serves the cache and Celery's broker from one Redis database.
    queue = redis.Redis.from_url(REDIS_URL)
    queue.lpush("celery", "a queued email")
    try:
        cache = caches["default"]
        cache.set("greeting", "こんにちは", 60)
        cache.clear()
        assert cache.get("greeting") is None
        assert queue.llen("celery") == 1
    finally:
        queue.delete("celery")


def test_a_signed_in_member_is_remembered_in_redis_and_the_database(
    on_redis, portal, member, clock
):
    sign_in(portal)
    assert portal.get("/account").status_code == 200
    key = portal.client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists(), "written through to the database"
    caches["default"].clear()  # Redis restarted: the session is read from the database
    assert portal.get("/account").status_code == 200


def test_logging_out_ends_the_session_kept_in_redis(on_redis, portal, member, clock):
    sign_in(portal)
    cookie = portal.client.cookies["sessionid"].value
    portal.post("/logout")
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/account?tenant=oumu")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_a_new_password_ends_the_other_sessions_kept_in_redis(
    on_redis, portal, member, clock, django_capture_on_commit_callbacks
):
    sign_in(portal)
    phone = Portal(Client(), portal.tenant, django_capture_on_commit_callbacks)
    sign_in(phone)
    change_password(portal)
    assert portal.get("/account").status_code == 200
    ended = phone.get("/account")
    assert ended.status_code == 302 and ended.url.startswith("/login")


def test_the_cards_kept_in_redis_follow_a_new_bill(on_redis, portal, member, tenant, clock):
    customer = make_customer(tenant, number="10100001")
    make_link(member, customer)
    make_bill(customer, "2026-08", water=2530, sewer=1650)
    sign_in(portal)
    assert "2026年8月分" in portal.get("/").content.decode()
    make_bill(customer, "2026-10", water=3000, sewer=2000)
    page = portal.get("/").content.decode()
    assert "2026年10月分" in page and "5,000円" in page
