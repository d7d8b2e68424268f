"""管理者 manage the town's staff accounts: invite (an emailed link to set a password and
enrol an authenticator), change role, stop and restart, reset the second factor, lift
the login ceiling; each on record. 担当者 and 閲覧者 get a 403, another town's staff a 404."""

import datetime as dt
import re
from base64 import b32encode

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from waterportal.accounts import second_factor
from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent
from waterportal.limits import ratelimit
from waterportal.staff import actions
from waterportal.testing import (
    Portal,
    authenticator_code,
    html_of,
    is_signed_in,
    mails_to,
    make_staff,
    staff_sign_in,
)

NEW_EMAIL = "atarashii@town.oumu.example.jp"
NEW_PASSWORD = "Kensa-Kakari-2026"
LINK = re.compile(r"/staff/welcome/[^\s?\"<]+\?tenant=[\w-]+")
INVALID = "このリンクは使えません"
FORBIDDEN = "この操作はできません"


@pytest.fixture
def browser(tenant, django_capture_on_commit_callbacks):
    """Another browser, of someone not signed in (the new member of staff)."""

    def open_browser() -> Portal:
        p = Portal(Client(), tenant, django_capture_on_commit_callbacks)
        p.open_tenant()
        return p

    return open_browser


@pytest.fixture
def clerk(tenant):
    return make_staff(tenant, "tanto2@town.oumu.example.jp", role="clerk", name="担当 次郎")


def invite(console, email=NEW_EMAIL, role="clerk", name="検査 三郎"):
    return console.post("/staff/staff", {"name": name, "email": email, "role": role}, follow=True)


def link_in_last_mail(address: str) -> str:
    found = LINK.search(str(mails_to(address)[-1].body))
    assert found, "no link in the mail"
    return found.group(0)


def welcome_path(link: str) -> str:
    return link.split("?")[0]


def numbered(link: str) -> str:
    """Where the browser is sent on from the emailed link: the invitation's number, no
    secret."""
    return welcome_path(link).rsplit(".", 1)[0]


def choose_password(p: Portal, link: str, password=NEW_PASSWORD):
    """Open the emailed link, then send the form where the page is: its number."""
    p.get(link, follow=True)
    return p.post(numbered(link), {"password1": password, "password2": password})


def enrol(p: Portal, link: str, staff: User):
    """The authenticator step, with the code the new app shows now."""
    p.get(welcome_path(link) + "/authenticator", follow=True)
    path = numbered(link) + "/authenticator"
    return p.post(path, {"code": authenticator_code(staff)}, follow=True)


def password_step(p: Portal, email: str, password: str):
    p.get(f"/staff/login?tenant={p.tenant.slug}")
    return p.post("/staff/login", {"email": email, "password": password})


def sign_in_with_code(p: Portal, email: str, password: str, code: str):
    password_step(p, email, password)
    return p.post("/staff/login/code", {"code": code})


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# --- The list -----------------------------------------------------------------------


def test_a_manager_sees_the_towns_staff_with_role_state_second_factor_and_last_login(
    console, tenant, other_tenant, clerk
):
    make_staff(other_tenant, "kita-only@city.kita.example.jp")
    invite(console)
    stopped = make_staff(tenant, "teishi@town.oumu.example.jp", role="viewer")
    actions.do_disable_staff(stopped.user, actor=console.staff)

    page = console.get("/staff/staff")

    assert page.status_code == 200
    rows = {
        row.split("</td>")[1].split(">")[-1]: row
        for row in page.text.split("<tr>")[2:]  # after the header's row
    }
    assert set(rows) == {console.staff.email, clerk.email, NEW_EMAIL, stopped.email}
    manager = rows[console.staff.email]
    assert "管理者" in manager and "有効" in manager and "登録済み" in manager
    assert "年" in manager  # signed in just now: the last login's date
    assert "招待中" in rows[NEW_EMAIL] and "未登録" in rows[NEW_EMAIL]
    assert "まだありません" in rows[NEW_EMAIL]
    assert "停止" in rows[stopped.email] and "閲覧者" in rows[stopped.email]
    assert "kita-only" not in page.text


