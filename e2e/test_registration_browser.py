"""A new resident registers on a phone exactly as the town's guide shows, then logs in.

The guide's steps: 「初めての方はこちら」 → メールアドレス 「認証コードの送信」 → the code
arrives by mail → 認証コード 「次へ」 → 会員情報① → ② → ③ 「確認」 → 「登録」 →
「登録は完了です」 with the date from which usage and charges appear. Every page is
checked for horizontal scrolling at 360 px, and the login and step pages also at 200 %
zoom (a 180 px wide viewport). Screenshots go to the test's tmp_path only.
"""

import datetime as dt
import re
import secrets
import zoneinfo

import jaconv
import pytest

from e2e.conftest import TENANT, Screen, manage, table_counts
from waterportal.testing import code_in

pytestmark = pytest.mark.e2e

JAPANESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日（([月火水木金土日])）")


def test_a_new_resident_registers_as_the_guide_shows_and_sees_when_usage_appears(
    phone, portal, smtp, tmp_path
):
    from playwright.sync_api import expect

    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    email = f"e2e-{secrets.token_hex(3)}@example.jp"
    # Other browser tests share the demo database; this one adds exactly one of each.
    initial = table_counts(portal.env)
    password = "Kawa-Mizu-2026x"
    name = "水道 花子"
    kana_typed = jaconv.kata2hira(portal.kana)  # the slip is in katakana; phones type hiragana
    assert kana_typed != portal.kana
    today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()  # before registering

    # 1 「初めての方はこちら」をタップします。
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    screen.shows("ログイン")
    screen.check("login", zoom=True)
    page.get_by_role("link", name="初めての方はこちら").tap()

    # 2 メールアドレスを入力、「認証コードの送信」ボタンを押します。
    screen.shows("会員登録")
    screen.check("register-email", zoom=True)
    page.get_by_label("メールアドレス").fill(email)
    mails_before = len(smtp.mails)
    page.get_by_role("button", name="認証コードの送信").tap()

    # 3 「認証コード」がメールで届きます。
    screen.shows("認証コードを入力してください")
    expect(page.locator("main")).to_contain_text(email)
    expect(page.locator("main")).to_contain_text("迷惑メールフォルダ")
    screen.check("register-code", zoom=True)
    mail = smtp.wait_for(email, "認証コード", after=mails_before)
    assert mail.subject == "【おうむ町 水道ポータル】認証コードのお知らせ"
    code = code_in(mail.text)
    assert "10分" in mail.text and "お心当たりがない" in mail.text

    # A wrong code first: a clear Japanese error, and the resident can try again.
    page.get_by_label("認証コード", exact=True).fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="次へ").tap()
    expect(page.get_by_role("alert")).to_contain_text("認証コードが正しくありません")
    expect(page.get_by_role("alert")).to_contain_text("あと4回")
    screen.shows("認証コードを入力してください")
    screen.check("register-code-wrong")

    # 4 認証コードを入力し、「次へ」ボタンを押します。
    page.get_by_label("認証コード", exact=True).fill(code)
    page.get_by_role("button", name="次へ").tap()

    # 5 会員情報を入力します①: お名前とパスワード（2回）。
    screen.shows("会員情報を入力します①")
    expect(page.locator(".rules")).to_contain_text("8文字以上")
    screen.check("register-profile", zoom=True)
    page.get_by_label("お名前").fill(name)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_label("パスワード（確認のためもう一度）").fill(password)
    page.get_by_role("button", name="次へ").tap()

    # 6 会員情報を入力します②: 使用者番号とカナ氏名、利用規約に「同意する」。
    screen.shows("会員情報を入力します②")
    screen.check("register-contract", zoom=True)
    page.get_by_label("使用者番号").fill(portal.number)
    page.get_by_label("カナ氏名").fill(kana_typed)
    page.get_by_label("同意する").check()
    page.get_by_role("button", name="次へ").tap()

    # 7 会員情報を入力します③: 個人情報の取り扱いに「同意する」、関係は「本人」→「確認」。
    screen.shows("会員情報を入力します③")
    screen.check("register-privacy", zoom=True)
    page.get_by_label("同意する").check()
    page.get_by_label("本人", exact=True).check()
    page.get_by_role("button", name="確認").tap()

    # 8 入力した内容を確認します（パスワードは表示しない）。
    screen.shows("入力した内容を確認します")
    screen.check("register-confirm", zoom=True)
    confirmation = page.locator("main").inner_text()
    for entered in (email, name, portal.number, kana_typed, "本人", "（表示しません）"):
        assert entered in confirmation, f"the confirmation does not show {entered!r}"
    assert password not in page.content()
    page.get_by_role("button", name="登録").tap()

    # 9 登録は完了です。1営業日後から使用料や料金の確認ができるようになります。
    screen.shows("会員登録の完了")
    expect(page.locator("main")).to_contain_text("登録は完了です")
    screen.check("register-done", zoom=True)
    date_text = page.locator(".date-strong").inner_text().strip()
    shown = JAPANESE_DATE.fullmatch(date_text)
    assert shown, f"no date like 2026年7月3日（金） on the completion page: {date_text!r}"
    active_from = dt.date(*map(int, shown.groups()[:3]))
    assert today < active_from <= today + dt.timedelta(days=10)
    assert active_from.weekday() < 5, "usage appears on a business day"
    assert shown.group(4) == "月火水木金土日"[active_from.weekday()]

    done_mail = smtp.wait_for(email, "会員登録が完了しました", after=mails_before)
    assert date_text in done_mail.text, done_mail.text

    # Then: log in with the address and password, and see from when usage appears.
    page.get_by_role("link", name="ログイン画面へ").tap()
    screen.shows("ログイン")
    screen.check("login-after-registration")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_role("button", name="ログイン").tap()
    screen.shows(f"{name} 様")
    member = page.locator("main")
    expect(member).to_contain_text("から確認できるようになります")
    expect(member.locator(".date-strong")).to_have_text(date_text)
    expect(member).to_contain_text(portal.number.replace("-", "")[-4:])
    screen.check("member-home", zoom=True)

    # Running the demo seeding again (as every `make run` does) keeps all of it, and
    # offers a contract nobody has registered yet.
    before = table_counts(portal.env)
    assert (before["User"], before["Link"]) == (initial["User"] + 1, initial["Link"] + 1)
    again = manage("seed_demo", "--dir", str(tmp_path / "demo-again"), env=portal.env)
    assert "すでにあります" in again
    assert table_counts(portal.env) == before
    assert not (tmp_path / "demo-again").exists()
    assert f"使用者番号 {portal.number} " not in again
