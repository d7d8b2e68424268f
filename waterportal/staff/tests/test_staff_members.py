"""Staff find members and see their contracts and sign-ins (each look on record), and
lift customer-number locks; another town's members and locks do not exist for them."""

import datetime as dt

import pytest
from django.utils import timezone

from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import NumberLock
from waterportal.testing import (
    make_customer,
    make_link,
    make_member,
    make_staff,
    sign_in,
    staff_sign_in,
)


@pytest.fixture
def kita_member(other_tenant):
    member = make_member(other_tenant, email="kita@example.jp", name="きた 次郎")
    make_link(member, make_customer(other_tenant, number="55550001", kana="キタ ジロウ"))
    return member


def lock(tenant, number="12345678") -> NumberLock:
    now = timezone.now()
    return NumberLock.objects.create(
        tenant=tenant, number=number, locked_at=now, until=now + dt.timedelta(hours=24)
    )


@pytest.mark.parametrize(
    "query",
    ["hanako@", "HANAKO@EXAMPLE.JP", "1010-0001", "１０１００００１", "すいどう", "水道 花子"],
)
def test_staff_find_a_member_by_address_number_kana_or_name(console, member, link, query):
    page = console.get("/staff/members", {"q": query})
    assert page.status_code == 200 and "hanako@example.jp" in page.text


def test_a_search_is_a_look_on_record_without_what_was_typed(console, member, link):
    console.get("/staff/members", {"q": "水道 花子"})
    look = AuditEvent.objects.get(action="staff_searched_members")
    assert look.actor == console.staff and look.data == {"by": "name", "found": 1}
    assert "花子" not in str(look.data) and look.source


def test_the_members_page_shows_contracts_and_sign_ins_and_is_on_record(
    console, portal, tenant, member, link
):
    AuditEvent.objects.create(
        tenant=tenant, action="login", member=member, created_at=timezone.now()
    )
    page = console.get(f"/staff/members/{member.pk}")
    assert page.status_code == 200
    assert "1010-0001" in page.text and "有効" in page.text and "ログイン" in page.text
    look = AuditEvent.objects.get(action="staff_viewed_member")
    assert look.actor == console.staff and look.member == member


def test_another_towns_member_is_neither_found_nor_shown(console, kita_member):
    for query in ("kita@example.jp", "5555-0001", "キタ", "きた 次郎"):
        assert "見つかりませんでした" in console.get("/staff/members", {"q": query}).text
    assert console.get(f"/staff/members/{kita_member.pk}").status_code == 404


def test_a_staff_account_is_not_a_member_to_find(console, tenant):
    assert "見つかりませんでした" in console.get("/staff/members", {"q": "suido"}).text
    assert console.get(f"/staff/members/{console.staff.pk}").status_code == 404


def test_the_locks_page_shows_when_and_how_many_tries(console, tenant):
    held = lock(tenant)
    NumberLock.objects.filter(pk=held.pk).update(tries=12)
    page = console.get("/staff/locks").text
    assert "12345678" in page and "12回" in page and "試行回数" in page


def test_a_clerk_lifts_a_lock_on_record(portal, tenant, clock):
    clerk = make_staff(tenant, email="clerk@town.oumu.example.jp", role="clerk")
    staff_sign_in(portal, clerk)
    row = lock(tenant)
    assert "12345678" in portal.get("/staff/locks").text

    done = portal.post(f"/staff/locks/{row.pk}/unlock", follow=True)

    assert "ロックを解除しました" in done.text
    row.refresh_from_db()
    assert row.unlocked_at is not None and row.unlocked_by == clerk.user
    assert AuditEvent.objects.get(action="number_unlocked").actor == clerk.user


def test_a_viewer_sees_locks_but_gets_a_japanese_403_for_lifting_one(portal, tenant, clock):
    viewer = make_staff(tenant, email="viewer@town.oumu.example.jp", role="viewer")
    staff_sign_in(portal, viewer)
    row = lock(tenant)
    assert "解除する" not in portal.get("/staff/locks").text

    refused = portal.post(f"/staff/locks/{row.pk}/unlock")

    assert refused.status_code == 403 and "この操作はできません" in refused.text
    row.refresh_from_db()
    assert row.unlocked_at is None


def test_another_towns_lock_cannot_be_lifted(console, other_tenant):
    row = lock(other_tenant)
    assert "12345678" not in console.get("/staff/locks").text
    assert console.post(f"/staff/locks/{row.pk}/unlock").status_code == 404
    row.refresh_from_db()
    assert row.unlocked_at is None


@pytest.mark.parametrize("page", ["/staff/", "/staff/members", "/staff/locks"])
def test_a_resident_signed_in_is_sent_to_the_staff_login(portal, member, clock, page):
    sign_in(portal, member)
    response = portal.get(page)
    assert response.status_code == 302 and response.url.startswith("/staff/login")
