"""Step 6: 使用者番号 + カナ氏名 against the ledger, and the limits around it."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_unlock_number
from waterportal.contracts.models import Link, NumberLock
from waterportal.testing import (
    TARO,
    WEDNESDAY,
    Portal,
    admin_sign_in,
    full_registration,
    mails_to,
    make_customer,
    make_member,
    make_operator,
    privacy,
    profile,
    register_until_code,
    verify,
)

MISMATCH = "使用者番号とカナ氏名の組み合わせを確認できませんでした"


@pytest.fixture
def at_step6(portal, clock):
    make_customer(portal.tenant, number="12345678", kana="ｷﾖｳｺ ﾔﾏﾀﾞ")
    make_customer(portal.tenant, number="55550000", kana="チュウシ タロウ", status="中止")
    portal.open_tenant()
    register_until_code(portal)
    verify(portal)
    profile(portal)
    return portal


def try_contract(portal, number, kana):
    return portal.post("/register/contract", {"number": number, "kana": kana, "agree": "on"})


@pytest.mark.parametrize(
    "number,kana",
    [
        ("12345678", "キョウコ ヤマダ"),
        ("1234-5678", "きょうこ やまだ"),
        ("１２３４－５６７８", "ｷﾖｳｺﾔﾏﾀﾞ"),
        (" 1234 5678 ", "キヨウコ・ヤマダ"),
    ],
)
def test_the_ledger_match_accepts_every_spelling_of_exchange_v1(at_step6, number, kana):
    assert try_contract(at_step6, number, kana).url == "/register/privacy"


@pytest.mark.parametrize(
    "number,kana",
    [("12345678", "ヤマダ ハナコ"), ("99999999", "キョウコ ヤマダ"), ("12345679", "ヤマダ ハナコ")],
)
def test_a_mismatch_gets_one_error_that_does_not_say_which_part_is_wrong(at_step6, number, kana):
    page = try_contract(at_step6, number, kana)
    assert MISMATCH in page.text
    assert "存在しません" not in page.text and "氏名が違" not in page.text


def test_the_mismatch_page_is_identical_for_a_known_and_an_unknown_number(at_step6):
    import re

    def comparable(page):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.text)
        return re.sub(r'name="number"[^>]*value="[^"]*"', "", text)

    known = try_contract(at_step6, "12345678", "ヤマダ ハナコ")
    unknown = try_contract(at_step6, "99999999", "ヤマダ ハナコ")
    assert comparable(known) == comparable(unknown)


def test_the_terms_must_be_agreed(at_step6):
    page = at_step6.post("/register/contract", {"number": "12345678", "kana": "キョウコ ヤマダ"})
    assert "「同意する」にチェック" in page.text


@pytest.mark.parametrize("kana", ["山田京子", "yamada", "<script>"])
def test_a_name_not_in_kana_says_how_to_type_it(at_step6, kana):
    page = try_contract(at_step6, "12345678", kana)
    assert "カタカナ" in page.text


def test_the_step_locks_for_an_hour_after_five_failures_and_shows_the_phone(at_step6, clock):
    for _ in range(4):
        assert MISMATCH in try_contract(at_step6, "12345678", "ヤマダ ハナコ").text
    page = try_contract(at_step6, "12345678", "ヤマダ ハナコ")
    assert "一時的に止めています" in page.text and at_step6.tenant.phone in page.text
    # Locked even for the right pair.
    assert "一時的に止めています" in try_contract(at_step6, "12345678", "キョウコ ヤマダ").text
    assert AuditEvent.objects.filter(action="link_step_locked").exists()
    clock.shift(dt.timedelta(hours=1, seconds=1))
    at_step6.open_tenant()
    register_until_code(at_step6)  # the flow itself expired meanwhile (30 minutes)
    verify(at_step6)
    profile(at_step6)
    assert try_contract(at_step6, "12345678", "キョウコ ヤマダ").url == "/register/privacy"


def test_the_lock_follows_the_address_into_a_new_flow(at_step6, clock):
    for _ in range(5):
        try_contract(at_step6, "12345678", "ヤマダ ハナコ")
    clock.shift(dt.timedelta(seconds=61))
    register_until_code(at_step6)
    verify(at_step6)
    profile(at_step6)
    assert "一時的に止めています" in try_contract(at_step6, "12345678", "キョウコ ヤマダ").text


def _lock_number_by_ten_wrong_names(tenant, capture):
    """Ten wrong names for 1234-5678, from throwaway sign-ups (three addresses)."""
    from django.test import Client

    browsers = []
    for i in range(3):
        browser = Portal(Client(), tenant, capture)
        browser.open_tenant()
        register_until_code(browser, f"attacker{i}@example.jp")
        verify(browser, f"attacker{i}@example.jp")
        profile(browser)
        browsers.append(browser)
    for attempt in range(10):
        try_contract(browsers[attempt // 4], "1234-5678", "ヤマダ ハナコ")


def _holder_at_step6(tenant, capture):
    from django.test import Client

    holder = Portal(Client(), tenant, capture)
    holder.open_tenant()
    register_until_code(holder)
    verify(holder)
    profile(holder)
    return holder


def test_a_locked_number_ends_by_itself_after_24_hours_and_the_holder_is_told_when(
    tenant, clock, django_capture_on_commit_callbacks
):
    """Found by probing: ten wrong names spread over throwaway sign-ups locked a number
    for ten years; numbers are sequential, so a whole town could be locked."""
    make_customer(tenant, number="12345678", kana="キョウコ ヤマダ")
    _lock_number_by_ten_wrong_names(tenant, django_capture_on_commit_callbacks)
    lock = NumberLock.objects.get(tenant=tenant, number="12345678")
    assert lock.until == WEDNESDAY + dt.timedelta(hours=24)

    clock.shift(dt.timedelta(hours=23, minutes=59))
    holder = _holder_at_step6(tenant, django_capture_on_commit_callbacks)
    page = try_contract(holder, "12345678", "キョウコ ヤマダ")  # the right name
    assert "止めています" in page.text
    assert "10時00分以降にもう一度お試し" in page.text, "when it ends (WEDNESDAY is 10:00 in Tokyo)"
    assert tenant.phone in page.text, "and whom to call"

    clock.shift(dt.timedelta(minutes=1, seconds=1))
    assert try_contract(holder, "12345678", "キョウコ ヤマダ").url == "/register/privacy"


def test_the_town_sets_how_long_a_number_stays_locked(
    tenant, clock, django_capture_on_commit_callbacks
):
    tenant.number_lock_hours = 2
    tenant.save(update_fields=["number_lock_hours"])
    make_customer(tenant, number="12345678", kana="キョウコ ヤマダ")
    _lock_number_by_ten_wrong_names(tenant, django_capture_on_commit_callbacks)
    clock.shift(dt.timedelta(hours=2, seconds=1))
    holder = _holder_at_step6(tenant, django_capture_on_commit_callbacks)
    assert try_contract(holder, "12345678", "キョウコ ヤマダ").url == "/register/privacy"


def test_a_number_locked_again_after_its_lock_ended_gets_a_new_lock(
    tenant, clock, django_capture_on_commit_callbacks
):
    make_customer(tenant, number="12345678", kana="キョウコ ヤマダ")
    _lock_number_by_ten_wrong_names(tenant, django_capture_on_commit_callbacks)
    clock.shift(dt.timedelta(days=2))
    _lock_number_by_ten_wrong_names(tenant, django_capture_on_commit_callbacks)
    first, second = NumberLock.objects.filter(tenant=tenant).order_by("locked_at")
    assert first.unlocked_at == first.until and first.unlocked_by is None, "ended by itself"
    assert second.unlocked_at is None and second.until == WEDNESDAY + dt.timedelta(days=3)


def test_ten_failures_on_one_number_lock_it_until_staff_unlock(
    tenant, clock, client, django_capture_on_commit_callbacks
):
    make_customer(tenant, number="12345678", kana="キョウコ ヤマダ")
    _lock_number_by_ten_wrong_names(tenant, django_capture_on_commit_callbacks)
    assert NumberLock.objects.filter(
        tenant=tenant, number="12345678", unlocked_at__isnull=True
    ).exists()
    assert AuditEvent.objects.filter(action="number_locked").exists()

    clock.shift(dt.timedelta(hours=2))
    victim = _holder_at_step6(tenant, django_capture_on_commit_callbacks)
    page = try_contract(victim, "12345678", "キョウコ ヤマダ")
    assert "ポータルからの登録を止めています" in page.text and tenant.phone in page.text
    # Staff see the ten wrong names and the try made while it was locked.
    assert NumberLock.objects.get(tenant=tenant, number="12345678").tries == 11

    staff = make_member(tenant, email="staff@example.jp")
    assert do_unlock_number(tenant, "1234-5678", actor=staff) == 1
    assert AuditEvent.objects.filter(action="number_unlocked", actor=staff).exists()
    assert try_contract(victim, "12345678", "キョウコ ヤマダ").url == "/register/privacy"


DAY = dt.timedelta(hours=24)


def test_staff_unlock_a_locked_number_in_the_admin(tenant, other_tenant, at_step6):
    from django.test import Client

    for number in ("12345678", "99990000"):
        NumberLock.objects.create(
            tenant=tenant, number=number, locked_at=WEDNESDAY, until=WEDNESDAY + DAY
        )
    elsewhere = NumberLock.objects.create(
        tenant=other_tenant, number="12345678", locked_at=WEDNESDAY, until=WEDNESDAY + DAY
    )
    assert (
        "ポータルからの登録を止めています"
        in try_contract(at_step6, "12345678", "キョウコ ヤマダ").text
    )

    operator = make_operator()
    staff = Client()  # the operator's own browser, not the resident's
    admin_sign_in(staff, operator)
    listing = staff.get("/admin/contracts/numberlock/?unlocked_at__isempty=1")
    assert listing.status_code == 200 and "12345678" in listing.text
    mine = NumberLock.objects.get(tenant=tenant, number="12345678")
    done = staff.post(
        "/admin/contracts/numberlock/",
        {"action": "unlock", "_selected_action": [mine.pk]},
        follow=True,
    )
    assert "1件のロックを解除しました" in done.text

    mine.refresh_from_db()
    assert mine.unlocked_by == operator and mine.unlocked_at is not None
    assert AuditEvent.objects.filter(action="number_unlocked", actor=operator).count() == 1
    assert NumberLock.objects.get(tenant=tenant, number="99990000").unlocked_at is None
    elsewhere.refresh_from_db()
    assert elsewhere.unlocked_at is None, "only the lock chosen, in its own town"
    assert try_contract(at_step6, "12345678", "キョウコ ヤマダ").url == "/register/privacy"


def test_the_confirmation_shows_the_number_and_name_tidied(at_step6):
    assert try_contract(at_step6, "１２３４ー５６７８", "ｷﾖｳｺ　ﾔﾏﾀﾞ").url == "/register/privacy"
    privacy(at_step6)
    page = at_step6.get("/register/confirm").text
    assert "<dd>1234-5678</dd>" in page and "<dd>キヨウコ ヤマダ</dd>" in page


def test_an_ended_contract_is_refused_with_whom_to_call(at_step6):
    page = try_contract(at_step6, "55550000", "チュウシ タロウ")
    assert "中止" in page.text and at_step6.tenant.phone in page.text


def test_another_tenants_contract_does_not_match(at_step6, other_tenant):
    make_customer(other_tenant, number="77770000", kana="ホカノ マチ")
    assert MISMATCH in try_contract(at_step6, "77770000", "ホカノ マチ").text


class TestOneSelfPerContract:
    def test_the_database_refuses_a_second_self_link(self, tenant):
        customer = make_customer(tenant)
        a, b = make_member(tenant, "a@example.jp"), make_member(tenant, "b@example.jp")
        now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
        Link.objects.create(
            tenant=tenant,
            member=a,
            customer=customer,
            relationship="本人",
            created_at=now,
            active_from=now.date(),
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Link.objects.create(
                tenant=tenant,
                member=b,
                customer=customer,
                relationship="本人",
                created_at=now,
                active_from=now.date(),
            )

    def test_a_second_member_links_as_family_and_the_first_is_told(
        self, portal, clock, django_capture_on_commit_callbacks
    ):
        from django.test import Client

        make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
        portal.open_tenant()
        full_registration(
            portal, email="first@example.jp", kana="スイドウ タロウ", number="12345678"
        )
        clock.shift(dt.timedelta(minutes=5))
        second = Portal(Client(), portal.tenant, django_capture_on_commit_callbacks)
        second.open_tenant()
        register_until_code(second, "second@example.jp")
        verify(second, "second@example.jp")
        profile(second)
        try_contract(second, "12345678", "スイドウ タロウ")
        refused = privacy(second, "本人")
        assert "すでに「本人」として登録されている方がいます" in refused.text
        assert privacy(second, "家族").url == "/register/confirm"
        assert second.post("/register/confirm").url == "/register/done"
        told = mails_to("first@example.jp")[-1]
        assert "家族" in told.body and "5678" in told.body
        assert "スイドウ" not in told.body  # no names in mail
        assert Link.objects.filter(customer__number="12345678").count() == 2

    def test_self_taken_between_confirm_and_register_sends_back_to_step_7(self, portal, clock):
        customer = make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
        portal.open_tenant()
        register_until_code(portal)
        verify(portal)
        profile(portal)
        try_contract(portal, "12345678", "スイドウ タロウ")
        privacy(portal, "本人")
        someone = make_member(portal.tenant, "someone@example.jp")
        Link.objects.create(
            tenant=portal.tenant,
            member=someone,
            customer=customer,
            relationship="本人",
            created_at=WEDNESDAY,
            active_from=WEDNESDAY.date(),
        )
        page = portal.post("/register/confirm", follow=True)
        assert page.redirect_chain[-1][0] == "/register/privacy"
        assert "すでに「本人」として登録されている方がいます" in page.text
        assert not User.objects.filter(email=TARO.email).exists()
