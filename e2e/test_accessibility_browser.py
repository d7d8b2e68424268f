"""Every resident page state, in every language the portal offers, on a phone and a PC.

One walk through what a resident meets: the login (and its error), every registration
step (each with its error first), the password reset, then a member's home, history,
one bill, the account pages and their errors, inquiries, notices and the help
pages. At each state axe-core (WCAG 2.1 A and AA) must find nothing, the page must not scroll sideways, and on the phone every target is
finger-sized. The walk runs once per language in settings.LANGUAGES (a new language is
covered the day it is added) and per screen: a 360 px touch phone and a 1280 px PC.

Fields are found by their ids and buttons by their forms, never by their words, so the
same walk reads every language. Each state's screenshot is written to
``var/screenshots/<language>-<screen>/`` (or ``$SCREENSHOTS_DIR``), which git ignores.

Also here: a registration done with the keyboard alone (Tab, typing, Space and Enter,
no pointer), from the login page to 「登録は完了です」.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings

from e2e.conftest import (
    CHROMIUM_ARGS,
    DESKTOP,
    MAKE_MEMBER,
    MIN_TARGET,
    PHONE,
    REPO,
    TAP_TARGETS,
    TENANT,
    axe_clean,
    manage,
)
from waterportal.testing import STRONG_PASSWORD, code_in

pytestmark = pytest.mark.e2e

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SCREENS = {"phone": PHONE, "pc": DESKTOP}
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or REPO / "var" / "screenshots")

# A contract nobody has registered, so the registration's contract step accepts it.
MAKE_CUSTOMER = """
from django_scopes import scopes_disabled
from waterportal.contracts.models import Customer
from waterportal.lib.kana import kana_key
from waterportal.tenants.models import Tenant
with scopes_disabled():
    tenant = Tenant.objects.get(slug={tenant!r})
    Customer.objects.create(tenant=tenant, number={number!r}, name_kana="スイドウ シロウ",
                            name_kana_key=kana_key("スイドウ シロウ"), status="使用中",
                            address="おうむ町本町4-4-4")
"""
KANA = "すいどう しろう"


def new_customer(portal) -> str:
    number = f"78{secrets.randbelow(10**6):06d}"
    manage("shell", "-c", MAKE_CUSTOMER.format(tenant=TENANT, number=number), env=portal.env)
    return number


def new_member(portal) -> str:
    email = f"tour-{secrets.token_hex(3)}@example.jp"
    code = MAKE_MEMBER.format(tenant=TENANT, email=email, password=STRONG_PASSWORD)
    manage("shell", "-c", code, env=portal.env)
    return email


@pytest.fixture
def browser(chromium_path, tmp_path):
    """A fresh Chromium profile; ``browser(screen)`` gives a context of that screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        contexts = []

        def open_context(screen: str):
            phone = screen == "phone"
            context = p.chromium.launch_persistent_context(
                user_data_dir=tmp_path / f"profile-{len(contexts)}",
                executable_path=chromium_path,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=SCREENS[screen],
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                locale="ja-JP",
                timezone_id="Asia/Tokyo",
            )
            context.set_default_timeout(10_000)
            contexts.append(context)
            return context

        try:
            yield open_context
        finally:
            for context in contexts:
                context.close()


