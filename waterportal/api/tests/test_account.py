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


def test_a_code_asked_for_by_another_account_does_not_move_this_one(
    signed_in_app, member, tenant, clock
):
    """Someone holding this member's token (a lost phone) but not the password asks, as
    their own account, for a code to an address they read, then confirms it with the
    stolen token: the address stays, so no password reset can take the account."""
    from waterportal.testing import code_from_mail, make_member
    from waterportal.testing.api import App

    make_member(tenant, email="intruder@example.jp", name="他人 一郎")
    intruder = App(tenant, signed_in_app._capture)
    intruder.sign_in("intruder@example.jp")
    asked = intruder.post(
        "/account/email", {"email": "takeover@example.jp", "current_password": STRONG_PASSWORD}
    )
    assert asked.status_code == 202
    code = code_from_mail("takeover@example.jp")

    stolen = signed_in_app.post(
        "/account/email/confirm", {"email": "takeover@example.jp", "code": code}
    )
    assert stolen.status_code == 422
    member.refresh_from_db()
    assert member.email != "takeover@example.jp"
    # The one who asked can still use it.
    own = intruder.post("/account/email/confirm", {"email": "takeover@example.jp", "code": code})
    assert own.status_code == 200 and own.json()["email"] == "takeover@example.jp"


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


# --- The limits, the web's words, 退会's confirmation, new texts, another member's ------


def test_a_reset_asked_again_within_a_minute_is_429_whether_or_not_registered(app, member, clock):
    answers = {}
    for email in (member.email, "nobody@example.jp"):
        assert app.post("/password-reset", {"email": email}).status_code == 202
        again = app.post("/password-reset", {"email": email})
        assert again.status_code == 429
        assert int(again["Retry-After"]) > 0
        body = problem(again)
        answers[email] = (body["code"], body["detail"], again["Retry-After"])
        clock.shift(120)
    assert answers[member.email] == answers["nobody@example.jp"]
    assert "1分に1回まで" in answers[member.email][1]


def test_a_reset_with_a_wrong_code_or_two_passwords_is_refused_in_japanese(app, member, clock):
    app.post("/password-reset", {"email": member.email})
    body = {"email": member.email, "code": "000000"}
    wrong = app.post(
        "/password-reset/confirm",
        body | {"password1": "Reset-Pass-2026x", "password2": "Reset-Pass-2026x"},
    )
    assert wrong.status_code == 422
    assert problem(wrong)["code"] == "code_refused"
    assert "認証コードが正しくありません" in problem(wrong)["detail"]
    mismatch = app.post(
        "/password-reset/confirm",
        body | {"password1": "Reset-Pass-2026x", "password2": "Reset-Pass-2026y"},
    )
    assert mismatch.status_code == 422
    assert problem(mismatch)["code"] == "invalid_input"
    assert {e["field"] for e in problem(mismatch)["errors"]} & {"password2", "__all__"}


def test_the_address_code_sent_again_after_a_minute_and_the_webs_checks(
    signed_in_app, member, clock
):
    from waterportal.testing import code_from_mail

    ask = {"email": "new@example.jp", "current_password": STRONG_PASSWORD}
    assert signed_in_app.post("/account/email", ask).status_code == 202
    again = signed_in_app.post("/account/email", ask)
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    clock.shift(61)
    assert signed_in_app.post("/account/email", ask).status_code == 202
    code = code_from_mail("new@example.jp")
    done = signed_in_app.post("/account/email/confirm", {"email": "new@example.jp", "code": code})
    assert done.status_code == 200, done.content

    same = signed_in_app.post(
        "/account/email", {"email": "new@example.jp", "current_password": STRONG_PASSWORD}
    )
    assert same.status_code == 422
    assert "今お使いのメールアドレスと同じです" in problem(same)["detail"]
    wrong = signed_in_app.post(
        "/account/email", {"email": "other@example.jp", "current_password": "wrong-Pass-1"}
    )
    assert wrong.status_code == 422
    assert problem(wrong)["errors"][0]["field"] == "current_password"


