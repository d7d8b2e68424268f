"""Every look at a member's bills is on record: who, when, from where and at what.

Found by probing: nothing recorded who opened a bill, a statement PDF or a history
CSV, nor logins. After a leak the town must count the people affected (個人情報保護法
第68条: more than 100 people must be reported).
"""

import json

import pytest
import redis

from waterportal.audit import looks
from waterportal.audit.models import AuditEvent, Look
from waterportal.audit.tasks import store_looks
from waterportal.testing import (
    MONDAY,
    REDIS_URL,
    STRONG_PASSWORD,
    free_port,
    make_bill,
    redis_available,
)

LOOKS = [
    ("/", "viewed_home", False, ""),
    ("/contracts/{id}/history", "viewed_history", True, ""),
    ("/contracts/{id}/history.csv", "downloaded_history_csv", True, ""),
    ("/contracts/{id}/bills/2026-10", "viewed_bill", True, "2026-10"),
    ("/contracts/{id}/bills/2026-10.pdf", "downloaded_statement", True, "2026-10"),
]


@pytest.fixture(autouse=True)
def bills(customer):
    make_bill(customer, "2026-08")
    make_bill(customer, "2026-10")


@pytest.mark.parametrize("page,action,of_contract,month", LOOKS, ids=[look[1] for look in LOOKS])
def test_each_look_is_recorded_with_member_time_source_and_object(
    signed_in, member, link, tenant, page, action, of_contract, month
):
    response = signed_in.get(page.format(id=link.pk), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    (look,) = Look.objects.filter(action=action)
    assert (look.tenant, look.member, look.created_at) == (tenant, member, MONDAY)
    assert look.source == "203.0.113.5"
    assert look.customer_id == (link.customer_id if of_contract else None)
    assert look.month == month


def test_a_refused_look_is_not_recorded_as_a_look(portal, member, link):
    portal.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    assert portal.get(f"/contracts/{link.pk + 999}/bills/2026-10").status_code == 404
    assert not Look.objects.filter(action="viewed_bill").exists()


def test_logins_failures_and_logouts_are_recorded_without_the_password(portal, member):
    portal.post(
        "/login", {"email": member.email, "password": "Wrong-Pass-123"}, REMOTE_ADDR="198.51.100.1"
    )
    portal.post(
        "/login",
        {"email": "nobody@example.jp", "password": "Wrong-Pass-123"},
        REMOTE_ADDR="198.51.100.2",
    )
    portal.post(
        "/login", {"email": member.email, "password": STRONG_PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    portal.post("/logout", REMOTE_ADDR="203.0.113.5")
    events = [
        (e.action, e.member, e.source)
        for e in AuditEvent.objects.filter(action__in=["login", "login_failed", "logout"]).order_by(
            "pk"
        )
    ]
    assert events == [
        ("login_failed", member, "198.51.100.1"),
        ("login_failed", None, "198.51.100.2"),
        ("login", member, "203.0.113.5"),
        ("logout", member, "203.0.113.5"),
    ]
    stored = str(list(AuditEvent.objects.values_list("data", flat=True)))
    for secret in ("Wrong-Pass-123", STRONG_PASSWORD, member.email, "nobody@example.jp"):
        assert secret not in stored


@pytest.mark.django_db(transaction=True)
def test_a_look_outside_any_transaction_is_committed(tenant, member):
    """The pages' own path: no transaction around the view, the statement commits."""
    from waterportal.audit.actions import do_record_look

    do_record_look(tenant, member, "viewed_home", source="203.0.113.5")  # no REDIS_URL
    assert Look.objects.filter(member=member, action="viewed_home").count() == 1


@pytest.fixture
def looks_on_redis(settings):
    """Production's way: REDIS_URL set, the looks wait in Redis for the worker."""
    if not redis_available():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.REDIS_URL = REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(looks.QUEUE, looks.STORING)
    yield client
    client.delete(looks.QUEUE, looks.STORING)


def test_with_redis_a_look_waits_there_and_the_worker_stores_it(
    looks_on_redis, signed_in, member, link, tenant
):
    assert signed_in.get(f"/contracts/{link.pk}/bills/2026-10").status_code == 200
    assert not Look.objects.exists(), "not written by the page"
    assert looks_on_redis.llen(looks.QUEUE) == 1
    store_looks.apply(throw=True)
    (look,) = Look.objects.all()
    assert (look.member, look.action, look.month, look.created_at) == (
        member,
        "viewed_bill",
        "2026-10",
        MONDAY,
    )
    assert looks_on_redis.llen(looks.QUEUE) == 0


def test_with_redis_unreachable_the_page_writes_the_look_itself(settings, signed_in, member, link):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    assert signed_in.get(f"/contracts/{link.pk}/bills/2026-10").status_code == 200
    assert Look.objects.filter(member=member, action="viewed_bill").count() == 1


def waiting_look(tenant, member, created_at="2026-11-02T01:00:00+00:00") -> str:
    return json.dumps([tenant.pk, member.pk, created_at, "viewed_home", None, "", None])


def test_looks_left_by_a_worker_that_died_are_stored_by_the_next_run(
    looks_on_redis, tenant, member
):
    looks_on_redis.rpush(looks.STORING, waiting_look(tenant, member))  # taken, not stored
    looks_on_redis.rpush(looks.QUEUE, waiting_look(tenant, member))  # queued since
    assert looks.store_waiting(looks_on_redis) == 2
    assert Look.objects.count() == 2
    assert not looks_on_redis.exists(looks.QUEUE, looks.STORING)


def test_a_look_that_cannot_be_read_does_not_block_the_others(looks_on_redis, tenant, member):
    unreadable = ["not a look", waiting_look(tenant, member, created_at="not a time")]
    looks_on_redis.rpush(looks.QUEUE, *unreadable, waiting_look(tenant, member))
    assert looks.store_waiting(looks_on_redis) == 1
    assert Look.objects.count() == 1
