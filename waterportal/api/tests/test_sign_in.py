"""An app signs in with the web login's rules and holds a token for its device only."""

import datetime as dt

from django.utils import timezone

from waterportal.accounts import actions as account_actions
from waterportal.audit.models import AuditEvent
from waterportal.devices.models import ApiRequest, AppSignIn
from waterportal.testing.api import problem
from waterportal.testing.personas import STRONG_PASSWORD


def test_login_returns_a_token_that_opens_the_members_data(app, member, clock):
    response = app.post(
        "/login", {"email": member.email, "password": STRONG_PASSWORD, "device_name": "Pixel 8"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("wpa_")
    assert body["member"]["email"] == member.email
    app.token = body["token"]
    assert app.get("/me").json()["name"] == member.name
    # The token and the member's address: no cache on the way or on the phone keeps them.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_token_is_stored_only_as_a_hash(signed_in_app, member):
    row = AppSignIn.objects.get(member=member)
    assert signed_in_app.token not in (row.token_hash, row.prefix)
    assert row.prefix in signed_in_app.token
    assert row.name == "Pixel 8" and row.platform == "android"


def test_a_wrong_password_is_refused_in_japanese_and_counted(app, member, clock):
    response = app.post("/login", {"email": member.email, "password": "wrong-Password-1"})
    assert response.status_code == 422
    body = problem(response)
    assert body["code"] == "invalid_input"
    assert "メールアドレスまたはパスワードが正しくありません" in body["detail"]
    assert AuditEvent.objects.filter(action="login_failed").count() == 1


def test_ten_failures_from_one_place_give_429_with_retry_after(app, member, clock):
    for _ in range(10):
        app.post("/login", {"email": member.email, "password": "wrong-Password-1"})
    response = app.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    assert response.status_code == 429
    assert problem(response)["code"] == "too_many_requests"
    assert int(response["Retry-After"]) > 0


def test_a_stopped_account_is_told_it_is_stopped(app, member, clock):
    member.locked_at = timezone.now()
    member.save(update_fields=["locked_at"])
    response = app.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    assert response.status_code == 403
    assert problem(response)["code"] == "account_stopped"


def test_no_token_or_a_bad_one_is_401_with_www_authenticate(app, member):
    response = app.get("/me")
    assert response.status_code == 401
    assert problem(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    app.token = "wpa_12345678_" + "x" * 43
    assert app.get("/me").status_code == 401


def test_another_towns_token_is_refused(signed_in_app, other_app, other_tenant):
    other_app.token = signed_in_app.token
    assert other_app.get("/me").status_code == 401


def test_an_unknown_town_is_a_404_problem(app):
    response = app.get("/api/v1/towns/nowhere/me")
    assert response.status_code == 404
    assert problem(response)["code"] == "town_not_found"


def test_logout_ends_the_token(signed_in_app, member):
    assert signed_in_app.post("/logout").status_code == 204
    assert signed_in_app.get("/me").status_code == 401
    assert AppSignIn.objects.get(member=member).ended_at is not None


def test_a_password_change_on_the_web_ends_the_apps_sign_in(signed_in_app, member):
    account_actions.do_change_password(member, "Another-Pass-2026")
    assert signed_in_app.get("/me").status_code == 401


def test_withdrawal_ends_the_apps_sign_in(signed_in_app, member):
    account_actions.do_withdraw_member(member)
    assert signed_in_app.get("/me").status_code == 401


def test_ninety_idle_days_end_it_and_each_use_moves_the_end(signed_in_app, member, clock):
    clock.shift(dt.timedelta(days=80))
    assert signed_in_app.get("/me").status_code == 200
    clock.shift(dt.timedelta(days=80))
    assert signed_in_app.get("/me").status_code == 200
    clock.shift(dt.timedelta(days=91))
    assert signed_in_app.get("/me").status_code == 401


def test_a_year_after_signing_in_the_app_asks_for_the_password_however_often_used(
    signed_in_app, member, clock
):
    for _ in range(12):
        clock.shift(dt.timedelta(days=30))
        assert signed_in_app.get("/me").status_code == 200
    clock.shift(dt.timedelta(days=6))
    assert signed_in_app.get("/me").status_code == 401


def test_each_request_is_logged_by_route_without_values(signed_in_app, member):
    signed_in_app.get("/me", query={"q": "secret"})
    row = ApiRequest.objects.get()
    assert row.endpoint == "/api/v1/towns/{slug}/me"
    assert row.status == 200 and row.method == "GET"


def test_the_document_is_openapi_3_1_and_errors_are_problem_json(app):
    response = app.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    login = doc["paths"]["/api/v1/towns/{slug}/login"]["post"]
    assert "application/problem+json" in login["responses"]["429"]["content"]


def test_the_interactive_documentation_is_not_served_in_production(app):
    # The suite runs with DEBUG off, as production does; the document itself is public.
    assert app.get("/api/v1/docs").status_code == 404
    assert app.get("/api/v1/openapi.json").status_code == 200


def test_an_address_under_the_api_that_does_not_exist_is_a_problem(app):
    response = app.get("/api/v1/towns/oumu/devices/not-a-number")
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"