def test_the_menu_shows_staff_accounts_to_managers_only(console, console_as):
    assert 'href="/staff/staff"' in console.get("/staff/").text
    assert 'href="/staff/staff"' not in console_as("clerk").get("/staff/").text


# --- Who may: 管理者 only; another town's staff are not found --------------------------

PAGES = ["/staff/staff/{id}"]
ACTIONS = [
    ("/staff/staff/{id}/role", {"role": "viewer"}),
    ("/staff/staff/{id}/disable", {}),
    ("/staff/staff/{id}/enable", {}),
    ("/staff/staff/{id}/reset-second-factor", {}),
    ("/staff/staff/{id}/resend-invitation", {}),
    ("/staff/staff/{id}/unlock-login", {}),
]


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_and_viewers_get_the_japanese_403_on_every_staff_page_and_action(
    console_as, tenant, role
):
    target = make_staff(tenant, "target@town.oumu.example.jp", role="clerk")
    p = console_as(role)
    for page in ["/staff/staff", *PAGES]:
        refused = p.get(page.format(id=target.user.pk))
        assert refused.status_code == 403 and FORBIDDEN in refused.text
    refused = p.post("/staff/staff", {"name": "x", "email": NEW_EMAIL, "role": "manager"})
    assert refused.status_code == 403 and FORBIDDEN in refused.text
    for path, data in ACTIONS:
        refused = p.post(path.format(id=target.user.pk), data)
        assert refused.status_code == 403 and FORBIDDEN in refused.text
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    target.user.refresh_from_db()
    assert target.user.staff_role == "clerk" and target.user.is_active
    assert (
        not AuditEvent.objects.filter(action__startswith="staff_")
        .exclude(action__in=["staff_created", "staff_login"])
        .exists()
    )


def test_another_towns_staff_account_is_404_on_every_page_and_action(console, other_tenant):
    kita = make_staff(other_tenant, "kita@city.kita.example.jp", role="clerk")
    for page in PAGES:
        assert console.get(page.format(id=kita.user.pk)).status_code == 404
    for path, data in ACTIONS:
        assert console.post(path.format(id=kita.user.pk), data).status_code == 404
    kita.user.refresh_from_db()
    assert kita.user.staff_role == "clerk" and kita.user.is_active
    assert actions.is_enrolled(kita.user)
    assert (
        not AuditEvent.objects.filter(tenant=other_tenant).exclude(action="staff_created").exists()
    )


def test_changes_are_post_only(console, clerk):
    for path, _data in ACTIONS:
        assert console.get(path.format(id=clerk.user.pk)).status_code == 405


# --- Inviting and the link --------------------------------------------------------------


