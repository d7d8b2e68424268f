"""English as the second language of the resident's pages, Japanese always first.

The Japanese texts are the msgids: they show with no catalog at all. English comes from
``locale/en/LC_MESSAGES/django.po``, which these tests compile afresh (with GNU gettext's
msgfmt, as ``make`` does) so that they check the committed file, not a stale ``.mo``.
Only the footer's switch (the language cookie) turns English on; a browser's
``Accept-Language`` never does. Emails, the statement PDF, the CSV and the admin stay
Japanese whatever the resident chose.
"""

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from waterportal.accounts import texts
from waterportal.billing import formatting
from waterportal.contracts.models import Link
from waterportal.testing import (
    MONDAY,
    STRONG_PASSWORD,
    TARO,
    WEDNESDAY,
    Portal,
    choose_language,
    code_from_mail,
    mails_to,
    make_bill,
    make_customer,
    make_member,
    make_payment,
    pdf_text_and_ink,
    sign_in,
)
from waterportal.testing.catalogs import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Japanese letters and punctuation: what must not be left on an English page, apart from
# what the municipality and the resident wrote themselves.
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# The town's own words (name, contact lines), never translated; the 「日本語」 and
# 「やさしい日本語」 buttons; the switch's bilingual label.
OUMU_OWN_WORDS = [
    "おうむ町",
    "建設水道課 水道係",
    "電話 0120-000-111",
    "平日 8:30〜17:15",
    "日本語",
    "やさしい日本語",
    "表示言語 / Language",
]


# --- The committed catalog, compiled for these tests ------------------------------------


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    locale = tmp_path_factory.mktemp("locale")
    target = locale / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run([msgfmt, "--check", "-o", str(target / "django.mo"), str(PO)], check=True)
    return locale


@pytest.fixture(autouse=True)
def _english_from_the_committed_po(settings, compiled_locale):
    # Changing LOCALE_PATHS makes Django drop the catalogs it has loaded (setting_changed).
    settings.LOCALE_PATHS = [compiled_locale]


def in_english(client):
    choose_language(client, "en")
    return client


def japanese_left(html: str, *own_words: str) -> list[str]:
    """Japanese text on a page once the municipality's and the resident's own words go."""
    for words in sorted([*OUMU_OWN_WORDS, *own_words], key=len, reverse=True):
        html = html.replace(words, "")
    # The code field accepts full-width digits as phones type them: a pattern, not a text.
    html = re.sub(r' pattern="[^"]*"', "", html)
    return JAPANESE.findall(html)


# --- Japanese first ------------------------------------------------------------------------


