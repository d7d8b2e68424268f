"""The site's frame in the browser: the header with the town, the member's global menu,
the footer and its three pages, on a phone (and at 320 px) and at 1280 px.

Every new page is checked with axe-core at both sizes; the menu is used with the
keyboard alone at both; and the charts' labels stay in proportion with the headings.
"""

import re

import pytest

from e2e.conftest import DESKTOP, PHONE, TENANT, Screen, axe_clean, log_in

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}
MENU = ["マイページ", "これまでの使用量と料金", "お知らせ", "ヘルプ", "アカウント"]
FOOTER_PAGES = [
    ("利用規約", "/terms"),
    ("個人情報の取り扱い", "/privacy"),
    ("アクセシビリティ方針", "/accessibility"),
]


def no_sideways_scroll(page, name: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: scrolls sideways ({width[0]} px in {width[1]})"


def focus_by_tab(page, words: str, *, limit: int = 40) -> None:
    """Press Tab until the element named ``words`` has the focus (as a keyboard user)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == words:
            return
    raise AssertionError(f"{words!r} is never reached with Tab")


def test_the_footer_pages_on_a_phone_and_at_1280_px(phone, portal, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    header = page.locator("header.site-header")
    assert "おうむ町" in header.inner_text()
    assert page.locator("nav.global-nav").count() == 0, "a visitor has no member's menu"
    footer = page.locator("footer.site-footer")
    for words, path in FOOTER_PAGES:
        assert (
            footer.get_by_role("link", name=words).get_attribute("href")
            == f"{path}?tenant={TENANT}"
        )
    axe_clean(page, "login, phone")

    for words, path in FOOTER_PAGES:
        page.set_viewport_size(PHONE)
        page.locator("footer.site-footer").get_by_role("link", name=words).click()
        screen.shows(words)
        screen.check(f"{path.strip('/')}-phone", zoom=True)
        axe_clean(page, f"{path}, phone")
        page.set_viewport_size(NARROW)
        no_sideways_scroll(page, f"{path} at 320 px")
        page.set_viewport_size(DESKTOP)
        axe_clean(page, f"{path}, 1280 px")
        page.go_back()


def test_the_menu_on_a_phone_opens_from_its_button_with_the_keyboard(
    phone, portal, resident, tmp_path
):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    log_in(page, portal, resident)
    menu = page.get_by_role("navigation", name="メインメニュー")
    toggle = menu.locator("summary")
    assert toggle.is_visible() and toggle.inner_text().startswith("メニュー")
    assert not menu.get_by_role("link", name="お知らせ").is_visible(), "folded until opened"
    axe_clean(page, "home with the menu folded, phone")

    page.locator("body").focus()
    focus_by_tab(page, "メニュー")
    page.keyboard.press("Enter")
    for words in MENU:
        link = menu.get_by_role("link", name=words, exact=True)
        assert link.is_visible(), words
        assert link.bounding_box()["height"] >= 44, f"{words} is not finger-sized"
    assert menu.get_by_role("link", name="マイページ").get_attribute("aria-current") == "page"
    screen.check("home-menu-open", zoom=True)
    axe_clean(page, "home with the menu open, phone")
    page.set_viewport_size(NARROW)
    no_sideways_scroll(page, "the open menu at 320 px")
    page.set_viewport_size(PHONE)

    focus_by_tab(page, "お知らせ")
    page.keyboard.press("Enter")
    screen.shows("お知らせ")
    page.set_viewport_size(NARROW)
    no_sideways_scroll(page, "notices at 320 px")


def test_the_menu_at_1280_px_is_one_row_used_with_the_keyboard(phone, portal, resident, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, portal, resident)
    page.screenshot(path=tmp_path / "home-1280.png", full_page=True)
    menu = page.get_by_role("navigation", name="メインメニュー")
    assert not menu.locator("summary").is_visible(), "no button to open: the menu is shown"
    boxes = [menu.get_by_role("link", name=w, exact=True).bounding_box() for w in MENU]
    assert all(boxes), "every item is shown"
    assert len({round(b["y"]) for b in boxes}) == 1, "the items are one row"
    header = page.locator("header.site-header").bounding_box()
    assert header["width"] == DESKTOP["width"]
    axe_clean(page, "home, 1280 px")

    page.locator("body").focus()
    for words in MENU:
        focus_by_tab(page, words, limit=10)
    focus_by_tab(page, "ログアウト", limit=3)
    # This member has two contracts: their usage and charges start from the list of both.
    page.locator("body").focus()
    focus_by_tab(page, "これまでの使用量と料金")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("様")

    # The content takes the room of a table: wider than a form's column.
    page.locator("main").get_by_role(
        "link", name=re.compile("これまでの使用量と料金")
    ).first.click()
    page.wait_for_url(re.compile(r"/contracts/\d+/history"))
    assert page.locator("main").bounding_box()["width"] > 900
    page.screenshot(path=tmp_path / "history-1280.png", full_page=True)
    axe_clean(page, "history, 1280 px")
    page.goto(portal.url(f"/accessibility?tenant={TENANT}"))
    page.screenshot(path=tmp_path / "accessibility-1280.png", full_page=True)


def test_chart_labels_stay_in_proportion_with_the_headings(phone, portal, resident):
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, portal, resident)
    page.locator("main").get_by_role(
        "link", name=re.compile("これまでの使用量と料金")
    ).first.click()
    page.wait_for_url(re.compile(r"/contracts/\d+/history"))
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        sizes = page.evaluate(
            """() => {
                const text = document.querySelector("svg.chart text");
                // The label's size on the screen: its size in the chart's units, scaled.
                const drawn = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
                const h2 = parseFloat(getComputedStyle(document.querySelector("main h2")).fontSize);
                const body = parseFloat(getComputedStyle(document.body).fontSize);
                return {drawn, h2, body};
            }"""
        )
        assert sizes["drawn"] <= sizes["h2"], f"{size['width']} px: {sizes}"
        assert sizes["drawn"] <= sizes["body"] + 0.5, f"{size['width']} px: {sizes}"
        assert sizes["drawn"] >= 12, f"{size['width']} px: labels too small to read: {sizes}"
