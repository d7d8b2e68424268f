"""The account from an app: the web's rules for the password, the address and 退会."""

from waterportal.devices.models import AppSignIn
from waterportal.testing.api import problem
from waterportal.testing.personas import STRONG_PASSWORD


def test_reset_answers_the_same_for_an_unknown_address(app, member, clock):
    known = app.post("/password-reset", {"email": member.email})
    clock.shift(120)
    unknown = app.post("/password-reset", {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_a_wrong_current_password_is_refused_in_japanese(signed_in_app, member):
    response = signed_in_app.post(
        "/account/password",
        {
            "current_password": "wrong-Pass-1",
            "password1": "New-Pass-2026x",
            "password2": "New-Pass-2026x",
        },
    )
    assert response.status_code == 422
    assert "今のパスワードが正しくありません" in problem(response)["detail"]


def test_a_password_change_keeps_this_app_and_ends_the_others(signed_in_app, app, member, clock):
    from waterportal.testing.api import App

    other = App(member.town, signed_in_app._capture)
    other.sign_in(member.email)
    response = signed_in_app.post(
        "/account/password",
        {
            "current_password": STRONG_PASSWORD,
            "password1": "New-Pass-2026x",
            "password2": "New-Pass-2026x",
        },
    )
    assert response.status_code == 204
    assert signed_in_app.get("/me").status_code == 200
    assert other.get("/me").status_code == 401


def test_withdrawal_ends_every_token(signed_in_app, member):
    response = signed_in_app.post(
        "/account/withdraw", {"current_password": STRONG_PASSWORD, "confirm": True}
    )
    assert response.status_code == 204
    assert signed_in_app.get("/me").status_code == 401
    assert AppSignIn.objects.filter(member=member).exists()


def test_another_towns_app_cannot_use_the_token(signed_in_app, other_app):
    other_app.token = signed_in_app.token
    assert (
        other_app.put(
            "/account/notifications", {"notify_new_bill": False, "notify_notices": True}
        ).status_code
        == 401
    )


def test_the_address_changes_with_the_code_sent_to_the_new_one(signed_in_app, member, clock):
    from waterportal.testing import code_from_mail

    response = signed_in_app.post(
        "/account/email", {"email": "new@example.jp", "current_password": STRONG_PASSWORD}
    )
    assert response.status_code == 202
    code = code_from_mail("new@example.jp")
    wrong = signed_in_app.post(
        "/account/email/confirm", {"email": "new@example.jp", "code": "000000"}
    )
    assert wrong.status_code == 422
    done = signed_in_app.post("/account/email/confirm", {"email": "new@example.jp", "code": code})
    assert done.status_code == 200 and done.json()["email"] == "new@example.jp"
    member.refresh_from_db()
    assert member.email == "new@example.jp"


def test_an_address_of_another_account_is_409(signed_in_app, member, tenant, clock):
    from waterportal.testing import code_from_mail, make_member

    signed_in_app.post(
        "/account/email", {"email": "taken@example.jp", "current_password": STRONG_PASSWORD}
    )
    code = code_from_mail("taken@example.jp")
    make_member(tenant, email="taken@example.jp", name="先に 登録")
    response = signed_in_app.post(
        "/account/email/confirm", {"email": "taken@example.jp", "code": code}
    )
    assert response.status_code == 409 and problem(response)["code"] == "email_taken"
    member.refresh_from_db()
    assert member.email != "taken@example.jp"


def test_notification_settings_are_the_webs(signed_in_app, member):
    response = signed_in_app.put(
        "/account/notifications", {"notify_new_bill": False, "notify_notices": True}
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.notify_new_bill, member.notify_notices) == (False, True)


def test_a_reset_code_sets_a_new_password_and_ends_the_apps(signed_in_app, app, member, clock):
    from waterportal.testing import code_from_mail

    app.post("/password-reset", {"email": member.email})
    code = code_from_mail(member.email)
    response = app.post(
        "/password-reset/confirm",
        {
            "email": member.email,
            "code": code,
            "password1": "Reset-Pass-2026x",
            "password2": "Reset-Pass-2026x",
        },
    )
    assert response.status_code == 204
    assert signed_in_app.get("/me").status_code == 401
    app.sign_in(member.email, "Reset-Pass-2026x")