def test_without_a_choice_an_english_browser_still_gets_japanese(client, tenant):
    page = client.get("/login?tenant=oumu", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = page.content.decode()
    assert '<html lang="ja">' in text
    assert "初めての方はこちら" in text and "登録済みの方" in text
    assert "New here" not in text and "Log in" not in text
    assert page["Content-Language"] == "ja"


@pytest.mark.parametrize("cookie", ["fr", "xx", "", "ja-x", "../en"])
def test_a_language_the_portal_does_not_offer_is_japanese(client, tenant, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    text = client.get("/login?tenant=oumu").content.decode()
    assert '<html lang="ja">' in text and "初めての方はこちら" in text


def test_outside_a_request_everything_is_japanese(tenant):
    assert translation.get_language() == "ja"
    assert formatting.yen(3456) == "3,456円"
    assert texts.japanese_date(dt.date(2026, 11, 26)) == "2026年11月26日（木）"


# --- The footer switch ---------------------------------------------------------------------


def test_every_page_has_the_switch_each_language_in_its_own_words(client, tenant):
    text = client.get("/login?tenant=oumu").content.decode()
    footer = text[text.index('<footer class="site-footer">') :]
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', footer, re.S)
    assert form, "the language switch is missing from the footer"
    switch = form.group(0)
    assert 'name="csrfmiddlewaretoken"' in switch
    assert '<input type="hidden" name="next" value="/login?tenant=oumu">' in switch
    assert re.search(r'value="ja" lang="ja" aria-current="true">日本語</button>', switch)
    assert re.search(r'value="en" lang="en">English</button>', switch)


def test_the_switch_buttons_are_finger_sized():
    css = (ROOT / "static" / "css" / "portal.css").read_text()
    found = re.search(r"\.language-switch button \{([^}]*)\}", css)
    assert found, "no rule for the switch's buttons"
    rule = found.group(1)
    # 2.75rem at the portal's 18-px root size is 49.5 px (the product asks for 44 or more).
    assert "min-height: 2.75rem" in rule


def test_choosing_english_keeps_the_page_and_the_choice(client, tenant):
    client.get("/login?tenant=oumu")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login?tenant=oumu"})
    assert response.status_code == 302 and response.url == "/login?tenant=oumu"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60, "the choice must outlive the session"
    assert cookie["samesite"] == "Lax" and cookie["httponly"]

    page = client.get("/login?tenant=oumu")
    text = page.content.decode()
    assert '<html lang="en">' in text and page["Content-Language"] == "en"
    assert re.search(r'value="en" lang="en" aria-current="true">English</button>', text)

    choose_language(client, "ja")
    text = client.get("/login?tenant=oumu").content.decode()
    assert '<html lang="ja">' in text and "初めての方はこちら" in text


def test_the_switch_never_sends_the_resident_to_another_site(client, tenant):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://example.com/"})
    assert response.status_code == 302 and response.url == "/"


# --- Pages in English ----------------------------------------------------------------------


def test_the_login_page_in_english(client, tenant):
    in_english(client)
    text = client.get("/login?tenant=oumu").content.decode()
    for expected in [
        "<title>Log in | おうむ町 Water Portal</title>",
        "New here? Register",
        "To register, you need an email address and your meter reading slip.",
        "Already registered",
        ">Email address</label>",
        ">Password</label>",
        "Forgot your password?",
        '<p class="contact-title">Contact</p>',
    ]:
        assert expected in text, expected
    assert japanese_left(text) == []


def test_a_login_failure_says_what_to_do_in_english(client, tenant):
    make_member(tenant, email="hanako@example.jp")
    in_english(client)
    client.get("/login?tenant=oumu")
    page = client.post("/login", {"email": "hanako@example.jp", "password": "Wrong-Pass-1"})
    text = page.content.decode()
    assert "The email address or password is not correct." in text
    assert "Please also check capital and small letters." in text
    assert japanese_left(text) == []


@pytest.fixture
def english_portal(client, tenant, django_capture_on_commit_callbacks):
    portal = Portal(client, tenant, django_capture_on_commit_callbacks)
    portal.open_tenant()
    in_english(client)
    return portal


@time_machine.travel(WEDNESDAY, tick=False)
def test_registration_in_english_with_its_errors(english_portal):
    portal = english_portal
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")

    step = portal.get("/register").content.decode()
    assert "<h1>Register</h1>" in step and "Send the code" in step
    assert japanese_left(step) == []
    wrong = portal.post("/register", {"email": "taro.example.jp"}).content.decode()
    assert "This email address is not in the right form." in wrong

    sent = portal.post("/register", {"email": TARO.email}, follow=True).content.decode()
    assert "<h1>Enter the verification code</h1>" in sent
    assert "The code works for 10 minutes (until 10:10)." in sent
    assert japanese_left(sent, TARO.email) == []

    code = code_from_mail(TARO.email)
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = portal.post("/register/code", {"code": wrong_code}).content.decode()
    assert "This verification code is not correct." in refused
    assert "(4 tries left)" in refused

    profile = portal.post("/register/code", {"code": code}, follow=True).content.decode()
    assert "<h1>Enter your details (1)</h1>" in profile
    assert "Password rules" in profile
    assert "At least 8 characters (up to 64)" in profile
    assert ">Review</li>" in profile, "the progress bar's last step"
    assert japanese_left(profile, "水道 太郎") == []

    weak = portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": "abcdefghij", "password2": "abcdefghij"},
    ).content.decode()
    assert "Please include a capital letter (A–Z) and a number (0–9) in your password." in weak

    portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    portal.post(
        "/register/contract", {"number": "1234-5678", "kana": "すいどう たろう", "agree": "on"}
    )
    privacy = portal.get("/register/privacy").content.decode()
    # The stored values stay Japanese; only what the resident reads is English.
    assert 'value="家族"' in privacy and "Family member" in privacy
    portal.post("/register/privacy", {"agree": "on", "relationship": "家族"})
    confirm = portal.get("/register/confirm").content.decode()
    assert "<dd>Family member</dd>" in confirm
    done = portal.post("/register/confirm", follow=True).content.decode()
    assert "You are registered." in done
    assert "26 November 2026 (Thu)" in done

    assert Link.objects.get().relationship == "家族"


@time_machine.travel(WEDNESDAY, tick=False)
def test_emails_stay_japanese_when_the_pages_are_english(english_portal):
    portal = english_portal
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    portal.post("/register", {"email": TARO.email})
    code_mail = mails_to(TARO.email)[-1]
    assert "認証コード" in code_mail.subject and "認証コード:" in code_mail.body
    portal.post("/register/code", {"code": code_from_mail(TARO.email)})
    portal.post(
        "/register/profile",
        {"name": "水道 太郎", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    portal.post(
        "/register/contract", {"number": "1234-5678", "kana": "すいどう たろう", "agree": "on"}
    )
    portal.post("/register/privacy", {"agree": "on", "relationship": "本人"})
    portal.post("/register/confirm")
    complete = mails_to(TARO.email)[-1]
    # The weekday comes from Django's date filter, which follows the active language.
    assert "2026年11月26日（木）から確認できるようになります" in complete.body
    assert not re.search(r"\b(Thu|Thursday|November)\b", str(complete.body))


# --- The member's pages --------------------------------------------------------------------


@pytest.fixture
def member_in_english(client, tenant, member, customer, link, django_capture_on_commit_callbacks):
    make_bill(customer, "2026-08", usage=18)
    make_bill(customer, "2026-10", usage=20, water=3300, sewer=2200)
    in_english(client)
    sign_in(Portal(client, tenant, django_capture_on_commit_callbacks), member)
    return client, link, customer


MEMBER_OWN_WORDS = ["水道 花子", "おうむ町本町1-2-3"]


@time_machine.travel(MONDAY, tick=False)
def test_the_member_home_in_english(member_in_english):
    client, _link, _customer = member_in_english
    text = client.get("/").content.decode()
    for expected in [
        "<h1>Welcome, 水道 花子</h1>",
        "Customer number ••••0001",
        "Water supply address: おうむ町本町1-2-3",
        "Your bill for October 2026",
        "¥5,500",
        "Meter reading date</dt><dd>10 October 2026</dd>",
        "<dd>61 days</dd>",
        "Due date</dt><dd>30 November 2026 (Mon)</dd>",
        "Payment method</dt><dd>Direct debit</dd>",
        "Direct debit due",
        "The payment will be taken from your bank account on 30 November.",
        "Previous bill (August 2026)",
        "Water used <strong>+2 m³</strong><br>Amount billed <strong>±¥0</strong>",
        ">Account</a>",
        ">Log out</button>",
    ]:
        assert expected in text, expected
    assert japanese_left(text, *MEMBER_OWN_WORDS) == []


def test_the_end_of_an_idle_session_is_told_in_english(client, tenant):
    member = make_member(tenant, email="hanako@example.jp")
    with time_machine.travel(MONDAY, tick=False) as clock:
        client.get("/login?tenant=oumu")
        in_english(client)
        client.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        page = client.get("/", follow=True)
    text = page.content.decode()
    assert page.redirect_chain[-1][0].startswith("/login")
    assert "Nothing was done for 30 minutes, so you were logged out" in text
    assert japanese_left(text) == []


@time_machine.travel(MONDAY, tick=False)
def test_the_history_and_the_bill_in_english(member_in_english):
    client, link, customer = member_in_english
    history = client.get(f"/contracts/{link.pk}/history").content.decode()
    assert "There are 2 records, from August 2026 to October 2026." in history
    assert ">Oct 2026</text>" in history, "chart labels are short months"
    assert 'data-label="Billing month"' in history
    assert japanese_left(history, *MEMBER_OWN_WORDS) == []

    bill = client.get(f"/contracts/{link.pk}/bills/2026-10").content.decode()
    assert "<h1>Details for October 2026</h1>" in bill
    assert "Open the bill (PDF, in Japanese)" in bill
    assert japanese_left(bill, *MEMBER_OWN_WORDS) == []


@time_machine.travel(MONDAY, tick=False)
def test_a_paid_bill_names_the_way_it_was_paid_in_english(member_in_english):
    client, _link, customer = member_in_english
    bill = customer.bills.get(billing_month=dt.date(2026, 10, 1))
    make_payment(bill, result="済", method="コンビニ", paid_on=dt.date(2026, 10, 28))
    text = client.get("/").content.decode()
    assert "Paid on 28 October 2026 (Convenience store)." in text


@time_machine.travel(MONDAY, tick=False)
def test_the_csv_and_the_statement_stay_japanese(member_in_english):
    client, link, _customer = member_in_english
    content = client.get(f"/contracts/{link.pk}/history.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "調定年月"
    assert rows[1][0] == "2026年10月" and rows[1][11] == "口座振替予定"

    pdf = client.get(f"/contracts/{link.pk}/bills/2026-10.pdf")
    text = " ".join(pdf_text_and_ink(pdf.content)[0].split())
    assert "調定年月 2026年10月分" in text and "5,500円" in text
    assert "November" not in text and "¥" not in text


def test_the_admin_stays_japanese(client, tenant):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/admin/login/").content.decode()
    assert 'lang="ja"' in text and "ログイン" in text


@pytest.mark.urls("waterportal.tests.urls")
def test_the_error_pages_in_english(settings, tenant):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    missing = client.get("/no/such/page?tenant=oumu")
    assert missing.status_code == 404
    assert "<h1>Page not found</h1>" in missing.content.decode()
    assert japanese_left(missing.content.decode()) == []

    failed = client.get("/test/fail?tenant=oumu")
    assert failed.status_code == 500
    assert '<html lang="en">' in failed.content.decode()
    assert "<h1>This page cannot be shown right now</h1>" in failed.content.decode()
    assert japanese_left(failed.content.decode()) == []

    refused = client.post("/test/form?tenant=oumu", {"x": "1"})
    assert refused.status_code == 403
    assert "<h1>Please try again</h1>" in refused.content.decode()
    assert japanese_left(refused.content.decode()) == []


# --- Formatting ----------------------------------------------------------------------------


def test_figures_and_dates_in_each_language():
    day = dt.date(2026, 11, 26)
    assert formatting.yen(3456) == "3,456円"
    assert formatting.signed_yen(-420) == "\u2212420円"
    assert formatting.date(day, weekday=True) == "2026年11月26日（木）"
    assert formatting.month(day.replace(day=1)) == "2026年11月"
    with translation.override("en"):
        assert formatting.yen(3456) == "¥3,456"
        assert formatting.yen(-3456) == "\u2212¥3,456"
        assert formatting.signed_yen(420) == "+¥420"
        assert formatting.signed_yen(0) == "±¥0"
        assert formatting.date(day) == "26 November 2026"
        assert formatting.date(day, weekday=True) == "26 November 2026 (Thu)"
        assert formatting.month_day(day) == "26 November"
        assert formatting.month(day.replace(day=1)) == "November 2026"
        assert formatting.short_month(day.replace(day=1)) == "Nov 2026"
        assert texts.japanese_date(day) == "26 November 2026 (Thu)"


def test_a_time_is_told_with_its_day_when_it_is_not_today():
    afternoon = dt.datetime(2026, 11, 26, 5, 7, tzinfo=dt.UTC)  # 14:07 in Tokyo
    with time_machine.travel(dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC), tick=False):
        assert texts.clock(afternoon) == "14時07分"
        assert texts.clock(afternoon + dt.timedelta(days=1)) == "11月27日 14時07分"
        with translation.override("en"):
            assert texts.clock(afternoon) == "14:07"
            assert texts.clock(afternoon + dt.timedelta(days=1)) == "27 Nov 14:07"


# --- The catalog ---------------------------------------------------------------------------


def test_every_text_in_the_catalog_has_its_english():
    entries = read_po(PO)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert "fuzzy" not in header["flags"]
    assert len(messages) > 300
    problems = []
    for entry in messages:
        name = (entry.get("msgctxt"), entry["msgid"])
        if entry["obsolete"]:
            problems.append(("obsolete", name))
        if "fuzzy" in entry["flags"]:
            problems.append(("fuzzy", name))
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if "msgid_plural" in entry and len(translations) != 2:
            problems.append(("plural forms", name))
        if not translations or any(not t.strip() for t in translations):
            problems.append(("untranslated", name))
        elif any(t == entry["msgid"] for t in translations) and JAPANESE.search(entry["msgid"]):
            problems.append(("left in Japanese", name))
    assert problems == []


def test_gettext_agrees_the_catalog_is_complete_and_its_placeholders_match():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr


def test_the_catalog_holds_every_text_marked_in_the_code(tmp_path):
    """Extract the texts afresh (in a copy, so nothing here is written) and compare: a text
    marked for translation but missing from the .po would show in Japanese to a resident
    who chose English."""
    copy = tmp_path / "src"
    skip = {".git", ".venv", "var", "e2e", "bench", "static", "locale", "node_modules"}
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda d, names: [
            n for n in names if n in skip or n.endswith((".egg-info", "_cache", "__pycache__"))
        ],
    )
    (copy / "locale").mkdir()
    # Without settings, makemessages reads no app (and imports nothing): it only scans.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "-v", "0"],
        cwd=copy,
        env=env,
        check=True,
    )
    fresh = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]
    committed = read_po(PO)[1:]

    def names(entries):
        return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in entries}

    missing = names(fresh) - names(committed)
    stale = names(committed) - names(fresh)
    assert not missing, f"run `make makemessages` and translate: {sorted(missing)}"
    assert not stale, f"run `make makemessages` to drop texts no longer used: {sorted(stale)}"
