"""A member's inquiries on the app: the web form's checks and words, its limits, and
only their own inquiries."""

import datetime as dt

import pytest

from waterportal.audit.models import AuditEvent
from waterportal.inquiries.models import Inquiry, InquiryMessage, Status
from waterportal.testing import JIRO, mails_to, make_customer, make_link, make_member
from waterportal.testing.api import problem
from waterportal.testing.inquiries import QUESTION, make_inquiry

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def kita_app(other_app, other_tenant):
    make_member(other_tenant, email=JIRO.email, name=JIRO.name)
    other_app.sign_in(JIRO.email)
    return other_app


def test_the_kinds_are_the_forms_choices_with_japanese_labels(signed_in_app):
    kinds = signed_in_app.get("/inquiries/kinds").json()["kinds"]
    assert kinds[0] == {"value": "signin", "label": "登録・ログイン"}
    assert [k["value"] for k in kinds][-1] == "other"


def test_sending_one_gives_its_reference_and_mails_the_member(signed_in_app, member, link):
    response = signed_in_app.post("/inquiries", QUESTION | {"contract_id": link.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == "Q-2026-000001"
    assert (body["kind"], body["kind_label"]) == ("moving", "引っ越し・名義変更")
    assert body["status"] == "new" and body["status_label"] == "未対応"
    assert body["contract_number"] == "••••0001"
    assert body["can_reply"] is True
    (message,) = body["messages"]
    assert message == {
        "from_staff": False,
        "body": "来月、町内で引っ越します。\n手続きを教えてください。",
        "created_at": "2026-11-25T01:00:00Z",
    }
    assert Inquiry.objects.get().member == member
    assert AuditEvent.objects.filter(action="inquiry_submitted").count() == 1
    assert any("Q-2026-000001" in m.body for m in mails_to(member.email))


def test_the_forms_mistakes_come_back_in_its_words(signed_in_app):
    response = signed_in_app.post("/inquiries", {"kind": "weather", "subject": " ", "body": ""})
    assert response.status_code == 422
    body = problem(response)
    assert body["code"] == "invalid_input"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["kind"] == "お問い合わせの種類を一覧から選んでください。"
    assert messages["subject"].startswith("件名を入力してください")
    assert messages["body"] == "本文を入力してください。"
    too_long = signed_in_app.post("/inquiries", QUESTION | {"body": "あ" * 4001})
    assert "4000文字以内" in problem(too_long)["detail"]
    assert not Inquiry.objects.exists()


def test_a_contract_that_is_not_theirs_or_not_active_is_refused(signed_in_app, tenant, member):
    stranger = make_member(tenant, email="stranger@example.jp")
    theirs = make_link(stranger, make_customer(tenant, number="99990001"))
    waiting = make_link(
        member, make_customer(tenant, number="10100002"), active_from=dt.date(2026, 11, 26)
    )
    for link in (theirs, waiting):
        response = signed_in_app.post("/inquiries", QUESTION | {"contract_id": link.pk})
        assert response.status_code == 422
        (error,) = problem(response)["errors"]
        assert error["field"] == "contract_id"
        assert "このアカウントに登録されているご契約ではありません" in error["message"]
    assert not Inquiry.objects.exists()


def test_the_sixth_in_a_day_is_429_with_retry_after(signed_in_app, clock):
    for _ in range(5):
        assert signed_in_app.post("/inquiries", QUESTION).status_code == 201
    response = signed_in_app.post("/inquiries", QUESTION)
    assert response.status_code == 429
    body = problem(response)
    assert body["code"] == "too_many_requests"
    assert "しばらく受け付けできません" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    clock.shift(dt.timedelta(hours=24, minutes=1))
    assert signed_in_app.post("/inquiries", QUESTION).status_code == 201


def test_the_list_and_the_thread_are_the_members_own(signed_in_app, tenant, member):
    mine = make_inquiry(tenant, member=member, subject="私の質問")
    stranger = make_member(tenant, email="stranger@example.jp")
    theirs = make_inquiry(tenant, member=stranger, subject="他人の質問")
    guests = make_inquiry(tenant, email="guest@example.jp")
    listed = signed_in_app.get("/inquiries").json()["inquiries"]
    assert [i["subject"] for i in listed] == ["私の質問"]
    assert signed_in_app.get(f"/inquiries/{mine.pk}").status_code == 200
    for other in (theirs, guests):
        response = signed_in_app.get(f"/inquiries/{other.pk}")
        assert response.status_code == 404
        assert problem(response)["code"] == "not_found"
        assert (
            signed_in_app.post(f"/inquiries/{other.pk}/replies", {"body": "追加"}).status_code
            == 404
        )


def test_the_thread_shows_the_towns_answer(signed_in_app, tenant, member):
    inquiry = make_inquiry(tenant, member=member, status=Status.ANSWERED)
    InquiryMessage.objects.create(
        tenant=tenant,
        inquiry=inquiry,
        from_staff=True,
        body="回答です",
        created_at=inquiry.created_at,
    )
    body = signed_in_app.get(f"/inquiries/{inquiry.pk}").json()
    assert [m["from_staff"] for m in body["messages"]] == [False, True]
    assert body["messages"][1]["body"] == "回答です"


def test_a_reply_to_an_answered_inquiry_puts_it_back_to_the_town(signed_in_app, tenant, member):
    inquiry = make_inquiry(tenant, member=member, status=Status.ANSWERED)
    response = signed_in_app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "追加で質問です"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new"
    assert body["messages"][-1]["body"] == "追加で質問です"
    assert AuditEvent.objects.filter(action="inquiry_resident_replied").count() == 1


def test_a_reply_to_a_closed_inquiry_is_409_in_the_webs_words(signed_in_app, tenant, member):
    inquiry = make_inquiry(tenant, member=member, status=Status.CLOSED)
    assert signed_in_app.get(f"/inquiries/{inquiry.pk}").json()["can_reply"] is False
    response = signed_in_app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "まだあります"})
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] == "inquiry_closed"
    assert "新しいお問い合わせとして送ってください" in body["detail"]
    assert InquiryMessage.objects.filter(inquiry=inquiry).count() == 1


