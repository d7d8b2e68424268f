"""Notices in a real browser: the demo 管理者 writes a notice in the console, previews
it and publishes it; a member on a phone finds it on the home page marked 未読, opens
it, and the unread count drops; a visitor reads the public notice from the login page.
Every page passes axe-core's WCAG 2.1 A/AA rules and fits the screen."""

import re
import secrets

import pytest

from e2e.conftest import DESKTOP, TENANT, axe_clean, sign_in_to_console
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def accessible_and_fits(page, name: str, sizes=(PHONE,)) -> None:
    for size in sizes:
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: scrolls sideways at {size['width']} px"
        axe_clean(page, f"{name} at {size['width']} px")


def unread_count(page) -> int:
    heading = page.get_by_role("heading", name=re.compile("お知らせ")).inner_text()
    found = re.search(r"未読 (\d+)件", heading)
    return int(found.group(1)) if found else 0


def test_staff_publish_a_notice_and_a_member_reads_it_on_a_phone(portal, phone, resident):
    title = f"水質検査の結果について {secrets.token_hex(2)}"
    page = phone.new_page()
    page.set_viewport_size(DESKTOP)
    sign_in_to_console(page, portal, "notices")

    page.get_by_role("navigation", name="職員メニュー").get_by_role("link", name="お知らせ").click()
    page.wait_for_url("**/staff/notices")
    accessible_and_fits(page, "console: notices", sizes=(DESKTOP,))
    page.get_by_role("link", name="お知らせを書く").click()
    page.wait_for_url("**/staff/notices/new")
    accessible_and_fits(page, "console: new notice", sizes=(DESKTOP,))
    page.get_by_label("タイトル").fill(title)
    page.get_by_label("本文").fill(
        "今年度の水質検査の結果をお知らせします。\nすべての項目で基準に適合しました。\n"
        "詳しくは https://www.town.oumu.example.jp/suido/kensa をご覧ください。"
    )
    page.get_by_label("分類", exact=True).select_option(label="その他")
    page.get_by_role("button", name="プレビュー").click()
    page.get_by_role("heading", name="プレビュー（住民の画面での見え方）").wait_for()
    assert page.get_by_role("link", name="https://www.town.oumu.example.jp/suido/kensa").count()
    accessible_and_fits(page, "console: preview", sizes=(DESKTOP,))
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r".*/staff/notices/\d+$"))
    assert "状態: 下書き" in page.content()
    accessible_and_fits(page, "console: notice", sizes=(DESKTOP,))
    page.get_by_role("button", name="公開する").click()
    page.wait_for_url(re.compile(r".*/staff/notices/\d+$"))
    assert "公開しました" in page.content() and "状態: 公開中" in page.content()
    page.get_by_role("button", name="ログアウト").click()

    # The member, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r".*/(\?tenant=oumu)?$"))
    accessible_and_fits(page, "home with notices")
    before = unread_count(page)
    assert before >= 1
    mine = page.get_by_role("link", name=re.compile(re.escape(title)))
    assert mine.inner_text().startswith("未読")
    mine.click()
    page.get_by_role("heading", name=title).wait_for()
    accessible_and_fits(page, "a notice")
    page.get_by_role("link", name="お知らせの一覧へ").click()
    page.wait_for_url(re.compile(r".*/notices(\?tenant=oumu)?$"))
    accessible_and_fits(page, "notices")
    assert (
        not page.get_by_role("link", name=re.compile(re.escape(title)))
        .inner_text()
        .startswith("未読")
    )
    page.goto(portal.url("/"))
    assert unread_count(page) == before - 1
    assert not mine.inner_text().startswith("未読")
    page.get_by_role("button", name="ログアウト").click()

    # A visitor: the public notice on the login page, and its page without login.
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == f"/notices/feed.atom?tenant={TENANT}"
    accessible_and_fits(page, "login with a public notice")
    page.get_by_role("link", name=re.compile("配水管工事に伴う断水のお知らせ")).click()
    page.get_by_role("heading", name=re.compile("配水管工事に伴う断水のお知らせ")).wait_for()
    accessible_and_fits(page, "a public notice")