def test_an_invited_member_of_staff_sets_a_password_enrols_and_signs_in(
    console, tenant, browser, clock
):
    added = invite(console)
    assert "atarashii@town.oumu.example.jp に登録の案内をメールで送りました" in added.text
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL, kind="staff")
    assert staff.staff_role == "clerk" and not staff.has_usable_password()
    invited = AuditEvent.objects.get(action="staff_invited")
    assert invited.actor == console.staff and invited.data["staff"] == staff.pk
    assert invited.data["after"] == {"role": "clerk", "state": "invited"}
    [message] = mails_to(NEW_EMAIL)
    assert "アカウント登録のご案内" in message.subject
    assert "72時間" in message.body and "検査" not in message.body + html_of(message)
    link = link_in_last_mail(NEW_EMAIL)
    assert link in html_of(message)
    # Nothing of the link is stored but its keyed hash.
    secret = link.split(".", 1)[1].split("?")[0]
    assert secret not in str(list(staff.staff_invitations.values()))

    new = browser()
    page = new.get(link, follow=True)
    assert page.status_code == 200 and "パスワードを決めて" in page.text
    refused = choose_password(new, link, password="short")
    assert refused.status_code == 200 and "パスワードが短すぎます" in refused.text
    assert choose_password(new, link).url.endswith("/authenticator")

    page = new.get(welcome_path(link) + "/authenticator", follow=True)
    assert "<svg" in page.text and "認証アプリに登録するQRコード" in page.text
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    secret_text = b32encode(device.bin_key).decode()
    assert " ".join(secret_text[i : i + 4] for i in range(0, 32, 4)) in page.text
    refused = new.post(
        welcome_path(link) + "/authenticator", {"code": wrong(authenticator_code(staff))}
    )
    assert "確認コードが正しくありません" in refused.text
    too_soon = new.post(welcome_path(link) + "/authenticator", {"code": authenticator_code(staff)})
    assert "数秒待ってから" in too_soon.text
    clock.shift(dt.timedelta(seconds=2))
    # The password is the account's only once the authenticator works.
    staff.refresh_from_db()
    assert not staff.has_usable_password()

    done = enrol(new, link, staff)

    assert "リカバリーコード（この一度だけ表示します）" in done.text
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.text)
    assert len(codes) == 10
    assert 'href="/staff/login"' in done.text
    assert "<code>" not in new.get("/staff/welcome/done", follow=True).text  # once
    staff.refresh_from_db()
    assert check_password(NEW_PASSWORD, staff.password)
    enrolled = AuditEvent.objects.get(action="staff_enrolled")
    assert enrolled.actor == staff and enrolled.data == {"staff": staff.pk, "purpose": "invite"}
    assert "Kensa" not in str(enrolled.data)
    # Used: the link opens nothing any more.
    assert INVALID in new.get(link, follow=True).text
    assert "管理者に、新しい案内を送るよう依頼してください" in new.get(link, follow=True).text

    clock.shift(dt.timedelta(seconds=30))
    assert sign_in_with_code(new, NEW_EMAIL, NEW_PASSWORD, authenticator_code(staff)).url == (
        "/staff/"
    )
    other = browser()
    assert sign_in_with_code(other, NEW_EMAIL, NEW_PASSWORD, codes[0]).url == "/staff/"
    page = console.get("/staff/staff")
    assert "招待中" not in page.text


def test_an_invited_account_cannot_sign_in_before_enrolling(console, browser):
    invite(console)
    p = browser()
    page = password_step(p, NEW_EMAIL, "!")
    assert (
        page.status_code == 200 and "メールアドレスまたはパスワードが正しくありません" in page.text
    )
    assert not is_signed_in(p.client)


def test_the_code_step_waits_for_the_password_step(console, browser):
    invite(console)
    p = browser()
    link = link_in_last_mail(NEW_EMAIL)
    p.get(link, follow=True)
    page = p.get(welcome_path(link) + "/authenticator", follow=True)
    assert page.redirect_chain[-1][0] == numbered(link) and "パスワードを決めて" in page.text


def test_the_link_is_good_for_72_hours_only(console, browser, clock):
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    clock.shift(dt.timedelta(hours=72) - dt.timedelta(seconds=1))
    p = browser()
    assert "パスワードを決めて" in p.get(link, follow=True).text
    clock.shift(dt.timedelta(seconds=1))
    page = p.get(link, follow=True)
    assert page.status_code == 410 and INVALID in page.text and "72時間" in page.text


def test_an_expired_link_cannot_complete_the_enrolment(console, browser, clock, tenant):
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    p = browser()
    choose_password(p, link)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    p.get(welcome_path(link) + "/authenticator", follow=True)
    clock.shift(dt.timedelta(hours=73))
    page = p.post(welcome_path(link) + "/authenticator", {"code": authenticator_code(staff)})
    assert page.status_code == 410 and INVALID in page.text
    staff.refresh_from_db()
    assert not staff.has_usable_password() and not actions.is_enrolled(staff)


