"""Password reset by an emailed code."""

import datetime as dt

import time_machine
from django.test import Client

from waterportal.accounts.models import User
from waterportal.testing import STRONG_PASSWORD, Portal, code_from_mail, mails_to, make_member

NEW = "Kawa-Nagare-77"


def test_a_member_resets_the_password_with_the_emailed_code(portal, member):
    assert (
        portal.post("/password-reset", {"email": "hanako@example.jp"}).url == "/password-reset/code"
    )
    code = code_from_mail("hanako@example.jp")
    page = portal.post(
        "/password-reset/code", {"code": code, "password1": NEW, "password2": NEW}, follow=True
    )
    assert "パスワードを変更しました" in page.text
    member.refresh_from_db()
    assert member.check_password(NEW) and not member.check_password(STRONG_PASSWORD)
    assert "パスワードを変更しました" in mails_to("hanako@example.jp")[-1].subject
    assert portal.post("/login", {"email": "hanako@example.jp", "password": NEW}).url == "/"


def test_an_unknown_address_gets_the_same_pages_and_no_mail(portal, member):
    known = portal.post("/password-reset", {"email": "hanako@example.jp"})
    unknown = portal.post("/password-reset", {"email": "nobody@example.jp"})
    assert known.url == unknown.url
    assert mails_to("nobody@example.jp") == []
    page = portal.post(
        "/password-reset/code", {"code": "123456", "password1": NEW, "password2": NEW}
    )
    assert "認証コードが正しくありません" in page.text


def test_the_reset_code_follows_the_same_rules(portal, member):
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    for _ in range(5):
        portal.post(
            "/password-reset/code",
            {
                "code": "000000" if code != "000000" else "111111",
                "password1": NEW,
                "password2": NEW,
            },
        )
    page = portal.post("/password-reset/code", {"code": code, "password1": NEW, "password2": NEW})
    assert "5回まちがえた" in page.text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)


def test_the_new_password_must_follow_the_rules(portal, member):
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    page = portal.post(
        "/password-reset/code", {"code": code, "password1": "Password1", "password2": "Password1"}
    )
    assert "よく使われていて" in page.text


def test_a_reset_ends_the_members_other_sessions(
    portal, member, client, django_capture_on_commit_callbacks
):
    phone = Portal(Client(), portal.tenant, django_capture_on_commit_callbacks)
    phone.open_tenant()
    phone.post("/login", {"email": "hanako@example.jp", "password": STRONG_PASSWORD})
    assert phone.get("/").status_code == 200
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    portal.post("/password-reset/code", {"code": code, "password1": NEW, "password2": NEW})
    signed_out = phone.get("/", follow=True)
    assert signed_out.redirect_chain[-1][0].startswith("/login")
    assert portal.tenant.name in signed_out.text  # still their own town's login page


def test_reset_resend_is_limited_like_registration(portal, member):
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC), tick=False):
        portal.open_tenant()
        portal.post("/password-reset", {"email": "hanako@example.jp"})
        page = portal.post("/password-reset/resend", follow=True)
    assert "1分に1回" in page.text
    assert len(mails_to("hanako@example.jp")) == 1


def test_a_reset_in_one_municipality_does_not_touch_the_other(portal, other_portal, member):
    other = make_member(other_portal.tenant, email="hanako@example.jp")
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    page = other_portal.post(
        "/password-reset/code", {"code": code, "password1": NEW, "password2": NEW}
    )
    assert page.status_code == 302 and page.url == "/password-reset"
    other_portal.post("/password-reset", {"email": "hanako@example.jp"})
    page = other_portal.post(
        "/password-reset/code", {"code": code, "password1": NEW, "password2": NEW}
    )
    other.refresh_from_db()
    assert other.check_password(STRONG_PASSWORD)
    assert User.objects.get(pk=member.pk).check_password(STRONG_PASSWORD)


def test_one_source_address_gets_20_reset_requests_an_hour_then_none(
    portal, member, tenant, django_capture_on_commit_callbacks
):
    """Else one machine could have codes mailed to address after address, and guess at each."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        for i in range(20):
            assert (
                portal.post("/password-reset", {"email": f"guess{i}@example.jp"}).status_code == 302
            )
        page = portal.post("/password-reset", {"email": "hanako@example.jp"})
        assert page.status_code == 200
        assert "しばらく送信できません" in page.text and "11時00分以降" in page.text
        assert mails_to("hanako@example.jp") == []
        portal.post("/password-reset/resend")
        assert mails_to("hanako@example.jp") == []

        elsewhere = Portal(
            Client(REMOTE_ADDR="192.0.2.7"), tenant, django_capture_on_commit_callbacks
        )
        elsewhere.open_tenant()
        assert elsewhere.post("/password-reset", {"email": "hanako@example.jp"}).status_code == 302
        assert len(mails_to("hanako@example.jp")) == 1

        clock.shift(dt.timedelta(hours=1, minutes=1))
        portal.open_tenant()
        assert portal.post("/password-reset", {"email": "guess0@example.jp"}).status_code == 302


def test_an_address_typed_in_full_width_gets_the_reset_code(portal, member):
    page = portal.post("/password-reset", {"email": "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ"})
    assert page.url == "/password-reset/code"
    assert len(mails_to("hanako@example.jp")) == 1
