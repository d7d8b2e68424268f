import json
import time
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client

from waterportal.lib.version import __version__
from waterportal.ops import health, tasks
from waterportal.testing.servers import RedisServer, needs_redis_server


@pytest.fixture
def redis_server(settings):
    """A Redis of the test's own, which the test may stop; the portal uses it."""
    server = RedisServer().start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


def readyz(client: Client | None = None):
    response = (client or Client()).get("/readyz")
    return response, json.loads(response.content)


@pytest.mark.django_db
def test_without_redis_readiness_is_the_database():
    response, body = readyz()

    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok"},
        "version": __version__,
    }


@pytest.mark.django_db
def test_a_failing_database_is_named_and_answers_503():
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response, body = readyz()

    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "error"}


@needs_redis_server
@pytest.mark.django_db
def test_with_redis_and_a_recent_heartbeat_it_is_ready(redis_server):
    tasks.heartbeat()

    response, body = readyz()

    assert response.status_code == 200
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


@needs_redis_server
@pytest.mark.django_db
def test_redis_stopped_answers_503_naming_redis(redis_server):
    tasks.heartbeat()
    redis_server.stop()

    started = time.monotonic()
    response, body = readyz()

    assert response.status_code == 503
    assert body["checks"] == {"database": "ok", "redis": "error", "worker": "error"}
    assert time.monotonic() - started < 3


@needs_redis_server
@pytest.mark.django_db
def test_a_frozen_redis_fails_within_its_timeout(redis_server):
    redis_server.freeze()

    started = time.monotonic()
    response, body = readyz()

    assert response.status_code == 503
    assert body["checks"]["redis"] == "error"
    assert time.monotonic() - started < 3


@needs_redis_server
@pytest.mark.django_db
def test_a_stale_heartbeat_answers_503_naming_the_worker(redis_server):
    with time_machine.travel("2026-12-01 10:00 +0900", tick=False) as clock:
        tasks.heartbeat()
        clock.shift(health.HEARTBEAT_STALE_SECONDS - 1)
        assert readyz()[0].status_code == 200

        clock.shift(2)
        response, body = readyz()

    assert response.status_code == 503
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "stale"}


@needs_redis_server
@pytest.mark.django_db
def test_no_worker_ever_is_stale(redis_server):
    response, body = readyz()

    assert response.status_code == 503
    assert body["checks"]["worker"] == "stale"


@needs_redis_server
@pytest.mark.django_db
def test_it_reveals_no_configuration(redis_server):
    redis_server.stop()

    response, _ = readyz()

    text = response.content.decode()
    assert str(redis_server.port) not in text and "127.0.0.1" not in text
    assert "redis://" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
def test_probes_set_no_cookie_and_choose_no_town(path, tenant):
    client = Client()
    client.cookies["wp_tenant"] = tenant.slug

    response = client.get(f"{path}?tenant={tenant.slug}")

    assert response.status_code == 200
    assert not response.cookies
    assert "no-cache" in response.headers.get("Cache-Control", "") or path == "/healthz"


def test_the_console_footer_shows_the_version(console):
    response = console.get("/staff/")

    assert response.status_code == 200
    assert f"バージョン {__version__}" in response.content.decode()