def test_a_second_click_on_the_last_step_enrols_once(console, browser, tenant):
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    p = browser()
    choose_password(p, link)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    p.get(welcome_path(link) + "/authenticator", follow=True)
    code = authenticator_code(staff)
    assert p.post(welcome_path(link) + "/authenticator", {"code": code}).status_code == 302
    again = p.post(welcome_path(link) + "/authenticator", {"code": code})
    assert again.status_code == 410 and INVALID in again.text
    assert AuditEvent.objects.filter(action="staff_enrolled").count() == 1


def test_a_resent_invitation_voids_the_earlier_link(console, browser, tenant):
    invite(console)
    first = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)

    sent = console.post(f"/staff/staff/{staff.pk}/resend-invitation", follow=True)

    assert "案内のメールを送り直しました" in sent.text
    second = link_in_last_mail(NEW_EMAIL)
    assert second != first and len(mails_to(NEW_EMAIL)) == 2
    p = browser()
    assert INVALID in p.get(first, follow=True).text
    assert "パスワードを決めて" in p.get(second, follow=True).text
    resent = AuditEvent.objects.filter(action="staff_invited").latest("pk")
    assert resent.data == {"staff": staff.pk, "resent": True, "purpose": "invite"}


def test_an_enrolled_account_has_no_invitation_to_resend(console, clerk):
    page = console.post(f"/staff/staff/{clerk.user.pk}/resend-invitation", follow=True)
    assert "送り直す必要はありません" in page.text and not mails_to(clerk.email)


def test_a_link_of_another_town_or_a_made_up_one_opens_nothing(
    console, other_tenant, browser, django_capture_on_commit_callbacks
):
    kita = make_staff(other_tenant, "kita@city.kita.example.jp", role="clerk")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_reset_staff_second_factor(kita.user, actor=None)
    kita_link = link_in_last_mail(kita.email)
    p = browser()  # おうむ町's portal
    assert INVALID in p.get(welcome_path(kita_link) + "?tenant=oumu", follow=True).text
    assert INVALID in p.get("/staff/welcome/1.nothing", follow=True).text
    assert INVALID in p.get("/staff/welcome/garbage", follow=True).text


def test_an_address_already_used_by_the_towns_staff_is_refused(console, tenant, clerk):
    page = invite(console, email=clerk.email.upper(), name="同じ 人")
    assert page.status_code == 200
    assert "すでにおうむ町の職員のアカウントで使われています" in page.text
    assert 'value="同じ 人"' in page.text  # nothing typed is lost
    assert User.objects.filter(tenant=tenant, kind="staff").count() == 2
    assert not AuditEvent.objects.filter(action="staff_invited").exists()


def test_a_residents_address_or_another_towns_staff_address_can_be_invited(
    console, tenant, member, other_tenant
):
    make_staff(other_tenant, NEW_EMAIL)
    invite(console, email=member.email)
    invite(console, email=NEW_EMAIL)
    assert AuditEvent.objects.filter(action="staff_invited", tenant=tenant).count() == 2


def test_bad_input_when_inviting_says_what_to_do(console):
    page = console.post("/staff/staff", {"name": "", "email": "not-an-address", "role": "boss"})
    assert page.status_code == 200
    assert "氏名を入力してください" in page.text
    assert "メールアドレスの形が正しくありません" in page.text
    assert "管理者・担当者・閲覧者から選んでください" in page.text
    assert 'value="not-an-address"' in page.text


def test_a_welcome_link_reused_after_being_voided_by_a_reset_opens_nothing(
    console, tenant, browser
):
    invite(console)
    first = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    console.post(f"/staff/staff/{staff.pk}/reset-second-factor")
    assert INVALID in browser().get(first, follow=True).text


# --- A staff member's page and its changes --------------------------------------------


