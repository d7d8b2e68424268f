"""Every account page: login, no-store, CSRF, over-long input, and the other municipality."""

import pytest
from django.test import Client

from waterportal.accounts.views.account import ADD_CONTRACT_KEY
from waterportal.contracts.actions import do_link_contract
from waterportal.contracts.models import Link
from waterportal.testing import HANAKO, JIRO, STRONG_PASSWORD, make_customer, make_member, sign_in

ADDRESS = "おうむ町本町1-2-3"

PAGES = [
    "/account",
    "/account/contracts/add",
    "/account/contracts/add/relationship",
    "/account/contracts/{link}/remove",
    "/account/email",
    "/account/email/code",
    "/account/password",
    "/account/notifications",
    "/account/withdraw",
]
FORMS = [
    "/account/contracts/add",
    "/account/contracts/add/relationship",
    "/account/contracts/{link}/remove",
    "/account/email",
    "/account/email/code",
    "/account/email/resend",
    "/account/password",
    "/account/notifications",
    "/account/push",
    "/account/withdraw",
]


@pytest.fixture
def member(tenant):
    return make_member(tenant, email=HANAKO.email, name="おうむ 花子")


@pytest.fixture
def link(member):
    customer = make_customer(member.tenant, number="12345678", address=ADDRESS)
    return do_link_contract(member, customer, "本人")


@pytest.fixture
def outsider(other_portal, other_tenant):
    """A member of きた市, signed in there."""
    make_member(other_tenant, email=JIRO.email, name=JIRO.name)
    sign_in(other_portal, JIRO)
    return other_portal


def unchanged(member, link):
    member.refresh_from_db()
    link.refresh_from_db()
    return (
        member.is_active
        and member.email == HANAKO.email
        and member.check_password(STRONG_PASSWORD)
        and member.notify_new_bill
        and link.revoked_at is None
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_account_page_needs_a_login(portal, link, path):
    response = portal.get(path.format(link=link.pk))
    assert response.status_code == 302 and response.url.startswith("/login")


@pytest.mark.parametrize(
    "path",
    [
        "/account",
        "/account/contracts/{link}/remove",
        "/account/email",
        "/account/password",
        "/account/notifications",
        "/account/withdraw",
        "/account/contracts/add",
    ],
)
def test_every_account_page_is_sent_with_no_store(portal, member, link, path):
    sign_in(portal)
    response = portal.get(path.format(link=link.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", FORMS)
def test_every_account_form_refuses_a_post_without_csrf_token(tenant, member, link, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        path.format(link=link.pk), {"current_password": STRONG_PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 403
    assert unchanged(member, link)


@pytest.mark.parametrize("path", PAGES)
def test_a_member_of_the_other_municipality_opening_this_ones_pages_is_sent_to_login(
    outsider, member, link, path
):
    response = outsider.get(path.format(link=link.pk) + "?tenant=oumu")
    assert response.status_code == 302 and response.url.startswith("/login")
    page = outsider.get(response.url).text
    assert ADDRESS not in page and HANAKO.email not in page and "おうむ 花子" not in page


@pytest.mark.parametrize("path", FORMS)
def test_a_member_of_the_other_municipality_posting_to_this_ones_forms_changes_nothing(
    outsider, member, link, path
):
    data = {"current_password": STRONG_PASSWORD, "confirm": "on", "relationship": "本人"}
    response = outsider.post(path.format(link=link.pk) + "?tenant=oumu", data)
    assert response.status_code == 302 and response.url.startswith("/login")
    assert unchanged(member, link)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_of_the_other_municipality_is_404_in_ones_own(outsider, member, link, method):
    response = getattr(outsider, method)(f"/account/contracts/{link.pk}/remove")
    assert response.status_code == 404
    assert ADDRESS not in response.text
    assert unchanged(member, link)


def test_the_other_municipalitys_member_sees_only_their_own_account(outsider, link):
    page = outsider.get("/account").text
    assert JIRO.email in page
    assert ADDRESS not in page and "••••5678" not in page and HANAKO.email not in page


def test_a_contract_of_the_other_municipality_cannot_be_added(outsider, link):
    page = outsider.post(
        "/account/contracts/add", {"number": "12345678", "kana": "スイドウ タロウ"}
    )
    assert "組み合わせを確認できませんでした" in page.text
    assert Link.objects.filter(customer=link.customer).count() == 1


def test_a_checked_contract_of_the_other_municipality_is_never_linked(outsider, link):
    """Even a session that names another town's contract (it cannot arise) links nothing."""
    import time

    session = outsider.client.session
    session[ADD_CONTRACT_KEY] = {"customer_id": link.customer_id, "checked_at": time.time()}
    session.save()
    response = outsider.post("/account/contracts/add/relationship", {"relationship": "家族"})
    assert response.url == "/account/contracts/add"
    assert Link.objects.filter(customer=link.customer).count() == 1


@pytest.mark.parametrize(
    "path,data",
    [
        ("/account/contracts/add", {"number": "1" * 10_000, "kana": "スイドウ タロウ"}),
        ("/account/contracts/add", {"number": "12345678", "kana": "ア" * 10_000}),
        ("/account/email", {"email": "a" * 10_000, "current_password": STRONG_PASSWORD}),
        (
            "/account/password",
            {"current_password": "x" * 10_000, "password1": "a", "password2": "a"},
        ),
        ("/account/withdraw", {"current_password": "x" * 10_000, "confirm": "on"}),
    ],
)
def test_10000_characters_in_a_field_get_a_field_error_not_a_500(portal, member, link, path, data):
    sign_in(portal)
    response = portal.post(path, data)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.text
    assert unchanged(member, link)
