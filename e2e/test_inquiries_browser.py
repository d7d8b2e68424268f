"""An inquiry in a real browser: a member on a phone sends one, the demo 管理者 answers it
in the console, and the member reads the answer through the emailed link. Every page
passes axe-core's WCAG 2.1 A/AA rules; the phone's pages fit 360 px with finger-sized
targets."""

import re
import secrets

import pytest

from e2e.conftest import DESKTOP, TENANT, Screen, axe_clean, log_in, sign_in_to_console

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def member_sign_in(page, portal, email: str) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, portal, email)


def test_a_member_asks_on_a_phone_staff_answer_and_the_member_reads_it(
    portal, phone, smtp, resident, tmp_path
):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")

    # The member, on a phone: the account page links the form.
    member_sign_in(page, portal, resident)
    page.goto(portal.url("/account"))
    page.get_by_role("link", name="新しくお問い合わせする").click()
    screen.shows("お問い合わせ")
    assert page.get_by_role("link", name=re.compile("よくある質問")).count() >= 1
    screen.check("inquiry form", zoom=True)
    axe_clean(page, "inquiry form")
    page.get_by_label("種類").select_option(label="料金・支払い")
    page.get_by_label("件名").fill("口座振替の開始時期について")
    page.get_by_label("本文").fill("口座振替はいつの請求から始まりますか。")
    page.get_by_label("契約（任意）").select_option(index=1)
    page.get_by_role("button", name="送信する").click()
    screen.shows("お問い合わせを受け付けました")
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"Q-\d{4}-\d{6}", reference)
    screen.check("inquiry sent")
    axe_clean(page, "inquiry sent")
    smtp.wait_for(resident, reference)
    page.get_by_role("button", name="ログアウト").click()

    # The demo 管理者 finds it in the inbox, takes it and answers.
    page.set_viewport_size(DESKTOP)
    sign_in_to_console(page, portal, "inquiries")
    menu = page.get_by_role("navigation", name="職員メニュー")
    menu.get_by_role("link", name=re.compile("お問い合わせ")).click()
    page.wait_for_url("**/staff/inquiries")
    axe_clean(page, "inbox")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(r".*/staff/inquiries/\d+$"))
    assert "口座振替はいつの請求から始まりますか。" in page.content()
    axe_clean(page, "inquiry in the console")
    page.get_by_role("button", name="自分が担当する").click()
    page.get_by_label("回答", exact=True).fill("次回の検針分の請求から口座振替になります。")
    page.get_by_role("button", name="回答を送る").click()
    page.wait_for_url(re.compile(r".*/staff/inquiries/\d+$"))
    assert "回答しました" in page.content()
    axe_clean(page, "answered inquiry in the console")
    page.get_by_role("button", name="ログアウト").click()

    # The member follows the emailed link and reads the answer.
    mail = smtp.wait_for(resident, "回答しました")
    found = re.search(r"https?://\S+/inquiries/\d+\?tenant=\w+", mail.text)
    assert found, mail.text
    member_sign_in(page, portal, resident)
    page.goto(found.group(0))
    screen.shows("口座振替の開始時期について")
    assert "次回の検針分の請求から口座振替になります。" in page.content()
    screen.check("answer", zoom=True)
    axe_clean(page, "answer")
    page.goto(portal.url("/inquiries"))
    screen.shows("これまでのお問い合わせ")
    assert "回答済み" in page.content()
    screen.check("history")
    axe_clean(page, "history")


def test_a_guest_confirms_the_address_and_sends_on_a_phone(portal, phone, smtp, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    address = f"guest-{secrets.token_hex(3)}@example.jp"
    page.set_viewport_size(PHONE)
    page.goto(portal.url(f"/inquiries/new?tenant={TENANT}"))
    page.wait_for_url("**/inquiries/email*")
    screen.check("guest email", zoom=True)
    axe_clean(page, "guest email")
    page.get_by_label("メールアドレス").fill(address)
    page.get_by_role("button", name="認証コードの送信").click()
    page.wait_for_url("**/inquiries/code")
    axe_clean(page, "guest code")
    mail = smtp.wait_for(address, "認証コード")
    code = re.search(r"認証コード: (\d{6})", mail.text)
    assert code, mail.text
    page.get_by_label("認証コード").fill(code.group(1))
    page.get_by_role("button", name="次へ").click()
    screen.shows("お問い合わせ")
    axe_clean(page, "guest form")
    page.get_by_label("種類").select_option(label="登録・ログイン")
    page.get_by_label("件名").fill("登録の前に質問です")
    page.get_by_label("本文").fill("使用者番号はどこに書かれていますか。")
    page.get_by_role("button", name="送信する").click()
    screen.shows("お問い合わせを受け付けました")
    reference = page.locator("#reference").inner_text()
    confirmation = smtp.wait_for(address, reference)
    link = re.search(r"https?://\S+/inquiries/t/[\w-]+\?tenant=\w+", confirmation.text)
    assert link, confirmation.text
    page.goto(link.group(0))
    screen.shows("登録の前に質問です")
    screen.check("guest thread")
    axe_clean(page, "guest thread")
