"""Staff act on a member (revoke a link, show a waiting link now, stop and restart the
account, sign it out everywhere): 管理者 and 担当者 may, each with a reason, on record
and mailed to the member; 閲覧者 may not; another town's members and links do not exist."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_scopes import scopes_disabled

from waterportal.accounts import signin
from waterportal.accounts.actions import (
    do_end_member_sessions,
    do_sign_in_with_link,
    do_withdraw_member,
)
from waterportal.accounts.codes import replace_secret
from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_revoke_link_by_staff
from waterportal.contracts.models import Link
from waterportal.testing import (
    Portal,
    code_from_mail,
    is_signed_in,
    mails_to,
    make_customer,
    make_link,
    make_member,
    make_staff,
    sign_in,
)
from waterportal.testing.personas import HANAKO
from waterportal.testing.servers import REDIS_URL, needs_redis

ACTION_CODES = [
    "staff_revoked_link",
    "staff_activated_link",
    "staff_locked_member",
    "staff_unlocked_member",
    "staff_ended_sessions",
]
REASON = "本人から電話で依頼（受付番号 123）"


@pytest.fixture
def waiting(member, tenant):
    """A second contract of the member, linked today: shown from the next business day."""
    return make_link(
        member,
        make_customer(tenant, number="10100002", kana="スイドウ ハナコ"),
        active_from=timezone.localdate() + dt.timedelta(days=1),
        relationship="家族",
    )


@pytest.fixture
def kita(other_tenant):
    someone = make_member(other_tenant, email="kita@example.jp", name="きた 次郎")
    link = make_link(
        someone,
        make_customer(other_tenant, number="55550001", kana="キタ ジロウ"),
        active_from=timezone.localdate() + dt.timedelta(days=1),
    )
    return someone, link


def action_urls(member, link):
    return {
        "revoke": f"/staff/members/{member.pk}/links/{link.pk}/revoke",
        "activate": f"/staff/members/{member.pk}/links/{link.pk}/activate",
        "lock": f"/staff/members/{member.pk}/lock",
        "unlock": f"/staff/members/{member.pk}/unlock",
        "sessions": f"/staff/members/{member.pk}/sessions/end",
    }


def member_browser(tenant, django_capture_on_commit_callbacks) -> Portal:
    """The member's own browser, signed in: another client than the console's."""
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    sign_in(browser)
    return browser


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "clerk"])
def test_a_manager_or_clerk_revokes_a_link_with_a_reason(console_as, role, member, link):
    staff = console_as(role)
    page = staff.get(f"/staff/members/{member.pk}")
    assert "取り消す" in page.text and "アカウントを停止" in page.text
    confirm = staff.get(action_urls(member, link)["revoke"])
    assert confirm.status_code == 200 and "理由" in confirm.text
    done = staff.post(action_urls(member, link)["revoke"], {"reason": REASON}, follow=True)
    assert "契約の表示を取り消しました" in done.text
    link.refresh_from_db()
    assert link.revoked_at == timezone.now()
    event = AuditEvent.objects.get(action="staff_revoked_link")
    assert event.actor == staff.staff and event.member == member
    assert event.data["reason"] == REASON and event.data["link"] == link.pk
    assert event.data["before"] == {"state": "active", "revoked_at": None}
    assert event.data["after"] == {"state": "revoked", "revoked_at": timezone.now().isoformat()}
    assert event.source


def test_a_viewer_sees_no_buttons_and_gets_403_on_every_action(console_as, member, link, waiting):
    viewer = console_as("viewer")
    page = viewer.get(f"/staff/members/{member.pk}")
    assert page.status_code == 200
    for word in ("取り消す", "今すぐ表示する", "アカウントを停止", "すべての端末からログアウト"):
        assert word not in page.text
    for url in [*action_urls(member, link).values(), action_urls(member, waiting)["activate"]]:
        for response in (viewer.get(url), viewer.post(url, {"reason": REASON})):
            assert response.status_code == 403 and "権限" in response.text
    link.refresh_from_db(), waiting.refresh_from_db(), member.refresh_from_db()
    assert link.revoked_at is None and waiting.activated_at is None
    assert member.locked_at is None and member.session_generation == 0
    assert not AuditEvent.objects.filter(action__in=ACTION_CODES).exists()
    assert not mails_to(member.email)


def test_another_towns_member_or_link_is_404_for_every_action(console, member, link, kita):
    someone, their_link = kita
    urls = [
        *action_urls(someone, their_link).values(),
        # Our member with their link, and their member with ours: neither exists.
        action_urls(member, their_link)["revoke"],
        action_urls(member, their_link)["activate"],
        action_urls(someone, link)["revoke"],
    ]
    for url in urls:
        assert console.get(url).status_code == 404, url
        assert console.post(url, {"reason": REASON}).status_code == 404, url
    their_link.refresh_from_db(), someone.refresh_from_db()
    assert their_link.revoked_at is None and their_link.activated_at is None
    assert someone.locked_at is None and someone.session_generation == 0
    assert not mail.outbox


def test_a_staff_account_is_no_member_to_act_on(console, tenant):
    for url in ("lock", "unlock", "sessions/end"):
        path = f"/staff/members/{console.staff.pk}/{url}"
        assert console.post(path, {"reason": REASON}).status_code == 404


def test_a_withdrawn_member_is_404_for_every_action_and_is_sent_nothing(console, member, link):
    urls = action_urls(member, link)
    do_withdraw_member(member)
    mail.outbox.clear()
    for name, path in urls.items():
        assert console.get(path).status_code == 404, name
        assert console.post(path, {"reason": REASON}).status_code == 404, name
    assert not mail.outbox


# --- Bad input and second clicks -----------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_refused_and_changes_nothing(console, member, link, reason):
    for url in action_urls(member, link).values():
        page = console.post(url, {"reason": reason})
        assert page.status_code == 400
        assert "理由を入力してください。何も変更していません。" in page.text
    link.refresh_from_db(), member.refresh_from_db()
    assert link.revoked_at is None and member.locked_at is None
    assert member.session_generation == 0 and not mail.outbox


def test_a_reason_over_500_characters_is_refused_and_kept_on_the_page(console, member, link):
    page = console.post(action_urls(member, link)["lock"], {"reason": "あ" * 501})
    assert page.status_code == 400 and "500文字まで" in page.text and "あ" * 501 in page.text
    member.refresh_from_db()
    assert member.locked_at is None
    ok = console.post(action_urls(member, link)["lock"], {"reason": "あ" * 500})
    assert ok.status_code == 302


def test_a_second_click_does_nothing_twice(console, member, link, waiting):
    for name, target in (("revoke", link), ("activate", waiting), ("lock", link), ("unlock", link)):
        url = action_urls(member, target)[name]
        first = console.post(url, {"reason": REASON})
        again = console.post(url, {"reason": REASON}, follow=True)
        assert first.status_code == 302 and again.status_code == 200
        assert "何も変更していません" in again.text
    page = console.get(f"/staff/members/{member.pk}/sessions/end")
    seen = page.context["form"]["seen"].value()
    url = action_urls(member, link)["sessions"]
    assert console.post(url, {"reason": REASON, "seen": seen}).status_code == 302
    again = console.post(url, {"reason": REASON, "seen": seen}, follow=True)
    assert "何も変更していません" in again.text
    for action in ("revoked_link", "activated_link", "locked_member", "unlocked_member"):
        assert AuditEvent.objects.filter(action=f"staff_{action}").count() == 1
    assert AuditEvent.objects.filter(action="staff_ended_sessions").count() == 1
    assert len(mails_to(member.email)) == 5
    member.refresh_from_db()
    assert member.session_generation == 2  # one for the lock, one for the sign-out


def test_changes_are_post_only_with_csrf(console, member, link):
    console.client.handler.enforce_csrf_checks = True
    response = console.post(action_urls(member, link)["lock"], {"reason": REASON})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.locked_at is None


# --- Links ------------------------------------------------------------------------------


def test_a_waiting_link_is_shown_now_and_the_cards_are_redrawn(
    console, member, link, waiting, tenant, django_capture_on_commit_callbacks
):
    browser = member_browser(tenant, django_capture_on_commit_callbacks)
    before = browser.get("/").text
    assert "••••0002" in before and "準備中" in before  # waiting: not shown yet
    page = console.get(f"/staff/members/{member.pk}")
    assert "今すぐ表示する" in page.text
    console.post(action_urls(member, waiting)["activate"], {"reason": REASON})
    waiting.refresh_from_db()
    assert waiting.active_from == timezone.localdate() and waiting.activated_at == timezone.now()
    event = AuditEvent.objects.get(action="staff_activated_link")
    assert event.actor == console.staff and event.member == member
    assert event.data["reason"] == REASON and event.data["link"] == waiting.pk
    assert event.data["before"]["state"] == "waiting"
    assert event.data["after"] == {"state": "active", "active_from": str(timezone.localdate())}
    assert "準備中" not in browser.get("/").text  # the cached cards were redrawn
    (message,) = mails_to(member.email)
    assert "表示を開始しました" in message.subject and "••••0002" in message.body
    assert REASON not in message.body


def test_a_revoked_link_leaves_the_members_cards(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    browser = member_browser(tenant, django_capture_on_commit_callbacks)
    assert "••••0001" in browser.get("/").text
    console.post(action_urls(member, link)["revoke"], {"reason": REASON})
    assert "••••0001" not in browser.get("/").text
    (message,) = mails_to(member.email)
    assert "表示を取り消しました" in message.subject
    assert "••••0001" in message.body and "10100001" not in message.body
    assert REASON not in message.body and "水道の担当窓口" in message.body
    assert tenant.phone in message.body  # whom to call: the town's contact lines


def test_an_active_or_revoked_link_cannot_be_shown_now(console, member, link):
    url = action_urls(member, link)["activate"]
    assert "何も変更していません" in console.post(url, {"reason": REASON}, follow=True).text
    Link.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert "取り消す" not in console.get(f"/staff/members/{member.pk}").text
    assert not AuditEvent.objects.filter(action="staff_activated_link").exists()


# --- The account ----------------------------------------------------------------------


def test_a_stop_ends_her_session_and_refuses_every_way_in(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    browser = member_browser(tenant, django_capture_on_commit_callbacks)
    assert browser.get("/").status_code == 200
    console.post(action_urls(member, link)["lock"], {"reason": REASON})
    member.refresh_from_db()
    assert member.locked_at == timezone.now()
    event = AuditEvent.objects.get(action="staff_locked_member")
    assert event.actor == console.staff and event.member == member
    assert event.data["before"] == {"locked": False} and event.data["after"] == {"locked": True}
    assert event.data["reason"] == REASON
    home = browser.get("/")
    assert home.status_code == 302 and home.url.startswith("/login")
    # The right password: told the account is stopped and whom to call, not let in.
    login = browser.post("/login", {"email": HANAKO.email, "password": HANAKO.password})
    assert login.status_code == 200 and browser.get("/").status_code == 302
    assert "利用を停止しているため、ログインできません" in login.text
    assert tenant.phone in login.text
    # A wrong one: the usual answer, which says nothing of the stop.
    wrong = browser.post("/login", {"email": HANAKO.email, "password": "wrong-Password1"})
    assert "利用を停止" not in wrong.text
    (message,) = mails_to(member.email)
    assert "利用を停止しました" in message.subject and REASON not in message.body
    assert "停止中" in console.get(f"/staff/members/{member.pk}").text


def test_a_stopped_member_is_told_in_english_when_she_chose_it(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    console.post(action_urls(member, link)["lock"], {"reason": REASON})
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    browser.open_tenant()
    browser.client.post("/i18n/setlang/", {"language": "en", "next": "/login"})
    login = browser.post("/login", {"email": HANAKO.email, "password": HANAKO.password})
    assert "stopped" in login.text and tenant.phone in login.text


def test_a_password_reset_or_a_sign_in_link_does_not_let_a_stopped_member_in(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    console.post(action_urls(member, link)["lock"], {"reason": REASON})
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    browser.open_tenant()
    row = replace_secret(
        tenant,
        "signin",
        member.email,
        "secret-token",
        expires_at=timezone.now() + dt.timedelta(hours=1),
        now=timezone.now(),
    )
    page = browser.post("/login/link", {"t": f"{row.pk}.secret-token"})
    assert page.status_code == 403 and "利用を停止" in page.text
    assert not is_signed_in(browser.client)
    with pytest.raises(signin.AccountStopped):
        do_sign_in_with_link(tenant, f"{row.pk}.secret-token", source="127.0.0.1")


def test_a_restart_lets_her_sign_in_again_but_not_in_the_old_session(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    browser = member_browser(tenant, django_capture_on_commit_callbacks)
    console.post(action_urls(member, link)["lock"], {"reason": REASON})
    console.post(action_urls(member, link)["unlock"], {"reason": "確認が取れたため"})
    member.refresh_from_db()
    assert member.locked_at is None
    event = AuditEvent.objects.get(action="staff_unlocked_member")
    assert event.actor == console.staff and event.data["reason"] == "確認が取れたため"
    assert event.data["before"]["locked"] is True and event.data["after"] == {"locked": False}
    assert browser.get("/").status_code == 302  # the stop ended it for good
    sign_in(browser)
    assert browser.get("/").status_code == 200
    unlocked = mails_to(member.email)[-1]
    assert "停止を解除しました" in unlocked.subject and "確認が取れたため" not in unlocked.body


def test_signing_her_out_everywhere_ends_every_open_session(
    console, member, link, tenant, django_capture_on_commit_callbacks
):
    phone = member_browser(tenant, django_capture_on_commit_callbacks)
    computer = member_browser(tenant, django_capture_on_commit_callbacks)
    assert phone.get("/").status_code == 200 and computer.get("/").status_code == 200
    console.post(action_urls(member, link)["sessions"], {"reason": REASON, "seen": "0"})
    for browser in (phone, computer):
        assert browser.get("/").status_code == 302 and not is_signed_in(browser.client)
    event = AuditEvent.objects.get(action="staff_ended_sessions")
    assert event.actor == console.staff and event.member == member
    assert event.data["before"] == {"session_generation": 0}
    assert event.data["after"] == {"session_generation": 1}
    (message,) = mails_to(member.email)
    assert "ログアウト" in message.subject and REASON not in message.body
    sign_in(phone)  # the password still works
    assert phone.get("/").status_code == 200


def test_sessions_open_before_the_deploy_are_not_ended_by_it(
    member, tenant, django_capture_on_commit_callbacks
):
    """Generation 0 keeps Django's own session hash: nobody is signed out by the upgrade."""
    djangos = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        member.password,
        algorithm="sha256",
    ).hexdigest()
    assert member.get_session_auth_hash() == djangos
    member.session_generation = 1
    assert member.get_session_auth_hash() != djangos


