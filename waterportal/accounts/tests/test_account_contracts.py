"""Several contracts in one account: add another 使用者番号, remove a link."""

import datetime as dt
import re

import pytest

from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_link_contract
from waterportal.contracts.models import Customer, Link
from waterportal.testing import HANAKO, WEDNESDAY, mails_to, make_customer, make_member, sign_in

MISMATCH = "使用者番号とカナ氏名の組み合わせを確認できませんでした"


@pytest.fixture
def first(member):
    """The contract the member registered with."""
    customer = make_customer(member.tenant, number="11112222", kana="スイドウ ハナコ")
    return do_link_contract(member, customer, "本人", now=WEDNESDAY - dt.timedelta(days=30))


@pytest.fixture
def second(tenant):
    return make_customer(
        tenant, number="33334444", kana="スイドウ タロウ", address="おうむ町川端5-6"
    )


def check(portal, number="3333-4444", kana="すいどう たろう"):
    return portal.post("/account/contracts/add", {"number": number, "kana": kana})


def choose(portal, relationship="家族"):
    return portal.post("/account/contracts/add/relationship", {"relationship": relationship})


def test_a_member_adds_a_second_contract_visible_from_the_next_business_day(
    signed_in, member, first, second
):
    assert check(signed_in).url == "/account/contracts/add/relationship"
    page = signed_in.get("/account/contracts/add/relationship").text
    assert "••••4444" in page and "おうむ町川端5-6" in page
    for choice in ("本人", "家族", "代理人", "その他"):
        assert choice in page
    done = choose(signed_in, "家族")
    assert done.url == "/account"
    added = Link.objects.get(member=member, customer=second)
    assert added.relationship == "家族" and added.active_from == dt.date(2026, 11, 26)
    account = signed_in.get("/account").text
    assert "2026年11月26日（木）から確認できます" in account
    assert "••••2222" in account and "準備中（2026年11月26日（木）から表示します）" in account


def test_adding_uses_the_same_number_and_kana_spellings_as_registration(signed_in, second):
    assert check(signed_in, number="３３３３－４４４４", kana="ｽｲﾄﾞｳ ﾀﾛｳ").status_code == 302


def test_a_wrong_pair_gets_the_registration_message_that_does_not_say_which_part(signed_in, second):
    page = check(signed_in, kana="ヤマダ ハナコ")
    assert MISMATCH in page.text
    assert not Link.objects.filter(customer=second).exists()


def test_bad_input_gets_clear_field_errors(signed_in):
    page = signed_in.post("/account/contracts/add", {"number": "abc", "kana": "山田"}).text
    assert "使用者番号は数字で入力してください" in page and "カタカナ" in page
    empty = signed_in.post("/account/contracts/add", {}).text
    assert "使用者番号を入力してください" in empty and "カナ氏名を入力してください" in empty


def test_five_wrong_pairs_lock_adding_for_an_hour_like_registration(signed_in, second, clock):
    for _ in range(4):
        assert MISMATCH in check(signed_in, kana="ヤマダ ハナコ").text
    locked = check(signed_in, kana="ヤマダ ハナコ").text
    assert "一時的に止めています" in locked and signed_in.tenant.phone in locked
    assert "一時的に止めています" in check(signed_in).text  # even the right pair
    assert AuditEvent.objects.filter(action="link_step_locked").exists()
    clock.shift(dt.timedelta(hours=1, seconds=1))
    sign_in(signed_in)  # the session ended after 30 idle minutes
    assert check(signed_in).url == "/account/contracts/add/relationship"


def test_the_limit_follows_the_member_across_sessions(
    signed_in, second, django_capture_on_commit_callbacks
):
    from django.test import Client

    from waterportal.testing import Portal

    for _ in range(5):
        check(signed_in, kana="ヤマダ ハナコ")
    phone = Portal(Client(), signed_in.tenant, django_capture_on_commit_callbacks)
    sign_in(phone)
    assert "一時的に止めています" in check(phone).text


def test_a_contract_already_in_the_account_gets_a_clear_message(signed_in, first):
    page = check(signed_in, number="1111-2222", kana="スイドウ ハナコ")
    assert "すでにこのアカウントに登録されています" in page.text
    assert Link.objects.filter(customer=first.customer).count() == 1


def test_self_is_refused_when_someone_else_is_already_self(signed_in, tenant, second):
    do_link_contract(make_member(tenant, email="taro@example.jp"), second, "本人", now=WEDNESDAY)
    check(signed_in)
    page = choose(signed_in, "本人")
    assert "すでに「本人」として登録されている方がいます" in page.text
    assert choose(signed_in, "代理人").url == "/account"


