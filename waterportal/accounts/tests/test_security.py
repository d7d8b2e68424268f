"""CSRF, escaping, over-long input, logs, and tenant isolation of every account page."""

import logging
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from waterportal.accounts.backends import TenantEmailBackend
from waterportal.testing import (
    STRONG_PASSWORD,
    TARO,
    code_from_mail,
    make_customer,
    make_member,
    profile,
    register_until_code,
    verify,
)

PAGES_WITH_FORMS = [
    "/login",
    "/register",
    "/password-reset",
]


@pytest.mark.parametrize("path", PAGES_WITH_FORMS)
def test_every_form_refuses_a_post_without_csrf_token(tenant, path):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/login?tenant={tenant.slug}")
    response = client.post(path, {"email": "a@example.jp", "password": "x"})
    assert response.status_code == 403
    assert "もう一度お試しください" in response.text


@pytest.mark.parametrize("path", PAGES_WITH_FORMS)
def test_every_form_has_a_csrf_token(portal, path):
    assert 'name="csrfmiddlewaretoken"' in portal.get(path).text


def test_pages_forbid_inline_and_foreign_scripts_and_framing(portal):
    policy = portal.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


# Pages are drawn from these templates only; the emails are read in mail programs.
PAGE_TEMPLATES = [
    path
    for path in (Path(__file__).resolve().parents[3] / "templates").rglob("*.html")
    if "emails" not in path.parts
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.I)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda path: path.name)
def test_no_page_has_a_script_the_policy_would_block(template):
    # The Content-Security-Policy runs scripts from the portal's files only: an inline
    # script or event handler would silently do nothing in the resident's browser.
    assert not INLINE_SCRIPT.search(template.read_text())


