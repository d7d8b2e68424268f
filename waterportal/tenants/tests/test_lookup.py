"""Each process keeps the tenant rows it has read for a short time (waterportal.tenants.lookup)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.tenants.models import Tenant

pytestmark = pytest.mark.urls("waterportal.tenants.tests.urls")


def tenant_queries(client, path) -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.content, sum("tenants_tenant" in q["sql"] for q in queries.captured_queries)


def test_the_town_is_read_once_and_then_kept(client, tenant):
    assert tenant_queries(client, "/echo?tenant=oumu") == (b"oumu", 1)
    assert tenant_queries(client, "/echo?tenant=oumu") == (b"oumu", 0)
    assert tenant_queries(client, "/echo") == (b"oumu", 0), "from the session, by its id"


def test_two_towns_are_kept_apart(client, tenant, other_tenant):
    assert client.get("/echo?tenant=oumu").content == b"oumu"
    assert client.get("/echo?tenant=kita").content == b"kita"
    assert client.get("/echo?tenant=oumu").content == b"oumu"


def test_closing_a_town_takes_effect_at_once(client, tenant):
    assert client.get("/echo?tenant=oumu").status_code == 200
    tenant.is_active = False
    tenant.save()
    assert client.get("/echo?tenant=oumu").status_code == 404


def test_a_change_made_by_another_process_is_seen_within_the_cache_time(client, tenant, settings):
    start = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert client.get("/echo?tenant=oumu").status_code == 200
        # update() sends no signal: this process is not told, as another one would not be.
        Tenant.objects.filter(pk=tenant.pk).update(is_active=False)
        assert client.get("/echo?tenant=oumu").status_code == 200, "still kept"
        clock.shift(dt.timedelta(seconds=settings.TENANT_CACHE_SECONDS + 1))
        assert client.get("/echo?tenant=oumu").status_code == 404
