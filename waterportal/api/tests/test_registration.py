"""Registration from an app, in the guide's steps, by the web's forms and actions; new
texts to accept; a contract added and removed from the account."""

import pytest

from waterportal.accounts.models import User
from waterportal.contracts.models import Link
from waterportal.testing import TARO, code_from_mail, make_customer
from waterportal.testing.api import problem
from waterportal.testing.personas import STRONG_PASSWORD

KEY = "X-Registration-Key"


@pytest.fixture
def ledger(tenant):
    return make_customer(tenant, number="12345678", kana="スイドウ タロウ")


def start(app) -> str:
    response = app.post("/registration", {"email": TARO.email})
    assert response.status_code == 201, response.content
    # The key to the registration: never kept by a cache (which could not tell two
    # registrations apart by their X-Registration-Key).
    assert "no-store" in response["Cache-Control"]
    assert response.json()["next_step"] == "code"
    return response.json()["registration_id"]


def test_the_guides_steps_end_with_the_day_bills_appear(app, ledger, clock):
    key = start(app)
    steps = [
        ("/registration/code", {"code": code_from_mail(TARO.email)}, "profile"),
        (
            "/registration/profile",
            {"name": TARO.name, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
            "contract",
        ),
        (
            "/registration/contract",
            {"number": "1234-5678", "kana": "スイドウ タロウ", "agree": True},
            "privacy",
        ),
        ("/registration/privacy", {"agree": True, "relationship": "本人"}, "confirm"),
        ("/registration/confirm", {}, "done"),
    ]
    for path, body, following in steps:
        response = app.post(path, body, headers={KEY: key})
        assert response.status_code == 200, (path, response.content)
        assert response.json()["next_step"] == following
    assert response.json()["active_from"]
    assert "no-store" in app.get("/registration", headers={KEY: key})["Cache-Control"]
    member = User.members.get(email=TARO.email)
    assert Link.objects.filter(member=member, customer=ledger).exists()
    app.sign_in(TARO.email)
    assert app.get("/me").json()["name"] == TARO.name


def test_a_step_out_of_order_names_the_next_one(app, ledger, clock):
    key = start(app)
    response = app.post(
        "/registration/contract",
        {"number": "1234-5678", "kana": "スイドウ タロウ", "agree": True},
        headers={KEY: key},
    )
    assert response.status_code == 409
    assert response.json()["next_step"] == "code"


def test_a_wrong_code_is_refused_with_the_webs_words(app, ledger, clock):
    key = start(app)
    response = app.post("/registration/code", {"code": "000000"}, headers={KEY: key})
    assert response.status_code == 422
    assert problem(response)["code"] == "code_refused"


def test_a_wrong_kana_is_refused_as_on_the_web(app, ledger, clock):
    key = start(app)
    app.post("/registration/code", {"code": code_from_mail(TARO.email)}, headers={KEY: key})
    app.post(
        "/registration/profile",
        {"name": TARO.name, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
        headers={KEY: key},
    )
    response = app.post(
        "/registration/contract",
        {"number": "1234-5678", "kana": "ヤマダ ハナコ", "agree": True},
        headers={KEY: key},
    )
    assert response.status_code == 422
    assert problem(response)["code"] == "contract_refused"


def test_an_unknown_registration_is_gone(app):
    response = app.get("/registration", headers={KEY: "x" * 43})
    assert response.status_code == 410


def test_new_terms_must_be_accepted_first(signed_in_app, member, tenant):
    from waterportal.accounts.actions import do_publish_text_version

    do_publish_text_version(
        tenant, "terms", "第2版", "第1条 新しい規約です。", actor=None, source=""
    )
    response = signed_in_app.get("/contracts")
    assert response.status_code == 403
    assert problem(response)["code"] == "terms_not_accepted"
    pending = signed_in_app.get("/account/texts").json()
    assert [row["label"] for row in pending] == ["第2版"]
    ids = [row["version_id"] for row in pending]
    assert signed_in_app.post("/account/texts/accept", {"version_ids": ids}).status_code == 200
    assert signed_in_app.get("/contracts").status_code == 200


def test_a_contract_added_from_the_app_and_removed(signed_in_app, member, tenant, clock):
    make_customer(tenant, number="55556666", kana="スイドウ ハナコ")
    response = signed_in_app.post(
        "/account/contracts",
        {"number": "5555-6666", "kana": "スイドウ ハナコ", "relationship": "本人"},
    )
    assert response.status_code == 201, response.content
    link_id = response.json()["link_id"]
    assert signed_in_app.delete(f"/account/contracts/{link_id}").status_code == 204
    assert Link.objects.get(pk=link_id).revoked_at is not None
    assert signed_in_app.delete(f"/account/contracts/{link_id + 100}").status_code == 404


# --- The flow's state, its texts, the code sent again, the limits, a flow gone ----------


def through_profile(app, key: str) -> None:
    app.post("/registration/code", {"code": code_from_mail(TARO.email)}, headers={KEY: key})
    app.post(
        "/registration/profile",
        {"name": TARO.name, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
        headers={KEY: key},
    )


def test_the_state_shows_what_was_typed_and_never_the_password(app, ledger, clock):
    key = start(app)
    through_profile(app, key)
    response = app.get("/registration", headers={KEY: key})
    assert response.status_code == 200
    state = response.json()
    assert state["next_step"] == "contract"
    assert state["email"] == TARO.email
    assert state["name"] == TARO.name
    assert state["has_password"] is True
    assert STRONG_PASSWORD not in response.content.decode()
    assert not {"password", "password1", "password_hash"} & set(state)


def test_the_texts_to_agree_to_and_the_relationships_in_japanese(app):
    response = app.get("/registration/texts")
    assert response.status_code == 200
    body = response.json()
    assert {text["kind"] for text in body["texts"]} == {"terms", "privacy"}
    assert all(text["text"] for text in body["texts"])
    labels = {choice["value"]: choice["label"] for choice in body["relationships"]}
    assert labels["本人"] == "本人"
    assert {"本人", "家族", "代理人", "その他"} <= set(labels)


def test_a_code_sent_again_within_a_minute_is_429_with_retry_after(app, ledger, clock):
    key = start(app)
    response = app.post("/registration/code/resend", headers={KEY: key})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = problem(response)
    assert body["code"] == "too_many_requests"
    assert "1分に1回まで" in body["detail"]
    clock.shift(61)
    response = app.post("/registration/code/resend", headers={KEY: key})
    assert response.status_code == 200, response.content
    assert response.json()["next_step"] == "code"


def test_a_wrong_code_says_how_many_tries_are_left(app, ledger, clock):
    key = start(app)
    response = app.post("/registration/code", {"code": "000000"}, headers={KEY: key})
    body = problem(response)
    assert "あと4回入力できます" in body["detail"]
    assert body["errors"][0]["field"] == "code"


def test_kana_wrong_again_and_again_stops_the_step_with_429(app, ledger, clock):
    key = start(app)
    through_profile(app, key)
    wrong = {"number": "1234-5678", "kana": "ヤマダ ハナコ", "agree": True}
    statuses = [
        app.post("/registration/contract", wrong, headers={KEY: key}).status_code for _ in range(6)
    ]
    assert statuses[0] == 422
    assert statuses[-1] == 429
    response = app.post(
        "/registration/contract",
        {"number": "1234-5678", "kana": "スイドウ タロウ", "agree": True},
        headers={KEY: key},
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "一時的に止めています" in problem(response)["detail"]


def test_the_terms_must_be_agreed_to(app, ledger, clock):
    key = start(app)
    through_profile(app, key)
    response = app.post(
        "/registration/contract",
        {"number": "1234-5678", "kana": "スイドウ タロウ", "agree": False},
        headers={KEY: key},
    )
    assert response.status_code == 422
    assert problem(response)["code"] == "invalid_input"


def test_an_address_registered_meanwhile_is_409_at_the_end(app, ledger, tenant, clock):
    from waterportal.testing import make_member

    key = start(app)
    through_profile(app, key)
    app.post(
        "/registration/contract",
        {"number": "1234-5678", "kana": "スイドウ タロウ", "agree": True},
        headers={KEY: key},
    )
    app.post("/registration/privacy", {"agree": True, "relationship": "家族"}, headers={KEY: key})
    make_member(tenant, email=TARO.email)
    response = app.post("/registration/confirm", headers={KEY: key})
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] == "email_taken"
    assert "すでに登録が済んでいます" in body["detail"]


def test_a_flow_idle_30_minutes_is_gone_in_japanese(app, ledger, clock):
    key = start(app)
    clock.shift(31 * 60)
    response = app.post("/registration/code", {"code": "123456"}, headers={KEY: key})
    assert response.status_code == 410
    body = problem(response)
    assert body["code"] == "gone"
    assert "最初からやり直してください" in body["detail"]


def test_another_towns_app_cannot_use_the_registration(app, other_app, ledger, clock):
    key = start(app)
    assert other_app.get("/registration", headers={KEY: key}).status_code == 410
    response = app.get("/api/v1/towns/no-such-town/registration", headers={KEY: key})
    assert response.status_code == 404
    assert problem(response)["code"] == "town_not_found"