class Tour:
    """The page, the checks each state must pass, and the states seen so far."""

    def __init__(self, page, portal, language: str, screen: str):
        self.page = page
        self.portal = portal
        self.language = language
        self.screen = screen
        self.shots = SHOTS / f"{language}-{screen}"
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()
        self.states: list[str] = []

    def go(self, path: str, status: int = 200):
        response = self.page.goto(self.portal.url(path))
        assert response is not None and response.status == status, (
            f"{path}: {response and response.status}"
        )
        return response

    def submit(self, field_id: str | None = None, form: str | None = None) -> None:
        """Press the submit button of the form that holds ``field_id`` (or ``form``)."""
        selector = form or f"main form:has(#{field_id})"
        self.page.locator(f"{selector} button[type=submit]").first.click()
        self.page.wait_for_load_state("load")

    def fill(self, field_id: str, value: str) -> None:
        self.page.locator(f"#{field_id}").fill(value)

    def state(self, name: str, *, error: bool = False) -> None:
        """Checks the page as it is now: its language, axe-core, width, targets; a shot."""
        page = self.page
        label = f"{self.language}/{self.screen}: {name}"
        html_lang = page.locator("html").get_attribute("lang") or ""
        # A language of its own may still be Japanese to a screen reader (lang="ja").
        assert html_lang.split("-")[0] == self.language.split("-")[0], (
            f"{label}: <html lang={html_lang!r}>"
        )
        assert page.locator("h1").count() == 1, f"{label}: one h1"
        if error:
            assert page.locator("[data-error-summary]").is_visible(), f"{label}: no summary"
            assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')"), (
                f"{label}: the error summary does not have the focus"
            )
        axe_clean(page, label)
        self._fits(label)
        if self.screen == "phone":
            self._targets_are_large(label)
        number = len(self.states) + 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=self.shots / f"{number:02d}-{slug}.png", full_page=True)
        self.states.append(name)

    def _fits(self, label: str) -> None:
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        inner = self.page.evaluate("() => window.innerWidth")
        wide = self.page.evaluate(
            """(w) => [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > w + 0.5).slice(0, 5)
                .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 30)}`)""",
            SCREENS[self.screen]["width"],
        )
        # A phone that zoomed out to fit a page too wide reports a wider viewport.
        assert inner == SCREENS[self.screen]["width"], f"{label}: viewport is {inner} px: {wide}"
        assert width <= inner, f"{label}: scrolls sideways ({width} px in {inner} px): {wide}"

    def _targets_are_large(self, label: str) -> None:
        small = self.page.evaluate(
            """([selector, min]) => [...document.querySelectorAll(selector)]
                .filter(e => e.offsetParent !== null)
                .map(e => [e.textContent.trim() || e.name || e.tagName,
                           e.getBoundingClientRect().height])
                .filter(([, h]) => h < min)""",
            [TAP_TARGETS, MIN_TARGET],
        )
        assert not small, f"{label}: targets smaller than {MIN_TARGET} px: {small}"


def walk_signed_out(tour: Tour, smtp, number: str) -> None:
    page = tour.page
    tour.go(f"/login?tenant={TENANT}")
    tour.state("login")
    tour.fill("id_email", f"nobody-{secrets.token_hex(3)}@example.jp")
    tour.fill("id_password", "not-the-password")
    tour.submit("id_email")
    tour.state("login, wrong password", error=True)

    # Registration: each step with its error first, then done right.
    email = f"tour-{secrets.token_hex(3)}@example.jp"
    tour.go(f"/register?tenant={TENANT}")
    tour.state("register: email")
    tour.submit("id_email")
    tour.state("register: email, empty", error=True)
    tour.fill("id_email", email)
    before = len(smtp.mails)
    tour.submit("id_email")
    tour.state("register: code")
    code = code_in(smtp.wait_for(email, "", after=before).text)
    tour.fill("id_code", f"{(int(code) + 1) % 1_000_000:06d}")
    tour.submit("id_code")
    tour.state("register: code, wrong", error=True)
    tour.fill("id_code", code)
    tour.submit("id_code")

    tour.state("register: profile")
    tour.fill("id_name", "水道 四郎")
    tour.fill("id_password1", STRONG_PASSWORD)
    tour.fill("id_password2", STRONG_PASSWORD + "x")
    tour.submit("id_name")
    tour.state("register: profile, passwords differ", error=True)
    tour.fill("id_password1", STRONG_PASSWORD)
    tour.fill("id_password2", STRONG_PASSWORD)
    tour.submit("id_name")

    tour.state("register: contract")
    tour.fill("id_number", number)
    tour.fill("id_kana", KANA)
    tour.submit("id_number")
    tour.state("register: contract, no consent", error=True)
    page.locator("#id_agree").check()
    tour.submit("id_number")

    tour.state("register: privacy")
    tour.submit("id_agree")
    tour.state("register: privacy, nothing chosen", error=True)
    page.locator("#id_agree").check()
    page.locator("#id_relationship_0").check()
    tour.submit("id_agree")

    tour.state("register: confirm")
    tour.submit(form="main form#register-form")
    tour.state("register: done")

    tour.go(f"/password-reset?tenant={TENANT}")
    tour.state("password reset")
    tour.submit("id_email")
    tour.state("password reset, empty", error=True)
    tour.fill("id_email", f"nobody-{secrets.token_hex(3)}@example.jp")
    tour.submit("id_email")
    tour.state("password reset: code")
    tour.submit("id_code")
    tour.state("password reset: code, empty", error=True)

    tour.go(f"/help?tenant={TENANT}")
    tour.state("help, signed out")
    # (The portal's own 404 page is not here: this portal runs with DEBUG, which shows
    # Django's. waterportal/tests check the 404 page's markup.)


