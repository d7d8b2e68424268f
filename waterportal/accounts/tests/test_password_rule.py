"""The town's password rule for residents: the guide's (8 or more, upper, lower, digit) or
length only (15 or more), at registration, reset and change; common passwords always
refused; the rule shown is the rule that applies."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from waterportal.accounts.models import User
from waterportal.tenants.models import PasswordRule
from waterportal.testing import (
    STRONG_PASSWORD,
    change_password,
    code_from_mail,
    make_customer,
    register_until_code,
    settings_form_of,
    verify,
)

LONG_PLAIN = "kawanonagarehayasui"  # 19 characters, lower case only
SHORT_STRONG = "Kawa-Nagare-7"  # 13 characters, upper, lower and digit
COMMON_LONG = "1q2w3e4r5t6y7u8i9o0p"  # 20 characters, in Django's common-password list


@pytest.fixture
def length_only(tenant):
    tenant.password_rule = PasswordRule.LENGTH
    tenant.save(update_fields=["password_rule"])
    return tenant


def register_with(portal, password):
    make_customer(portal.tenant)
    register_until_code(portal, "taro.yamada@example.jp")
    verify(portal, "taro.yamada@example.jp")
    return portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": password, "password2": password},
    )


def reset_with(portal, password):
    portal.post("/password-reset", {"email": "hanako@example.jp"})
    code = code_from_mail("hanako@example.jp")
    return portal.post(
        "/password-reset/code", {"code": code, "password1": password, "password2": password}
    )


# --- The guide's rule, the default -----------------------------------------------------


def test_by_default_a_long_password_without_capitals_and_digits_is_refused(portal):
    page = register_with(portal, LONG_PLAIN)
    assert "大文字（A〜Z）・数字（0〜9）を含めてください" in page.text


def test_by_default_the_guides_rule_is_shown(portal):
    make_customer(portal.tenant)
    register_until_code(portal, "taro.yamada@example.jp")
    verify(portal, "taro.yamada@example.jp")
    page = portal.get("/register/profile")
    assert "8文字以上（64文字まで）" in page.text and "大文字（A〜Z）・小文字" in page.text


# --- Length only -------------------------------------------------------------------------


def test_length_only_accepts_15_characters_of_any_kind_at_registration(portal, length_only):
    assert register_with(portal, LONG_PLAIN).url == "/register/contract"


def test_length_only_refuses_a_short_password_even_with_every_kind(portal, length_only):
    page = register_with(portal, SHORT_STRONG)
    assert "15文字以上にしてください（今は13文字です）" in page.text


def test_length_only_still_refuses_common_passwords(portal, length_only):
    assert "よく使われていて" in register_with(portal, COMMON_LONG).text


def test_length_only_shows_its_own_rule(portal, length_only):
    make_customer(portal.tenant)
    register_until_code(portal, "taro.yamada@example.jp")
    verify(portal, "taro.yamada@example.jp")
    page = portal.get("/register/profile").text
    assert "15文字以上（64文字まで）" in page
    assert "文字の種類は問いません" in page and "大文字（A〜Z）・小文字" not in page


def test_length_only_applies_to_a_reset(portal, member, length_only):
    page = reset_with(portal, SHORT_STRONG)
    assert "15文字以上にしてください" in page.text and "15文字以上（64文字まで）" in page.text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)
    reset_with(portal, LONG_PLAIN)
    member.refresh_from_db()
    assert member.check_password(LONG_PLAIN)


def test_the_guides_rule_applies_to_a_reset_by_default(portal, member):
    assert "大文字（A〜Z）" in reset_with(portal, LONG_PLAIN).text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)


def test_length_only_applies_to_a_change(signed_in, member, length_only):
    page = change_password(signed_in, new=SHORT_STRONG)
    assert "15文字以上にしてください" in page.text
    assert "15文字以上（64文字まで）" in signed_in.get("/account/password").text
    assert change_password(signed_in, new=LONG_PLAIN).url == "/account"
    member.refresh_from_db()
    assert member.check_password(LONG_PLAIN)


def test_the_guides_rule_applies_to_a_change_by_default(signed_in, member):
    assert "大文字（A〜Z）" in change_password(signed_in, new=LONG_PLAIN).text
    member.refresh_from_db()
    assert member.check_password(STRONG_PASSWORD)


def test_the_rule_is_the_towns_own(portal, other_portal, length_only):
    """きた市 keeps the guide's rule when おうむ町 chooses length only."""
    make_customer(other_portal.tenant)
    register_until_code(other_portal, "jiro@example.jp")
    verify(other_portal, "jiro@example.jp")
    page = other_portal.post(
        "/register/profile",
        {"name": "きた 次郎", "password1": LONG_PLAIN, "password2": LONG_PLAIN},
    )
    assert "大文字（A〜Z）" in page.text


def test_staff_passwords_keep_the_guides_rule(length_only):
    staff = User(tenant=length_only, email="x@town.example.jp", kind="staff")
    with pytest.raises(ValidationError):
        validate_password(LONG_PLAIN, staff)


def test_the_manager_sets_the_rule_on_the_settings_page(console, tenant):
    page = console.get("/staff/settings").text
    assert "15文字以上（文字の種類は問わない）" in page
    data = settings_form_of(tenant, password_rule="length")
    assert console.post("/staff/settings", data).status_code == 302
    tenant.refresh_from_db()
    assert tenant.password_rule == PasswordRule.LENGTH
    data["password_rule"] = "none"
    assert "パスワードの規則を選んでください" in console.post("/staff/settings", data).text
