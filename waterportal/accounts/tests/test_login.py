"""Login, logout, login limits and session lifetime."""

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import get_hasher

from waterportal.audit.models import AuditEvent
from waterportal.testing import (
    STRONG_PASSWORD,
    Portal,
    code_from_mail,
    is_signed_in,
    mails_to,
    make_operator,
)

FAILED = "メールアドレスまたはパスワードが正しくありません"


def login(portal, email="hanako@example.jp", password=STRONG_PASSWORD, **extra):
    return portal.post("/login", {"email": email, "password": password}, **extra)


def test_login_with_email_and_password_opens_the_home_page(portal, member):
    page = login(portal, follow=True)
    assert page.redirect_chain[-1][0] == "/"
    assert "水道 花子 様" in page.text


def test_the_address_is_case_insensitive(portal, member):
    assert login(portal, email="  Hanako@EXAMPLE.jp ").url == "/"


def test_login_rotates_the_session_id(portal, member):
    before = portal.client.session.session_key
    login(portal)
    assert portal.client.session.session_key != before


def test_wrong_password_and_unknown_address_get_the_same_answer(portal, member):
    wrong = login(portal, password="Wrong-Pass-123")
    unknown = login(portal, email="nobody@example.jp")
    assert FAILED in wrong.text and FAILED in unknown.text
    assert wrong.status_code == unknown.status_code == 200


def test_an_unknown_address_still_runs_the_password_hasher(portal, member, monkeypatch):
    """Equal work for both, so the response time does not tell who is registered."""
    hasher = get_hasher("argon2")
    calls: list[int] = []
    original = type(hasher).encode

    def counted(self, *a):
        calls.append(1)
        return original(self, *a)

    monkeypatch.setattr(type(hasher), "encode", counted)
    login(portal, email="nobody@example.jp")
    assert calls, "no hashing for an unknown address: timing would reveal it"


def test_a_member_cannot_log_in_to_another_municipality(other_portal, member):
    assert FAILED in login(other_portal).text


def test_logout_ends_the_session(portal, member):
    login(portal)
    page = portal.post("/logout", follow=True)
    assert "ログアウトしました" in page.text
    assert portal.get("/").url.startswith("/login")


def test_the_operator_logging_out_on_a_towns_page_is_signed_out_not_shown_an_error(portal):
    """The operator belongs to no town: their logout goes to no town's audit log (it used
    to be written with no town, and the page failed)."""
    portal.client.force_login(make_operator())
    portal.open_tenant()

    page = portal.post("/logout", follow=True)

    assert page.status_code == 200 and "ログアウトしました" in page.text
    assert not is_signed_in(portal.client)
    assert not AuditEvent.objects.filter(action="logout").exists()


def test_ten_failures_lock_the_account_for_15_minutes_with_a_clear_message(portal, member, clock):
    for _ in range(10):
        assert FAILED in login(portal, password="Wrong-Pass-123").text
    page = login(portal)  # even the right password
    assert "しばらくログインできません" in page.text and "10時15分以降" in page.text
    assert AuditEvent.objects.filter(action="login_locked", member=member).count() == 1
    clock.shift(dt.timedelta(minutes=14))
    portal.open_tenant()
    assert "しばらくログインできません" in login(portal).text
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    portal.open_tenant()
    assert login(portal).url == "/"


def browser(tenant, address, capture) -> Portal:
    from django.test import Client

    opened = Portal(Client(REMOTE_ADDR=address), tenant, capture)
    opened.open_tenant()
    return opened


def sign_in_token(address: str) -> str:
    """The token of the sign-in link in the first mail to ``address``."""
    found = re.search(r"&t=(\S+)", str(mails_to(address)[0].body))
    assert found, f"no sign-in link in the mail to {address}"
    return found.group(1)


def fail_from_many_sources(
    tenant, capture, clock, times: int, gap=dt.timedelta(minutes=5), **credentials
) -> None:
    """``times`` wrong logins, each from an address of its own, ``gap`` apart."""
    for i in range(times):
        login(browser(tenant, f"10.0.{i // 9}.{i}", capture), **credentials)
        clock.shift(gap)


