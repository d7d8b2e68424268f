"""The town settings page (管理者 only): each setting saved and seen where residents see
it, each bad value refused with what to do and nothing stored, and the audit row."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import ContractError, find_contract
from waterportal.contracts.models import NumberLock
from waterportal.staff.town_actions import do_change_tenant_settings
from waterportal.tenants.models import Tenant, TenantLogo
from waterportal.testing import (
    Portal,
    make_bill,
    make_customer,
    pdf_text_and_ink,
    settings_form_of,
    sign_in,
)

SETTINGS = "/staff/settings"
VALID_NUMBER = "T9234567890123"  # check digit 9 for 234567890123


def image(kind="PNG", size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def upload(content: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def saved(console, tenant, **changes):
    response = console.post(SETTINGS, settings_form_of(tenant, **changes))
    assert response.status_code == 302, response.text
    tenant.refresh_from_db()
    return response


def refused(console, tenant, **changes) -> str:
    before = Tenant.objects.values().get(pk=tenant.pk)
    response = console.post(SETTINGS, settings_form_of(tenant, **changes))
    assert response.status_code == 200
    assert "まだ何も保存していません" in response.text
    assert Tenant.objects.values().get(pk=tenant.pk) == before, "nothing stored"
    assert not AuditEvent.objects.filter(action="tenant_settings_changed").exists()
    return response.text


@pytest.fixture
def resident(tenant, member, clock, django_capture_on_commit_callbacks) -> Portal:
    """花子's own browser, signed in (the console has the ``portal`` fixture's)."""
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    sign_in(browser, member)
    return browser


# --- Roles --------------------------------------------------------------------------


def test_the_manager_sees_the_settings_page_with_every_section(console):
    page = console.get(SETTINGS)
    assert page.status_code == 200
    for heading in (
        "表示名と問い合わせ先",
        "ロゴとテーマ色",
        "請求書",
        "年末年始の休業",
        "住民のパスワード",
        "使用者番号のロック",
        "臨時の休業日",
    ):
        assert heading in page.text
    assert 'href="/staff/settings"' in page.text, "in the menu"


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_and_viewers_get_the_japanese_403_for_the_page_and_every_post(
    console_as, tenant, role
):
    staff = console_as(role)
    assert 'href="/staff/settings"' not in staff.get("/staff/").text, "no menu link"
    closed = tenant.closed_days.create(date="2026-12-01", reason="停電")
    for method, path, data in [
        ("get", SETTINGS, None),
        ("post", SETTINGS, settings_form_of(tenant, name="乗っ取り町")),
        ("post", "/staff/settings/closed-days", {"date": "2026-12-02", "reason": ""}),
        ("post", f"/staff/settings/closed-days/{closed.pk}/remove", {}),
        ("post", "/staff/publish", {}),
    ]:
        response = getattr(staff, method)(path, data)
        assert response.status_code == 403, path
        assert "権限" in response.text
    tenant.refresh_from_db()
    assert tenant.name == "おうむ町"
    assert tenant.closed_days.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="closed_day").exists()


def test_a_visitor_is_sent_to_the_staff_login(portal):
    response = portal.get(SETTINGS)
    assert response.status_code == 302 and response.url.startswith("/staff/login")


# --- Each field, saved and seen by residents -----------------------------------------


def test_the_name_and_contact_block_are_saved_and_shown_to_residents(
    console, tenant, other_tenant, portal
):
    saved(
        console,
        tenant,
        name="新おうむ町",
        department="上下水道課",
        section="料金係",
        phone="0120-123-456",
        opening_hours="平日 9:00〜16:00",
    )
    assert (tenant.name, tenant.department, tenant.section) == (
        "新おうむ町",
        "上下水道課",
        "料金係",
    )
    assert "設定を保存しました" in console.get(SETTINGS).text
    login = portal.get("/login").text
    for shown in (
        "新おうむ町 水道ポータル",
        "上下水道課 料金係",
        "電話 0120-123-456",
        "平日 9:00〜16:00",
    ):
        assert shown in login
    other_tenant.refresh_from_db()
    assert other_tenant.name == "きた市" and other_tenant.phone == "0120-999-222"


def test_a_change_is_one_audit_row_with_the_before_and_after_of_what_changed(console, tenant):
    saved(console, tenant, phone="0120-555-666", number_lock_hours="48")
    (event,) = AuditEvent.objects.filter(action="tenant_settings_changed")
    assert event.actor == console.staff and event.tenant == tenant and event.source
    assert event.data == {
        "before": {"phone": "0120-000-111", "number_lock_hours": 24},
        "after": {"phone": "0120-555-666", "number_lock_hours": 48},
    }


def test_saving_unchanged_settings_writes_no_audit_row(console, tenant):
    response = console.post(SETTINGS, settings_form_of(tenant), follow=True)
    assert "変更はありませんでした" in response.text
    assert not AuditEvent.objects.filter(action="tenant_settings_changed").exists()


def test_the_colour_is_used_for_the_resident_pages_header_and_buttons(console, tenant, portal):
    saved(console, tenant, accent_colour="#1B5E20")
    assert tenant.accent_colour == "#1b5e20"
    page = portal.get("/login").text
    assert ".site-header, .btn { background: #1b5e20; }" in page


def test_a_colour_too_light_for_white_text_is_refused_with_its_ratio(console, tenant):
    text = refused(console, tenant, accent_colour="#ffcc00")
    assert "コントラスト比が 1.51:1" in text and "4.5:1 に足りません" in text
    assert "もっと濃い色にしてください" in text


def test_a_colour_not_written_as_hex_is_refused(console, tenant):
    assert "#と6桁の英数字" in refused(console, tenant, accent_colour="blue")


def test_the_invoice_number_is_printed_on_the_statement(console, tenant, resident, link, customer):
    saved(console, tenant, invoice_registration_number="ｔ９２３４５６７８９０１２３")
    assert tenant.invoice_registration_number == VALID_NUMBER, "typed in full width"
    make_bill(customer, "2026-10")
    text, _ = pdf_text_and_ink(resident.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content)
    assert f"登録番号 {VALID_NUMBER}" in " ".join(text.split())


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("T123", "「T」と13桁の数字"),
        ("1234567890123", "「T」と13桁の数字"),
        ("T1234567890123", "先頭の確認用の数字が合いません"),  # check digit should be 9
    ],
)
def test_a_bad_invoice_number_is_refused(console, tenant, number, message):
    assert message in refused(console, tenant, invoice_registration_number=number)


def test_the_invoice_number_can_be_emptied(console, tenant):
    tenant.invoice_registration_number = VALID_NUMBER
    tenant.save(update_fields=["invoice_registration_number"])
    saved(console, tenant, invoice_registration_number="")
    assert tenant.invoice_registration_number == ""


def test_a_town_without_sewers_shows_no_sewer_line(console, tenant, resident, link, customer):
    make_bill(customer, "2026-10", sewer=0)
    bill_page = f"/contracts/{link.pk}/bills/2026-10"
    assert "下水道使用料" in resident.get(bill_page).text
    form = settings_form_of(tenant)
    del form["has_sewer"]
    assert console.post(SETTINGS, form).status_code == 302
    tenant.refresh_from_db()
    assert tenant.has_sewer is False
    assert "下水道使用料" not in resident.get(bill_page).text
    assert "下水道使用料" not in resident.get("/").text
    text, _ = pdf_text_and_ink(resident.get(f"{bill_page}.pdf").content)
    assert "下水道使用料" not in text
    assert "水道料金はすべて標準税率" in " ".join(text.split())


def test_a_sewer_charge_that_was_billed_is_shown_even_without_sewers(
    tenant, resident, link, customer
):
    tenant.has_sewer = False
    tenant.save(update_fields=["has_sewer"])
    make_bill(customer, "2026-10", sewer=1100)
    assert "下水道使用料" in resident.get(f"/contracts/{link.pk}/bills/2026-10").text


def test_the_lock_period_is_saved(console, tenant):
    saved(console, tenant, number_lock_hours="720")
    assert tenant.number_lock_hours == 720


@pytest.mark.parametrize(
    ("hours", "message"),
    [("0", "1時間以上"), ("721", "720時間（30日）以内"), ("abc", "半角の数字"), ("", "1〜720")],
)
def test_a_lock_period_outside_1_to_720_hours_is_refused(console, tenant, hours, message):
    assert message in refused(console, tenant, number_lock_hours=hours)


def test_an_empty_name_is_refused(console, tenant):
    assert "自治体名（表示名）を入力してください" in refused(console, tenant, name="　")


def test_one_bad_field_stores_none_of_the_good_ones(console, tenant):
    text = refused(console, tenant, phone="0120-777-888", accent_colour="#ffff00")
    assert "コントラスト比" in text
    assert 'value="0120-777-888"' in text, "what was typed is kept on the page"


def test_another_towns_manager_cannot_change_this_town(
    console, other_console, tenant, other_tenant
):
    saved(console, tenant, name="おうむ町（新）", accent_colour="#004d40")
    other_tenant.refresh_from_db()
    assert other_tenant.name == "きた市" and other_tenant.accent_colour == "#0b5394"
    # きた市's 管理者 edits only きた市, whatever they post.
    response = other_console.post(SETTINGS, settings_form_of(other_tenant, phone="0120-000-000"))
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.phone == "0120-000-111"
    assert (
        AuditEvent.objects.filter(tenant=other_tenant)
        .filter(action="tenant_settings_changed")
        .count()
        == 1
    )


# --- The logo --------------------------------------------------------------------------


def test_a_logo_is_stored_served_with_nosniff_and_shown_with_the_towns_name(
    console, tenant, portal
):
    content = image("PNG")
    response = console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(content)})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.logo_hash and TenantLogo.objects.get(tenant=tenant).content_type == "image/png"
    address = f"/town/oumu/logo/{tenant.logo_hash}"
    page = portal.get("/login").text
    assert f'<img class="brand-logo" src="{address}" alt="おうむ町"' in page
    served = portal.get(address)
    assert served.status_code == 200 and served.content == content
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served["Cache-Control"]
    (event,) = AuditEvent.objects.filter(action="tenant_settings_changed")
    assert event.data == {"before": {"logo": "なし"}, "after": {"logo": "変更"}}


def test_the_logo_never_sets_a_cookie_nor_chooses_a_town_whatever_the_browser_holds(
    console, tenant, other_portal
):
    """Cached by proxies for a year: a cookie on it would be handed to everyone."""
    console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(image())})
    tenant.refresh_from_db()
    del other_portal.client.cookies["wp_tenant"]  # a session of きた市, no town cookie
    served = other_portal.get(f"/town/oumu/logo/{tenant.logo_hash}")
    assert served.status_code == 200 and not served.cookies
    assert other_portal.get("/login").context["tenant"].slug == "kita"


def test_a_logo_of_more_than_2000_pixels_a_side_is_refused(console, tenant):
    response = console.post(
        SETTINGS, settings_form_of(tenant) | {"logo": upload(image(size=(2001, 10)))}
    )
    assert response.status_code == 200 and "縦横2000ピクセル以下に縮めて" in response.text
    tenant.refresh_from_db()
    assert tenant.logo_hash == ""


def test_a_jpeg_named_png_is_stored_as_a_jpeg(console, tenant):
    response = console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(image("JPEG"))})
    assert response.status_code == 302
    assert TenantLogo.objects.get(tenant=tenant).content_type == "image/jpeg"


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(console, tenant):
    fake = upload(b"<html><script>alert(1)</script></html>", name="logo.png")
    response = console.post(SETTINGS, settings_form_of(tenant) | {"logo": fake})
    assert "ファイルの中身が画像ではありません" in response.text
    assert not TenantLogo.objects.exists()
    tenant.refresh_from_db()
    assert tenant.logo_hash == ""


def test_a_gif_is_refused(console, tenant):
    response = console.post(
        SETTINGS, settings_form_of(tenant) | {"logo": upload(image("GIF"), "a.gif")}
    )
    assert "PNG または JPEG" in response.text and not TenantLogo.objects.exists()


def test_a_logo_over_300_kb_is_refused(console, tenant):
    big = image("PNG") + b"\0" * (300 * 1024)
    response = console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(big)})
    assert "ロゴ画像が大きすぎます" in response.text and "300KB 以下" in response.text
    assert not TenantLogo.objects.exists()


def test_the_logo_can_be_removed_and_its_address_stops_answering(console, tenant, portal):
    console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(image())})
    tenant.refresh_from_db()
    address = f"/town/oumu/logo/{tenant.logo_hash}"
    saved(console, tenant, remove_logo="on")
    assert tenant.logo_hash == "" and not TenantLogo.objects.exists()
    assert portal.get(address).status_code == 404
    assert "brand-logo" not in portal.get("/login").text
    last = AuditEvent.objects.filter(action="tenant_settings_changed").order_by("-pk").first()
    assert last is not None and last.data["after"] == {"logo": "削除"}


def test_another_towns_address_does_not_serve_this_towns_logo(console, tenant, other_tenant):
    console.post(SETTINGS, settings_form_of(tenant) | {"logo": upload(image())})
    tenant.refresh_from_db()
    assert console.get(f"/town/kita/logo/{tenant.logo_hash}").status_code == 404


def test_the_members_cached_cards_are_redrawn_when_the_town_changes(
    console, tenant, resident, link, customer
):
    make_bill(customer, "2026-10", sewer=0)
    assert "下水道使用料" in resident.get("/").text  # drawn and cached
    form = settings_form_of(tenant)
    del form["has_sewer"]
    assert console.post(SETTINGS, form).status_code == 302
    assert "下水道使用料" not in resident.get("/").text


# --- The lock period, used for the next lock -----------------------------------------


def test_a_new_lock_lasts_the_period_the_town_set(console, tenant, clock):
    saved(console, tenant, number_lock_hours="3")
    make_customer(tenant, number="12345678", kana="キョウコ ヤマダ")
    now = timezone.now()
    for attempt in range(10):
        with pytest.raises(ContractError):
            find_contract(
                tenant,
                "12345678",
                "ダレカ",
                flow_key=f"flow-{attempt}",
                email=f"a{attempt}@example.jp",
                now=now,
            )
    lock = NumberLock.objects.get(tenant=tenant, number="12345678")
    assert lock.until == now + dt.timedelta(hours=3)


def test_the_action_refuses_what_the_model_refuses_and_writes_nothing(tenant, console):
    with pytest.raises(ValidationError):
        do_change_tenant_settings(
            tenant,
            {"invoice_registration_number": "T1234567890123", "phone": "0120-1"},
            actor=console.staff,
            source="192.0.2.1",
        )
    tenant.refresh_from_db()
    assert tenant.invoice_registration_number == "" and tenant.phone == "0120-000-111"
    assert not AuditEvent.objects.filter(action="tenant_settings_changed").exists()
