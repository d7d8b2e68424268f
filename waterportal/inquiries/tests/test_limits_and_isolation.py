"""Limits against abuse of the form (per address and per source), and one town's
inquiries invisible from the other's pages."""

import datetime as dt
import io
import logging
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from waterportal.accounts import codes
from waterportal.inquiries import actions
from waterportal.inquiries.models import Inquiry
from waterportal.lib.log_filters import HideLinkSecrets
from waterportal.limits import ratelimit
from waterportal.tenants.models import Tenant
from waterportal.testing import mails_to, make_customer, make_link, make_member, sign_in, text_of
from waterportal.testing.inquiries import confirm_guest, make_inquiry, send_inquiry

pytestmark = pytest.mark.usefixtures("clock")


def test_a_member_may_send_five_inquiries_a_day(signed_in, clock):
    for _ in range(5):
        assert send_inquiry(signed_in).status_code == 302
    response = send_inquiry(signed_in)
    assert response.status_code == 200
    assert "しばらく受け付けできません" in text_of(response)
    assert "以降にもう一度お試しください" in text_of(response)
    assert Inquiry.objects.count() == 5
    clock.shift(dt.timedelta(hours=24, minutes=1))
    assert send_inquiry(signed_in).status_code == 302


def test_one_source_may_send_twenty_inquiries_a_day_whatever_the_address(tenant):
    for i in range(20):
        actions.do_submit_guest_inquiry(
            tenant, f"g{i}@example.jp", kind="other", subject="s", body="b", source="203.0.113.9"
        )
    with pytest.raises(actions.Limited):
        actions.do_submit_guest_inquiry(
            tenant, "g99@example.jp", kind="other", subject="s", body="b", source="203.0.113.9"
        )
    # Another source, another town: not limited.
    actions.do_submit_guest_inquiry(
        tenant, "g99@example.jp", kind="other", subject="s", body="b", source="203.0.113.10"
    )


def test_a_guest_address_may_send_five_a_day(portal, clock):
    for _ in range(6):
        # A code each time (a sent inquiry ends the confirmation), five an hour at most.
        confirm_guest(portal, "guest@example.jp")
        response = send_inquiry(portal)
        clock.shift(dt.timedelta(minutes=13))
    assert "しばらく受け付けできません" in text_of(response)
    assert Inquiry.objects.count() == 5


def test_codes_for_the_form_are_limited_per_address_and_per_source(portal, tenant):
    portal.post("/inquiries/email", {"email": "guest@example.jp"})
    response = portal.post("/inquiries/email", {"email": "guest@example.jp"})
    assert "1分に1回" in text_of(response)
    for i in range(18):  # 20 requests from this source in all
        actions.do_request_inquiry_code(tenant, f"a{i}@example.jp", source="127.0.0.1")
    response = portal.post("/inquiries/email", {"email": "last@example.jp"})
    assert "しばらく送信できません" in text_of(response)
    assert not mails_to("last@example.jp")


def test_replies_are_limited_too(signed_in, member, tenant):
    inquiry = make_inquiry(tenant, member=member)
    for _ in range(20):
        signed_in.post(f"/inquiries/{inquiry.pk}", {"body": "追加です"})
    response = signed_in.post(f"/inquiries/{inquiry.pk}", {"body": "追加です"})
    assert "しばらく受け付けできません" in text_of(response)
    assert inquiry.messages.count() == 21


# --- The other town ------------------------------------------------------------------


@pytest.fixture
def theirs(tenant):
    """An inquiry of おうむ町's member."""
    return make_inquiry(tenant, member=make_member(tenant, "oumu@example.jp"))


def test_a_member_of_the_other_town_cannot_open_or_reply(other_portal, other_tenant, theirs):
    kita = make_member(other_tenant, "kita@example.jp")
    sign_in(other_portal, kita)
    assert other_portal.get(f"/inquiries/{theirs.pk}").status_code == 404
    assert other_portal.post(f"/inquiries/{theirs.pk}", {"body": "x"}).status_code == 404
    assert theirs.reference not in text_of(other_portal.get("/inquiries"))
    assert theirs.messages.count() == 1


def test_a_guest_link_works_in_its_own_town_only(portal, other_portal, tenant):
    inquiry = actions.do_submit_guest_inquiry(
        tenant, "guest@example.jp", kind="other", subject="s", body="b", source="127.0.0.1"
    )
    token = actions._guest_link(inquiry, inquiry.created_at)
    assert portal.get(f"/inquiries/t/{token}").status_code == 200
    assert other_portal.get(f"/inquiries/t/{token}").status_code == 404
    assert other_portal.post(f"/inquiries/t/{token}", {"body": "x"}).status_code == 404


