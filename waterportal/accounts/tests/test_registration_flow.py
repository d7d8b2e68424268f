"""Registration exactly as the town's guide shows it, steps 1–9."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from waterportal.accounts.models import SignupFlow, User, VerificationCode
from waterportal.contracts.models import Link
from waterportal.testing import (
    STRONG_PASSWORD,
    TARO,
    WEDNESDAY,
    Portal,
    code_from_mail,
    contract,
    full_registration,
    mails_to,
    make_customer,
    make_member,
    privacy,
    profile,
    register_until_code,
    verify,
)


@pytest.fixture
def customer(tenant):
    return make_customer(tenant, number="12345678", kana="スイドウ タロウ")


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_guide_from_login_page_to_completion(portal, customer):
    login_page = portal.get("/login")
    assert "初めての方はこちら" in login_page.text

    step2 = portal.get("/register")
    assert "メールアドレス" in step2.text and "認証コードの送信" in step2.text

    step3 = portal.post("/register", {"email": TARO.email}, follow=True)
    assert step3.redirect_chain[-1][0] == "/register/code"
    assert "迷惑メールフォルダ" in step3.text and "メールアドレスの確認" in step3.text
    assert "認証コードを再送信" in step3.text and "メールアドレスを修正する" in step3.text
    assert 'action="/register/resend"' in step3.text and 'href="/register?fix=1"' in step3.text
    (message,) = mails_to(TARO.email)
    assert "10分" in message.body and "お心当たりがない場合" in message.body

    step5 = portal.post("/register/code", {"code": code_from_mail(TARO.email)}, follow=True)
    assert "会員情報を入力します①" in step5.text
    assert "大文字" in step5.text and "8文字以上" in step5.text
    assert 'autocomplete="new-password"' in step5.text

    step6 = profile(portal)
    assert step6.url == "/register/contract"
    page6 = portal.get("/register/contract")
    assert "使用者番号" in page6.text and "カナ氏名" in page6.text and "利用規約" in page6.text
    assert "第1条" in page6.text  # the terms are on the page in full

    assert contract(portal).url == "/register/privacy"
    page7 = portal.get("/register/privacy")
    assert "個人情報の取り扱い" in page7.text
    for choice in ("本人", "家族", "代理人", "その他"):
        assert choice in page7.text
    assert "確認" in page7.text

    assert privacy(portal).url == "/register/confirm"
    page8 = portal.get("/register/confirm")
    assert TARO.email in page8.text and "水道 太郎" in page8.text and "1234-5678" in page8.text
    assert STRONG_PASSWORD not in page8.text
    assert ">登録</button>" in page8.text

    done = portal.post("/register/confirm", follow=True)
    assert "登録は完了です" in done.text
    # Registered on Wednesday 2026-11-25: visible from Thursday 2026-11-26.
    assert "2026年11月26日（木）" in done.text

    member = User.objects.get(tenant=portal.tenant, email=TARO.email)
    assert member.check_password(STRONG_PASSWORD)
    assert member.password.startswith("argon2")
    link = Link.objects.get(member=member)
    assert link.customer == customer and link.relationship == "本人"
    assert link.active_from == dt.date(2026, 11, 26)
    completion = mails_to(TARO.email)[-1]
    assert "登録が完了" in completion.subject and "2026年11月26日" in completion.body


@time_machine.travel(dt.datetime(2026, 12, 28, 8, 0, tzinfo=dt.UTC), tick=False)
def test_completion_date_skips_the_year_end_closure(portal, customer):
    portal.open_tenant()  # the fixture's session was opened a month earlier
    done = full_registration(portal)
    assert done.url == "/register/done"
    assert "2027年1月4日（月）" in portal.get("/register/done").text


@time_machine.travel(WEDNESDAY, tick=False)
def test_then_the_member_logs_in_and_sees_from_when_usage_appears(portal, customer):
    full_registration(portal)
    home = portal.post("/login", {"email": TARO.email, "password": STRONG_PASSWORD}, follow=True)
    assert home.redirect_chain[-1][0] == "/"
    assert "2026年11月26日（木）" in home.text and "準備" in home.text
    assert "no-store" in home["Cache-Control"]


@time_machine.travel(WEDNESDAY, tick=False)
def test_going_back_keeps_what_was_entered(portal, customer):
    register_until_code(portal)
    verify(portal)
    profile(portal, name="水道 太郎")
    contract(portal)
    back = portal.get("/register/profile")
    assert 'value="水道 太郎"' in back.text
    assert "パスワードは入力済みです" in back.text
    # Moving on without retyping the password keeps it.
    assert portal.post("/register/profile", {"name": "水道 太郎"}).url == "/register/contract"
    page = portal.get("/register/contract")
    assert 'value="1234-5678"' in page.text and 'value="すいどう たろう"' in page.text


def test_a_step_cannot_be_skipped(portal, customer):
    register_until_code(portal)
    assert portal.get("/register/confirm").url == "/register/code"
    verify(portal)
    assert portal.get("/register/privacy").url == "/register/profile"


def test_a_flow_left_for_more_than_30_minutes_restarts_at_step_2(portal, customer):
    with time_machine.travel(WEDNESDAY, tick=False) as clock:
        register_until_code(portal)
        verify(portal)
        clock.shift(dt.timedelta(minutes=29))
        assert portal.get("/register/profile").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        page = portal.get("/register/profile", follow=True)
    assert page.redirect_chain[-1][0] == "/register"
    assert "30分" in page.text and "最初から" in page.text


def test_a_corrected_address_gets_a_new_code(portal, customer):
    register_until_code(portal, "wrong@example.jp")
    fix = portal.get("/register?fix=1")
    assert 'value="wrong@example.jp"' in fix.text
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        register_until_code(portal, TARO.email)
        assert verify(portal, TARO.email).url == "/register/profile"


@time_machine.travel(WEDNESDAY, tick=False)
def test_double_click_on_register_makes_exactly_one_account(portal, customer):
    register_until_code(portal)
    verify(portal)
    profile(portal)
    contract(portal)
    privacy(portal)
    first = portal.post("/register/confirm")
    second = portal.post("/register/confirm")
    assert first.url == second.url == "/register/done"
    assert portal.get("/register/confirm").url == "/register/done"
    assert User.objects.filter(email=TARO.email).count() == 1
    assert Link.objects.count() == 1
    assert len([m for m in mails_to(TARO.email) if "登録が完了" in m.subject]) == 1


def test_two_browsers_registering_one_address_make_one_account(
    portal, customer, django_capture_on_commit_callbacks
):
    second = Portal(Client(), portal.tenant, django_capture_on_commit_callbacks)
    second.open_tenant()
    make_customer(portal.tenant, number="87654321", kana="スイドウ ハナコ")
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        for browser in (portal, second):
            register_until_code(browser)
            assert verify(browser).url == "/register/profile"
            profile(browser)
            clock.shift(dt.timedelta(seconds=61))
    contract(portal)
    contract(second, number="87654321", kana="スイドウ ハナコ")
    privacy(portal)
    privacy(second)
    assert portal.post("/register/confirm").url == "/register/done"
    refused = second.post("/register/confirm")
    assert "すでに登録が済んでいます" in refused.text
    assert User.objects.filter(email=TARO.email).count() == 1


def test_what_was_typed_is_not_kept_after_completion(portal, customer):
    full_registration(portal)
    flow = SignupFlow.objects.get()
    assert "password_hash" not in flow.data and "kana" not in flow.data
    assert all(not row.delivered or row.used_at for row in VerificationCode.objects.all())


def test_the_same_address_registers_separately_in_two_municipalities(
    portal, other_portal, customer
):
    make_customer(other_portal.tenant, number="12345678", kana="スイドウ タロウ")
    full_registration(portal)
    mail.outbox.clear()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        assert full_registration(other_portal).url == "/register/done"
    assert User.objects.filter(email=TARO.email).count() == 2


def test_a_registered_address_is_told_it_has_an_account(portal, customer):
    make_member(portal.tenant, email=TARO.email)
    page = register_until_code(portal)
    assert page.url == "/register/code"
    (message,) = mails_to(TARO.email)
    assert "登録済み" in message.subject
    assert "/login?tenant=oumu" in message.body and "/password-reset?tenant=oumu" in message.body
    assert "認証コード:" not in message.body


def test_one_source_address_gets_20_registration_codes_an_hour_then_none(
    portal, tenant, django_capture_on_commit_callbacks
):
    with time_machine.travel(WEDNESDAY, tick=False) as clock:
        for i in range(19):
            assert register_until_code(portal, f"taro{i}@example.jp").url == "/register/code"
        clock.shift(dt.timedelta(seconds=61))
        assert portal.post("/register/resend").url == "/register/code"  # the 20th
        page = register_until_code(portal)
        assert page.status_code == 200 and "しばらく送信できません" in page.text
        assert mails_to(TARO.email) == []

        elsewhere = Portal(
            Client(REMOTE_ADDR="192.0.2.7"), tenant, django_capture_on_commit_callbacks
        )
        elsewhere.open_tenant()
        assert register_until_code(elsewhere).url == "/register/code"
        assert len(mails_to(TARO.email)) == 1


# A Japanese keyboard left in full-width mode types ＠ and full-width letters; so does a
# PC whose input method is on. Such an address is the one the resident means.
FULL_WIDTH_EMAIL = "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｊｐ\u3000"


def test_an_address_typed_in_full_width_gets_its_code(portal, customer):
    page = register_until_code(portal, FULL_WIDTH_EMAIL)
    assert page.url == "/register/code"
    assert TARO.email in portal.get("/register/code").text
    assert verify(portal, TARO.email).url == "/register/profile"
