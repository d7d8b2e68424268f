"""Changing the password: the current one first; other sessions end, this one stays."""

import datetime as dt

import pytest
from django.test import Client

from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent
from waterportal.testing import (
    HANAKO,
    NEW_PASSWORD,
    STRONG_PASSWORD,
    Portal,
    change_password,
    mails_to,
    sign_in,
)

WRONG = "Wrong-Pass-123"


def test_the_member_changes_the_password_with_the_current_one(signed_in, member):
    page = change_password(signed_in)
    assert page.url == "/account"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and not member.check_password(STRONG_PASSWORD)
    assert AuditEvent.objects.filter(action="password_changed", member=member).count() == 1


def test_a_wrong_current_password_changes_nothing(signed_in, member):
    page = change_password(signed_in, current=WRONG)
    assert "今のパスワードが正しくありません" in page.text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)
    assert mails_to(HANAKO.email) == []


def test_the_member_is_told_by_email(signed_in):
    change_password(signed_in)
    (notice,) = mails_to(HANAKO.email)
    assert "パスワードを変更しました" in notice.subject and "ほかの端末" in notice.body
    assert NEW_PASSWORD not in notice.body


def test_other_sessions_end_and_this_one_stays(signed_in, django_capture_on_commit_callbacks):
    phone = Portal(Client(), signed_in.tenant, django_capture_on_commit_callbacks)
    sign_in(phone)
    assert phone.get("/account").status_code == 200
    change_password(signed_in)
    assert signed_in.get("/account").status_code == 200
    ended = phone.get("/account")
    assert ended.status_code == 302 and ended.url.startswith("/login")


def test_the_new_password_follows_the_same_rules_as_registration(signed_in, member):
    assert "よく使われていて" in change_password(signed_in, new="Password1").text
    assert "8文字以上" in change_password(signed_in, new="Ab1").text
    assert "大文字（A〜Z）" in change_password(signed_in, new="kawa-nagare-77").text
    assert "メールアドレスと同じ文字列" in change_password(signed_in, new="Hanako-2026x").text
    assert "一致しません" in change_password(signed_in, again="Kawa-Nagare-78").text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)


@pytest.mark.parametrize("field", ["current_password", "password1", "password2"])
def test_10000_characters_get_a_field_error(signed_in, member, field):
    data = {
        "current_password": STRONG_PASSWORD,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data[field] = "Aa1" + "x" * 10_000
    page = signed_in.post("/account/password", data)
    assert page.status_code == 200 and "errorlist" in page.text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)


def test_empty_fields_each_say_what_to_type(signed_in):
    page = signed_in.post("/account/password", {}).text
    assert "今のパスワードを入力してください" in page
    assert "パスワードを入力してください" in page and "確認用のパスワードを入力してください" in page


def test_wrong_current_passwords_count_towards_the_login_lock(signed_in, portal, clock):
    for _ in range(9):
        assert "今のパスワードが正しくありません" in change_password(signed_in, current=WRONG).text
    locked = change_password(signed_in, current=WRONG).text
    assert "しばらくこの手続きとログインができません" in locked and "10時15分以降" in locked
    # Locked even with the right password, here and on the login page.
    assert "しばらく" in change_password(signed_in).text
    assert User.objects.get(email=HANAKO.email).check_password(STRONG_PASSWORD)
    portal.post("/logout")
    assert (
        "しばらくログインできません"
        in portal.post("/login", {"email": HANAKO.email, "password": STRONG_PASSWORD}).text
    )
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    sign_in(portal)
    assert change_password(portal).url == "/account"


def test_failed_logins_and_wrong_current_passwords_add_up(signed_in, portal, clock):
    portal.post("/logout")
    for _ in range(5):
        portal.post("/login", {"email": HANAKO.email, "password": WRONG})
    sign_in(portal)  # a success clears the count, as on the login page
    for _ in range(9):
        change_password(portal, current=WRONG)
    portal.post("/logout")
    portal.post("/login", {"email": HANAKO.email, "password": WRONG})
    assert (
        "しばらくログインできません"
        in portal.post("/login", {"email": HANAKO.email, "password": STRONG_PASSWORD}).text
    )