def test_a_manager_changes_a_role_on_record(console, clerk):
    page = console.get(f"/staff/staff/{clerk.user.pk}")
    assert page.status_code == 200 and "担当者" in page.text

    done = console.post(f"/staff/staff/{clerk.user.pk}/role", {"role": "viewer"}, follow=True)

    assert "権限を閲覧者にしました" in done.text
    clerk.user.refresh_from_db()
    assert clerk.user.staff_role == "viewer"
    changed = AuditEvent.objects.get(action="staff_role_changed")
    assert changed.actor == console.staff and changed.source
    assert changed.data == {
        "staff": clerk.user.pk,
        "before": {"role": "clerk"},
        "after": {"role": "viewer"},
    }


def test_a_role_that_does_not_exist_is_refused(console, clerk):
    page = console.post(f"/staff/staff/{clerk.user.pk}/role", {"role": "boss"}, follow=True)
    assert "管理者・担当者・閲覧者から選んでください" in page.text
    clerk.user.refresh_from_db()
    assert clerk.user.staff_role == "clerk"


def test_a_manager_cannot_change_their_own_role_stop_or_reset_themselves(console):
    me = console.staff.pk
    page = console.get(f"/staff/staff/{me}")
    assert "ご自分のアカウントです" in page.text and "アカウントを停止する" not in page.text
    for path, data in [
        (f"/staff/staff/{me}/role", {"role": "clerk"}),
        (f"/staff/staff/{me}/disable", {}),
        (f"/staff/staff/{me}/reset-second-factor", {}),
    ]:
        refused = console.post(path, data, follow=True)
        assert "ご自分のアカウントの権限の変更・停止・認証アプリの再設定は" in refused.text
    console.staff.refresh_from_db()
    assert console.staff.staff_role == "manager" and console.staff.is_active
    assert actions.is_enrolled(console.staff)
    assert console.get("/staff/staff").status_code == 200


def test_the_town_always_keeps_an_active_enrolled_manager(tenant, console):
    only = console.staff
    # An invited 管理者 who has not enrolled yet cannot sign in: not counted.
    invite(console, role="manager")
    for change in (
        lambda: actions.do_change_staff_role(only, "clerk", actor=None),
        lambda: actions.do_disable_staff(only, actor=None),
        lambda: actions.do_reset_staff_second_factor(only, actor=None),
    ):
        with pytest.raises(actions.LastManager):
            change()
    only.refresh_from_db()
    assert only.staff_role == "manager" and only.is_active and actions.is_enrolled(only)

    # Once another 管理者 can sign in, the first one may go.
    second = make_staff(tenant, "kanri2@town.oumu.example.jp", role="manager")
    actions.do_disable_staff(second.user, actor=None)
    with pytest.raises(actions.LastManager):
        actions.do_disable_staff(only, actor=None)
    actions.do_enable_staff(second.user, actor=None)
    actions.do_change_staff_role(only, "clerk", actor=second.user)
    only.refresh_from_db()
    assert only.staff_role == "clerk"


def test_disabling_ends_an_open_session_and_enabling_lets_them_back(
    console, console_as, tenant, clock
):
    clerk_console = console_as("clerk")
    assert clerk_console.get("/staff/").status_code == 200
    target = clerk_console.staff

    done = console.post(f"/staff/staff/{target.pk}/disable", follow=True)

    assert "アカウントを停止しました" in done.text
    assert "停止" in console.get(f"/staff/staff/{target.pk}").text
    ended = clerk_console.get("/staff/")
    assert ended.status_code == 302 and ended.url.startswith("/staff/login")
    page = password_step(clerk_console, target.email, clerk_console.account.password)
    assert page.status_code == 200 and "正しくありません" in page.text
    stopped = AuditEvent.objects.get(action="staff_disabled")
    assert stopped.actor == console.staff
    assert stopped.data == {
        "staff": target.pk,
        "before": {"is_active": True},
        "after": {"is_active": False},
    }

    console.post(f"/staff/staff/{target.pk}/enable")

    restarted = AuditEvent.objects.get(action="staff_enabled")
    assert restarted.data["before"] == {"is_active": False}
    assert restarted.data["after"] == {"is_active": True}
    clock.shift(dt.timedelta(seconds=30))
    staff_sign_in(clerk_console, clerk_console.account)
    assert clerk_console.get("/staff/").status_code == 200


