"""会員情報①: the password rules, each broken rule named."""

import pytest

from waterportal.testing import make_customer, register_until_code, verify


@pytest.fixture
def at_step5(portal):
    make_customer(portal.tenant)
    register_until_code(portal, "taro.yamada@example.jp")
    verify(portal, "taro.yamada@example.jp")
    return portal


def submit(portal, password, again=None, name="水道 太郎"):
    return portal.post(
        "/register/profile",
        {"name": name, "password1": password, "password2": password if again is None else again},
    )


@pytest.mark.parametrize(
    "password,message",
    [
        ("Ab1", "8文字以上"),
        ("abcdefgh12", "大文字（A〜Z）"),
        ("ABCDEFGH12", "小文字（a〜z）"),
        ("Abcdefghij", "数字（0〜9）"),
        ("abcdefghij", "大文字（A〜Z）・数字（0〜9）"),
        ("Password1", "よく使われていて"),
        ("Oumu-Water-2026", "自治体名"),
        ("おうむ町Water2026", "自治体名"),
        ("Taro.yamada99", "メールアドレス"),
        ("Aa1" + "x" * 62, "64文字以内"),
    ],
)
def test_each_broken_rule_is_named(at_step5, password, message):
    page = submit(at_step5, password)
    assert page.status_code == 200
    assert message in page.text


def test_the_rule_is_shown_before_typing(at_step5):
    page = at_step5.get("/register/profile")
    assert page.text.index("8文字以上") < page.text.index('name="password1"')


def test_the_two_entries_must_match(at_step5):
    page = submit(at_step5, "Mizu-Nomu-2026", again="Mizu-Nomu-2027")
    assert "一致しません" in page.text


@pytest.mark.parametrize(
    "password",
    ["Mizu-Nomu-2026", "水道のパスワードAb1", "Aa1" + "あ" * 61, "Ｍｉｚｕｎｏｍｕ２０２６x"],
)
def test_good_passwords_including_japanese_up_to_64_characters_pass(at_step5, password):
    assert submit(at_step5, password).url == "/register/contract"


def test_password_fields_allow_paste_and_password_managers(at_step5):
    page = at_step5.get("/register/profile")
    assert page.text.count('autocomplete="new-password"') == 2
    assert "onpaste" not in page.text


def test_a_10000_character_name_gets_a_field_error(at_step5):
    page = submit(at_step5, "Mizu-Nomu-2026", name="名" * 10_000)
    assert page.status_code == 200 and "100文字以内" in page.text
