"""The help centre in a real browser on a phone: from the login page a resident taps
「ヘルプ」, types a question in their own words and reads the right answer; a question
the help cannot answer shows the town's contact block and the inquiry form. Each page
passes axe-core's WCAG 2.1 A/AA rules and fits the phone; so does the console's page."""

import re

import pytest

from e2e.conftest import DESKTOP, TENANT, Screen, axe_clean, sign_in_to_console

pytestmark = pytest.mark.e2e


def test_a_resident_finds_an_answer_from_the_login_page(phone, portal, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_role("link", name="ヘルプ", exact=True).click()
    screen.shows("ヘルプ（よくある質問）")
    screen.check("help", zoom=True)
    axe_clean(page, "help")

    # A category's question opens where it is tapped.
    page.get_by_text("使用者番号はどこに書いてありますか。").click()
    assert page.get_by_text("検針票（水道使用量のお知らせ）に印刷されています").first.is_visible()

    page.get_by_label("質問を入力してください").fill("認証コードのメールが来ないです")
    page.get_by_role("button", name="さがす").click()
    page.wait_for_url(re.compile(r".*/help\?.*q="))
    first = page.locator("article.help-answer").first
    assert "認証コードのメールが届きません。" in first.inner_text()
    assert "迷惑メールフォルダ" in first.inner_text()
    screen.check("help answers", zoom=True)
    axe_clean(page, "help answers")

    page.get_by_label("質問を入力してください").fill("粗大ごみの出し方")
    page.get_by_role("button", name="さがす").click()
    page.wait_for_load_state("load")
    assert "この質問に合う答えは見つかりませんでした" in page.content()
    assert page.locator("article.help-answer").count() == 0
    contact = page.locator("section.help-contact")
    assert "建設水道課 水道係" in contact.inner_text() and "0120-000-111" in contact.inner_text()
    inquiry = page.get_by_role("link", name="お問い合わせフォームで質問する")
    assert inquiry.get_attribute("href") == f"/inquiries/new?tenant={TENANT}"
    screen.check("help no match", zoom=True)
    axe_clean(page, "help no match")


def test_the_console_help_page_passes_axe(phone, portal):
    page = phone.new_page()
    page.set_viewport_size(DESKTOP)
    sign_in_to_console(page, portal, "helpcentre")

    nav = page.get_by_role("navigation", name="職員メニュー")
    nav.get_by_role("link", name="よくある質問").click()
    page.wait_for_url("**/staff/help")
    axe_clean(page, "console help")
    page.get_by_label("質問を入力してください").fill("引っ越しします")
    page.get_by_role("button", name="検索する").click()
    page.wait_for_url("**/staff/help?q=*")
    assert "引っ越しのとき、水道の手続きはどうすればよいですか。" in page.content()
    axe_clean(page, "console help search")
    page.get_by_role("link", name=re.compile("編集する.*引っ越しのとき")).click()
    page.wait_for_url(re.compile(r".*/staff/help/\d+$"))
    axe_clean(page, "console help entry")
    page.get_by_label("質問", exact=True).fill("引っ越しのときの水道の手続き")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r".*/staff/help(#entry-\d+)?$"))
    assert "「引っ越しのときの水道の手続き」を保存しました。" in page.content()
    axe_clean(page, "console help saved")
