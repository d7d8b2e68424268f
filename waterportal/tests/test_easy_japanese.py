"""やさしい日本語 (plain Japanese with readings) as the resident's third language.

Its catalogue, ``locale/ja_Easy/LC_MESSAGES/django.po``, is compiled here afresh as
``make`` does (``compile_easy_japanese``: readings marked), so these tests check the
committed file. Pages show readings as ruby in text and in brackets in attributes and the
title; emails in brackets in the text and ruby in the HTML; the page stays lang="ja".
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import translation

from waterportal import emails
from waterportal.audit.models import AuditEvent
from waterportal.lib import easy_japanese
from waterportal.testing import (
    MONDAY,
    TARO,
    WEDNESDAY,
    Portal,
    change_password,
    choose_language,
    code_from_mail,
    html_of,
    mails_to,
    make_bill,
    make_customer,
    make_member,
    make_staff,
    sign_in,
)
from waterportal.testing.catalogs import read_po

ROOT = Path(__file__).resolve().parents[2]
EASY_PO = ROOT / "locale" / "ja_Easy" / "LC_MESSAGES" / "django.po"
ENGLISH_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
EMAILS = ROOT / "templates" / "emails"
# The emails that go to the town's staff, not to residents: Japanese only.
STAFF_EMAILS = {"staff_invitation", "number_locks_report", "inquiry_overdue"}


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    locale = tmp_path_factory.mktemp("locale")
    english = locale / "en" / "LC_MESSAGES" / "django.mo"
    english.parent.mkdir(parents=True)
    subprocess.run([msgfmt, "--check", "-o", str(english), str(ENGLISH_PO)], check=True)
    easy_japanese.compile_catalogue(EASY_PO, locale / "ja_Easy" / "LC_MESSAGES" / "django.mo")
    return locale


@pytest.fixture(autouse=True)
def _catalogues_from_the_committed_po(settings, compiled_locale):
    settings.LOCALE_PATHS = [compiled_locale]


def in_easy_japanese(client):
    choose_language(client, easy_japanese.LANGUAGE)
    return client


# --- The catalogue -------------------------------------------------------------------------


def _name(entry) -> str:
    context = entry.get("msgctxt")
    return f"{entry['msgid']!r}" + (f" (context {context!r})" if context else "")


def test_every_resident_text_has_its_easy_japanese_version():
    """The same texts as the English catalogue (which a test keeps equal to the code's),
    each with its やさしい日本語, none fuzzy. The failure names each text to write."""
    entries = read_po(EASY_PO)
    header, messages = entries[0], entries[1:]
    assert "Language: ja-easy\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert "fuzzy" not in header["flags"]

    def key(e):
        return (e.get("msgctxt"), e["msgid"], e.get("msgid_plural"))

    english = {key(e): e for e in read_po(ENGLISH_PO)[1:]}
    easy = {key(e): e for e in messages}
    problems = [
        f"missing from the やさしい日本語 .po: {_name(english[k])}"
        for k in english.keys() - easy.keys()
    ]
    problems += [
        f"no longer a text of the portal: {_name(easy[k])}" for k in easy.keys() - english.keys()
    ]
    for entry in messages:
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if entry["obsolete"]:
            problems.append(f"obsolete: {_name(entry)}")
        elif "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy (check it, then remove the flag): {_name(entry)}")
        elif not translations or any(not t.strip() for t in translations):
            problems.append(f"no やさしい日本語 yet: {_name(entry)}")
    assert not problems, (
        "run `make makemessages`, then write these texts in やさしい日本語 "
        "(see the notes at the top of the .po):\n" + "\n".join(sorted(problems))
    )


def test_every_reading_is_well_formed_and_every_hard_kanji_has_one():
    problems = []
    for entry in read_po(EASY_PO)[1:]:
        for field, text in entry.items():
            if not field.startswith("msgstr") or not text:
                continue
            problems += [f"{_name(entry)}: {p}" for p in easy_japanese.markup_problems(text)]
            unread = easy_japanese.unread_kanji(text)
            if unread:
                problems.append(f"{_name(entry)}: no reading for {''.join(unread)}")
    assert problems == []


def test_the_easy_emails_are_written_with_readings_too():
    problems = []
    for path in sorted((EMAILS / "easy").iterdir()):
        words = re.sub(r"\{[{%#].*?[}%#]\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        problems += [f"{path.name}: {p}" for p in easy_japanese.markup_problems(words)]
        if easy_japanese.unread_kanji(words):
            problems.append(f"{path.name}: no reading for {easy_japanese.unread_kanji(words)}")
    assert problems == []


def test_every_email_to_residents_has_its_easy_japanese_version():
    names = {p.name.split(".")[0] for p in EMAILS.glob("*.txt")} - {"_signature"}
    missing = [
        f"emails/easy/{name}{suffix}"
        for name in sorted(names - STAFF_EMAILS)
        for suffix in (".subject.txt", ".txt", ".html")
        if not (EMAILS / "easy" / f"{name}{suffix}").exists()
    ]
    assert missing == []


def test_the_compiled_catalogue_gives_marked_readings_and_keeps_placeholders():
    with translation.override(easy_japanese.LANGUAGE):
        text = translation.gettext("%(office)s（電話 %(phone)s）")
        assert (
            text
            == f"%(office)s（{easy_japanese.START}電話{easy_japanese.MIDDLE}でんわ{easy_japanese.END} %(phone)s）"
        )
        assert "{" not in translation.gettext("お問い合わせ")
        count = translation.ngettext(
            "合いそうな答えが%(counter)s件あります。", "合いそうな答えが%(counter)s件あります。", 3
        )
        assert (
            easy_japanese.as_text(count % {"counter": 3})
            == "合いそうな 答えが 3 件（けん） あります。"
        )


# --- The markup, as each place shows it ------------------------------------------------------


def test_readings_become_ruby_in_text_and_brackets_where_ruby_cannot_go():
    marked = easy_japanese.mark("料金{りょうきん}を 払{はら}う")
    page = (
        f'<title>{marked}</title><p title="{marked}">{marked}</p>'
        f'<input placeholder="{marked}" aria-label="{marked}">'
        f"<select><option>{marked}</option></select><!-- {marked} -->"
        f'<svg aria-label="{marked}"><text>{marked}</text></svg>'
    )
    html = easy_japanese.as_html(page)
    assert html == (
        "<title>料金（りょうきん）を 払（はら）う</title>"
        '<p title="料金（りょうきん）を 払（はら）う">'
        "<ruby>料金<rt>りょうきん</rt></ruby>を <ruby>払<rt>はら</rt></ruby>う</p>"
        '<input placeholder="料金（りょうきん）を 払（はら）う" aria-label="料金（りょうきん）を 払（はら）う">'
        "<select><option>料金（りょうきん）を 払（はら）う</option></select>"
        "<!-- 料金（りょうきん）を 払（はら）う -->"
        '<svg aria-label="料金（りょうきん）を 払（はら）う"><text>料金（りょうきん）を 払（はら）う</text></svg>'
    )
    assert easy_japanese.as_text(marked) == "料金（りょうきん）を 払（はら）う"
    assert json.loads(easy_japanese.as_json(json.dumps({"detail": marked}))) == {
        "detail": "料金（りょうきん）を 払（はら）う"
    }
    assert easy_japanese.as_json(json.dumps({"d": marked}, ensure_ascii=False)) == (
        '{"d": "料金（りょうきん）を 払（はら）う"}'
    )


def test_text_not_from_the_catalogue_is_never_read_as_markup():
    # What a resident may type: braces, an e-book's ruby marks, tags (escaped already).
    typed = "山田{やまだ} ｜太郎《たろう》 &lt;ruby&gt;"
    assert easy_japanese.as_html(f"<p>{typed}</p>") == f"<p>{typed}</p>"
    assert easy_japanese.as_text(typed) == typed
    # Only the msgstrs of a .po are marked, never its msgids or comments.
    po = '# 料金{りょうきん}\nmsgid "料金{りょうきん}"\nmsgstr ""\n"料金{りょうきん}"\n'
    assert easy_japanese.mark_po(po).count(easy_japanese.START) == 1


def test_a_reading_the_po_wraps_over_two_lines_is_marked_too():
    po = 'msgid "内容"\nmsgstr ""\n"くわしい 内容{ないよ"\n"う}と"\n\nmsgid "x"\nmsgstr "x"\n'
    marked = easy_japanese.mark_po(po)
    assert "{" not in marked.split('msgid "x"')[0].split("msgstr")[1]
    assert easy_japanese.as_text(marked.split('msgstr "')[1].split('"')[0]) == (
        "くわしい 内容（ないよう）と"
    )


def test_no_brace_is_left_in_any_compiled_text(compiled_locale):
    """Every reading of the catalogue became a marked one: none reaches a page as braces."""
    import gettext

    mo = compiled_locale / "ja_Easy" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    texts = catalogue._catalog.values()  # type: ignore[attr-defined]  # gettext keeps no public list
    left = [text for text in texts if "{" in text or "}" in text]
    assert left == []


def test_a_broken_reading_is_found():
    assert easy_japanese.markup_problems("料金{りょうきん}") == []
    assert easy_japanese.markup_problems("料金{りょうきん を")
    assert easy_japanese.markup_problems("料金りょうきん}")
    assert easy_japanese.markup_problems("{りょうきん}")
    assert easy_japanese.unread_kanji("料金{りょうきん} 水道") == []
    assert easy_japanese.unread_kanji("料金 水道{すいどう}") == ["料"]


# --- Pages -----------------------------------------------------------------------------------


def test_the_switch_offers_easy_japanese_in_its_own_words(client, tenant):
    text = client.get("/login?tenant=oumu").content.decode()
    assert re.search(r'value="ja-easy" lang="ja">やさしい日本語</button>', text)
    response = client.post("/i18n/setlang/", {"language": "ja-easy", "next": "/login?tenant=oumu"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja-easy"
    text = client.get("/login?tenant=oumu").content.decode()
    assert re.search(r'value="ja-easy" lang="ja" aria-current="true">やさしい日本語</button>', text)


def test_the_login_page_in_easy_japanese(client, tenant):
    in_easy_japanese(client)
    page = client.get("/login?tenant=oumu")
    text = page.content.decode()
    # Japanese for screen readers and fonts.
    assert '<html lang="ja">' in text and page["Content-Language"] == "ja"
    assert "<title>ログイン | おうむ町 水道（すいどう）ポータル</title>" in text
    assert "はじめての 人は ここから" in text
    assert "<ruby>検針票<rt>けんしんひょう</rt></ruby>" in text
    assert "<ruby>問<rt>と</rt></ruby>い<ruby>合<rt>あ</rt></ruby>わせ" in text
    assert "{" not in re.sub(r"<(style|script)\b.*?</\1>", "", text, flags=re.S)
    assert easy_japanese.START not in text and easy_japanese.END not in text
    assert "初めての方はこちら" not in text


def test_a_form_error_in_easy_japanese(client, tenant):
    make_member(tenant, email="hanako@example.jp")
    in_easy_japanese(client)
    client.get("/login?tenant=oumu")
    page = client.post("/login", {"email": "hanako@example.jp", "password": "Wrong-Pass-1"})
    text = page.content.decode()
    assert (
        "メールアドレスか パスワードが ちがいます。<ruby>大文字<rt>おおもじ</rt></ruby>と "
        "<ruby>小文字<rt>こもじ</rt></ruby>の ちがいも 見てください。" in text
    )
    assert "<title>エラー：ログイン | おうむ町 水道（すいどう）ポータル</title>" in text


@pytest.fixture
def easy_member(client, tenant, customer, link, django_capture_on_commit_callbacks):
    make_bill(customer, "2026-10", usage=20, water=3300, sewer=2200)
    in_easy_japanese(client)
    member = link.member
    portal = Portal(client, tenant, django_capture_on_commit_callbacks)
    sign_in(portal, member)
    return portal, member


@time_machine.travel(MONDAY, tick=False)
def test_what_a_resident_wrote_is_shown_as_written(easy_member):
    portal, member = easy_member
    member.name = "山田{やまだ} <b>花子</b>"
    member.save(update_fields=["name"])
    text = portal.get("/").content.decode()
    assert "山田{やまだ} &lt;b&gt;花子&lt;/b&gt; さん" in text
    assert "<ruby>山田" not in text
    assert "<ruby>料金<rt>りょうきん</rt></ruby>" in text


def test_the_staff_console_stays_japanese(client, tenant):
    in_easy_japanese(client)
    text = client.get("/staff/login?tenant=oumu").content.decode()
    assert "<ruby>" not in text and "<rt>" not in text
    # The title comes from the resident pages' base: its words, in Japanese.
    assert "| おうむ町 水道ポータル</title>" in text
    assert "水道（すいどう）" not in text


# --- The member's choice and emails ------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_choice_is_kept_on_the_account_and_the_emails_follow_it(easy_member):
    portal, member = easy_member
    portal.get("/account")
    member.refresh_from_db()
    assert member.language == "ja-easy"
    assert AuditEvent.objects.filter(action="language_changed", member=member).count() == 1

    mail.outbox.clear()
    change_password(portal)
    (message,) = mails_to(member.email)
    assert message.subject == "【おうむ町 水道（すいどう）ポータル】パスワードを 変（か）えました"
    assert "ほかの スマートフォンや パソコンの ログインは 終（お）わりました。" in message.body
    assert "{" not in message.body and "<ruby>" not in message.body
    assert easy_japanese.START not in message.body
    html = html_of(message)
    assert "<ruby>変<rt>か</rt></ruby>えました" in html

    # Back to Japanese: the next email is Japanese.
    choose_language(portal.client, "ja")
    portal.get("/account")
    member.refresh_from_db()
    assert member.language == "ja"


@time_machine.travel(MONDAY, tick=False)
def test_emails_to_many_members_follow_each_members_choice(tenant):
    easy = make_member(tenant, email="easy@example.jp")
    easy.language = "ja-easy"
    easy.save(update_fields=["language"])
    plain = make_member(tenant, email="plain@example.jp")
    count = emails.send_many(
        "new_bill",
        [(easy.pk, easy.email, easy.language), (plain.pk, plain.email, plain.language)],
        tenant,
        unsubscribe="new_bill",
    )
    assert count == 2
    (to_easy,) = mails_to(easy.email)
    assert "新（あたら）しい" not in to_easy.subject  # 新 is a second-year kanji: no reading
    assert "検針（けんしん）と 料金（りょうきん）の お知（し）らせ" in to_easy.subject
    assert "/unsubscribe/" in to_easy.body
    (to_plain,) = mails_to(plain.email)
    assert "新しい検針・料金のお知らせ" in to_plain.subject


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_code_email_of_an_easy_page_is_in_easy_japanese(
    client, tenant, django_capture_on_commit_callbacks
):
    portal = Portal(client, tenant, django_capture_on_commit_callbacks)
    portal.open_tenant()
    in_easy_japanese(client)
    make_customer(tenant, number="12345678", kana="スイドウ タロウ")
    page = portal.post("/register", {"email": TARO.email}, follow=True).content.decode()
    assert "<ruby>認証<rt>にんしょう</rt></ruby>コード" in page
    message = mails_to(TARO.email)[-1]
    assert "認証（にんしょう）コード:" in message.body
    assert "登録（とうろく）の 画面（がめん）に" in message.body
    assert re.fullmatch(r"\d{6}", code_from_mail(TARO.email))
    # The name of the town (the town's own words) is never reinterpreted.
    assert "【おうむ町 水道（すいどう）ポータル】" in message.subject


def test_outside_a_request_emails_stay_japanese(tenant):
    subject, text, _html = emails.render("password_changed", {"tenant": tenant})
    assert subject == "【おうむ町 水道ポータル】パスワードを変更しました"
    assert "ほかの端末" in text and "（" not in subject


def test_an_email_sent_by_staff_follows_the_members_choice(
    tenant, django_capture_on_commit_callbacks
):
    from waterportal.accounts.actions import do_lock_member

    staff = make_staff(tenant).user
    easy = make_member(tenant, email="easy@example.jp")
    easy.language = "ja-easy"
    easy.save(update_fields=["language"])
    plain = make_member(tenant, email="plain@example.jp")
    # On the console, in Japanese: the emails go in each member's own language.
    with django_capture_on_commit_callbacks(execute=True):
        do_lock_member(easy, actor=staff, reason="test", source="192.0.2.1")
        do_lock_member(plain, actor=staff, reason="test", source="192.0.2.1")
    (to_easy,) = mails_to(easy.email)
    assert to_easy.subject == "【おうむ町 水道（すいどう）ポータル】アカウントを 止（と）めました"
    assert "係（かかり）が 止（と）めるのを やめるまで、ログインできません。" in to_easy.body
    (to_plain,) = mails_to(plain.email)
    assert to_plain.subject == "【おうむ町 水道ポータル】アカウントの利用を停止しました"
