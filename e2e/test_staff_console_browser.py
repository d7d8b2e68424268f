"""The staff console in a real browser: the demo 管理者 that `make run` prints signs in
with an authenticator code the test computes, finds a member and revokes one of their
links, opens every other console page, and every page passes axe-core's WCAG 2.1 A/AA
rules at 1280 px and on a tablet, with no sideways scroll."""

import base64
import re
import secrets
from pathlib import Path

import pytest
from django_otp.oath import totp

from e2e.conftest import DESKTOP, TENANT, axe_clean, demo_manager, manage, sign_in_to_console
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e

TABLET = {"width": 768, "height": 1024}


def accessible_and_fits(page, name: str) -> None:
    for size in (DESKTOP, TABLET):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: scrolls sideways at {size['width']} px"
        axe_clean(page, f"{name} at {size['width']} px")


@pytest.fixture
def bills_files(portal, tmp_path):
    """Two bills files for the console's upload: the demo's own latest bill of one
    contract, and the same with a billing month that does not exist."""
    folder = Path(re.search(r"連携ファイル: (\S+)", portal.seed_output).group(1))
    header, *rows = (folder / "bills.csv").read_text(encoding="utf-8").splitlines()
    latest = max(rows, key=lambda row: row.split(",")[1])
    good, bad = tmp_path / "検針_2026.csv", tmp_path / "検針_誤り.csv"
    good.write_text(f"{header}\n{latest}\n", encoding="utf-8")
    cells = latest.split(",")
    cells[1] = "2026-13"
    bad.write_text(f"{header}\n{','.join(cells)}\n", encoding="utf-8")
    return good, bad


def upload(page, path: Path) -> None:
    page.get_by_role("navigation", name="職員メニュー").get_by_role("link", name="取り込み").click()
    page.get_by_role("link", name="取り込む").first.click()
    page.wait_for_url("**/staff/imports/upload")
    accessible_and_fits(page, "upload")
    page.get_by_label("ファイル").set_input_files(str(path))
    page.get_by_label("検針・料金").check()
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_url(re.compile(r".*/staff/imports/\d+$"))
    page.get_by_role("heading", name="結果").wait_for()


def visit(page, link: str, url: str, name: str) -> None:
    page.get_by_role("navigation", name="職員メニュー").get_by_role("link", name=link).click()
    page.wait_for_url(url)
    accessible_and_fits(page, name)


def test_the_demo_manager_signs_in_and_every_console_page_passes_axe(
    portal, phone, resident, bills_files
):
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

    # The resident's page, and revoking one of their links with a reason.
    page.get_by_label("メールアドレス、氏名（漢字・カナ）または使用者番号").fill(resident)
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name=re.compile("水道 次郎")).click()
    page.wait_for_url(re.compile(r".*/staff/members/\d+$"))
    accessible_and_fits(page, "member")
    assert page.get_by_role("button", name=re.compile("取り消す")).count() == 0
    page.get_by_role("link", name=re.compile("取り消す")).first.click()
    accessible_and_fits(page, "revoke a link")
    page.get_by_role("button", name=re.compile("取り消す")).click()
    assert "理由を入力してください" in page.content()
    accessible_and_fits(page, "revoke a link, no reason")
    page.get_by_label("理由").fill("ご本人から転居の連絡があったため")
    page.get_by_role("button", name=re.compile("取り消す")).click()
    page.wait_for_url(re.compile(r".*/staff/members/\d+$"))
    assert "取消" in page.content()

    # A bills file with a mistake: nothing is imported, the report says where and why.
    good, bad = bills_files
    upload(page, bad)
    assert "取り込みませんでした" in page.content() or "何も変更していません" in page.content()
    report = page.get_by_role("table").last.inner_text()
    assert "2行目" in report or "2" in report
    assert "調定年月" in report and "2026-13" in report
    accessible_and_fits(page, "import report")
    # The good file is taken, and the history says who started each.
    upload(page, good)
    assert "取り込みました" in page.content()
    accessible_and_fits(page, "import result")
    visit(page, "取り込み", "**/staff/imports", "imports")
    assert page.get_by_text("水道係 デモ").count() >= 2

    visit(page, "番号のロック", "**/staff/locks", "number locks")
    visit(page, "統計", "**/staff/statistics", "statistics")
    page.get_by_role("link", name="月別").click()
    accessible_and_fits(page, "statistics by month")
    visit(page, "職員", "**/staff/staff", "staff accounts")
    page.get_by_role("link", name="水道係 デモ").click()
    page.wait_for_url(re.compile(r".*/staff/staff/\d+$"))
    accessible_and_fits(page, "a staff account")
    visit(page, "設定", "**/staff/settings", "town settings")
    visit(page, "規約", "**/staff/settings/texts", "texts")
    visit(page, "監査ログ", "**/staff/audit", "audit log")
    assert "契約" in page.content() and "ご本人から転居の連絡があったため" in page.content()


