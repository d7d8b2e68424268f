"""The staff console's door: password, then the authenticator's 確認コード (or a recovery
code); residents and staff each sign in at their own door only."""

import base64
import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp

from waterportal.audit.models import AuditEvent
from waterportal.testing import SUIDO, is_signed_in, make_member, make_staff

FAILED = "メールアドレスまたはパスワードが正しくありません"
WRONG_CODE = "確認コードが正しくありません"


@pytest.fixture
def staff(tenant):
    return make_staff(tenant)


def password_step(portal, email=SUIDO.email, password=SUIDO.password):
    portal.get(f"/staff/login?tenant={portal.tenant.slug}")
    return portal.post("/staff/login", {"email": email, "password": password})


def code_step(portal, code):
    return portal.post("/staff/login/code", {"code": code})


def test_password_then_the_authenticators_code_opens_the_console(portal, staff, clock):
    assert password_step(portal).url == "/staff/login/code"
    assert not is_signed_in(portal.client)

    assert code_step(portal, staff.code_now()).url == "/staff/"

    home = portal.get("/staff/")
    assert home.status_code == 200 and "今日の数字" in home.text and "おうむ町" in home.text
    login = AuditEvent.objects.get(action="staff_login")
    assert login.actor == staff.user and login.data == {"method": "totp"}


def test_a_wrong_code_is_refused_in_japanese_and_put_on_record(portal, staff, clock):
    password_step(portal)
    page = code_step(portal, "000000" if staff.code_now() != "000000" else "111111")
    assert page.status_code == 200 and WRONG_CODE in page.text
    assert not is_signed_in(portal.client)
    failure = AuditEvent.objects.get(action="staff_login_failed")
    assert failure.actor == staff.user and failure.data == {"step": "code"}


def test_a_code_once_used_does_not_open_the_console_again(portal, staff, clock):
    code = staff.code_now()
    password_step(portal)
    code_step(portal, code)
    portal.post("/staff/logout")

    password_step(portal)
    assert WRONG_CODE in code_step(portal, code).text
    clock.shift(dt.timedelta(seconds=30))
    assert code_step(portal, staff.code_now()).url == "/staff/"


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(portal, staff, clock):
    code = staff.recovery_codes[0]
    password_step(portal)
    page = code_step(portal, code.upper().replace("-", " "))  # as typed from paper
    assert page.url == "/staff/"
    assert "残りは9個" in portal.get("/staff/").text
    assert AuditEvent.objects.get(action="staff_login").data == {"method": "recovery_code"}
    portal.post("/staff/logout")

    password_step(portal)
    assert WRONG_CODE in code_step(portal, code).text


def test_the_console_needs_the_second_factor(portal, staff, clock):
    password_step(portal)
    page = portal.get("/staff/")
    assert page.status_code == 302 and page.url.startswith("/staff/login")


def test_the_password_step_is_forgotten_after_five_minutes(portal, staff, clock):
    password_step(portal)
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    page = code_step(portal, staff.code_now())
    assert page.status_code == 302 and page.url == "/staff/login"
    assert not is_signed_in(portal.client)


def test_a_residents_account_does_not_open_the_staff_login(portal, member, clock):
    page = password_step(portal, email=member.email, password="Mizu-Nomu-2026")
    assert page.status_code == 200 and FAILED in page.text


def test_a_staff_account_does_not_open_the_residents_login(portal, staff, clock):
    page = portal.post("/login", {"email": SUIDO.email, "password": SUIDO.password})
    assert page.status_code == 200 and FAILED in page.text


def test_a_resident_and_a_member_of_staff_may_share_an_address(portal, tenant, clock):
    staff = make_staff(tenant, email="hanako@example.jp")
    make_member(tenant, email="hanako@example.jp")

    assert (
        portal.post("/login", {"email": "hanako@example.jp", "password": "Mizu-Nomu-2026"}).url
        == "/"
    )
    portal.post("/logout")
    assert password_step(portal, email="hanako@example.jp").url == "/staff/login/code"
    assert code_step(portal, staff.code_now()).url == "/staff/"


def test_signed_in_staff_have_no_resident_pages(portal, staff, clock):
    password_step(portal)
    code_step(portal, staff.code_now())
    page = portal.get("/")
    assert page.status_code == 302 and page.url.startswith("/login")


