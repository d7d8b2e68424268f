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
