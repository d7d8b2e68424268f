"""The sample 検針票 on the residents' contract steps: the portal's drawn one until the
town's 管理者 uploads its own in 設定, checked like the logo (PNG/JPEG by content, size
limits), audited, served with nosniff and no cookie, and seen by that town only."""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from waterportal.audit.models import AuditEvent
from waterportal.tenants.models import TenantSlipSample
from waterportal.testing import (
    Portal,
    make_customer,
    profile,
    register_until_code,
    settings_form_of,
    sign_in,
    verify,
)

SETTINGS = "/staff/settings"
DEFAULT = "/static/img/slip-sample.svg"


@pytest.fixture
def visitor(tenant, django_capture_on_commit_callbacks) -> Portal:
    """A browser of its own on おうむ町 (the console has the ``portal`` fixture's)."""
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    browser.open_tenant()
    return browser


@pytest.fixture
def resident(visitor, member, clock) -> Portal:
    sign_in(visitor, member)
    return visitor


def image(kind="PNG", size=(600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 250, 240)).save(out, kind)
    return out.getvalue()


def upload(content: bytes, name="slip.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def slip_src(html: str) -> str:
    found = re.findall(r'<figure class="slip-sample">\s*<img src="([^"]+)"', html)
    assert len(found) == 1, f"{len(found)} sample slips"
    return found[0]


def at_contract_step(portal):
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    verify(portal)
    profile(portal)
    return portal.get("/register/contract").text


def uploaded(console, tenant, content: bytes):
    response = console.post(SETTINGS, settings_form_of(tenant) | {"slip_sample": upload(content)})
    assert response.status_code == 302, response.text
    tenant.refresh_from_db()
    return f"/town/{tenant.slug}/slip-sample/{tenant.slip_hash}"


def test_the_drawn_sample_is_shown_with_where_the_fields_are(visitor):
    html = at_contract_step(visitor)
    assert slip_src(html) == DEFAULT
    assert "上の段の「使用者番号」の欄に8桁の数字" in html
    assert "「名義」の欄にカタカナのお名前" in html


def test_the_drawn_sample_is_in_the_repository_with_its_text_alternative():
    path = finders.find("img/slip-sample.svg")
    assert path
    svg = open(path, encoding="utf-8").read()
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "使用者番号" in svg and "名義" in svg and "スイドウ タロウ" in svg


def test_the_towns_own_sample_replaces_it_on_both_contract_pages(
    console, tenant, resident, other_tenant
):
    content = image("JPEG")
    address = uploaded(console, tenant, content)
    assert slip_src(resident.get("/account/contracts/add").text) == address
    served = resident.get(address)
    assert served.status_code == 200 and served.content == content
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served["Cache-Control"]
    (event,) = AuditEvent.objects.filter(action="tenant_settings_changed")
    assert event.data == {"before": {"slip_sample": "なし"}, "after": {"slip_sample": "変更"}}


def test_the_registration_step_shows_the_towns_sample(console, tenant, visitor):
    address = uploaded(console, tenant, image())
    assert slip_src(at_contract_step(visitor)) == address


def test_the_sample_never_sets_a_cookie(console, tenant, other_portal):
    address = uploaded(console, tenant, image())
    del other_portal.client.cookies["wp_tenant"]
    served = other_portal.get(address)
    assert served.status_code == 200 and not served.cookies


def test_another_town_keeps_the_drawn_sample_and_cannot_fetch_this_one(
    console, tenant, other_tenant, other_portal
):
    address = uploaded(console, tenant, image())
    make_customer(other_tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(other_portal)
    verify(other_portal)
    profile(other_portal)
    assert slip_src(other_portal.get("/register/contract").text) == DEFAULT
    assert other_portal.get(address.replace("/oumu/", "/kita/")).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg onload=alert(1)></svg>", "ファイルの中身が画像ではありません"),
        (image("GIF"), "PNG または JPEG"),
        (image("PNG") + b"\0" * (1024 * 1024), "1MB 以下に小さくしてから"),
        (image(size=(3001, 10)), "縦横3000ピクセル以下に縮めて"),
    ],
)
def test_a_bad_file_is_refused_in_japanese_and_the_old_sample_kept(
    console, tenant, content, message
):
    first = image()
    address = uploaded(console, tenant, first)
    response = console.post(SETTINGS, settings_form_of(tenant) | {"slip_sample": upload(content)})
    assert response.status_code == 200
    assert "検針票の見本画像" in response.text and message in response.text
    tenant.refresh_from_db()
    assert f"/town/oumu/slip-sample/{tenant.slip_hash}" == address
    assert bytes(TenantSlipSample.objects.get(tenant=tenant).content) == first
    assert AuditEvent.objects.filter(action="tenant_settings_changed").count() == 1


def test_removing_the_towns_sample_brings_back_the_drawn_one(console, tenant, resident):
    address = uploaded(console, tenant, image())
    response = console.post(SETTINGS, settings_form_of(tenant, remove_slip_sample="on"))
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.slip_hash == "" and not TenantSlipSample.objects.exists()
    assert console.get(address).status_code == 404
    assert slip_src(resident.get("/account/contracts/add").text) == DEFAULT
    last = AuditEvent.objects.filter(action="tenant_settings_changed").order_by("-pk").first()
    assert last is not None and last.data["after"] == {"slip_sample": "削除"}


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_and_viewers_cannot_change_the_sample(console_as, tenant, role):
    browser = console_as(role)
    response = browser.post(SETTINGS, settings_form_of(tenant) | {"slip_sample": upload(image())})
    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.slip_hash == "" and not TenantSlipSample.objects.exists()
