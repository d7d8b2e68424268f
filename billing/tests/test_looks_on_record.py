"""Every look at a member's bills is on record: who, when, from where and at what.

Found by probing: nothing recorded who opened a bill, a statement PDF or a history
CSV, nor logins. After a leak the town must count the people affected (個人情報保護法
第68条: more than 100 people must be reported).
"""

import pytest

from accounts.tests.factories import STRONG_PASSWORD
from audit.models import AuditEvent, Look
from billing.tests.conftest import NOW
from billing.tests.factories import make_bill

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
    assert (look.tenant, look.member, look.created_at) == (tenant, member, NOW)
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
    from audit.actions import do_record_look

    do_record_look(tenant, member, "viewed_home", source="203.0.113.5")
    assert Look.objects.filter(member=member, action="viewed_home").count() == 1
