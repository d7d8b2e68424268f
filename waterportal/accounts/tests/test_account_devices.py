"""The account page lists the member's app sign-ins and what they did lately, and signs
one out: its token stops working at once."""

import datetime as dt

from waterportal.audit.models import AuditEvent
from waterportal.devices.models import AppSignIn
from waterportal.testing import JIRO, make_bill, make_member, sign_in, text_of


def test_the_page_lists_the_open_sign_ins_with_when(signed_in, signed_in_app, clock):
    clock.shift(dt.timedelta(minutes=5))
    signed_in_app.get("/me")
    page = text_of(signed_in.get("/account"))
    assert "アプリでのログイン（端末）" in page
    assert "Pixel 8（Android）" in page
    assert "2026年11月25日10:00" in page.replace(" ", "")  # signed in, in Japan's time
    assert "2026年11月25日10:05" in page.replace(" ", "")  # last used
    assert "この端末をログアウト" in page


def test_recent_use_says_what_in_words_and_whether_it_worked(
    signed_in, signed_in_app, link, customer
):
    make_bill(customer, "2026-10")
    signed_in_app.get(f"/contracts/{link.pk}/bills")
    signed_in_app.get(f"/contracts/{link.pk + 999}/bills")
    signed_in_app.get("/notices")
    page = text_of(signed_in.get("/account"))
    assert "最近の利用" in page
    assert "Pixel 8・料金の履歴を表示・成功" in page
    assert "Pixel 8・料金の履歴を表示・ 失敗" in page
    assert "お知らせの一覧を表示・成功" in page


def test_a_route_without_words_is_shown_as_it_is(signed_in, signed_in_app):
    row = AppSignIn.objects.get()
    row.requests.create(
        tenant_id=row.tenant_id, at=row.created_at, method="GET", endpoint="/api/v1/x", status=200
    )
    assert "GET /api/v1/x・成功" in text_of(signed_in.get("/account"))


def test_signing_a_device_out_ends_its_token(signed_in, signed_in_app, member):
    device = AppSignIn.objects.get(member=member)
    response = signed_in.post(f"/account/devices/{device.pk}/sign-out")
    assert response.status_code == 302 and response.url == "/account"
    assert "「Pixel 8」をログアウトしました。" in text_of(signed_in.get("/account"))
    assert signed_in_app.get("/me").status_code == 401
    device.refresh_from_db()
    assert device.ended_at is not None
    (event,) = AuditEvent.objects.filter(action="app_signed_out")
    assert event.member == member
    page = text_of(signed_in.get("/account"))
    assert "アプリでログインしている端末はありません。" in page
    # Twice: it is no longer open.
    assert signed_in.post(f"/account/devices/{device.pk}/sign-out").status_code == 404


def test_signing_out_is_a_post(signed_in, signed_in_app, member):
    device = AppSignIn.objects.get(member=member)
    assert signed_in.get(f"/account/devices/{device.pk}/sign-out").status_code == 405
    assert signed_in_app.get("/me").status_code == 200


def test_another_members_device_is_404_and_stays_signed_in(portal, signed_in_app, tenant, member):
    device = AppSignIn.objects.get(member=member)
    stranger = make_member(tenant, email="stranger@example.jp")
    sign_in(portal, stranger)
    assert "Pixel 8" not in text_of(portal.get("/account"))
    assert portal.post(f"/account/devices/{device.pk}/sign-out").status_code == 404
    assert signed_in_app.get("/me").status_code == 200


def test_another_towns_member_gets_404(other_portal, signed_in_app, other_tenant, member):
    device = AppSignIn.objects.get(member=member)
    sign_in(other_portal, make_member(other_tenant, email=JIRO.email, name=JIRO.name))
    assert "Pixel 8" not in text_of(other_portal.get("/account"))
    assert other_portal.post(f"/account/devices/{device.pk}/sign-out").status_code == 404
    assert signed_in_app.get("/me").status_code == 200


def test_a_visitor_is_sent_to_the_login(portal, signed_in_app, member):
    device = AppSignIn.objects.get(member=member)
    response = portal.post(f"/account/devices/{device.pk}/sign-out")
    assert response.status_code == 302 and response.url.startswith("/login")
    assert signed_in_app.get("/me").status_code == 200