def test_a_member_cannot_choose_the_other_towns_contract(signed_in, other_tenant):
    kita = make_member(other_tenant, "kita@example.jp")
    far = make_link(kita, make_customer(other_tenant, number="90900009")).customer
    response = send_inquiry(signed_in, customer=str(far.pk))
    assert "このアカウントに登録されているご契約ではありません" in text_of(response)


def test_a_guest_code_of_one_town_does_not_open_the_others_form(portal, other_portal):
    confirm_guest(portal, "guest@example.jp")
    assert portal.get("/inquiries/new").status_code == 200
    assert other_portal.get("/inquiries/new").url == "/inquiries/email"


def test_an_expired_guest_link_is_a_404(portal, tenant, clock):
    inquiry = make_inquiry(tenant, email="guest@example.jp")
    token = actions._guest_link(inquiry, inquiry.created_at)
    clock.shift(actions.GUEST_LINK_TTL + dt.timedelta(minutes=1))
    assert portal.get(f"/inquiries/t/{token}").status_code == 404


def test_an_expired_guest_links_token_never_reaches_the_log(portal, tenant, clock):
    """Django logs the path of a 404; the token in it is hidden."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, HideLinkSecrets) for f in h.filters)
    )
    inquiry = make_inquiry(tenant, email="guest@example.jp")
    token = actions._guest_link(inquiry, inquiry.created_at)
    clock.shift(actions.GUEST_LINK_TTL + dt.timedelta(minutes=1))
    out = io.StringIO()
    previous = handler.setStream(out)  # type: ignore[attr-defined]
    try:
        assert portal.get(f"/inquiries/t/{token}").status_code == 404
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    assert "Not Found: /inquiries/t/" in out.getvalue() and token not in out.getvalue()


# --- The limits hold under requests sent at once -------------------------------------


def _guest_submit(tenant, email="guest@example.jp", source="203.0.113.9"):
    return actions.do_submit_guest_inquiry(
        tenant, email, kind="other", subject="s", body="b", source=source
    )


def test_a_refused_inquiry_counts_for_no_limit(tenant):
    """The limits are checked and counted in the inquiry's transaction: one refused by
    the address's limit leaves the source's count as it was."""
    for i in range(5):
        _guest_submit(tenant, source=f"203.0.113.{i}")
    source_before = ratelimit.count(actions.SUBMIT_SOURCE, f"{tenant.pk}:198.51.100.1")
    with pytest.raises(actions.Limited):
        _guest_submit(tenant, source="198.51.100.1")
    assert ratelimit.count(actions.SUBMIT_SOURCE, f"{tenant.pk}:198.51.100.1") == source_before
    assert Inquiry.objects.count() == 5


def test_the_sixth_inquiry_of_an_address_is_refused_through_the_action(tenant, clock):
    for i in range(5):
        _guest_submit(tenant, source=f"203.0.113.{i}")
    with pytest.raises(actions.Limited) as refused:
        _guest_submit(tenant, source="198.51.100.1")
    assert refused.value.until == timezone.now() + dt.timedelta(hours=24)


@pytest.mark.django_db(transaction=True)
def test_fifteen_inquiries_sent_at_once_from_one_address_pass_five_only(tenant):
    """Fifteen requests wait together on the town's lock; once it is free, they are
    counted in turn and five pass."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time (the race needs concurrent writers)")
    held, release = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def hold_town():
        try:
            with scopes_disabled(), transaction.atomic():
                Tenant.objects.select_for_update().get(pk=tenant.pk)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    def submit(i: int):
        try:
            with scopes_disabled():
                _guest_submit(tenant, source=f"203.0.113.{i}")
            outcomes.append("sent")
        except actions.Limited:
            outcomes.append("limited")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_town)
    holder.start()
    assert held.wait(10)
    senders = [threading.Thread(target=submit, args=(i,)) for i in range(15)]
    for sender in senders:
        sender.start()
    _wait_for_lock_waiters(15)
    release.set()
    holder.join(30)
    for sender in senders:
        sender.join(30)

    assert sorted(outcomes) == ["limited"] * 10 + ["sent"] * 5
    assert Inquiry.objects.filter(tenant=tenant).count() == 5


def _wait_for_lock_waiters(n: int) -> None:
    """Until ``n`` other sessions wait for a row lock (PostgreSQL's own view of it)."""
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= n:
                return
            threading.Event().wait(0.01)
    raise AssertionError(f"{n} sessions never waited for the town's lock")


def test_codes_for_the_form_are_limited_per_source_across_towns(tenant, other_tenant):
    for i in range(20):
        town = (tenant, other_tenant)[i % 2]
        actions.do_request_inquiry_code(town, f"a{i}@example.jp", source="203.0.113.9")
    with pytest.raises(codes.SendLimitReached):
        actions.do_request_inquiry_code(tenant, "last@example.jp", source="203.0.113.9")
    with pytest.raises(codes.SendLimitReached):
        actions.do_request_inquiry_code(other_tenant, "last@example.jp", source="203.0.113.9")
