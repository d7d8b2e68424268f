"""Errors and time limits on a phone: what a resident meets when something goes wrong.

- A form shown again with errors opens on its error summary (「入力内容を確認してください」):
  the focus is on it, each problem is a link, and Tab then Enter on a link lands on the
  field. axe-core finds no WCAG 2.1 A/AA violation on any of these pages.
- Before the 30-minute idle logout the page warns (a browser clock moved forward, not a
  wait), 「ログインを続ける」 keeps the page and what was typed and extends the session on
  the server; when the time has run out, the dialog says so and offers the login.
- A member page's address names the town, so a bookmark opens in a new browser.
"""

import secrets

import pytest

from e2e.conftest import TENANT, Screen, axe_clean, log_in, manage
from waterportal.testing import STRONG_PASSWORD, code_in

pytestmark = pytest.mark.e2e

# A contract nobody has registered: the registration's contract step must accept it.
MAKE_CUSTOMER = """
from django_scopes import scopes_disabled
from waterportal.contracts.models import Customer
from waterportal.lib.kana import kana_key
from waterportal.tenants.models import Tenant
with scopes_disabled():
    tenant = Tenant.objects.get(slug={tenant!r})
    Customer.objects.create(tenant=tenant, number={number!r}, name_kana="スイドウ サブロウ",
                            name_kana_key=kana_key("スイドウ サブロウ"), status="使用中",
                            address="おうむ町本町9-9-9")
"""

# The server's side of the idle clock, moved back as if that many seconds had passed
# since the last request it noted (the browser's clock is moved on by Playwright; the
# portal's is the real one).
AGE_SESSION = """
from importlib import import_module
from django.conf import settings
store = import_module(settings.SESSION_ENGINE).SessionStore({key!r})
store["session_seen"] -= {seconds}
store.save()
"""


def summary_is_focused(page) -> bool:
    return page.evaluate("() => document.activeElement.matches('[data-error-summary]')")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def shows_summary(page, name: str, *problems: str) -> None:
    """The summary is there, in view at the top, focused, lists ``problems``; no axe
    violation on the page."""
    from playwright.sync_api import expect

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("入力内容を確認してください")
    for problem in problems:
        expect(summary).to_contain_text(problem)
    assert summary_is_focused(page), f"{name}: the error summary does not have the focus"
    box = summary.bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"], f"{name}: summary not in view"
    axe_clean(page, name)


def goes_to_field(page, link_text: str, field_id: str) -> None:
    """From the focused summary, keyboard only: Tab to the link, Enter, on the field."""
    link = page.locator("[data-error-summary] a", has_text=link_text)
    while not page.evaluate("(link) => document.activeElement === link", link.element_handle()):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('[data-error-summary]')"), (
            f"Tab left the summary before reaching {link_text!r}"
        )
    page.keyboard.press("Enter")
    assert focused_id(page) == field_id
    box = page.locator(f"#{field_id}").bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"], f"#{field_id} not in view"


def test_every_registration_step_with_errors_opens_on_its_summary(phone, portal, smtp, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    email = f"errors-{secrets.token_hex(3)}@example.jp"
    number = f"77{secrets.randbelow(10**6):06d}"
    manage("shell", "-c", MAKE_CUSTOMER.format(tenant=TENANT, number=number), env=portal.env)

    # メールアドレス: nothing typed.
    page.goto(portal.url(f"/register?tenant={TENANT}"))
    page.get_by_role("button", name="認証コードの送信").click()
    screen.shows("会員登録")
    shows_summary(page, "email step, empty", "メールアドレスを入力してください")
    screen.check("register-email-error")
    goes_to_field(page, "メールアドレス", "id_email")
    page.keyboard.type(email)
    mails_before = len(smtp.mails)
    page.get_by_role("button", name="認証コードの送信").click()

    # 認証コード: a wrong one.
    screen.shows("認証コードを入力してください")
    code = code_in(smtp.wait_for(email, "認証コード", after=mails_before).text)
    page.get_by_label("認証コード", exact=True).fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="次へ").click()
    shows_summary(page, "code step, wrong code", "認証コードが正しくありません")
    page.get_by_label("認証コード", exact=True).fill(code)
    page.get_by_role("button", name="次へ").click()

    # 会員情報①: the two passwords differ.
    screen.shows("会員情報を入力します①")
    page.get_by_label("お名前").fill("水道 三郎")
    page.get_by_label("パスワード", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("パスワード（確認のためもう一度）").fill(STRONG_PASSWORD + "x")
    page.get_by_role("button", name="次へ").click()
    shows_summary(page, "profile step, passwords differ")
    screen.check("register-profile-error")
    page.get_by_label("パスワード", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("パスワード（確認のためもう一度）").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="次へ").click()

    # 会員情報②: 同意 not ticked. The error used to sit far below a 740 px screen.
    screen.shows("会員情報を入力します②")
    page.get_by_label("使用者番号").fill(number)
    page.get_by_label("カナ氏名").fill("すいどう さぶろう")
    page.get_by_role("button", name="次へ").click()
    shows_summary(page, "contract step, no 同意", "利用規約")
    screen.check("register-contract-error")
    # The 同意 group is read with its error, and so is its checkbox.
    consent = page.locator("fieldset:has(#id_agree)")
    assert consent.get_attribute("aria-describedby") == "id_agree_error"
    assert page.locator("#id_agree").get_attribute("aria-describedby") == "id_agree_error"
    goes_to_field(page, "利用規約", "id_agree")
    page.keyboard.press("Space")
    page.get_by_role("button", name="次へ").click()

    # 会員情報③: neither 同意 nor a relationship.
    screen.shows("会員情報を入力します③")
    page.get_by_role("button", name="確認").click()
    shows_summary(page, "privacy step, nothing chosen", "個人情報の取り扱い")
    assert page.locator("[data-error-summary] li").count() == 2
    screen.check("register-privacy-error")
    relationship = page.locator("[data-error-summary] a").nth(1).inner_text()
    goes_to_field(page, relationship, "id_relationship_0")
    # The group is read with its error: the fieldset points at it.
    described = page.locator("fieldset:has(#id_relationship_0)").get_attribute("aria-describedby")
    assert described and "id_relationship_error" in described.split()
    consent = page.locator("fieldset:has(#id_agree)").get_attribute("aria-describedby")
    assert consent == "id_agree_error"


def test_the_login_with_an_error_opens_on_its_summary(phone, portal, resident):
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()
    shows_summary(page, "login, wrong password")
    # The wrong password is a problem of the whole form: text, no link.
    assert page.locator("[data-error-summary] a").count() == 0


@pytest.mark.parametrize(
    ("path", "button", "field_id"),
    [
        ("/account/email", "認証コードの送信", "id_email"),
        ("/account/password", "パスワードを変更する", "id_current_password"),
        ("/account/withdraw", "退会する", "id_current_password"),
        ("/account/contracts/add", "次へ", "id_number"),
    ],
)
def test_the_account_forms_with_errors_open_on_their_summary(
    phone, portal, resident, path, button, field_id
):
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, portal, resident)
    page.goto(portal.url(path))
    page.get_by_role("button", name=button).click()
    shows_summary(page, f"{path} with nothing typed")
    first = page.locator("[data-error-summary] a").first.inner_text()
    goes_to_field(page, first, field_id)


