"""The operator's sign-in to the admin, which sees every municipality: the same limits
and session lifetime as a resident's login, at least."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from waterportal.accounts.models import User
from waterportal.testing import (
    OPERATOR,
    SUIDO,
    authenticator_code,
    is_signed_in,
    make_operator,
    make_staff,
)

LOCKED = "しばらくログインできません"


@pytest.fixture
def operator(db):
    return make_operator()


def admin_login(client, email=OPERATOR.email, password=OPERATOR.password, code=None):
    if code is None:
        operator = User.objects.filter(email=OPERATOR.email, tenant__isnull=True).first()
        code = authenticator_code(operator) if operator else ""
    return client.post(
        "/admin/login/",
        {"username": email, "password": password, "otp_token": code, "next": "/admin/"},
    )


def test_the_operator_signs_in_to_the_admin(client, operator, clock):
    assert admin_login(client).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_ten_wrong_passwords_lock_the_operators_admin_login(client, operator, clock):
    for _ in range(10):
        assert admin_login(client, password="Wrong-Pass-123").status_code == 200
    page = admin_login(client)  # even the right password
    assert page.status_code == 200 and LOCKED in page.text
    assert not is_signed_in(client)
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert admin_login(client).url == "/admin/"


def test_wrong_passwords_from_elsewhere_do_not_lock_the_operator_out(operator, clock):
    for i in range(10):
        admin_login(Client(REMOTE_ADDR=f"10.0.0.{i}"), password="Wrong-Pass-123")
    assert admin_login(Client(REMOTE_ADDR="10.0.0.99")).url == "/admin/"


def test_no_number_of_failures_elsewhere_locks_the_operator_out(operator, clock):
    """The operator's account has no ceiling across sources: it is the one account that
    unlocks everything else, and there is no link to mail it."""
    for i in range(100):
        admin_login(Client(REMOTE_ADDR=f"10.0.{i // 5}.{i}"), password="Wrong-Pass-123")
        clock.shift(dt.timedelta(minutes=5))
    fresh = Client(REMOTE_ADDR="10.0.0.250")
    assert admin_login(fresh).url == "/admin/"


def test_thirty_admin_failures_from_one_source_lock_that_source(client, operator, clock):
    for i in range(30):
        admin_login(client, email=f"guess{i}@example.jp")
    assert LOCKED in admin_login(client).text
    assert not is_signed_in(client)


def test_an_operator_session_ends_after_30_minutes_idle(client, operator, clock):
    admin_login(client)
    clock.shift(dt.timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    assert client.get("/admin/").status_code == 302
    assert not is_signed_in(client)


def test_an_operator_session_ends_after_12_hours_even_when_active(client, operator, clock):
    admin_login(client)
    for _ in range(24):  # 11 hours 36 minutes, never idle for 30
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(minutes=25))
    assert client.get("/admin/").status_code == 302


def test_the_admin_asks_for_the_authenticators_code(client, operator, clock):
    page = admin_login(client, code="")
    assert page.status_code == 200 and "確認コードを入力してください" in page.text
    wrong = "000000" if authenticator_code(operator) != "000000" else "111111"
    page = admin_login(client, code=wrong)
    assert page.status_code == 200 and "確認コードが正しくありません" in page.text
    assert not is_signed_in(client)


def test_a_session_without_the_second_factor_has_no_admin(client, operator, clock):
    client.force_login(operator)
    page = client.get("/admin/")
    assert page.status_code == 302 and page.url.startswith("/admin/login/")


def test_a_towns_staff_never_opens_the_admin(client, tenant, clock):
    staff = make_staff(tenant)
    page = admin_login(client, email=SUIDO.email, password=SUIDO.password, code=staff.code_now())
    assert page.status_code == 200 and not is_signed_in(client)


def test_operator_authenticator_gives_a_new_authenticator_and_codes(operator, clock, capsys):
    before = authenticator_code(operator)
    call_command("operator_authenticator", OPERATOR.email)
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 10
    assert authenticator_code(operator) != before  # the old app no longer works