def test_another_towns_staff_is_sent_to_the_login(portal, other_tenant, clock):
    kita = make_staff(other_tenant, email="suido@kita.example.jp")
    portal.get("/staff/login?tenant=kita")
    portal.post("/staff/login", {"email": kita.email, "password": SUIDO.password})
    assert code_step(portal, kita.code_now()).url == "/staff/"

    page = portal.get("/staff/?tenant=oumu")
    assert page.status_code == 302 and "/staff/login" in page.url


def test_ten_wrong_passwords_stop_the_staff_login_for_15_minutes(portal, staff, clock):
    for _ in range(10):
        assert FAILED in password_step(portal, password="Wrong-Pass-123").text
    assert "しばらくログインできません" in password_step(portal).text
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert password_step(portal).url == "/staff/login/code"


def test_a_staff_session_ends_after_8_hours_in_all(portal, staff, clock):
    password_step(portal)
    code_step(portal, staff.code_now())
    for _ in range(16):  # 8 hours of a page every 30 minutes
        clock.shift(dt.timedelta(minutes=29, seconds=59))
        assert portal.get("/staff/").status_code == 200
    clock.shift(dt.timedelta(minutes=1))
    page = portal.get("/staff/", follow=True)
    assert "ログインから8時間が過ぎた" in page.text


def test_create_staff_prints_the_authenticator_uri_and_ten_recovery_codes_once(
    tenant, monkeypatch, capsys
):
    monkeypatch.setenv("STAFF_PASSWORD", SUIDO.password)
    call_command("create_staff", "oumu", SUIDO.email, "--role", "担当者")

    out = capsys.readouterr().out
    assert "otpauth://totp/" in out and "issuer=" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 10
    created = AuditEvent.objects.get(action="staff_created")
    assert created.data["role"] == "clerk" and created.data["os_user"]


def test_create_staff_refuses_in_japanese(tenant, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "short")
    with pytest.raises(CommandError, match="パスワード"):
        call_command("create_staff", "oumu", SUIDO.email, "--role", "管理者")
    with pytest.raises(CommandError, match="自治体「nowhere」はありません"):
        call_command("create_staff", "nowhere", SUIDO.email, "--role", "管理者")
    monkeypatch.setenv("STAFF_PASSWORD", SUIDO.password)
    call_command("create_staff", "oumu", SUIDO.email, "--role", "管理者")
    with pytest.raises(CommandError, match="すでにいます"):
        call_command("create_staff", "oumu", SUIDO.email, "--role", "閲覧者")


def test_the_demo_manager_that_seed_demo_prints_signs_in_to_the_console(
    db, client, tmp_path, clock
):
    out = io.StringIO()
    call_command("seed_demo", "--dir", str(tmp_path / "demo"), stdout=out)
    printed = out.getvalue()
    account = re.search(r"デモの管理者:\s+(\S+) / パスワード (\S+)", printed)
    key = re.search(r"認証アプリの秘密鍵: ([A-Z2-7]+)", printed)
    assert account is not None and key is not None, printed
    (email, password), secret = account.groups(), key.group(1)
    assert "/staff/login?tenant=oumu" in printed

    client.get("/staff/login?tenant=oumu")
    assert client.post("/staff/login", {"email": email, "password": password}).url == (
        "/staff/login/code"
    )
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert client.post("/staff/login/code", {"code": code}).url == "/staff/"


def test_a_wrong_authenticator_code_does_not_hold_up_a_recovery_code(portal, staff, clock):
    """Each code is checked against its own kind of device only: a mistyped 6-digit code
    slows further tries of the authenticator, never of the recovery codes."""
    password_step(portal)
    wrong = "000000" if staff.code_now() != "000000" else "111111"
    assert WRONG_CODE in code_step(portal, wrong).text
    assert code_step(portal, staff.recovery_codes[0]).url == "/staff/"


def test_a_second_click_on_login_goes_to_the_console_not_back_to_the_password(portal, staff, clock):
    code = staff.code_now()
    password_step(portal)
    assert code_step(portal, code).url == "/staff/"
    again = code_step(portal, code)  # the same form, sent twice
    assert again.status_code == 302 and again.url == "/staff/"
    assert "もう一度、メールアドレスとパスワード" not in portal.get("/staff/").text