def session_key(phone) -> str:
    return next(c["value"] for c in phone.cookies() if c["name"].endswith("sessionid"))


def age_server_session(portal, phone, seconds: int) -> None:
    code = AGE_SESSION.format(key=session_key(phone), seconds=seconds)
    manage("shell", "-c", code, env=portal.env)


def test_the_warning_before_the_idle_logout_keeps_the_page_and_what_was_typed(
    phone, portal, resident
):
    from playwright.sync_api import expect

    page = phone.pages[0] if phone.pages else phone.new_page()
    page.clock.install()
    log_in(page, portal, resident)
    page.goto(portal.url("/account/email"))
    page.get_by_label("メールアドレス").fill("new-address@example.jp")
    dialog = page.locator("dialog[data-session-dialog]")

    page.clock.fast_forward("27:00")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("01:05")  # 28 minutes: two left
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("まもなく自動的にログアウトします")
    expect(dialog).to_contain_text("あと2分ほど")
    keep = dialog.get_by_role("button", name="ログインを続ける")
    expect(keep).to_be_focused()
    expect(dialog.get_by_role("button", name="ログアウトする")).to_be_visible()
    axe_clean(page, "the idle warning")

    # The server's clock too: 29 of its 30 minutes gone since the page.
    age_server_session(portal, phone, 29 * 60)
    keep.click()
    expect(dialog).to_be_hidden()
    assert page.get_by_label("メールアドレス").input_value() == "new-address@example.jp"

    # Another 29 minutes on the server: 58 since the page, yet still signed in, because
    # 「ログインを続ける」 started its clock again.
    age_server_session(portal, phone, 29 * 60)
    account = page.request.get(portal.url("/account"), max_redirects=0)
    assert account.status == 200 and "アカウント" in account.text()

    # The page's clock started again as well: no warning for another 27 minutes.
    page.clock.fast_forward("27:00")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("01:05")
    expect(dialog).to_be_visible()


def test_when_the_time_has_run_out_the_dialog_says_so_and_offers_the_login(phone, portal, resident):
    from playwright.sync_api import expect

    page = phone.pages[0] if phone.pages else phone.new_page()
    page.clock.install()
    log_in(page, portal, resident)
    page.goto(portal.url("/account/password"))
    dialog = page.locator("dialog[data-session-dialog]")
    page.clock.fast_forward("30:05")
    expect(dialog.get_by_role("heading")).to_have_text("ログアウトしました")
    login = dialog.get_by_role("link", name="ログイン画面へ")
    expect(login).to_be_focused()
    href = login.get_attribute("href") or ""
    assert href.startswith(f"/login?tenant={TENANT}&next=")
    assert "%2Faccount%2Fpassword%3Ftenant%3Doumu" in href
    axe_clean(page, "the idle logout's notice")


def test_a_bookmarked_member_page_opens_in_a_new_browser(phone, portal, resident):
    from playwright.sync_api import expect

    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, portal, resident)
    menu = page.get_by_role("navigation", name="メインメニュー")
    menu.locator("summary").click()  # the phone's menu opens from its button
    menu.get_by_role("link", name="アカウント").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント")
    # The address bar names the town, though the link did not: that is what is bookmarked.
    bookmark = page.url
    assert bookmark == portal.url(f"/account?tenant={TENANT}")

    # A browser that has never seen the town: no session, no wp_tenant cookie.
    phone.clear_cookies()
    page.goto(bookmark)
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    expect(page.locator(".site-header")).to_contain_text("おうむ町")
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント")
    assert page.url == bookmark
