"""認証コード rules: secure, hashed, 10 minutes, single use, 5 tries, send limits."""

import datetime as dt
import re

import pytest

from waterportal.accounts import codes
from waterportal.accounts.models import VerificationCode
from waterportal.audit.models import AuditEvent
from waterportal.limits import ratelimit
from waterportal.limits.models import RateEvent
from waterportal.tenants.actions import do_create_tenant
from waterportal.testing import (
    TARO,
    WEDNESDAY,
    code_from_mail,
    mails_to,
    make_customer,
    make_member,
)


@pytest.fixture
def started(portal, clock):
    make_customer(portal.tenant)
    portal.open_tenant()
    portal.post("/register", {"email": TARO.email})
    return portal


def test_the_code_is_six_digits_and_only_its_hash_is_stored(started):
    code = code_from_mail(TARO.email)
    assert len(code) == 6 and code.isdigit()
    row = VerificationCode.objects.get()
    assert code not in row.code_hash and code not in row.salt
    assert row.matches(code) and not row.matches("000000" if code != "000000" else "111111")


def test_codes_come_from_a_secure_random_source(monkeypatch):
    calls: list[int] = []

    def randbelow(n: int) -> int:
        calls.append(n)
        return 42

    monkeypatch.setattr(codes.secrets, "randbelow", randbelow)
    assert codes.generate_code() == "000042" and calls == [1_000_000]


def test_the_code_expires_after_10_minutes(started, clock):
    code = code_from_mail(TARO.email)
    clock.shift(dt.timedelta(minutes=10, seconds=1))
    page = started.post("/register/code", {"code": code})
    assert "有効期限（10分）が過ぎました" in page.text and "再送信" in page.text


def test_the_code_works_just_before_it_expires(started, clock):
    code = code_from_mail(TARO.email)
    clock.shift(dt.timedelta(minutes=9, seconds=59))
    assert started.post("/register/code", {"code": code}).url == "/register/profile"


def test_a_code_is_single_use(portal, started):
    code = code_from_mail(TARO.email)
    assert codes.check_code(portal.tenant, "signup", TARO.email, code)
    with pytest.raises(codes.CodeMissing):
        codes.check_code(portal.tenant, "signup", TARO.email, code)


def test_a_new_code_voids_the_previous_one(started, clock):
    first = code_from_mail(TARO.email)
    clock.shift(dt.timedelta(seconds=61))
    started.post("/register/resend")
    second = code_from_mail(TARO.email)
    if first != second:
        page = started.post("/register/code", {"code": first})
        assert "正しくありません" in page.text
    assert started.post("/register/code", {"code": second}).url == "/register/profile"


def test_it_locks_the_code_after_five_wrong_entries(started):
    code = code_from_mail(TARO.email)
    wrong = "000000" if code != "000000" else "111111"
    for remaining in (4, 3, 2, 1):
        page = started.post("/register/code", {"code": wrong})
        assert f"あと{remaining}回" in page.text
    page = started.post("/register/code", {"code": wrong})
    assert "5回まちがえた" in page.text and "再送信" in page.text
    # Even the right code no longer works: a new one must be requested.
    page = started.post("/register/code", {"code": code})
    assert "5回まちがえた" in page.text


def test_a_resend_within_60_seconds_is_refused_with_when_to_retry(started, clock):
    clock.shift(dt.timedelta(seconds=30))
    page = started.post("/register/resend", follow=True)
    assert "1分に1回" in page.text and "30秒" in page.text
    assert len(mails_to(TARO.email)) == 1
    clock.shift(dt.timedelta(seconds=31))
    started.post("/register/resend")
    assert len(mails_to(TARO.email)) == 2


def test_at_most_five_codes_per_address_per_hour(started, clock):
    for _ in range(4):
        clock.shift(dt.timedelta(seconds=61))
        started.post("/register/resend")
    assert len(mails_to(TARO.email)) == 5
    clock.shift(dt.timedelta(seconds=61))
    page = started.post("/register/resend", follow=True)
    assert "しばらく送信できません" in page.text and "10時" in page.text  # 10:00 JST + 1 hour
    assert len(mails_to(TARO.email)) == 5
    clock.move_to(WEDNESDAY + dt.timedelta(hours=1, seconds=1))
    started.open_tenant()
    started.post("/register", {"email": TARO.email})
    assert len(mails_to(TARO.email)) == 6


def test_a_full_width_code_is_accepted(started):
    code = code_from_mail(TARO.email)
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert started.post("/register/code", {"code": full_width}).url == "/register/profile"


@pytest.mark.parametrize("bad", ["12345", "1234567", "abcdef", "", "1" * 10_000])
def test_a_code_that_is_not_six_digits_gets_a_field_error(started, bad):
    page = started.post("/register/code", {"code": bad})
    assert page.status_code == 200
    assert "errorlist" in page.text
    assert VerificationCode.objects.get().attempts == 0


