"""The portal as an installable app, in a real phone browser.

The town's manifest is one Chromium accepts (no parse errors, installable) and its icons
are served in their sizes; the service worker registers and controls the page; with the
network cut, a page opens as the offline page; and after a member's whole session (home,
a bill, its PDF, the CSV, the account pages) Cache Storage holds only the allow-listed
static shell, with nothing of the member in it. The 「アプリとして使う」 and offline pages
pass axe-core and the phone check; their screenshots are in the test's tmp folder.
"""

import io
import re
import secrets

import pytest
from PIL import Image

from e2e.conftest import MAKE_MEMBER, TENANT, Screen, axe_clean, manage
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e

# All the worker may store (templates/pwa/sw.js): static files and the offline page.
SHELL = {
    "/offline",
    "/static/css/tokens.css",
    "/static/css/portal.css",
    "/static/js/once.js",
    "/static/js/pwa.js",
    "/static/favicon.svg",
}
NUMBERS = """
from django_scopes import scopes_disabled
from waterportal.contracts.models import Link
from waterportal.lib.kana import printed_number
with scopes_disabled():
    for link in Link.objects.filter(member__email={email!r}).select_related("customer"):
        print("number", link.customer.number, printed_number(link.customer.number))
"""
CACHE_CONTENTS = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            found.push({cache: name, url: request.url, body: await response.text()});
        }
    }
    return found;
}"""


def controlled(page) -> dict:
    """Wait until the service worker controls the page; its registration's scope."""
    # Not wait_for_function: its predicate is compiled in the page, which the CSP refuses.
    page.evaluate(
        """() => navigator.serviceWorker.controller || new Promise(resolve =>
            navigator.serviceWorker.addEventListener("controllerchange", resolve))"""
    )
    return page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.ready;
            return {scope: registration.scope, state: registration.active.state,
                    script: registration.active.scriptURL};
        }"""
    )


def png_size(body: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG"
    return image.size


@pytest.fixture
def member(portal):
    email = f"app-{secrets.token_hex(3)}@example.jp"
    out = manage(
        "shell",
        "-c",
        MAKE_MEMBER.format(tenant=TENANT, email=email, password=STRONG_PASSWORD),
        env=portal.env,
    )
    numbers = manage("shell", "-c", NUMBERS.format(email=email), env=portal.env)
    found = [line.split()[1:] for line in numbers.splitlines() if line.startswith("number ")]
    assert found, numbers
    return email, int(re.search(r"link (\d+)", out).group(1)), [n for pair in found for n in pair]


def test_the_manifest_the_worker_and_the_offline_page(phone, portal, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    worker = controlled(page)
    assert worker == {
        "scope": portal.url("/"),
        "state": "activated",
        "script": portal.url("/sw.js"),
    }

    # The manifest, as Chromium reads it: no errors, and installable.
    cdp = phone.new_cdp_session(page)
    read = cdp.send("Page.getAppManifest")
    assert read["url"] == portal.url(f"/town/{TENANT}/manifest.webmanifest")
    assert read["errors"] == []
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    response = page.request.get(read["url"])
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "おうむ町 水道ポータル"
    assert manifest["short_name"] == "おうむ町"
    assert manifest["start_url"] == f"/?tenant={TENANT}"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "ja"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    purposes = set()
    for icon in manifest["icons"]:
        fetched = page.request.get(portal.url(icon["src"]))
        assert fetched.status == 200
        assert fetched.headers["content-type"] == icon["type"] == "image/png"
        width, height = png_size(fetched.body())
        assert icon["sizes"] == f"{width}x{height}"
        purposes.add((icon["sizes"], icon["purpose"]))
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    apple = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert png_size(page.request.get(portal.url(apple)).body()) == (180, 180)
    assert (
        page.locator("meta[name=theme-color]").get_attribute("content") == manifest["theme_color"]
    )

    # The 「アプリとして使う」 page, from the footer.
    page.get_by_role("link", name="アプリとして使う").click()
    screen.shows("アプリとして使う")
    # Chromium finds the portal installable, so the page offers its one-tap button.
    install = page.get_by_role("button", name="ホーム画面に追加する")
    install.wait_for(state="visible")
    screen.check("app", zoom=True)
    axe_clean(page, "app page")

    # The network cut: any page opens as the offline page, which can say what to do.
    phone.set_offline(True)
    try:
        page.goto(portal.url(f"/?tenant={TENANT}"))
        screen.shows("インターネットにつながっていません")
        assert page.url == portal.url(f"/?tenant={TENANT}")
        assert page.get_by_role("heading", name="You are not connected to the internet").count()
        # Its style came from the worker's cache: the header has the portal's colour.
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert background == "rgb(11, 83, 148)"
        screen.check("offline", zoom=True)
        axe_clean(page, "offline page")
    finally:
        phone.set_offline(False)

    # Back online, 「もう一度開く」 opens the page that was asked for.
    page.get_by_role("link", name=re.compile("もう一度開く")).click()
    screen.shows("ログイン")


def test_nothing_personal_is_in_cache_storage_after_a_session(phone, portal, member, tmp_path):
    email, link_id, numbers = member
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    controlled(page)
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", level=1, name="水道 次郎 様").wait_for()

    # A bill, its statement (fetched through the worker), the CSV, the account pages.
    page.goto(portal.url(f"/contracts/{link_id}/history"))
    page.locator("a[href*='/bills/']").first.click()
    page.wait_for_load_state("load")
    pdf = page.locator("a[href$='.pdf']").first.get_attribute("href")
    fetched = page.evaluate(
        """async url => {
            const response = await fetch(url);
            return {status: response.status, type: response.headers.get("content-type")};
        }""",
        pdf,
    )
    assert fetched == {"status": 200, "type": "application/pdf"}
    csv = page.evaluate(
        "url => fetch(url).then(r => r.text())", f"/contracts/{link_id}/history.csv"
    )
    assert csv.startswith("調定年月,")
    bill_row = csv.splitlines()[1]  # the member's own figures
    page.goto(portal.url(f"/contracts/{link_id}/history"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("ダウンロード")).click()
    assert download.value.suggested_filename.endswith(".csv")
    # An address of the apps' API (whatever it answers): not stored either.
    page.evaluate("url => fetch(url).then(r => r.status)", f"/api/v1/towns/{TENANT}/bills")
    for path in ("/account", "/account/notifications", "/account/email", "/app", "/notices"):
        assert page.goto(portal.url(path)).status == 200, path

    def personal_left() -> list[str]:
        stored = page.evaluate(CACHE_CONTENTS)
        paths = {re.sub(r"^https?://[^/]+", "", entry["url"]) for entry in stored}
        assert paths == SHELL, f"the cache holds {sorted(paths)}"
        assert all(entry["cache"].startswith("waterportal-shell-") for entry in stored)
        personal = [email, "水道 次郎", "次郎", bill_row, "%PDF", *numbers]
        return [
            f"{entry['url']}: {word}"
            for entry in stored
            for word in personal
            if word in entry["body"]
        ]

    assert personal_left() == []
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_load_state("load")
    # Nothing to clear at logout, because nothing personal was ever stored.
    assert personal_left() == []
