"""The account page: the member's contracts, and the way to every account action."""

import datetime as dt

from waterportal.contracts.actions import do_link_contract, do_revoke_link
from waterportal.testing import HANAKO, WEDNESDAY, make_customer, make_member


def link(
    member, number="12345678", kana="スイドウ ハナコ", relationship="本人", now=WEDNESDAY, **extra
):
    customer = make_customer(member.tenant, number=number, kana=kana, **extra)
    return do_link_contract(member, customer, relationship, now=now)


def test_the_account_page_needs_a_login(portal):
    response = portal.get("/account")
    assert response.status_code == 302 and response.url.startswith("/login")


def test_the_account_page_is_never_cached(signed_in):
    assert "no-store" in signed_in.get("/account")["Cache-Control"]


def test_it_lists_each_linked_contract_masked_with_address_and_relationship(signed_in, member):
    link(member, number="12345678", address="おうむ町本町1-2-3", relationship="本人")
    link(member, number="87654321", address="おうむ町川端5-6", relationship="家族")
    page = signed_in.get("/account").text
    assert "••••5678" in page and "••••4321" in page
    assert "12345678" not in page and "87654321" not in page
    assert "おうむ町本町1-2-3" in page and "おうむ町川端5-6" in page
    assert "本人" in page and "家族" in page


def test_a_contract_not_yet_active_says_from_which_date(signed_in, member):
    link(member)
    page = signed_in.get("/account").text
    assert "準備中（2026年11月26日（木）から表示します）" in page


def test_an_active_contract_shows_its_start_date(signed_in, member, clock):
    link(member, now=WEDNESDAY - dt.timedelta(days=30))
    page = signed_in.get("/account").text
    assert "準備中" not in page and "2026年10月27日（火）" in page


def test_a_removed_contract_is_not_listed(signed_in, member):
    removed = link(member, number="12345678")
    do_revoke_link(member, removed)
    assert "••••5678" not in signed_in.get("/account").text


def test_another_members_contracts_are_not_listed(signed_in, tenant):
    link(make_member(tenant, email="other@example.jp"), number="99990000", address="よその家")
    page = signed_in.get("/account").text
    assert "••••0000" not in page and "よその家" not in page
    assert "登録されているご契約はありません" in page


def test_the_page_leads_to_every_account_action(signed_in, member):
    one = link(member)
    page = signed_in.get("/account").text
    for href in (
        "/account/contracts/add",
        f"/account/contracts/{one.pk}/remove",
        "/account/email",
        "/account/password",
        "/account/notifications",
        "/account/withdraw",
    ):
        assert f'href="{href}"' in page, href
    assert HANAKO.email in page
