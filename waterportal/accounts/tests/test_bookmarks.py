"""A member page bookmarked, or its address shared, opens in a browser that has never
seen the town (a new phone, a cleared browser): the town's login, then that page.

The address of every town page names the town (``?tenant=``, added in place by
static/js/town_in_address.js from the body's ``data-town``); the login and the way back
keep it.
"""

from django.test import Client

from waterportal.testing import STRONG_PASSWORD, Portal, sign_in


def test_a_bookmarked_member_page_opens_the_towns_login_and_then_that_page(
    tenant, link, clock, django_capture_on_commit_callbacks
):
    address = f"/contracts/{link.pk}/history?tenant={tenant.slug}"
    # No session, no wp_tenant cookie: a browser new to the town.
    browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    asked = browser.get(address)
    assert asked.status_code == 302
    login = browser.get(asked.url)
    assert login.status_code == 200
    assert "おうむ町" in login.text and "自治体を確認できません" not in login.text
    assert f'name="next" value="{address}"' in login.text
    back = browser.post(
        asked.url, {"email": "hanako@example.jp", "password": STRONG_PASSWORD, "next": address}
    )
    assert back.status_code == 302 and back.url == address
    page = browser.get(back.url)
    assert page.status_code == 200 and "これまでの使用量と料金" in page.text


def test_without_the_town_in_the_address_a_new_browser_cannot_know_it(link, clock):
    """Why the address must carry it: the same page without ``?tenant=``."""
    page = Client().get(f"/contracts/{link.pk}/history")
    assert page.status_code == 404 and "自治体を確認できません" in page.text


def test_the_login_a_member_page_sends_to_names_the_town_and_the_page(portal, link):
    # Opened in a browser that knows the town (session, cookie) by an address without it.
    asked = portal.get(f"/contracts/{link.pk}/history")
    assert asked.status_code == 302
    assert asked.url == (f"/login?tenant=oumu&next=/contracts/{link.pk}/history%3Ftenant%3Doumu")


def test_a_members_pages_give_the_script_their_town(portal, member, clock):
    # Before the login the address already names it (?tenant= of the printed guide).
    assert "data-town" not in portal.get("/login").text
    sign_in(portal, member)
    assert '<body data-town="oumu"' in portal.get("/account").text
    assert '<body data-town="oumu"' in portal.get("/").text


def test_another_towns_bookmark_opens_that_towns_login(signed_in, link, other_tenant):
    # A member of おうむ町 opening きた市's address is signed out (each town is a separate
    # account) and gets きた市's login: never おうむ町's data.
    asked = signed_in.get(f"/contracts/{link.pk}/history?tenant={other_tenant.slug}")
    assert asked.status_code == 302 and asked.url.startswith("/login?tenant=kita&")
