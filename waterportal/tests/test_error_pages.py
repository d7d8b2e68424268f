import pytest
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.urls("waterportal.tests.urls")

OUMU_CONTACT = ["建設水道課 水道係", "電話 0120-000-111", "平日 8:30〜17:15"]


@pytest.fixture(autouse=True)
def _production_error_pages(settings):
    settings.DEBUG = False


def assert_contact_of(body, tenant_fixture_contact):
    for line in tenant_fixture_contact:
        assert line in body


def assert_names_no_tenant(body, *tenants):
    for t in tenants:
        assert t.name not in body
        assert t.phone not in body
        if t.department:
            assert t.department not in body


def test_the_footer_shows_department_section_phone_and_opening_hours(tenant):
    body = render_to_string("base.html", {"tenant": tenant})
    assert "お問い合わせ" in body
    assert_contact_of(body, OUMU_CONTACT)


def test_the_footer_leaves_out_what_the_tenant_has_not_filled_in(other_tenant):
    body = render_to_string("base.html", {"tenant": other_tenant})
    assert "水道局 お客様係" in body
    assert "電話 0120-999-222" in body
    assert "<br><br>" not in body.replace("\n", "").replace(" ", "")


def test_404_shows_the_known_tenants_contact_and_the_way_back_to_login(
    client, tenant, other_tenant
):
    response = client.get("/no/such/page?tenant=oumu")

    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    assert "ログイン画面から、もう一度お進みください" in body
    assert 'href="/login?tenant=oumu"' in body
    assert_contact_of(body, OUMU_CONTACT)
    assert_names_no_tenant(body, other_tenant)


def test_404_shows_the_contact_of_the_tenant_remembered_in_the_session(client, tenant):
    client.get("/no/such/page?tenant=oumu")

    response = client.get("/another/missing/page")

    assert response.status_code == 404
    assert_contact_of(response.content.decode(), OUMU_CONTACT)


def test_404_without_a_tenant_names_none_and_points_to_the_printed_guide(
    client, tenant, other_tenant
):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    body = response.content.decode()
    assert "お住まいの自治体から届いた案内" in body
    assert "お問い合わせ" not in body
    assert_names_no_tenant(body, tenant, other_tenant)


def test_500_shows_the_known_tenants_contact_and_says_to_try_again_later(tenant, other_tenant):
    client = Client(raise_request_exception=False)

    response = client.get("/test/fail?tenant=oumu")

    assert response.status_code == 500
    body = response.content.decode()
    assert "ただいま表示できません" in body
    assert "もう一度お試しください" in body
    assert "おうむ町" in body
    assert_contact_of(body, OUMU_CONTACT)
    assert_names_no_tenant(body, other_tenant)
    assert "RuntimeError" not in body


def test_500_without_a_tenant_names_none(tenant, other_tenant):
    client = Client(raise_request_exception=False)

    response = client.get("/test/fail")

    assert response.status_code == 500
    body = response.content.decode()
    assert "もう一度お試しください" in body
    assert_names_no_tenant(body, tenant, other_tenant)


def test_csrf_failure_shows_the_known_tenants_contact_and_what_to_do(tenant, other_tenant):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/test/form?tenant=oumu", {"x": "1"})

    assert response.status_code == 403
    body = response.content.decode()
    assert "ページを再読み込みしてから" in body
    assert "Cookie" in body
    assert_contact_of(body, OUMU_CONTACT)
    assert_names_no_tenant(body, other_tenant)


def test_csrf_failure_without_a_tenant_names_none(tenant, other_tenant):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/test/form", {"x": "1"})

    assert response.status_code == 403
    assert_names_no_tenant(response.content.decode(), tenant, other_tenant)
