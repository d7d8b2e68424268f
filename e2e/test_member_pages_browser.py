"""A member with a live contract reads every page of the member's side on a phone.

Home, history (charts and table), one bill, the account page and its forms: no page may
scroll sideways at 360 px or at 200 % zoom (a 180 px wide viewport), and everything a
resident taps stays finger-sized.
"""

import re
import secrets

import pytest

from e2e.conftest import MAKE_MEMBER, TENANT, Screen, manage
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def member(portal):
    email = f"member-{secrets.token_hex(3)}@example.jp"
    out = manage(
        "shell",
        "-c",
        MAKE_MEMBER.format(tenant=TENANT, email=email, password=STRONG_PASSWORD),
        env=portal.env,
    )
    return email, int(re.search(r"link (\d+)", out).group(1))


def test_every_member_page_fits_a_phone_and_200_percent_zoom(phone, portal, member, tmp_path):
    email, link_id = member
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    screen.shows("水道 次郎 様")
    screen.check("home", zoom=True)

    page.locator("main").get_by_role(
        "link", name=re.compile("これまでの使用量と料金")
    ).first.click()
    screen.shows("これまでの使用量と料金")
    assert page.locator("svg.chart").count() >= 2
    screen.check("history", zoom=True)

    bill_link = page.locator("a[href*='/bills/']").first
    bill_link.click()
    page.wait_for_load_state("load")
    assert "明細" in page.get_by_role("heading", level=1).inner_text()
    screen.check("bill", zoom=True)

    with page.expect_download() as download:
        page.goto(portal.url(f"/contracts/{link_id}/history"))
        page.get_by_role("link", name=re.compile("ダウンロード")).click()
    assert download.value.suggested_filename.endswith(".csv")

    for path, heading in [
        ("/account", "アカウント"),
        ("/account/contracts/add", None),
        ("/account/email", None),
        ("/account/password", None),
        ("/account/notifications", None),
        ("/account/withdraw", None),
        ("/inquiries/new", "お問い合わせ"),
        ("/inquiries", "これまでのお問い合わせ"),
        ("/help", "ヘルプ（よくある質問）"),
        ("/help?q=引っ越しします", None),
    ]:
        response = page.goto(portal.url(path))
        assert response.status == 200, path
        if heading:
            screen.shows(heading)
        screen.check(path.strip("/").replace("/", "-").replace("?", "-"), zoom=True)

    # The demo town's notices: the list, and one of them (the important charge notice).
    page.goto(portal.url("/notices"))
    screen.shows("お知らせ")
    screen.check("notices", zoom=True)
    page.locator("ul.notice-list a").first.click()
    page.wait_for_url(re.compile(r".*/notices/\d+(\?tenant=oumu)?$"))
    screen.check("a notice", zoom=True)


def test_the_history_table_reads_whole_words_on_a_pc(phone, portal, member, tmp_path):
    email, link_id = member
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(portal.url(f"/contracts/{link_id}/history"))
    page.screenshot(path=tmp_path / "history-pc.png", full_page=True)
    # A text on two lines is a month, a date or an amount broken in the middle.
    broken = page.evaluate(
        """() => {
            const cells = document.querySelectorAll(".history-table th, .history-table td");
            const texts = [...cells].flatMap(cell => {
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                const found = [];
                while (walker.nextNode()) if (walker.currentNode.textContent.trim()) found.push(walker.currentNode);
                return found;
            });
            return texts.filter(text => {
                const range = document.createRange();
                range.selectNodeContents(text);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
            }).map(text => text.textContent.trim());
        }"""
    )
    assert broken == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