def test_an_empty_reply_is_422_and_replies_are_limited(signed_in_app, tenant, member):
    inquiry = make_inquiry(tenant, member=member)
    response = signed_in_app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "  "})
    assert response.status_code == 422
    assert problem(response)["errors"][0]["message"] == "本文を入力してください。"
    for _ in range(20):
        signed_in_app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "追加です"})
    response = signed_in_app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "追加です"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_tokens_are_per_town_and_another_towns_inquiry_is_404(
    signed_in_app, kita_app, tenant, other_tenant, member
):
    mine = make_inquiry(tenant, member=member)
    kita_app.tenant = tenant
    assert kita_app.get("/inquiries").status_code == 401
    assert kita_app.get(f"/inquiries/{mine.pk}").status_code == 401
    assert kita_app.post("/inquiries", QUESTION).status_code == 401
    kita_app.tenant = other_tenant
    assert kita_app.get(f"/inquiries/{mine.pk}").status_code == 404
    assert kita_app.post(f"/inquiries/{mine.pk}/replies", {"body": "x"}).status_code == 404
    signed_in_app.tenant = other_tenant
    assert signed_in_app.get("/inquiries").status_code == 401


def test_without_a_token_it_is_401(app, tenant, member):
    inquiry = make_inquiry(tenant, member=member)
    for response in (
        app.get("/inquiries"),
        app.get("/inquiries/kinds"),
        app.post("/inquiries", QUESTION),
        app.get(f"/inquiries/{inquiry.pk}"),
        app.post(f"/inquiries/{inquiry.pk}/replies", {"body": "x"}),
    ):
        assert response.status_code == 401
