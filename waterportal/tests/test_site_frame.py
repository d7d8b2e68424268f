"""The frame of every resident page: the header with the town's name and logo, the
member's global menu, and the footer with the town's pages and its contact block."""

import re

import pytest
from django.test import Client

from waterportal.testing.factories import make_customer, make_link

pytestmark = pytest.mark.django_db

MENU = ["マイページ", "これまでの使用量と料金", "お知らせ", "ヘルプ", "アカウント"]


def part(html: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b.*?</{tag}>", html, re.S)
    assert found, f"no <{tag}>"
    return found.group(0)


def menu(html: str) -> list[tuple[str, str]]:
    """The global menu's (address, words), in order; [] when the page has none."""
    nav = re.search(r'<nav class="global-nav".*?</nav>', html, re.S)
    if not nav:
        return []
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(0))


def footer_links(html: str) -> dict[str, str]:
    return {
        words: href
        for href, words in re.findall(
            r'<a class="text-link" href="([^"]*)">([^<]+)</a>', part(html, "footer")
        )
    }


def test_a_member_page_has_the_global_menu_in_order_with_the_towns_addresses(signed_in, link):
    html = signed_in.get("/").content.decode()
    assert menu(html) == [
        ("/", "マイページ"),
        ("/history", "これまでの使用量と料金"),
        ("/notices", "お知らせ"),
        ("/help?tenant=oumu", "ヘルプ"),
        ("/account", "アカウント"),
    ]
    header = part(html, "header")
    assert 'aria-label="メインメニュー"' in header
    # On a phone it folds behind a button that works without JavaScript.
    assert re.search(
        r'<details class="global-menu">\s*<summary class="btn-link">メニュー</summary>', header
    )
    assert re.search(r'<button type="submit" class="btn-link">ログアウト</button>', header)
    assert "おうむ町 水道ポータル" in header


def test_the_menu_marks_the_page_the_member_is_on(signed_in, link):
    current = {
        "/": "マイページ",
        f"/contracts/{link.pk}/history": "これまでの使用量と料金",
        "/notices": "お知らせ",
        "/help": "ヘルプ",
        "/account": "アカウント",
        "/account/password": "アカウント",
    }
    for path, words in current.items():
        html = signed_in.get(path).content.decode()
        marked = re.findall(r'aria-current="page">([^<]+)</a>', part(html, "header"))
        assert marked == [words], path


def test_usage_and_charges_goes_to_the_one_contracts_history(signed_in, link):
    response = signed_in.get("/history")
    assert response.status_code == 302 and response.url == f"/contracts/{link.pk}/history"


def test_usage_and_charges_goes_to_the_list_of_contracts_when_there_are_several(
    signed_in, member, link, tenant
):
    make_link(member, make_customer(tenant, number="10100002"))
    response = signed_in.get("/history")
    assert response.status_code == 302 and response.url == "/"


def test_usage_and_charges_with_no_contract_yet_to_see_goes_home(signed_in, member, tenant):
    # A link made today waits for the next business day: nothing to show yet.
    import datetime as dt

    make_link(member, make_customer(tenant, number="10100003"), active_from=dt.date(2099, 1, 1))
    response = signed_in.get("/history")
    assert response.status_code == 302 and response.url == "/"


def test_usage_and_charges_signed_out_asks_to_log_in(portal):
    response = portal.get("/history")
    assert response.status_code == 302 and response.url.startswith("/login?tenant=oumu")


@pytest.mark.parametrize("path", ["/login", "/register", "/password-reset", "/terms"])
def test_a_signed_out_page_has_the_town_and_the_footer_but_no_member_menu(portal, path):
    html = portal.get(path).content.decode()
    header = part(html, "header")
    assert "おうむ町 水道ポータル" in header
    assert menu(html) == [] and "ログアウト" not in header and "マイページ" not in header
    assert re.search(r'<a class="btn-link" href="/help\?tenant=oumu">ヘルプ</a>', header)


def test_the_footer_links_the_towns_own_pages_and_shows_its_contact(signed_in, link):
    signed_out = Client().get("/login?tenant=oumu").content.decode()
    for html in (signed_out, signed_in.get("/").content.decode()):
        links = footer_links(html)
        assert links["利用規約"] == "/terms?tenant=oumu"
        assert links["個人情報の取り扱い"] == "/privacy?tenant=oumu"
        assert links["アクセシビリティ方針"] == "/accessibility?tenant=oumu"
        footer = part(html, "footer")
        assert "お問い合わせ" in footer and "0120-000-111" in footer


def test_another_town_s_frame_names_that_town_and_its_pages(other_portal):
    html = other_portal.get("/login").content.decode()
    assert "きた市 水道ポータル" in part(html, "header") and "おうむ町" not in html
    links = footer_links(html)
    assert links["利用規約"] == "/terms?tenant=kita"
    assert links["アクセシビリティ方針"] == "/accessibility?tenant=kita"
    assert "0120-999-222" in part(html, "footer")


def test_each_footer_page_is_reached_from_the_footer(portal):
    html = portal.get("/login").content.decode()
    for words in ("利用規約", "個人情報の取り扱い", "アクセシビリティ方針"):
        page = portal.get(footer_links(html)[words])
        assert page.status_code == 200
        assert f"<h1>{words}</h1>" in page.content.decode()


def test_the_menu_is_english_in_english(signed_in, link):
    signed_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = signed_in.get("/").content.decode()
    assert [words for _, words in menu(html)] == [
        "My page",
        "Past usage and charges",
        "Notices",
        "Help",
        "Account",
    ]
    assert "Accessibility policy" in part(html, "footer")


def test_a_viewer_in_the_console_has_the_consoles_menu_not_the_members(console_as):
    viewer = console_as("viewer")
    html = viewer.get("/staff/").content.decode()
    assert menu(html) == [] and "職員メニュー" in part(html, "header")
    assert "アクセシビリティ方針" not in part(html, "footer")
    # Opening a resident's page, a member of staff is no member: no member's menu.
    html = viewer.get("/terms?tenant=oumu").content.decode()
    assert menu(html) == [] and "ログアウト" not in part(html, "header")