def test_the_members_already_linked_are_told_by_email(signed_in, tenant, second):
    do_link_contract(make_member(tenant, email="taro@example.jp"), second, "本人", now=WEDNESDAY)
    check(signed_in)
    choose(signed_in, "家族")
    (told,) = mails_to("taro@example.jp")
    assert "••••4444" in told.body and "家族" in told.body
    assert mails_to(HANAKO.email) == []


def test_the_relationship_step_needs_a_checked_contract(signed_in, second):
    assert signed_in.get("/account/contracts/add/relationship").url == "/account/contracts/add"
    assert choose(signed_in).url == "/account/contracts/add"
    assert not Link.objects.filter(customer=second).exists()


def test_a_checked_contract_waits_30_minutes_for_the_relationship(signed_in, second, clock):
    check(signed_in)
    clock.shift(dt.timedelta(minutes=29))
    assert signed_in.get("/account/contracts/add/relationship").status_code == 200
    clock.shift(dt.timedelta(minutes=2))
    page = choose(signed_in)
    assert page.url == "/account/contracts/add"
    assert "30分が過ぎた" in signed_in.get("/account/contracts/add").text
    assert not Link.objects.filter(customer=second).exists()


def test_an_invalid_relationship_gets_a_field_error(signed_in, second):
    check(signed_in)
    assert "一覧から選んでください" in choose(signed_in, "x" * 10_000).text
    assert "関係を選んでください" in signed_in.post("/account/contracts/add/relationship", {}).text


# --- Removing a link ------------------------------------------------------------------------


def test_the_remove_page_says_only_the_members_view_goes_away(signed_in, first):
    page = signed_in.get(f"/account/contracts/{first.pk}/remove")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "••••2222" in page.text
    assert "削除されず" in page.text and "あなたの画面での表示だけ" in page.text
    first.refresh_from_db()
    assert first.revoked_at is None  # looking changes nothing


def test_removing_a_link_hides_the_contract_and_keeps_the_ledger(signed_in, member, first):
    done = signed_in.post(f"/account/contracts/{first.pk}/remove", follow=True)
    assert done.redirect_chain[-1][0] == "/account"
    assert "一覧から外しました" in done.text
    assert "••••2222" not in done.text.split("一覧から外しました")[1]
    first.refresh_from_db()
    assert first.revoked_at == WEDNESDAY
    assert Customer.objects.filter(pk=first.customer_id).exists()
    assert AuditEvent.objects.filter(action="link_revoked", member=member).count() == 1


def test_another_members_link_is_404(signed_in, tenant):
    customer = make_customer(tenant, number="99990000")
    theirs = do_link_contract(make_member(tenant, email="other@example.jp"), customer, "本人")
    assert signed_in.get(f"/account/contracts/{theirs.pk}/remove").status_code == 404
    assert signed_in.post(f"/account/contracts/{theirs.pk}/remove").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_removed_or_unknown_link_is_404(signed_in, first):
    signed_in.post(f"/account/contracts/{first.pk}/remove")
    assert signed_in.post(f"/account/contracts/{first.pk}/remove").status_code == 404
    assert signed_in.get("/account/contracts/999999/remove").status_code == 404
    assert signed_in.get("/account/contracts/" + "9" * 30 + "/remove").status_code == 404


def test_the_member_can_add_a_removed_contract_again(signed_in, member, first, clock):
    signed_in.post(f"/account/contracts/{first.pk}/remove")
    clock.shift(dt.timedelta(days=1))
    sign_in(signed_in)
    assert check(signed_in, number="11112222", kana="スイドウ ハナコ").status_code == 302
    assert choose(signed_in, "本人").url == "/account"
    again = Link.objects.get(member=member, customer=first.customer, revoked_at__isnull=True)
    assert again.pk != first.pk and again.active_from == dt.date(2026, 11, 27)


def test_each_remove_button_is_read_with_its_contracts_number(signed_in, member, first, second):
    other = do_link_contract(member, second, "家族", now=WEDNESDAY - dt.timedelta(days=30))
    page = signed_in.get("/account").text
    for link, shown in ((first, "••••2222"), (other, "••••4444")):
        number = re.search(rf'<dd id="contract-number-{link.pk}">([^<]+)</dd>', page)
        assert number and number.group(1) == shown
        assert re.search(
            rf'href="/account/contracts/{link.pk}/remove"[^>]*'
            rf'aria-describedby="contract-number-{link.pk}"',
            page,
        )
