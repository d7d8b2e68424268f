"""A resident switches to English in the footer and back, on a phone.

The English pages must fit 360 px and 200 % zoom as the Japanese ones do (English words
are longer), and the footer's buttons must be finger-sized. The choice lasts from page
to page; 「日本語」 brings Japanese back. (Named to run after the registration test,
which counts the members of the shared demo database.)
"""

import re

import pytest

from e2e.conftest import MAKE_MEMBER, TENANT, Screen
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e


def test_english_pages_fit_a_phone_and_the_switch_goes_both_ways(phone, portal, tmp_path):
    from playwright.sync_api import expect

    from e2e.conftest import manage

    email = "english-reader@example.jp"
    make_member = MAKE_MEMBER.format(tenant=TENANT, email=email, password=STRONG_PASSWORD)
    manage("shell", "-c", make_member, env=portal.env)
    page = phone.new_page()
    screen = Screen(page, tmp_path / "screens")

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("button", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/login?tenant={TENANT}"), "the switch keeps the page"
    screen.shows("Log in")
    screen.check("login-en", zoom=True)

    page.get_by_role("link", name="New here? Register").tap()
    screen.shows("Register")
    screen.check("register-en", zoom=True)
    page.get_by_role("link", name="Back to the login page").tap()

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    screen.shows("Welcome, 水道 次郎")
    expect(page.locator("main")).to_contain_text(re.compile(r"¥[\d,]+"))
    screen.check("member-home-en", zoom=True)
    page.get_by_role("link", name="Past usage and charges (charts)").first.tap()
    screen.shows("Past usage and charges")
    screen.check("history-en", zoom=True)

    page.get_by_role("button", name="日本語", exact=True).tap()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    screen.shows("これまでの使用量と料金")


def test_easy_japanese_pages_have_readings_fit_a_phone_and_pass_axe(phone, portal, tmp_path):
    """やさしい日本語: the page stays lang="ja", kanji carry ruby, it fits 360 px and 200 %
    zoom (ruby makes lines taller), and axe finds nothing; 「日本語」 brings the usual back."""
    from playwright.sync_api import expect

    from e2e.conftest import axe_clean

    page = phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_role("button", name="やさしい日本語").tap()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("button", name="やさしい日本語")).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("main ruby rt").first).to_be_visible()
    assert "水道（すいどう）ポータル" in page.title(), "no ruby in a title: brackets"
    screen.check("login-easy", zoom=True)
    axe_clean(page, "login-easy")

    page.get_by_role("link", name=re.compile("はじめての 人は ここから")).tap()
    expect(page.locator("h1")).to_contain_text("登録")
    expect(page.locator("h1 rt")).to_have_text("とうろく")
    screen.check("register-easy", zoom=True)
    axe_clean(page, "register-easy")

    page.get_by_role("button", name="日本語", exact=True).tap()
    expect(page.locator("ruby")).to_have_count(0)
    screen.shows("会員登録")
