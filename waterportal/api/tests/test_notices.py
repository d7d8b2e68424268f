"""The town's notices on the app: the web's list with read marks, reading one marks it."""

import pytest
from django.utils import timezone

from waterportal.notices.actions import do_withdraw_notice
from waterportal.notices.models import Notice, NoticeRead
from waterportal.testing import JIRO, make_customer, make_member
from waterportal.testing.api import problem
from waterportal.testing.notices import hours, make_notice


@pytest.fixture
def kita_app(other_app, other_tenant):
    make_member(other_tenant, email=JIRO.email, name=JIRO.name)
    other_app.sign_in(JIRO.email)
    return other_app


def test_the_list_is_what_the_member_sees_with_unread_marks(signed_in_app, tenant, member):
    first = make_notice(tenant, title="配水管工事に伴う断水のお知らせ")
    make_notice(tenant, title="料金改定のお知らせ", important=True, category_name="料金")
    NoticeRead.objects.create(tenant=tenant, notice=first, member=member, read_at=timezone.now())
    response = signed_in_app.get("/notices")
    assert response.status_code == 200
    body = response.json()
    assert body["unread"] == 1
    newest, older = body["notices"]
    assert (newest["title"], newest["important"], newest["category"]) == (
        "料金改定のお知らせ",
        True,
        "料金",
    )
    assert newest["read"] is False and older["read"] is True
    assert older["published_on"] == "2026-11-25"
    assert "no-store" in response["Cache-Control"]


def test_a_notice_for_other_contracts_is_not_listed_nor_readable(signed_in_app, tenant, link):
    elsewhere = make_customer(tenant, number="20200001")
    theirs = make_notice(
        tenant, title="別の地区", audience=Notice.Audience.CONTRACTS, targets=[elsewhere.pk]
    )
    ours = make_notice(
        tenant, title="本町の断水", audience=Notice.Audience.CONTRACTS, targets=[link.customer_id]
    )
    titles = [n["title"] for n in signed_in_app.get("/notices").json()["notices"]]
    assert titles == ["本町の断水"]
    assert signed_in_app.get(f"/notices/{ours.pk}").status_code == 200
    response = signed_in_app.get(f"/notices/{theirs.pk}")
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"


def test_reading_one_marks_it_read_once(signed_in_app, tenant, member):
    notice = make_notice(tenant)
    response = signed_in_app.get(f"/notices/{notice.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["read"] is True
    assert body["body"].startswith("12月10日 9時から12時まで断水します。\n")
    signed_in_app.get(f"/notices/{notice.pk}")
    assert NoticeRead.objects.filter(member=member, notice=notice).count() == 1
    assert signed_in_app.get("/notices").json()["unread"] == 0


def test_a_withdrawn_or_ended_notice_is_410_gone(signed_in_app, tenant, clock):
    withdrawn = make_notice(tenant)
    do_withdraw_notice(withdrawn, actor=None)
    ending = make_notice(tenant, ends_at=timezone.now() + hours(1))
    clock.shift(hours(2))
    for notice in (withdrawn, ending):
        response = signed_in_app.get(f"/notices/{notice.pk}")
        assert response.status_code == 410
        body = problem(response)
        assert body["code"] == "gone"
        assert "掲載を終了しました" in body["detail"]
    assert signed_in_app.get("/notices").json()["notices"] == []


def test_a_scheduled_or_draft_notice_is_404(signed_in_app, tenant):
    draft = make_notice(tenant, publish=False)
    later = make_notice(tenant, starts_at=timezone.now() + hours(3))
    for notice in (draft, later):
        assert signed_in_app.get(f"/notices/{notice.pk}").status_code == 404


def test_another_towns_notice_is_404_and_not_listed(signed_in_app, other_tenant, tenant):
    theirs = make_notice(other_tenant, title="きた市の工事")
    assert signed_in_app.get("/notices").json()["notices"] == []
    assert signed_in_app.get(f"/notices/{theirs.pk}").status_code == 404


def test_tokens_are_per_town(signed_in_app, kita_app, tenant, other_tenant):
    notice = make_notice(tenant)
    kita_app.tenant = tenant
    assert kita_app.get("/notices").status_code == 401
    assert kita_app.get(f"/notices/{notice.pk}").status_code == 401
    signed_in_app.tenant = other_tenant
    assert signed_in_app.get("/notices").status_code == 401


def test_without_a_token_the_members_notices_are_401(app, tenant):
    notice = make_notice(tenant)
    assert app.get("/notices").status_code == 401
    assert app.get(f"/notices/{notice.pk}").status_code == 401


def test_the_public_list_needs_no_token_and_holds_only_public_notices(app, tenant, other_tenant):
    make_notice(tenant, title="会員向け")
    make_notice(tenant, title="水質検査の結果", audience=Notice.Audience.PUBLIC)
    make_notice(other_tenant, title="きた市の公開", audience=Notice.Audience.PUBLIC)
    response = app.get("/public/notices")
    assert response.status_code == 200
    (notice,) = response.json()["notices"]
    assert notice["title"] == "水質検査の結果"
    assert "断水します" in notice["body"]
    assert "read" not in notice
