"""Changing the email address: a code to the new address, then the old one is told."""

import datetime as dt

import pytest

from waterportal.accounts.models import User, VerificationCode
from waterportal.audit.models import AuditEvent
from waterportal.testing import (
    HANAKO,
    STRONG_PASSWORD,
    WEDNESDAY,
    code_from_mail,
    html_of,
    mails_to,
    make_member,
)

NEW = "hanako.new@example.jp"


def ask(portal, email=NEW, password=STRONG_PASSWORD):
    return portal.post("/account/email", {"email": email, "current_password": password})


def enter(portal, code):
    return portal.post("/account/email/code", {"code": code})


def test_the_code_goes_to_the_new_address_and_then_the_address_changes(signed_in, member):
    assert ask(signed_in).url == "/account/email/code"
    page = signed_in.get("/account/email/code").text
    assert NEW in page and "10分" in page
    assert User.objects.get(pk=member.pk).email == HANAKO.email  # nothing changes before the code
    (code_mail,) = mails_to(NEW)
    assert "メールアドレス変更の認証コード" in code_mail.subject
    done = enter(signed_in, code_from_mail(NEW))
    assert done.url == "/account"
    assert User.objects.get(pk=member.pk).email == NEW
    assert NEW in signed_in.get("/account").text


def test_the_old_address_is_told_of_the_change_without_the_code(signed_in):
    ask(signed_in)
    code = code_from_mail(NEW)
    assert mails_to(HANAKO.email) == []
    enter(signed_in, code)
    (notice,) = mails_to(HANAKO.email)
    assert "メールアドレスを変更しました" in notice.subject
    assert "2026年11月25日 10時00分" in notice.body
    assert code not in notice.body and code not in html_of(notice)
    assert NEW not in notice.body  # the old address need not learn the new one


def test_the_change_is_audited_without_any_address(signed_in, member):
    ask(signed_in)
    enter(signed_in, code_from_mail(NEW))
    event = AuditEvent.objects.get(action="email_changed")
    assert event.member_id == member.pk
    assert HANAKO.email not in str(event.data) and NEW not in str(event.data)


def test_after_the_change_the_member_logs_in_with_the_new_address(signed_in, portal):
    ask(signed_in)
    enter(signed_in, code_from_mail(NEW))
    portal.post("/logout")
    assert portal.post("/login", {"email": NEW, "password": STRONG_PASSWORD}).url == "/"
    portal.post("/logout")
    refused = portal.post("/login", {"email": HANAKO.email, "password": STRONG_PASSWORD})
    assert "正しくありません" in refused.text


def test_a_wrong_current_password_sends_no_code(signed_in):
    page = ask(signed_in, password="Wrong-Pass-123")
    assert "今のパスワードが正しくありません" in page.text
    assert mails_to(NEW) == []


def test_the_same_address_as_now_is_refused(signed_in):
    page = ask(signed_in, email=" HANAKO@example.jp ")
    assert "今お使いのメールアドレスと同じです" in page.text
    assert mails_to(HANAKO.email) == []


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"email": "", "current_password": STRONG_PASSWORD},
            "新しいメールアドレスを入力してください",
        ),
        (
            {"email": "not-an-address", "current_password": STRONG_PASSWORD},
            "メールアドレスの形が正しくありません",
        ),
        ({"email": NEW, "current_password": ""}, "今のパスワードを入力してください"),
        ({"email": "a" * 10_000 + "@example.jp", "current_password": STRONG_PASSWORD}, "errorlist"),
        ({"email": NEW, "current_password": "x" * 10_000}, "パスワードが長すぎます"),
    ],
)
def test_bad_input_gets_a_clear_field_error(signed_in, data, message):
    page = signed_in.post("/account/email", data)
    assert page.status_code == 200 and message in page.text