def test_a_disabled_accounts_invitation_link_opens_nothing(console, tenant, browser):
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    console.post(f"/staff/staff/{staff.pk}/disable")
    assert INVALID in browser().get(link, follow=True).text


def test_enabling_an_account_that_never_enrolled_mails_a_new_link_and_the_old_stays_dead(
    console, tenant, browser
):
    invite(console)
    old = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    console.post(f"/staff/staff/{staff.pk}/disable")
    console.post(f"/staff/staff/{staff.pk}/enable")

    new = link_in_last_mail(NEW_EMAIL)
    assert new != old and len(mails_to(NEW_EMAIL)) == 2
    p = browser()
    assert INVALID in p.get(old, follow=True).text
    assert "パスワードを決めて" in p.get(new, follow=True).text


def test_a_resent_link_shows_a_new_authenticator_key_and_the_old_key_never_works(
    console, tenant, browser
):
    """Whoever opened the first link saw its key: that key must not be the one the real
    member of staff confirms through the second link."""
    invite(console)
    first = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    seen = browser()
    choose_password(seen, first)
    seen_page = seen.get(welcome_path(first) + "/authenticator", follow=True).text
    seen_key = TOTPDevice.objects.get(user=staff).bin_key
    assert b32encode(seen_key).decode()[:4] in seen_page.replace(" ", "")

    console.post(f"/staff/staff/{staff.pk}/resend-invitation")
    second = link_in_last_mail(NEW_EMAIL)
    real = browser()
    choose_password(real, second)
    enrol(real, second, staff)

    confirmed = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert confirmed.bin_key != seen_key


def test_a_reset_second_factor_fails_the_old_codes_and_mails_a_new_enrolment(
    console, console_as, browser, clock
):
    clerk_console = console_as("clerk")
    target, account = clerk_console.staff, clerk_console.account
    old_device = account.totp

    def old_code() -> str:
        return f"{totp(old_device.bin_key, old_device.step, old_device.t0, old_device.digits):06d}"

    done = console.post(f"/staff/staff/{target.pk}/reset-second-factor", follow=True)

    assert "登録が済むまで、この職員はログインできません" in done.text
    reset = AuditEvent.objects.get(action="staff_second_factor_reset")
    assert reset.actor == console.staff and reset.data == {
        "staff": target.pk,
        "before": {"second_factor": True},
        "after": {"second_factor": False},
    }
    # The open session had passed the second factor with the removed authenticator.
    ended = clerk_console.get("/staff/")
    assert ended.status_code == 302 and ended.url.startswith("/staff/login")
    clock.shift(dt.timedelta(seconds=30))
    assert second_factor.verify(target, old_code()) is None
    assert second_factor.verify(target, account.recovery_codes[0]) is None
    p = browser()
    page = password_step(p, target.email, account.password)
    assert page.status_code == 200 and "認証アプリの登録が済んでいません" in page.text
    assert p.get("/staff/login/code").url == "/staff/login"  # no code step to try
    assert "未登録（案内のメールを送ってあります）" in console.get(f"/staff/staff/{target.pk}").text
    [message] = mails_to(target.email)
    assert (
        "認証アプリの再登録" in message.subject and "パスワードは変わっていません" in message.body
    )

    # The link starts at the authenticator: the password stays.
    link = link_in_last_mail(target.email)
    start = p.get(link, follow=True)
    assert start.redirect_chain[-1][0] == numbered(link) + "/authenticator"
    assert "認証アプリに登録するQRコード" in start.text
    done = enrol(p, link, target)
    assert len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", done.text)) == 10
    enrolled = AuditEvent.objects.get(action="staff_enrolled")
    assert enrolled.data == {"staff": target.pk, "purpose": "reset"}

    clock.shift(dt.timedelta(seconds=30))
    fresh = browser()
    page = sign_in_with_code(fresh, target.email, account.password, authenticator_code(target))
    assert page.status_code == 302 and page.url == "/staff/"


