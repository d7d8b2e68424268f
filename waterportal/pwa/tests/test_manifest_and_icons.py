import io
import json

import pytest
from django.test import Client
from PIL import Image

from waterportal.pwa.icons import icon_key
from waterportal.tenants.models import Tenant, TenantLogo

pytestmark = pytest.mark.django_db


def manifest_of(client, slug):
    response = client.get(f"/town/{slug}/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def png(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image


def give_logo(tenant: Tenant, colour=(200, 30, 30), size=(300, 100)) -> None:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    TenantLogo.objects.update_or_create(
        tenant=tenant, defaults={"content": out.getvalue(), "content_type": "image/png"}
    )
    tenant.logo_hash = "abcdef0123456789"
    tenant.save(update_fields=["logo_hash"])


def test_the_manifest_names_the_town_its_colour_and_keeps_the_town(client, tenant, other_tenant):
    tenant.accent_colour = "#1e5b2a"
    tenant.save(update_fields=["accent_colour"])
    manifest = manifest_of(client, "oumu")

    assert manifest["name"] == "おうむ町 水道ポータル"
    assert manifest["short_name"] == "おうむ町"
    assert manifest["theme_color"] == manifest["background_color"] == "#1e5b2a"
    assert manifest["start_url"] == "/?tenant=oumu"
    assert manifest["id"] == "/?tenant=oumu"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "ja"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    assert all(i["type"] == "image/png" for i in manifest["icons"])


def test_the_other_towns_name_and_colour_do_not_leak(client, tenant, other_tenant):
    other_tenant.accent_colour = "#6a1b9a"
    other_tenant.save(update_fields=["accent_colour"])
    text = client.get("/town/oumu/manifest.webmanifest").content.decode()
    assert "きた市" not in text and "kita" not in text and "#6a1b9a" not in text

    other = manifest_of(client, "kita")
    assert other["name"] == "きた市 水道ポータル"
    assert other["theme_color"] == "#6a1b9a"
    assert all("/town/kita/" in i["src"] for i in other["icons"])


@pytest.mark.parametrize("slug", ["nowhere", "OUMU", "x"])
def test_an_unknown_town_has_no_manifest(client, tenant, slug):
    assert client.get(f"/town/{slug}/manifest.webmanifest").status_code == 404


def test_an_inactive_or_unpublished_town_has_no_manifest_nor_icons(client, tenant):
    key = icon_key(tenant)
    for change in ({"published_at": None}, {"is_active": False}):
        Tenant.objects.filter(pk=tenant.pk).update(**change)
        assert client.get("/town/oumu/manifest.webmanifest").status_code == 404
        assert client.get(f"/town/oumu/icon/{key}/192.png").status_code == 404


def test_the_manifest_sets_no_cookie_and_chooses_no_town(client, tenant):
    response = client.get("/town/oumu/manifest.webmanifest")
    assert not response.cookies
    assert "tenant_id" not in client.session


@pytest.mark.parametrize(
    ("kind", "size"), [("192", 192), ("512", 512), ("maskable-512", 512), ("apple-touch-icon", 180)]
)
def test_each_icon_has_its_size_is_opaque_and_cached_for_a_year(client, tenant, kind, size):
    response = client.get(f"/town/oumu/icon/{icon_key(tenant)}/{kind}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = png(response.content)
    assert image.size == (size, size)
    # iOS shows transparency as black: every icon is opaque, its corner the town's colour.
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (0x0B, 0x53, 0x94)


def test_the_manifest_lists_the_icons_it_serves(client, tenant):
    for entry in manifest_of(client, "oumu")["icons"]:
        response = client.get(entry["src"])
        assert response.status_code == 200
        width, height = png(response.content).size
        assert entry["sizes"] == f"{width}x{height}"


def test_the_icons_are_drawn_from_the_towns_logo(client, tenant):
    give_logo(tenant)
    response = client.get(f"/town/oumu/icon/{icon_key(tenant)}/512.png")
    image = png(response.content)
    assert image.getpixel((256, 256)) == (200, 30, 30)  # the logo in the middle
    assert image.getpixel((4, 4)) == (0x0B, 0x53, 0x94)  # on the town's colour


def test_the_maskable_icon_keeps_the_logo_in_the_safe_zone(client, tenant):
    give_logo(tenant, size=(400, 400))
    image = png(client.get(f"/town/oumu/icon/{icon_key(tenant)}/maskable-512.png").content)
    # The safe zone is the middle circle of 80 % of the side (radius 204.8 px): Android
    # may cut away everything outside it, so nothing of the logo is there.
    assert image.getpixel((256, 256)) == (200, 30, 30)
    pixels = image.load()
    assert pixels is not None
    outside = {
        pixels[x, y]
        for x in range(0, 512, 2)
        for y in range(0, 512, 2)
        if (x - 255.5) ** 2 + (y - 255.5) ** 2 > 204.8**2
    }
    assert outside == {(0x0B, 0x53, 0x94)}


def test_a_new_logo_or_colour_gives_the_icons_new_addresses(client, tenant):
    old = icon_key(tenant)
    tenant.accent_colour = "#1e5b2a"
    tenant.save(update_fields=["accent_colour"])
    assert icon_key(tenant) != old
    assert client.get(f"/town/oumu/icon/{old}/192.png").status_code == 404
    with_colour = icon_key(tenant)
    give_logo(tenant)
    assert icon_key(tenant) != with_colour


def test_another_towns_key_or_an_unknown_icon_is_a_404(client, tenant, other_tenant):
    other_tenant.accent_colour = "#6a1b9a"
    other_tenant.save(update_fields=["accent_colour"])
    assert client.get(f"/town/oumu/icon/{icon_key(other_tenant)}/192.png").status_code == 404
    assert client.get(f"/town/oumu/icon/{icon_key(tenant)}/1024.png").status_code == 404
    assert client.get(f"/town/nowhere/icon/{icon_key(tenant)}/192.png").status_code == 404


def test_every_resident_page_links_the_towns_manifest_and_icon(portal, tenant, other_tenant):
    html = portal.get("/login?tenant=oumu").content.decode()
    assert '<link rel="manifest" href="/town/oumu/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b5394">' in html
    assert f'href="/town/oumu/icon/{icon_key(tenant)}/apple-touch-icon.png"' in html
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in html
    assert '<meta name="apple-mobile-web-app-title" content="おうむ町">' in html
    assert 'data-worker="/sw.js"' in html
    assert "kita" not in html


def test_a_page_without_a_town_and_the_console_offer_no_app(console, tenant):
    assert "manifest" not in Client().get("/login").content.decode()
    assert "manifest" not in console.get("/staff/").content.decode()


def test_a_town_not_yet_open_offers_no_app(client, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(published_at=None)
    html = client.get("/login?tenant=oumu").content.decode()
    assert "準備中" in html
    assert "manifest" not in html and "pwa.js" not in html
