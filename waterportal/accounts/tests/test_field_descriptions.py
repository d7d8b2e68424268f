"""A screen reader reads each field with its hint and its error (aria-describedby).

The hints under the labels (「例: 1234-5678（ハイフンはあってもなくてもかまいません）」,
「メールに書かれた6桁の数字」) and the errors above the fields are separate paragraphs; a
resident who listens to the page lands on the field and must hear both with it. The
「同意する」 and 「退会します」 checkboxes are no exception.
"""

from html.parser import HTMLParser

import pytest

from waterportal.testing import make_customer, profile, register_until_code, verify


class Elements(HTMLParser):
    """Every element's attributes by id, and the text of each element with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes
            self.text[attributes["id"]] = ""
        if tag not in ("input", "br", "meta", "link", "img"):
            self._open.append(attributes.get("id"))

    def handle_endtag(self, tag):
        if tag not in ("input", "br", "meta", "link", "img") and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def described(html: str, field_id: str) -> str:
    """What a screen reader reads after the field's label: the texts it points to."""
    page = Elements(html)
    ids = page.by_id[field_id].get("aria-describedby", "").split()
    return " ".join(page.text[i].strip() for i in ids)


@pytest.fixture
def at_step6(portal):
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    verify(portal)
    profile(portal)
    return portal


def test_the_code_field_is_read_with_its_hint(portal):
    register_until_code(portal)
    page = portal.get("/register/code").text
    assert "メールに書かれた6桁の数字" in described(page, "id_code")


def test_a_field_is_read_with_its_hint_and_its_error(at_step6):
    page = at_step6.post("/register/contract", {"number": "", "kana": "", "agree": "on"}).text
    number = described(page, "id_number")
    assert "ハイフンはあってもなくても" in number and "使用者番号を入力してください" in number
    kana = described(page, "id_kana")
    assert "ひらがな・半角カナでも" in kana and "カナ氏名を入力してください" in kana


def test_the_terms_checkbox_is_read_with_its_error(at_step6):
    page = at_step6.post("/register/contract", {"number": "12345678", "kana": "スイドウ タロウ"})
    html = page.text
    assert Elements(html).by_id["id_agree"].get("aria-invalid") == "true"
    assert "利用規約をお読みいただき" in described(html, "id_agree")


def test_the_privacy_checkbox_is_read_with_its_error(at_step6):
    at_step6.post(
        "/register/contract", {"number": "12345678", "kana": "スイドウ タロウ", "agree": "on"}
    )
    html = at_step6.post("/register/privacy", {"relationship": "本人"}).text
    assert Elements(html).by_id["id_agree"].get("aria-invalid") == "true"
    assert "個人情報の取り扱いをお読みいただき" in described(html, "id_agree")


def test_the_withdrawal_checkbox_is_read_with_its_error(signed_in):
    html = signed_in.post("/account/withdraw", {"current_password": "x"}).text
    assert Elements(html).by_id["id_confirm"].get("aria-invalid") == "true"
    assert "「退会します」にチェック" in described(html, "id_confirm")
    assert "本人確認のため" in described(html, "id_current_password")


def test_a_checkbox_without_an_error_is_not_marked_invalid(at_step6):
    html = at_step6.get("/register/contract").text
    assert "aria-invalid" not in Elements(html).by_id["id_agree"]


def test_the_reset_code_field_has_the_same_hint_as_every_code_field(portal):
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    page = portal.get("/password-reset/code").text
    assert "メールに書かれた6桁の数字" in described(page, "id_code")
