"""退会: say what is kept and what is erased, then erase the member's data and links."""

import datetime as dt

import pytest
from django.test import Client

from waterportal.accounts.models import SignupFlow, User, VerificationCode
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer, Link
from waterportal.testing import (
    STRONG_PASSWORD,
    TARO,
    Portal,
    full_registration,
    mails_to,
    make_customer,
    make_member,
    sign_in,
)

WRONG = "Wrong-Pass-123"


@pytest.fixture
def customer(tenant):
    return make_customer(tenant, number="12345678", kana="スイドウ タロウ")


@pytest.fixture
def registered(portal, customer, clock):
    """A member who registered through the guide's steps, signed in."""
    full_registration(portal)
    sign_in(portal, TARO)
    return User.objects.get(tenant=portal.tenant, email=TARO.email)


def withdraw(portal, password=STRONG_PASSWORD, confirm=True, **kw):
    data = {"current_password": password} | ({"confirm": "on"} if confirm else {})
    return portal.post("/account/withdraw", data, **kw)


def test_the_page_explains_what_is_kept_and_what_is_erased(portal, registered):
    page = portal.get("/account/withdraw")
    assert "no-store" in page["Cache-Control"]
    text = page.text
    kept = text[text.index("残るもの") :]
    erased = text[text.index("消えるもの") : text.index("残るもの")]
    for item in (
        "メールアドレス",
        "お名前",
        "パスワード",
        "ご契約（使用者番号）とのつながり",
        "お知らせメールの設定",
    ):
        assert item in erased, item
    assert "••••5678" in erased
    assert "使用量・請求・お支払い" in kept and "台帳にそのまま残ります" in kept
    assert "同じメールアドレスで、もう一度会員登録できます" in text


def test_withdrawing_needs_the_current_password(portal, registered):
    page = withdraw(portal, password=WRONG)
    assert "今のパスワードが正しくありません" in page.text
    assert User.objects.get(pk=registered.pk).is_active


def test_withdrawing_needs_the_checkbox(portal, registered):
    page = withdraw(portal, confirm=False)
    assert "「退会します」にチェックを入れてください" in page.text
    assert User.objects.get(pk=registered.pk).is_active


def test_wrong_passwords_here_count_towards_the_login_lock(portal, registered):
    for _ in range(10):
        withdraw(portal, password=WRONG)
    assert "しばらく" in withdraw(portal).text
    assert User.objects.get(pk=registered.pk).is_active


@pytest.mark.parametrize("field", ["current_password", "confirm"])
def test_10000_characters_get_a_field_error_or_count_as_ticked(portal, registered, field):
    data = {"current_password": STRONG_PASSWORD, "confirm": "on"} | {field: "x" * 10_000}
    page = portal.post("/account/withdraw", data)
    if field == "current_password":
        assert page.status_code == 200 and "パスワードが長すぎます" in page.text
        assert User.objects.get(pk=registered.pk).is_active
    else:
        assert page.status_code == 302


def test_withdrawal_erases_personal_data_and_links_and_says_goodbye(portal, registered, customer):
    done = withdraw(portal, follow=True)
    assert done.redirect_chain[-1][0] == "/account/withdrawn"
    assert "退会しました" in done.text and "台帳に残っています" in done.text
    member = User.objects.get(pk=registered.pk)
    assert member.email == f"withdrawn-{member.pk}@invalid"
    assert member.name == "" and not member.has_usable_password()
    assert not member.is_active and not member.notify_new_bill and member.last_login is None
    assert not Link.objects.filter(member=member).exists()
    assert not SignupFlow.objects.filter(member=member).exists()
    assert not SignupFlow.objects.filter(email=TARO.email).exists()
    assert not VerificationCode.objects.filter(email=TARO.email).exists()
    assert Customer.objects.filter(pk=customer.pk).exists()  # the ledger stays


def test_the_audit_row_holds_no_personal_data(portal, registered):
    withdraw(portal)
    event = AuditEvent.objects.get(action="member_withdrawn")
    assert event.member_id == registered.pk and event.data == {"links": 1}
    for earlier in AuditEvent.objects.all():
        assert TARO.email not in str(earlier.data) and "水道 太郎" not in str(earlier.data)


def test_a_goodbye_mail_goes_to_the_address_the_member_had(portal, registered):
    withdraw(portal)
    notice = mails_to(TARO.email)[-1]
    assert "退会" in notice.subject and "消去しました" in notice.body


def test_the_member_is_logged_out_everywhere(
    portal, registered, django_capture_on_commit_callbacks
):
    phone = Portal(Client(), portal.tenant, django_capture_on_commit_callbacks)
    sign_in(phone, TARO)
    assert withdraw(portal).url == "/account/withdrawn"
    assert "退会しました" in portal.get("/account/withdrawn").text
    for browser in (portal, phone):
        response = browser.get("/account")
        assert response.status_code == 302 and response.url.startswith("/login")
    # The goodbye page is shown once; afterwards it leads to the login page.
    assert portal.get("/account/withdrawn").url == "/login"


def test_a_withdrawn_member_cannot_log_in(portal, registered):
    withdraw(portal)
    page = portal.post("/login", {"email": TARO.email, "password": STRONG_PASSWORD})
    assert "正しくありません" in page.text


def test_the_same_address_registers_again_and_may_be_self_again(
    portal, registered, customer, clock
):
    withdraw(portal)
    clock.shift(dt.timedelta(minutes=5))
    done = full_registration(portal)
    assert done.url == "/register/done"
    again = User.objects.get(tenant=portal.tenant, email=TARO.email)
    assert again.pk != registered.pk and again.is_active
    link = Link.objects.get(member=again)
    assert link.customer == customer and link.relationship == "本人"
    sign_in(portal, TARO)
    assert "••••5678" in portal.get("/account").text


def test_withdrawing_leaves_other_members_of_the_contract_alone(
    portal, registered, customer, tenant
):
    from waterportal.contracts.actions import do_link_contract

    family = make_member(tenant, email="family@example.jp")
    kept = do_link_contract(family, customer, "家族")
    withdraw(portal)
    kept.refresh_from_db()
    assert kept.revoked_at is None
    assert User.objects.get(pk=family.pk).email == "family@example.jp"


def test_the_placeholder_address_can_never_be_typed_in_registration(portal, registered):
    withdraw(portal)
    placeholder = User.objects.get(pk=registered.pk).email
    page = portal.post("/register", {"email": placeholder})
    assert "メールアドレスの形が正しくありません" in page.text