def walk_member(tour: Tour, email: str) -> None:
    page = tour.page
    tour.go(f"/login?tenant={TENANT}")
    tour.fill("id_email", email)
    tour.fill("id_password", STRONG_PASSWORD)
    tour.submit("id_email")
    tour.state("home")

    history = page.locator("main a[href*='/history']").first.get_attribute("href")
    assert history
    tour.go(history)
    tour.state("history")
    bill = page.locator("main a[href*='/bills/']:not([href$='.pdf'])").first.get_attribute("href")
    assert bill
    tour.go(bill)
    tour.state("one bill")

    tour.go("/account")
    tour.state("account")
    for path, field, name in [
        ("/account/email", "id_email", "change email"),
        ("/account/password", "id_current_password", "change password"),
        ("/account/contracts/add", "id_number", "add a contract"),
        ("/account/withdraw", "id_current_password", "withdraw"),
    ]:
        tour.go(path)
        tour.state(name)
        tour.submit(field)
        tour.state(f"{name}, empty", error=True)
    tour.go("/account/notifications")
    tour.state("notifications")
    tour.go("/account")
    remove = page.locator("main a[href$='/remove']")
    if remove.count():
        tour.go(remove.first.get_attribute("href"))
        tour.state("remove a contract")

    tour.go("/inquiries/new")
    tour.state("new inquiry")
    tour.submit(form="main form")
    tour.state("new inquiry, empty", error=True)
    tour.go("/inquiries")
    tour.state("inquiries")

    tour.go("/notices")
    tour.state("notices")
    notice = page.locator("main a[href*='/notices/']").first.get_attribute("href")
    assert notice
    tour.go(notice)
    tour.state("a notice")

    tour.go("/help")
    tour.state("help")
    page.locator("main input[type=search]").fill("引っ越し")
    page.locator("main input[type=search]").press("Enter")
    page.wait_for_url(re.compile(r".*[?&]q="))
    tour.state("help, searched")


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_resident_page_state_passes_axe(browser, portal, smtp, language, screen):
    context = browser(screen)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": portal.url("/")}]
    )
    page = context.new_page()
    tour = Tour(page, portal, language, screen)

    walk_signed_out(tour, smtp, new_customer(portal))
    context.clear_cookies()
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": portal.url("/")}]
    )
    walk_member(tour, new_member(portal))

    # The walk itself must not shrink unnoticed: every error state is among them.
    assert len(tour.states) >= 40, tour.states
    assert sum(", " in s for s in tour.states) >= 12, tour.states


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Tab until ``selector`` has the focus (a keyboard user's way to a control)."""
    target = page.locator(selector).element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press_submit(page, form: str) -> None:
    tab_to(page, f"{form} button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def test_a_resident_registers_with_the_keyboard_alone(browser, portal, smtp):
    """No mouse, no touch: Tab to each control, type, Space to tick, Enter to go on."""
    from playwright.sync_api import expect

    page = browser("pc").new_page()
    number = new_customer(portal)
    email = f"keyboard-{secrets.token_hex(3)}@example.jp"

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    tab_to(page, "main a[href*='/register']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/register(\?.*)?$"))

    type_into(page, "#id_email", email)
    before = len(smtp.mails)
    press_submit(page, "main form:has(#id_email)")
    code = code_in(smtp.wait_for(email, "認証コード", after=before).text)
    type_into(page, "#id_code", code)
    press_submit(page, "main form:has(#id_code)")

    type_into(page, "#id_name", "水道 四郎")
    type_into(page, "#id_password1", STRONG_PASSWORD)
    type_into(page, "#id_password2", STRONG_PASSWORD)
    press_submit(page, "main form:has(#id_name)")

    type_into(page, "#id_number", number)
    type_into(page, "#id_kana", KANA)
    tab_to(page, "#id_agree")
    page.keyboard.press("Space")
    expect(page.locator("#id_agree")).to_be_checked()
    press_submit(page, "main form:has(#id_number)")

    tab_to(page, "#id_agree")
    page.keyboard.press("Space")
    # A radio group takes the focus on its first choice; Space chooses it.
    tab_to(page, "#id_relationship_0")
    page.keyboard.press("Space")
    expect(page.locator("#id_relationship_0")).to_be_checked()
    press_submit(page, "main form:has(#id_agree)")

    expect(page.locator("main")).to_contain_text(email)
    press_submit(page, "main form#register-form")
    expect(page.locator("main")).to_contain_text("登録は完了です")
    # The control the keyboard reaches shows that it has the focus.
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
