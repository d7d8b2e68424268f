"""The staff console in a real browser: the demo 管理者 that `make run` prints signs in
with an authenticator code the test computes, finds the town's pages, and every console
page passes axe-core's WCAG 2.1 A/AA rules at 1280 px and on a tablet."""

import base64
import re

import pytest
from django_otp.oath import totp

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def demo_manager(seed_output: str) -> tuple[str, str, bytes]:
    account = re.search(r"デモの管理者:\s+(\S+) / パスワード (\S+)", seed_output)
    key = re.search(r"認証アプリの秘密鍵: ([A-Z2-7]+)", seed_output)
    assert account and key, seed_output
    return account.group(1), account.group(2), base64.b32decode(key.group(1))


def accessible_and_fits(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for size in (DESKTOP, TABLET):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: scrolls sideways at {size['width']} px"
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{name} at {size['width']} px:\n" + (
            results.generate_report()
        )


def test_the_demo_manager_signs_in_and_every_console_page_passes_axe(portal, phone):
    email, password, secret = demo_manager(portal.seed_output)
    page = phone.new_page()

    page.goto(portal.url("/staff/login?tenant=oumu"))
    accessible_and_fits(page, "staff login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="次へ").click()

    page.wait_for_url("**/staff/login/code")
    accessible_and_fits(page, "確認コード")
    page.get_by_label("確認コード").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="ログイン").click()

    page.wait_for_url("**/staff/")
    assert "今日の数字" in page.content()
    accessible_and_fits(page, "console home")

    page.get_by_role("link", name="会員").click()
    page.get_by_label("メールアドレス、氏名（漢字・カナ）または使用者番号").fill("1010-0001")
    page.get_by_role("button", name="検索").click()
    page.wait_for_url("**/staff/members?**")
    accessible_and_fits(page, "member search")

    page.get_by_role("link", name="番号のロック").click()
    page.wait_for_url("**/staff/locks")
    accessible_and_fits(page, "number locks")
