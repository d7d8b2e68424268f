"""Who may open which bill: only the member's own, active, unrevoked links; 404 otherwise."""

import datetime as dt

import pytest

from waterportal.testing import (
    make_bill,
    make_customer,
    make_link,
    make_member,
    make_operator,
    sign_in,
)

PAGES = [
    "/contracts/{id}/history",
    "/contracts/{id}/history.csv",
    "/contracts/{id}/bills/2026-10",
    "/contracts/{id}/bills/2026-10.pdf",
]


@pytest.fixture(autouse=True)
def bills(customer):
    make_bill(customer, "2026-08")
    make_bill(customer, "2026-10")


@pytest.mark.parametrize("page", PAGES)
def test_the_members_own_link_opens_and_is_never_stored(signed_in, link, page):
    response = signed_in.get(page.format(id=link.pk))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


@pytest.mark.parametrize("page", [*PAGES, "/"])
def test_every_page_needs_a_login(portal, link, page):
    response = portal.get(page.format(id=link.pk))
    assert response.status_code == 302 and response.url.startswith("/login")


@pytest.mark.parametrize("page", PAGES)
def test_another_members_link_in_the_same_town_is_404(portal, tenant, link, page):
    stranger = make_member(tenant, email="stranger@example.jp")
    make_link(stranger, make_customer(tenant, number="99990001"))
    sign_in(portal, stranger)
    assert portal.get(page.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_another_members_link_to_the_same_contract_is_404(portal, tenant, customer, link, page):
    """A family member linked to the same contract uses their own link, not someone else's."""
    family = make_member(tenant, email="family@example.jp")
    own = make_link(family, customer, relationship="家族")
    sign_in(portal, family)
    assert portal.get(page.format(id=own.pk)).status_code == 200
    assert portal.get(page.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_the_members_revoked_link_is_404(signed_in, member, customer, link, page):
    link.revoked_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    link.save(update_fields=["revoked_at"])
    assert signed_in.get(page.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_link_not_active_yet_is_404_until_its_day(signed_in, member, link, clock, page):
    link.active_from = dt.date(2026, 11, 3)  # tomorrow in Japan
    link.save(update_fields=["active_from"])
    assert signed_in.get(page.format(id=link.pk)).status_code == 404
    clock.move_to(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC))  # 00:00 on the 3rd in Japan
    sign_in(signed_in, member)  # the session ended after 30 idle minutes
    assert signed_in.get(page.format(id=link.pk)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_link_of_another_town_is_404(other_portal, other_tenant, link, page):
    """A member of きた市 asking for an おうむ町 link id, in their own town's session."""
    theirs = make_member(other_tenant, email="kita@example.jp")
    make_link(theirs, make_customer(other_tenant, number="10100001"))
    sign_in(other_portal, theirs)
    assert other_portal.get(page.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_link_id_is_404(signed_in, link, page):
    assert signed_in.get(page.format(id=link.pk + 1000)).status_code == 404


@pytest.mark.parametrize(
    "page",
    [
        "/contracts/{id}/bills/2026-09",
        "/contracts/{id}/bills/2026-09.pdf",
        "/contracts/{id}/bills/2030-10",
    ],
)
def test_a_month_without_a_bill_is_404(signed_in, link, page):
    assert signed_in.get(page.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "26-10", "2026-10x"])
def test_a_malformed_month_is_404(signed_in, link, month):
    assert signed_in.get(f"/contracts/{link.pk}/bills/{month}").status_code == 404


def test_another_contracts_bill_month_is_404(signed_in, member, tenant, link):
    """The month exists for one of the member's contracts, not for the other."""
    second = make_customer(tenant, number="10100009")
    other_link = make_link(member, second)
    make_bill(second, "2026-06")
    assert signed_in.get(f"/contracts/{other_link.pk}/bills/2026-10").status_code == 404
    assert signed_in.get(f"/contracts/{link.pk}/bills/2026-06").status_code == 404
    assert signed_in.get(f"/contracts/{other_link.pk}/bills/2026-06").status_code == 200


def test_files_are_not_changed_by_a_post(signed_in, link):
    assert signed_in.post(f"/contracts/{link.pk}/history.csv").status_code == 405


@pytest.mark.parametrize("page", [*PAGES, "/"])
def test_the_operators_account_has_no_member_pages(portal, link, page):
    """The operator belongs to no town: signed in (through the admin), the bill pages send
    them to the town's login, as the account pages do."""
    portal.client.force_login(make_operator())
    response = portal.get(page.format(id=link.pk))
    assert response.status_code == 302 and response.url.startswith("/login")