def test_someone_elses_wrong_passwords_do_not_lock_the_member_out(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    """Found by probing: ten wrong passwords for alice's address from one source locked
    alice out for 15 minutes everywhere, renewable for ever."""
    attacker = browser(tenant, "198.51.100.7", django_capture_on_commit_callbacks)
    for _ in range(10):
        login(attacker, password="Wrong-Pass-123")
    assert "しばらくログインできません" in login(attacker).text, "that source is locked"
    resident = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    assert login(resident).url == "/"


def test_failures_from_many_sources_below_the_ceiling_leave_the_right_password_working(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 99, password="Wrong-Pass-123"
    )
    resident = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    assert login(resident).url == "/"
    assert mails_to("hanako@example.jp") == []


def test_the_ceiling_of_100_failures_a_day_stops_password_logins_and_mails_a_sign_in_link(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 100, password="Wrong-Pass-123"
    )
    resident = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    page = login(resident)  # the right password, from a source with no failures
    assert "パスワードでのログインを止めています" in page.text
    assert "ログイン用のリンクをメールでお送りしました" in page.text
    assert AuditEvent.objects.filter(
        action="login_locked", member=member, data__scope="account"
    ).exists()

    (mail,) = mails_to("hanako@example.jp")
    link = re.search(r"http://\S+/login/link\?tenant=oumu&t=(\S+)", str(mail.body))
    assert link, mail.body
    opened = resident.get(f"/login/link?tenant=oumu&t={link.group(1)}")
    assert "ログインする" in opened.text and not is_signed_in(resident.client), (
        "opening is not using"
    )
    page = resident.post("/login/link", {"t": link.group(1)}, follow=True)
    assert page.redirect_chain[-1][0] == "/" and is_signed_in(resident.client)
    assert "パスワードの変更" in page.text

    # Used once: the link is spent, and the lock is lifted for the password too.
    again = browser(tenant, "203.0.113.9", django_capture_on_commit_callbacks)
    assert again.post("/login/link", {"t": link.group(1)}).status_code == 410
    assert login(again).url == "/"


def test_the_ceiling_mails_nothing_for_an_address_without_an_account(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 100, email="nobody@example.jp"
    )
    page = login(
        browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks),
        email="nobody@example.jp",
    )
    assert "パスワードでのログインを止めています" in page.text, "the same answer"
    assert mails_to("nobody@example.jp") == []


def test_a_sign_in_link_expires_with_the_lock(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 100, password="Wrong-Pass-123"
    )
    token = sign_in_token("hanako@example.jp")
    clock.shift(dt.timedelta(hours=24, seconds=1))
    resident = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    assert resident.get(f"/login/link?tenant=oumu&t={token}").status_code == 410
    assert resident.post("/login/link", {"t": token}).status_code == 410
    assert login(resident).url == "/", "the lock ended by itself too"


def test_a_password_reset_lifts_the_ceilings_lock_too(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 100, password="Wrong-Pass-123"
    )
    resident = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    resident.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    new_password = "Kawa-Nagare-2027"
    done = resident.post(
        "/password-reset/code",
        {"code": code, "password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    assert login(resident, password=new_password).url == "/"
    link = sign_in_token("hanako@example.jp")
    assert resident.post("/login/link", {"t": link}).status_code == 410, "no longer needed"


def test_after_the_ceiling_a_reset_is_answered_as_for_an_unknown_address(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    """The sign-in link exists only for an account's address: it must not count as a
    code asked for, or the next reset request would say "too soon" for it alone."""
    for email in ("hanako@example.jp", "nobody@example.jp"):
        fail_from_many_sources(
            tenant,
            django_capture_on_commit_callbacks,
            clock,
            100,
            gap=dt.timedelta(0),
            email=email,
            password="Wrong-Pass-123",
        )
    for email in ("hanako@example.jp", "nobody@example.jp"):
        someone = browser(tenant, "203.0.113.77", django_capture_on_commit_callbacks)
        answer = someone.post("/password-reset", {"email": email})
        assert (answer.status_code, answer.url) == (302, "/password-reset/code"), email


def test_a_sign_in_link_works_in_its_own_town_only(
    tenant, other_tenant, member, clock, django_capture_on_commit_callbacks
):
    fail_from_many_sources(
        tenant, django_capture_on_commit_callbacks, clock, 100, password="Wrong-Pass-123"
    )
    token = sign_in_token("hanako@example.jp")
    elsewhere = browser(other_tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    assert elsewhere.get(f"/login/link?tenant=kita&t={token}").status_code == 410
    assert elsewhere.post("/login/link", {"t": token}).status_code == 410
    assert not is_signed_in(elsewhere.client)
    home = browser(tenant, "203.0.113.5", django_capture_on_commit_callbacks)
    assert home.post("/login/link", {"t": token}).status_code == 302, "still usable at home"


def test_thirty_failures_from_one_source_lock_that_source(portal, tenant, member, clock):
    for i in range(30):
        login(portal, email=f"guess{i}@example.jp")
    assert "しばらくログインできません" in login(portal).text


def test_failures_older_than_15_minutes_do_not_count(portal, member, clock):
    for _ in range(9):
        login(portal, password="Wrong-Pass-123")
    clock.shift(dt.timedelta(minutes=16))
    portal.open_tenant()
    login(portal, password="Wrong-Pass-123")
    assert login(portal).url == "/"


def test_a_session_ends_after_30_minutes_idle(portal, member, clock):
    login(portal)
    clock.shift(dt.timedelta(minutes=29))
    assert portal.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=29))
    assert portal.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    page = portal.get("/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/login")
    assert "30分間操作がなかった" in page.text


def test_after_30_minutes_idle_logging_in_again_returns_to_the_page(portal, member, clock):
    login(portal)
    clock.shift(dt.timedelta(minutes=31))
    asked = portal.get("/account/notifications", follow=True)
    assert "30分間操作がなかった" in asked.text
    # The page to come back to names the town: it works in a browser that forgot it.
    assert 'name="next" value="/account/notifications?tenant=oumu"' in asked.text
    back = portal.post(
        "/login",
        {
            "email": "hanako@example.jp",
            "password": STRONG_PASSWORD,
            "next": "/account/notifications?tenant=oumu",
        },
    )
    assert back.status_code == 302 and back.url == "/account/notifications?tenant=oumu"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/logout", ""]
)
def test_logging_in_never_sends_a_resident_off_the_portal(portal, member, target):
    back = portal.post(
        "/login", {"email": "hanako@example.jp", "password": STRONG_PASSWORD, "next": target}
    )
    assert back.status_code == 302 and back.url == "/"


def test_a_session_signed_in_without_the_clock_still_ends_after_30_minutes_idle(
    portal, member, clock
):
    """A session from before every sign-in started the clock gets one at its next page."""
    login(portal)
    session = portal.client.session
    del session["session_started"], session["session_seen"]
    session.save()
    assert portal.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    page = portal.get("/")
    assert page.status_code == 302 and page.url.startswith("/login")


def test_a_session_ends_after_12_hours_even_when_active(portal, member, clock):
    login(portal)
    for _ in range(24):  # 11 hours 36 minutes, never idle for 30
        clock.shift(dt.timedelta(minutes=29))
        assert portal.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=25))
    page = portal.get("/", follow=True)
    assert "12時間" in page.text


