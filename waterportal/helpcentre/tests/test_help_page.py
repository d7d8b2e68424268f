"""The help page, before login and signed in: the town's questions by category, the
answers to a question in the resident's words, and, when nothing matches, the town's
contact block and the inquiry form. Every resident page links to it, and so do the
emails about codes."""

import pytest
from django.urls import reverse

from waterportal import emails
from waterportal.helpcentre import queries
from waterportal.helpcentre.models import HelpEntry, HelpSearchDay
from waterportal.testing import mails_to, steps, text_of
from waterportal.testing.helpcentre import help_entry
from waterportal.testing.personas import TARO

HELP = "/help?tenant=oumu"
HELP_LINK = 'href="/help?tenant=oumu">ヘルプ</a>'


def test_the_addresses_are_the_named_ones():
    assert reverse("helpcentre:help") == "/help"
    assert reverse("inquiries:new") == "/inquiries/new"


def test_the_page_shows_every_category_and_question_before_login(portal, tenant):
    page = portal.get(HELP)
    assert page.status_code == 200
    text = text_of(page)
    for name in (
        "登録・ログイン",
        "認証コードが届かない",
        "使用者番号",
        "料金・支払い",
        "引っ越し",
        "その他",
    ):
        assert name in text
    assert "使用者番号はどこに書いてありますか。" in text
    assert "<summary>" in page.text and 'label for="help-q">質問を入力してください' in page.text


def test_the_page_works_for_a_signed_in_member(signed_in):
    page = signed_in.get("/help")
    assert page.status_code == 200 and "迷惑メール" in page.text


def test_a_question_in_the_residents_words_gets_the_right_answer_first(portal, tenant):
    page = portal.get(HELP, {"q": "ﾒｰﾙが来ないんですけど"})
    answers = page.text.split('class="card help-answer"')[1:]
    assert answers and len(answers) <= 5
    assert help_entry(tenant, "code-check-address").question in answers[0]
    assert "この質問に合う答えは見つかりませんでした" not in page.text


def test_an_english_question_finds_the_japanese_answer(portal, tenant):
    page = portal.get(HELP, {"q": "I forgot my password"})
    first = page.text.split('class="card help-answer"')[1]
    assert help_entry(tenant, "login-forgot-password").question in first


def test_a_question_with_no_good_answer_offers_the_contact_and_the_inquiry_form(portal):
    page = portal.get(HELP, {"q": "今日の天気は"})
    text = text_of(page)
    assert "この質問に合う答えは見つかりませんでした" in text
    assert 'class="card help-answer"' not in page.text
    assert (
        "建設水道課 水道係" in text and "電話 0120-000-111" in text and "平日 8:30〜17:15" in text
    )
    assert 'href="/inquiries/new?tenant=oumu"' in page.text


def test_a_question_about_cloudy_or_no_water_finds_the_notices_and_the_phone(portal, tenant):
    page = portal.get(HELP, {"q": "水が茶色くにごっている"})
    first = page.text.split('class="card help-answer"')[1]
    assert help_entry(tenant, "other-water-trouble").question in first
    assert "「お知らせ」" in first and "電話 0120-000-111" in first


def test_the_contact_block_and_the_form_come_right_under_the_answers(portal, tenant):
    page = portal.get(HELP, {"q": "断水しています"}).text
    last_answer = page.rindex('class="card help-answer"')
    contact = page.index('class="card help-contact"')
    assert last_answer < contact < page.index('id="help-index-heading"')
    assert page.count('class="card help-contact"') == 1
    assert page.index('href="/inquiries/new?tenant=oumu"') < page.index('id="help-index-heading"')


def test_the_question_is_shown_escaped(portal):
    page = portal.get(HELP, {"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_unpublished_entries_are_neither_listed_nor_found(portal, tenant):
    entry = help_entry(tenant, "code-spam")
    HelpEntry.objects.filter(pk=entry.pk).update(is_published=False)
    assert entry.question not in portal.get(HELP).text
    page = portal.get(HELP, {"q": "迷惑メールフォルダ"})
    assert entry.question not in page.text


def test_another_towns_help_is_not_shown(other_portal, tenant, other_tenant):
    HelpEntry.objects.filter(tenant=tenant, key="code-spam").update(question="おうむ町だけの質問")
    page = other_portal.get("/help?tenant=kita")
    assert page.status_code == 200
    assert "おうむ町だけの質問" not in page.text
    assert "きた市 水道局 お客様係" in page.text
    found = other_portal.get("/help?tenant=kita", {"q": "おうむ町だけの質問"})
    answers = found.text.split('class="card help-answer"')[1:]
    assert not any("おうむ町だけの質問" in answer for answer in answers)


def test_without_a_town_the_page_asks_which_town(client, db):
    page = client.get("/help")
    assert page.status_code == 404 and "ヘルプ（よくある質問）" not in page.text


@pytest.mark.parametrize("address", ["/login?tenant=oumu", "/register", "/password-reset", "/help"])
def test_the_help_link_is_in_the_header_before_login(portal, address):
    assert HELP_LINK in portal.get(address).text


@pytest.mark.parametrize("address", ["/", "/account"])
def test_the_help_link_is_in_the_header_when_signed_in(signed_in, link, address):
    page = signed_in.get(address)
    assert page.status_code == 200 and HELP_LINK in page.text


def test_the_console_has_its_own_menu_without_the_residents_help_link(console):
    assert HELP_LINK not in console.get("/staff/").text


def test_the_signup_code_email_links_to_the_help(portal):
    steps.register_until_code(portal)
    (message,) = mails_to(TARO.email)
    assert "http://127.0.0.1:8000/help?tenant=oumu" in message.body


@pytest.mark.parametrize(
    "name",
    ["signup_code", "reset_code", "email_change_code", "sign_in_link", "signup_already_registered"],
)
def test_every_email_about_codes_links_to_the_help(tenant, name, settings):
    settings.SITE_URL = "https://portal.example.jp"
    context = {"tenant": tenant, "code": "123456", "ttl_minutes": 10, "code_id": 1}
    _subject, text, html = emails.render(name, context)
    assert "https://portal.example.jp/help?tenant=oumu" in text
    assert 'href="https://portal.example.jp/help?tenant=oumu"' in html


def test_questions_are_counted_but_never_stored(portal, other_portal, tenant, other_tenant, clock):
    portal.get(HELP, {"q": "迷惑メールフォルダ"})
    portal.get(HELP, {"q": "今日の天気は"})
    portal.get(HELP)  # no question: nothing to count
    other_portal.get("/help?tenant=kita", {"q": "今日の天気は"})
    assert queries.search_counts(tenant) == {"searches": 2, "unanswered": 1}
    assert queries.search_counts(other_tenant) == {"searches": 1, "unanswered": 1}
    stored = list(HelpSearchDay.objects.values())
    assert not any("天気" in str(value) for row in stored for value in row.values())


def test_the_page_is_never_kept_by_a_browser_or_a_proxy(portal):
    page = portal.get(HELP, {"q": "引っ越し"})
    assert "no-store" in page["Cache-Control"]