def test_an_invited_member_of_staff_enrols_through_the_emailed_link(portal, phone, smtp):
    page = phone.new_page()
    sign_in_to_console(page, portal, "staff-enrolment")
    page.goto(portal.url("/staff/staff"))
    address = f"kensa-{secrets.token_hex(3)}@town.oumu.example.jp"
    page.get_by_label("氏名").fill("検査 三郎")
    page.get_by_label("メールアドレス").fill(address)
    page.get_by_label("権限").select_option(label="担当者")
    page.get_by_role("button", name="追加して案内を送る").click()
    mail = smtp.wait_for(address, "")
    link = re.search(r"https?://\S+/staff/welcome/\S+", mail.text).group(0)

    page.get_by_role("button", name="ログアウト").click()  # the newcomer's turn
    other = page
    other.goto(link)
    accessible_and_fits(other, "welcome: password")
    other.get_by_label("パスワード", exact=True).fill("Kensa-Kakari-2026")
    other.get_by_label(re.compile("確認のため")).fill("Kensa-Kakari-2026")
    other.get_by_role("button", name="次へ").click()
    other.wait_for_url("**/authenticator*")
    accessible_and_fits(other, "welcome: authenticator")
    assert other.locator("svg").count() >= 1
    secret = re.sub(r"\s", "", other.locator("code.secret").inner_text())
    other.get_by_role("textbox", name="確認コード").fill(f"{totp(base64.b32decode(secret)):06d}")
    other.get_by_role("button", name="登録する").click()
    other.wait_for_url("**/staff/welcome/done*")
    accessible_and_fits(other, "welcome: recovery codes")


def test_a_new_text_version_is_accepted_by_a_resident_at_their_next_login(portal, phone, resident):
    page = phone.new_page()
    sign_in_to_console(page, portal, "staff-texts")
    page.goto(portal.url("/staff/settings/texts?kind=terms"))
    page.get_by_role("radio", name="利用規約").check()
    page.get_by_label("版の名前").fill(f"試験版 {secrets.token_hex(2)}")
    page.get_by_label("本文").fill("第1条 この規約は、水道ポータルの利用について定めます。（改定）")
    page.get_by_role("button", name="確認する").click()
    accessible_and_fits(page, "texts: confirm")
    page.get_by_role("button", name="公開する").click()
    page.wait_for_url("**/staff/settings/texts*")
    page.get_by_role("button", name="ログアウト").click()

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/terms/accept*")
    assert "（改定）" in page.content()
    accessible_and_fits(page, "terms: accept")
    page.get_by_role("button", name="同意する").click()
    page.wait_for_url(re.compile(r".*/(\?tenant=oumu)?$"))
    assert "水道 次郎" in page.content()


def test_a_town_not_yet_published_shows_residents_a_page_that_says_so(portal, phone):
    manage("create_tenant", "minami", "--name", "みなみ村", env=portal.env)
    page = phone.new_page()
    page.goto(portal.url("/login?tenant=minami"))
    assert "準備中" in page.content()
    accessible_and_fits(page, "preparing")
