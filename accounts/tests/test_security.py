"""CSRF, escaping, over-long input, logs, and tenant isolation of every account page."""

import logging

import pytest
from django.test import Client

from accounts.tests.factories import STRONG_PASSWORD, make_customer, make_member
from accounts.tests.test_registration_flow import EMAIL, register_until_code, verify
from conftest import code_from_mail

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
    portal.post(
        "/register/profile",
        {"name": "太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    page = portal.post(
        "/register/contract", {"number": "1" * 10_000, "kana": "ア" * 10_000, "agree": "on"}
    )
    assert page.status_code == 200 and "30文字以内" in page.text and "100文字以内" in page.text


def test_codes_passwords_and_names_never_reach_the_logs(portal, caplog):
    caplog.set_level(logging.DEBUG)
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    code = code_from_mail(EMAIL)
    portal.post("/register/code", {"code": code})
    portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    for _ in range(5):
        portal.post(
            "/register/contract", {"number": "12345678", "kana": "ヤマダ ハナコ", "agree": "on"}
        )
    portal.post("/login", {"email": EMAIL, "password": "Wrong-Pass-123"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (code, STRONG_PASSWORD, "Wrong-Pass-123", "水道 太郎", "ヤマダ", EMAIL):
        assert secret not in logged


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
        codes = {code_from_mail(EMAIL)}
        page = other_portal.post("/register/code", {"code": next(iter(codes))})
        # Only the latest mail's code is known here; whichever town it belongs to, the
        # other town's flow must not accept it unless it is its own.
        from accounts.models import VerificationCode

        own = VerificationCode.objects.get(tenant=other_portal.tenant)
        assert (page.status_code == 302) == own.matches(next(iter(codes)))

    def test_a_member_of_one_town_cannot_register_another_towns_contract(
        self, portal, other_tenant
    ):
        make_customer(other_tenant, number="12345678", kana="スイドウ タロウ")
        register_until_code(portal)
        verify(portal)
        portal.post(
            "/register/profile",
            {"name": "太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
        )
        page = portal.post(
            "/register/contract", {"number": "12345678", "kana": "スイドウ タロウ", "agree": "on"}
        )
        assert "組み合わせを確認できませんでした" in page.text