def test_withdrawal_needs_the_confirmation_and_the_password(signed_in_app, member):
    unconfirmed = signed_in_app.post(
        "/account/withdraw", {"current_password": STRONG_PASSWORD, "confirm": False}
    )
    assert unconfirmed.status_code == 422
    assert problem(unconfirmed)["code"] == "invalid_input"
    wrong = signed_in_app.post(
        "/account/withdraw", {"current_password": "wrong-Pass-1", "confirm": True}
    )
    assert wrong.status_code == 422
    assert "今のパスワードが正しくありません" in problem(wrong)["detail"]
    assert signed_in_app.get("/me").status_code == 200
    member.refresh_from_db()
    assert member.is_active


def test_with_new_texts_pending_the_account_answers_403(signed_in_app, member, tenant):
    from waterportal.accounts.actions import do_publish_text_version

    do_publish_text_version(
        tenant, "privacy", "第2版", "新しい取り扱いです。", actor=None, source=""
    )
    response = signed_in_app.post(
        "/account/password",
        {
            "current_password": STRONG_PASSWORD,
            "password1": "New-Pass-2026x",
            "password2": "New-Pass-2026x",
        },
    )
    assert response.status_code == 403
    body = problem(response)
    assert body["code"] == "terms_not_accepted"
    assert "同意が必要です" in body["title"]
    pending = signed_in_app.get("/account/texts")
    assert pending.status_code == 200
    assert [row["kind"] for row in pending.json()] == ["privacy"]
    assert "新しい取り扱いです。" in pending.json()[0]["added"]


def test_an_app_that_was_let_through_is_stopped_by_a_new_version_and_let_through_once_accepted(
    signed_in_app, member, tenant
):
    from waterportal.accounts.actions import do_publish_text_version

    assert signed_in_app.get("/me").status_code == 200  # remembered on the sign-in
    do_publish_text_version(tenant, "terms", "第2版", "新しい規約です。", actor=None, source="")

    assert problem(signed_in_app.get("/contracts"))["code"] == "terms_not_accepted"
    (pending,) = signed_in_app.get("/account/texts").json()
    accepted = signed_in_app.post("/account/texts/accept", {"version_ids": [pending["version_id"]]})
    assert accepted.json()["pending"] == []
    assert signed_in_app.get("/contracts").status_code == 200
    assert signed_in_app.get("/contracts").status_code == 200


def test_another_members_contract_cannot_be_removed(signed_in_app, member, tenant):
    from waterportal.contracts.models import Link
    from waterportal.testing import make_customer, make_link, make_member

    jiro = make_member(tenant, email="jiro@example.jp", name="水道 次郎")
    theirs = make_link(jiro, make_customer(tenant, number="20200002"))
    response = signed_in_app.delete(f"/account/contracts/{theirs.pk}")
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"
    assert Link.objects.get(pk=theirs.pk).revoked_at is None


def test_adding_a_contract_with_the_webs_checks(signed_in_app, member, tenant, clock):
    from waterportal.testing import make_customer, make_link

    customer = make_customer(tenant, number="30300003", kana="スイドウ ハナコ")
    make_link(member, customer)
    wrong = signed_in_app.post(
        "/account/contracts",
        {"number": "3030-0003", "kana": "ヤマダ ハナコ", "relationship": "家族"},
    )
    assert wrong.status_code == 422
    assert "使用者番号とカナ氏名の組み合わせを確認できませんでした" in problem(wrong)["detail"]
    again = signed_in_app.post(
        "/account/contracts",
        {
            "number": "3030-0003",
            "kana": "スイドウ ハナコ",
            "relationship": "本人",
        },
    )
    assert again.status_code == 409
    assert "すでにこのアカウントに登録されています" in problem(again)["detail"]
    unknown = signed_in_app.post(
        "/account/contracts",
        {"number": "1111-2222", "kana": "スイドウ ハナコ", "relationship": "親戚"},
    )
    assert unknown.status_code == 422


def test_another_towns_app_cannot_add_a_contract(signed_in_app, other_app):
    other_app.token = signed_in_app.token
    response = other_app.post(
        "/account/contracts",
        {"number": "1010-0001", "kana": "スイドウ タロウ", "relationship": "本人"},
    )
    assert response.status_code == 401
    assert problem(response)["code"] == "not_authenticated"
