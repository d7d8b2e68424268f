import pytest

from waterportal.accounts.models import User
from waterportal.tenants.middleware import SESSION_KEY

pytestmark = pytest.mark.urls("waterportal.tenants.tests.urls")

UNKNOWN_HEADING = "自治体を確認できません"


def assert_unknown_page_naming_no_tenant(response, *tenants):
    assert response.status_code == 404
    body = response.content.decode()
    assert UNKNOWN_HEADING in body
    assert "お住まいの自治体から届いた案内" in body
    for t in tenants:
        assert t.name not in body
        assert t.slug not in body
        assert t.phone not in body


def test_a_known_slug_resolves_the_tenant(client, tenant, other_tenant):
    assert client.get("/echo?tenant=oumu").content == b"oumu"
    assert client.get("/echo?tenant=kita").content == b"kita"


@pytest.mark.parametrize("typed", ["OUMU", "  oumu ", "Oumu\t", "ｏｕｍｕ"])
def test_the_slug_is_case_insensitive_trimmed_and_width_insensitive(client, tenant, typed):
    response = client.get("/echo", {"tenant": typed})
    assert response.status_code == 200
    assert response.content == b"oumu"


def test_an_unknown_slug_gets_a_404_page_naming_no_tenant(client, tenant, other_tenant):
    response = client.get("/echo?tenant=nosuchtown")
    assert_unknown_page_naming_no_tenant(response, tenant, other_tenant)


@pytest.mark.parametrize(
    "typed", ["", " ", "a", "o" * 41, "../oumu", "oumu\x00", "<script>", "おうむ町", "oumu;--"]
)
def test_a_malformed_slug_is_unknown_never_a_server_error(client, tenant, other_tenant, typed):
    response = client.get("/echo", {"tenant": typed})
    assert_unknown_page_naming_no_tenant(response, tenant, other_tenant)
    if len(typed.strip()) > 3:
        assert typed not in response.content.decode()


def test_a_page_without_tenant_gets_the_unknown_page(client, tenant, other_tenant):
    response = client.get("/echo")
    assert_unknown_page_naming_no_tenant(response, tenant, other_tenant)


def test_an_inactive_tenant_is_unknown(client, tenant, other_tenant):
    tenant.is_active = False
    tenant.save(update_fields=["is_active"])

    response = client.get("/echo?tenant=oumu")

    assert_unknown_page_naming_no_tenant(response, tenant, other_tenant)


def test_the_tenant_is_remembered_in_the_session(client, tenant):
    client.get("/echo?tenant=oumu")
    assert client.session[SESSION_KEY] == tenant.pk
    assert client.get("/echo").content == b"oumu"


def test_an_unknown_slug_shows_nothing_of_the_tenant_in_the_session(client, tenant, other_tenant):
    client.get("/echo?tenant=oumu")

    response = client.get("/echo?tenant=nosuchtown")

    assert_unknown_page_naming_no_tenant(response, tenant, other_tenant)


def test_a_tenant_deactivated_after_the_visit_is_unknown_from_the_session(client, tenant):
    client.get("/echo?tenant=oumu")
    tenant.is_active = False
    tenant.save(update_fields=["is_active"])

    assert_unknown_page_naming_no_tenant(client.get("/echo"), tenant)


def test_a_signed_in_member_of_an_inactive_tenant_gets_no_tenant(client, tenant):
    member = User.objects.create_user("taro@example.jp", "x", tenant=tenant)
    tenant.is_active = False
    tenant.save(update_fields=["is_active"])
    client.force_login(member)

    assert_unknown_page_naming_no_tenant(client.get("/echo"), tenant)


def test_a_signed_in_member_without_session_tenant_gets_their_own(client, tenant, other_tenant):
    member = User.objects.create_user("taro@example.jp", "x", tenant=tenant)
    client.force_login(member)

    assert client.get("/echo").content == b"oumu"


def test_a_member_opening_another_towns_address_is_signed_out(client, tenant, other_tenant):
    member = User.objects.create_user("taro@example.jp", "x", tenant=tenant)
    client.force_login(member)

    response = client.get("/echo?tenant=kita")

    assert response.content == b"kita"
    assert "_auth_user_id" not in client.session
    assert client.session[SESSION_KEY] == other_tenant.pk