@needs_redis
def test_signing_her_out_ends_a_session_kept_in_redis_too(
    settings, console, member, link, tenant, django_capture_on_commit_callbacks
):
    """As in production: sessions cached in Redis, written through to the database."""
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "waterportal.lib.redis_cache.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.SESSION_ENGINE = "waterportal.accounts.sessions"
    caches["default"].clear()
    browser = member_browser(tenant, django_capture_on_commit_callbacks)
    assert browser.get("/").status_code == 200
    key = browser.client.session.session_key
    assert caches["default"].get(f"django.contrib.sessions.cached_db{key}") is not None
    console.post(action_urls(member, link)["sessions"], {"reason": REASON})
    assert browser.get("/").status_code == 302
    assert browser.get("/").status_code == 302


def test_a_password_reset_does_not_restart_a_stopped_account(console, member, link, tenant):
    console.post(action_urls(member, link)["lock"], {"reason": REASON})
    browser = Portal(Client(), tenant, console._capture)
    browser.open_tenant()
    browser.post("/password-reset", {"email": member.email})
    code = code_from_mail(member.email)
    new = "Kawa-Nagare-77"
    browser.post("/password-reset/code", {"code": code, "password1": new, "password2": new})
    login = browser.post("/login", {"email": member.email, "password": new})
    assert login.status_code == 200 and "利用を停止しているため" in login.text
    assert browser.get("/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_members_of_staff_clicking_at_once_do_it_once(tenant, member, link):
    """Two requests at the same moment, each in its own transaction: the row lock makes
    the second see the first's change."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock")
    staff = [make_staff(tenant, f"kanri{i}@town.oumu.example.jp").user for i in (1, 2)]

    def revoke(who):
        return do_revoke_link_by_staff(link, actor=who, reason=REASON, source="::1")

    def end(who):
        return do_end_member_sessions(
            member, actor=who, reason=REASON, source="::1", seen_generation=0
        )

    for act in (revoke, end):
        start = threading.Barrier(2)
        results: list[bool] = []

        def click(who, act=act, start=start, results=results):
            try:
                with scopes_disabled():
                    start.wait(5)
                    results.append(act(who))
            finally:
                connection.close()

        threads = [threading.Thread(target=click, args=(who,)) for who in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert sorted(results) == [False, True]
    assert AuditEvent.objects.filter(action="staff_revoked_link").count() == 1
    assert AuditEvent.objects.filter(action="staff_ended_sessions").count() == 1