class TestNoEnumeration:
    """Steps 2–4 answer the same whether or not the address is registered."""

    def _pages(self, portal, email):
        start = portal.post("/register", {"email": email})
        code_page = portal.get("/register/code")
        wrong = portal.post("/register/code", {"code": "123456"})
        return start, code_page, wrong

    def test_registered_and_new_addresses_get_the_same_pages(self, portal, clock):
        make_member(portal.tenant, email="known@example.jp")
        known = self._pages(portal, "known@example.jp")
        new = self._pages(portal, "new@example.jp")
        for a, b in zip(known, new, strict=True):
            assert a.status_code == b.status_code
            assert a.get("Location") == b.get("Location")
            assert self._comparable(a.text, "known@") == self._comparable(b.text, "new@")

    @staticmethod
    def _comparable(html, local_part):
        # The CSRF token is masked afresh for every response; nothing else may differ.
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace(
            local_part, "X@"
        )

    def test_registered_addresses_meet_the_same_send_limits(self, portal, clock):
        make_member(portal.tenant, email="known@example.jp")
        portal.post("/register", {"email": "known@example.jp"})
        page = portal.post("/register/resend", follow=True)
        assert "1分に1回" in page.text


def _guess_wrong_five_times(tenant, purpose, email):
    _row, plain = codes.issue_code(tenant, purpose, email)
    wrong = "000000" if plain != "000000" else "111111"
    for _ in range(codes.MAX_ATTEMPTS):
        with pytest.raises((codes.CodeWrong, codes.CodeExhausted)):
            codes.check_code(tenant, purpose, email, wrong)


def test_after_100_wrong_codes_in_a_day_the_address_gets_no_new_code_until_the_day_passes(
    portal, clock
):
    """Five codes an hour with five tries each would allow 600 guesses a day at a
    password-reset code; the ceiling is 100 an address and purpose."""
    make_member(portal.tenant, email=TARO.email)
    for _ in range(20):  # 20 codes × 5 wrong entries, 13 minutes apart (5 codes an hour)
        _guess_wrong_five_times(portal.tenant, "reset", TARO.email)
        clock.shift(dt.timedelta(minutes=13))
    last_wrong = WEDNESDAY + dt.timedelta(minutes=13 * 19)

    with pytest.raises(codes.SendLimitReached) as refused:
        codes.issue_code(portal.tenant, "reset", TARO.email)
    assert refused.value.until == last_wrong + dt.timedelta(hours=24)
    assert AuditEvent.objects.filter(action="code_locked", data__purpose="reset").count() == 1
    page = portal.post("/password-reset", {"email": TARO.email})
    assert "しばらく送信できません" in page.text, "the same words as the per-hour limit"
    assert len(mails_to(TARO.email)) == 0
    # Registration's codes are counted apart: its own mail still goes out.
    codes.issue_code(portal.tenant, "signup", TARO.email)

    clock.move_to(last_wrong + dt.timedelta(hours=24, seconds=1))
    codes.issue_code(portal.tenant, "reset", TARO.email)


def test_99_wrong_codes_in_a_day_still_allow_a_new_code(portal, clock):
    for _ in range(19):
        _guess_wrong_five_times(portal.tenant, "reset", TARO.email)
        clock.shift(dt.timedelta(minutes=13))
    _row, plain = codes.issue_code(portal.tenant, "reset", TARO.email)
    wrong = "000000" if plain != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(codes.CodeWrong):
            codes.check_code(portal.tenant, "reset", TARO.email, wrong)
    assert codes.check_code(portal.tenant, "reset", TARO.email, plain)


def test_an_address_gets_at_most_ten_codes_an_hour_across_every_town(tenant, other_tenant, clock):
    """Five an hour per town alone would let one stranger's address be mailed five codes
    an hour from each town, asking with ?tenant= of one town after another."""
    third = do_create_tenant(slug="minami", name="みなみ村")
    towns = [tenant, other_tenant, third]
    purposes = ["signup", "reset", "inquiry"]
    for i in range(10):
        codes.issue_code(towns[i % 3], purposes[i % 3], "stranger@example.jp")
        clock.shift(dt.timedelta(seconds=61))
    last = WEDNESDAY + dt.timedelta(seconds=61 * 9)
    with pytest.raises(codes.SendLimitReached) as refused:
        codes.issue_code(towns[10 % 3], "signup", "stranger@example.jp")
    assert refused.value.until == last + dt.timedelta(hours=1)
    # Alternating two towns: the eleventh is refused as well.
    with pytest.raises(codes.SendLimitReached):
        codes.issue_code(other_tenant, "reset", "stranger@example.jp")
    # Another address is not concerned; the address itself again after the hour.
    codes.issue_code(tenant, "signup", "neighbour@example.jp")
    clock.move_to(last + dt.timedelta(hours=1, seconds=1))
    codes.issue_code(tenant, "signup", "stranger@example.jp")


def test_the_portal_wide_limit_is_kept_under_a_hashed_key(tenant, other_tenant, clock):
    codes.issue_code(tenant, "signup", "stranger@example.jp")
    codes.issue_code(other_tenant, "signup", "stranger@example.jp")
    (key,) = set(RateEvent.objects.filter(policy="code-address").values_list("key", flat=True))
    assert "stranger" not in key and len(key) == 64
    assert RateEvent.objects.filter(policy="code-address").count() == 2


def test_a_code_refused_by_the_towns_limit_is_not_counted_across_towns(tenant, clock):
    codes.issue_code(tenant, "signup", "stranger@example.jp")
    with pytest.raises(codes.SendTooSoon):
        codes.issue_code(tenant, "signup", "stranger@example.jp")
    assert ratelimit.count(codes.CODES_TO_ADDRESS, "stranger@example.jp") == 1