def test_a_name_like_a_script_is_shown_as_text(portal):
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    verify(portal)
    portal.post(
        "/register/profile",
        {
            "name": "<script>alert(1)</script>",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )
    portal.post(
        "/register/contract", {"number": "12345678", "kana": "スイドウ タロウ", "agree": "on"}
    )
    portal.post("/register/privacy", {"agree": "on", "relationship": "本人"})
    page = portal.get("/register/confirm")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@pytest.mark.parametrize(
    "path,field",
    [
        ("/register", "email"),
        ("/password-reset", "email"),
        ("/login", "email"),
        ("/login", "password"),
    ],
)
def test_10000_characters_in_a_field_get_a_field_error_not_a_500(portal, path, field):
    data = {"email": "a@example.jp", "password": "x"} | {field: "x" * 10_000}
    response = portal.post(path, data)
    assert response.status_code == 200
    assert "errorlist" in response.text or "error-box" in response.text


def test_contract_fields_of_10000_characters_get_field_errors(portal):
    register_until_code(portal)
    verify(portal)
    profile(portal, name="太郎")
    page = portal.post(
        "/register/contract", {"number": "1" * 10_000, "kana": "ア" * 10_000, "agree": "on"}
    )
    assert page.status_code == 200 and "30文字以内" in page.text and "100文字以内" in page.text


def test_codes_passwords_and_names_never_reach_the_logs(portal, caplog):
    caplog.set_level(logging.DEBUG)
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    code = code_from_mail(TARO.email)
    portal.post("/register/code", {"code": code})
    portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    for _ in range(5):
        portal.post(
            "/register/contract", {"number": "12345678", "kana": "ヤマダ ハナコ", "agree": "on"}
        )
    portal.post("/login", {"email": TARO.email, "password": "Wrong-Pass-123"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (code, STRONG_PASSWORD, "Wrong-Pass-123", "水道 太郎", "ヤマダ", TARO.email):
        assert secret not in logged


# Every form that takes a password, a code, or the 使用者番号 and カナ氏名 that prove a
# contract. Whatever reaches the view (a redirect included), an error report of the
# request (the 500 mail to ADMINS, DEBUG's page) shows none of what was typed.
FORMS_WITH_SECRETS = [
    ("/login", {"email": TARO.email, "password": "Secret-Pass-999"}),
    ("/register", {"email": TARO.email}),
    ("/register/code", {"code": "123456"}),
    ("/register/profile", {"name": "水道 太郎", "password1": "Secret-Pass-999"}),
    ("/register/contract", {"number": "12345678", "kana": "スイドウ タロウ"}),
    ("/password-reset", {"email": TARO.email}),
    ("/password-reset/code", {"code": "123456", "password1": "Secret-Pass-999"}),
    ("/account/contracts/add", {"number": "12345678", "kana": "スイドウ タロウ"}),
    ("/account/email", {"email": TARO.email, "current_password": "Secret-Pass-999"}),
    ("/account/email/code", {"code": "123456"}),
    ("/account/password", {"current_password": "Secret-Pass-999", "password1": "x"}),
    ("/account/withdraw", {"current_password": "Secret-Pass-999", "confirm": "on"}),
]


@pytest.mark.parametrize("path,data", FORMS_WITH_SECRETS, ids=[p for p, _ in FORMS_WITH_SECRETS])
def test_an_error_report_shows_nothing_typed_into_a_form_with_secrets(portal, path, data):
    request = portal.post(path, data).wsgi_request

    shown = SafeExceptionReporterFilter().get_post_parameters(request)

    assert {name: shown[name] for name in data} == dict.fromkeys(data, "********************")


def test_the_error_mail_of_a_crashed_login_holds_neither_password_nor_address(
    portal, settings, monkeypatch
):
    settings.ADMINS = ["ops@example.jp"]
    make_member(portal.tenant, email="hanako@example.jp")

    def crash(self, user):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(TenantEmailBackend, "user_can_authenticate", crash)
    portal.client.raise_request_exception = False

    response = portal.post("/login", {"email": "hanako@example.jp", "password": STRONG_PASSWORD})

    assert response.status_code == 500
    [report] = [m for m in mail.outbox if m.to == ["ops@example.jp"]]
    assert "the database went away" in report.body
    assert STRONG_PASSWORD not in report.body
    assert "'hanako@example.jp'" not in report.body.split("Request information")[1]


def test_the_error_mail_of_a_crashed_reset_holds_neither_code_nor_password(
    portal, settings, monkeypatch
):
    settings.ADMINS = ["ops@example.jp"]
    make_member(portal.tenant, email="hanako@example.jp")
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")

    def crash(*args, **kwargs):
        raise RuntimeError("the audit table is locked")

    monkeypatch.setattr("waterportal.accounts.actions.record", crash)
    portal.client.raise_request_exception = False

    new = "Kawa-Nagare-77"
    response = portal.post(
        "/password-reset/code", {"code": code, "password1": new, "password2": new}
    )

    assert response.status_code == 500
    [report] = [m for m in mail.outbox if m.to == ["ops@example.jp"]]
    assert "the audit table is locked" in report.body
    # As a value (a local, a POST field) the code would show quoted; six digits alone
    # could be part of anything in the report.
    assert f"'{code}'" not in report.body and new not in report.body


class TestTenantIsolation:
    """Whatever belongs to one municipality is invisible and unusable from another."""

    def test_a_session_of_one_town_is_signed_out_on_another_towns_address(
        self, portal, other_tenant
    ):
        make_member(portal.tenant, email="hanako@example.jp")
        portal.post("/login", {"email": "hanako@example.jp", "password": STRONG_PASSWORD})
        assert portal.get("/").status_code == 200
        page = portal.get(f"/login?tenant={other_tenant.slug}")
        assert "ログイン" in page.text and "水道 花子" not in page.text
        assert portal.get("/").status_code == 302

    def test_a_registration_flow_does_not_carry_over_to_another_town(self, portal, other_tenant):
        register_until_code(portal)
        verify(portal)
        portal.get(f"/login?tenant={other_tenant.slug}")
        page = portal.get("/register/profile", follow=True)
        assert page.redirect_chain[-1][0] == "/register"

    def test_another_towns_code_does_not_verify_here(self, portal, other_portal):
        register_until_code(portal)
        register_until_code(other_portal)
        codes = {code_from_mail(TARO.email)}
        page = other_portal.post("/register/code", {"code": next(iter(codes))})
        # Only the latest mail's code is known here; whichever town it belongs to, the
        # other town's flow must not accept it unless it is its own.
        from waterportal.accounts.models import VerificationCode

        own = VerificationCode.objects.get(tenant=other_portal.tenant)
        assert (page.status_code == 302) == own.matches(next(iter(codes)))

    def test_a_member_of_one_town_cannot_register_another_towns_contract(
        self, portal, other_tenant
    ):
        make_customer(other_tenant, number="12345678", kana="スイドウ タロウ")
        register_until_code(portal)
        verify(portal)
        profile(portal, name="太郎")
        page = portal.post(
            "/register/contract", {"number": "12345678", "kana": "スイドウ タロウ", "agree": "on"}
        )
        assert "組み合わせを確認できませんでした" in page.text