def test_an_address_registered_here_gets_a_code_and_is_refused_only_after_it(
    signed_in, member, tenant
):
    make_member(tenant, email=NEW, name="別の人")
    assert ask(signed_in).url == "/account/email/code"  # the same answer as for a free address
    code = code_from_mail(NEW)
    page = enter(signed_in, code)
    assert page.url == "/account/email"
    refused = signed_in.get("/account/email").text
    assert "すでにほかのアカウントで使われている" in refused and "変わっていません" in refused
    assert User.objects.get(pk=member.pk).email == HANAKO.email
    assert mails_to(HANAKO.email) == []  # nothing changed, nothing to tell


def test_an_address_of_another_municipality_can_be_used(signed_in, member, other_tenant):
    make_member(other_tenant, email=NEW)
    ask(signed_in)
    assert enter(signed_in, code_from_mail(NEW)).url == "/account"
    assert User.objects.get(pk=member.pk).email == NEW


def test_a_wrong_code_says_how_many_tries_remain_and_five_kill_it(signed_in, member):
    ask(signed_in)
    code = code_from_mail(NEW)
    wrong = "000000" if code != "000000" else "111111"
    assert "あと4回" in enter(signed_in, wrong).text
    for _ in range(4):
        enter(signed_in, wrong)
    assert "5回まちがえた" in enter(signed_in, code).text
    assert User.objects.get(pk=member.pk).email == HANAKO.email


def test_the_code_expires_after_10_minutes(signed_in, member, clock):
    ask(signed_in)
    code = code_from_mail(NEW)
    clock.shift(dt.timedelta(minutes=10, seconds=1))
    assert "有効期限（10分）が過ぎました" in enter(signed_in, code).text
    assert User.objects.get(pk=member.pk).email == HANAKO.email


def test_a_double_submit_changes_the_address_once(signed_in, member):
    ask(signed_in)
    code = code_from_mail(NEW)
    assert enter(signed_in, code).url == "/account"
    assert enter(signed_in, code).url == "/account/email"  # nothing pending any more
    assert VerificationCode.objects.get(email=NEW).used_at == WEDNESDAY
    assert AuditEvent.objects.filter(action="email_changed").count() == 1
    assert len(mails_to(HANAKO.email)) == 1


def test_resending_is_limited_to_once_a_minute_and_voids_the_old_code(signed_in, clock):
    ask(signed_in)
    first = code_from_mail(NEW)
    too_soon = signed_in.post("/account/email/resend", follow=True)
    assert "1分に1回" in too_soon.text and len(mails_to(NEW)) == 1
    clock.shift(dt.timedelta(seconds=61))
    resent = signed_in.post("/account/email/resend", follow=True)
    assert "新しい認証コードを送信しました" in resent.text
    second = code_from_mail(NEW)
    if first != second:  # one chance in a million that they are the same
        assert "認証コードが正しくありません" in enter(signed_in, first).text
    assert enter(signed_in, second).url == "/account"


def test_at_most_five_codes_an_hour_to_one_address(signed_in, clock):
    for _ in range(5):
        ask(signed_in)
        clock.shift(dt.timedelta(seconds=61))
    page = ask(signed_in)
    assert "しばらく送信できません" in page.text
    assert len(mails_to(NEW)) == 5


def test_the_code_page_without_a_request_goes_back_to_the_form(signed_in):
    assert signed_in.get("/account/email/code").url == "/account/email"
    assert signed_in.post("/account/email/resend").url == "/account/email"


def test_the_code_field_rejects_anything_but_six_digits(signed_in):
    ask(signed_in)
    assert "6桁の数字" in enter(signed_in, "x" * 10_000).text
    assert "6桁の数字" in enter(signed_in, "12345").text


def test_a_new_address_typed_in_full_width_gets_the_code(signed_in):
    assert (
        ask(signed_in, email="ｈａｎａｋｏ．ｎｅｗ＠ｅｘａｍｐｌｅ．ｊｐ").url
        == "/account/email/code"
    )
    assert len(mails_to(NEW)) == 1