def test_passwords_are_hashed_with_argon2(member):
    assert member.password.startswith("argon2$")


def test_an_over_long_login_input_gets_a_field_error(portal, member):
    page = portal.post("/login", {"email": "a" * 10_000, "password": "b" * 10_000})
    assert page.status_code == 200 and "長すぎます" in page.text


def test_production_cookies_are_secure_httponly_and_samesite(settings):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DEBUG="false", SECRET_KEY="x" * 60, EMAIL_URL="smtp://127.0.0.1:25")
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "Lax", "True"]


def behind_proxy(client_address: str, *, written_by_client: str = ""):
    """A browser at ``client_address`` reaching the portal through the TLS proxy, which
    appends the address it received from to whatever X-Forwarded-For the client sent."""
    from django.test import Client

    forwarded = ", ".join(a for a in (written_by_client, client_address) if a)
    return Client(REMOTE_ADDR="10.1.0.1", HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_the_proxy_residents_mistyping_elsewhere_do_not_lock_one_out(
    settings, tenant, member, clock, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        neighbour = Portal(
            behind_proxy(f"198.51.100.{i}"), tenant, django_capture_on_commit_callbacks
        )
        neighbour.open_tenant()
        login(neighbour, email=f"other{i}@example.jp", password="Wrong-Pass-123")
    resident = Portal(behind_proxy("203.0.113.5"), tenant, django_capture_on_commit_callbacks)
    resident.open_tenant()
    response = login(resident)
    assert response.status_code == 302 and response.url == "/"


def test_behind_the_proxy_one_source_is_still_limited_whatever_it_writes(
    settings, tenant, member, clock, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(30):
        spoofing = behind_proxy("203.0.113.66", written_by_client=f"192.0.2.{i}")
        attacker = Portal(spoofing, tenant, django_capture_on_commit_callbacks)
        attacker.open_tenant()
        login(attacker, email=f"guess{i}@example.jp", password="Wrong-Pass-123")
    again = Portal(behind_proxy("203.0.113.66"), tenant, django_capture_on_commit_callbacks)
    again.open_tenant()
    assert "しばらくログインできません" in login(again).text


def test_a_page_shown_again_with_errors_says_so_in_its_title(portal, member):
    assert "<title>ログイン |" in portal.get("/login").text
    page = login(portal, password="Wrong-Pass-123")
    assert "<title>エラー：ログイン |" in page.text