def test_staff_at_the_login_ceiling_are_shown_and_a_manager_lets_them_in(
    console, clerk, browser, clock
):
    key = actions.staff_account_key(clerk.user.town, clerk.email)
    for _ in range(ratelimit.LOGIN_ACCOUNT.limit):
        ratelimit.hit(ratelimit.LOGIN_ACCOUNT, key)
    p = browser()
    refused = password_step(p, clerk.email, clerk.password)
    assert refused.status_code == 200 and "ログインを止めています" in refused.text
    assert "ログイン停止中" in console.get("/staff/staff").text
    page = console.get(f"/staff/staff/{clerk.user.pk}")
    assert "24時間に100回に達したため" in page.text and "ログインの停止を解除する" in page.text

    done = console.post(f"/staff/staff/{clerk.user.pk}/unlock-login", follow=True)

    assert "ログインの停止を解除しました" in done.text
    assert "ログインの停止を解除する" not in done.text
    assert "ログイン停止中" not in console.get("/staff/staff").text
    unlocked = AuditEvent.objects.get(action="staff_login_unlocked")
    assert unlocked.actor == console.staff
    assert unlocked.data["before"]["login_locked_until"].startswith("2026-")
    assert unlocked.data["after"] == {"login_locked_until": None}
    staff_sign_in(p, clerk)
    assert p.get("/staff/").status_code == 200


def test_unlocking_an_account_that_is_not_locked_changes_nothing(console, clerk):
    page = console.post(f"/staff/staff/{clerk.user.pk}/unlock-login", follow=True)
    assert "ログインは止まっていません" in page.text
    assert not AuditEvent.objects.filter(action="staff_login_unlocked").exists()


def test_a_second_click_on_a_change_records_it_once(console, clerk):
    for _ in range(2):
        console.post(f"/staff/staff/{clerk.user.pk}/role", {"role": "viewer"})
        console.post(f"/staff/staff/{clerk.user.pk}/disable")
    assert AuditEvent.objects.filter(action="staff_role_changed").count() == 1
    assert AuditEvent.objects.filter(action="staff_disabled").count() == 1
    clerk.user.refresh_from_db()
    assert clerk.user.staff_role == "viewer" and not clerk.user.is_active


def test_the_secret_leaves_the_address_bar_and_another_browser_cannot_go_on_by_number(
    console, browser
):
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    p = browser()
    opened = p.get(link, follow=True)
    assert opened.redirect_chain == [(numbered(link), 302)]
    assert "パスワードを決めて" in opened.text
    stranger = browser()
    assert INVALID in stranger.get(numbered(link)).text
    assert INVALID in stranger.get(numbered(link) + "/authenticator").text
    # The page addressed by number goes on for the browser that opened the link.
    assert choose_password(p, link).url == numbered(link) + "/authenticator"


def test_a_used_links_secret_never_reaches_the_log(console, tenant, browser):
    """Django logs the path of a 410; the secret in it is hidden."""
    import io
    import logging

    from waterportal.lib.log_filters import HideLinkSecrets

    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, HideLinkSecrets) for f in h.filters)
    ]
    invite(console)
    link = link_in_last_mail(NEW_EMAIL)
    staff = User.objects.get(tenant=tenant, email=NEW_EMAIL)
    console.post(f"/staff/staff/{staff.pk}/disable")
    out = io.StringIO()
    previous = handler.setStream(out)  # type: ignore[attr-defined]
    try:
        assert INVALID in browser().get(link, follow=True).text
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    secret = welcome_path(link).rsplit(".", 1)[1]
    assert "Gone: /staff/welcome/" in out.getvalue() and secret not in out.getvalue()
