"""The help page's count of questions: a question counts once per session, and only
when a page was shown (GET), so a reload or a monitor's HEAD does not inflate it."""

import re

import pytest
from django.test import Client

from waterportal.helpcentre import queries
from waterportal.testing.browser import Portal

HELP = "/help?tenant=oumu"
pytestmark = pytest.mark.usefixtures("clock")


def test_a_head_request_is_not_counted(portal, tenant):
    assert portal.client.head(HELP, {"q": "迷惑メールフォルダ"}).status_code == 200
    assert queries.search_counts(tenant) == {"searches": 0, "unanswered": 0}


def test_a_question_asked_again_in_the_session_counts_once(portal, tenant):
    for question in ("迷惑メールフォルダ", "迷惑メールフォルダ", "メイワク", "ﾒｲﾜｸ", " めいわく "):
        portal.get(HELP, {"q": question})
    # Width, kana and spaces folded: 「メイワク」「ﾒｲﾜｸ」「めいわく」 are one question.
    assert queries.search_counts(tenant)["searches"] == 2
    portal.get(HELP, {"q": "迷惑メール フォルダ"})  # another question
    assert queries.search_counts(tenant)["searches"] == 3


def test_another_session_counts_the_same_question_again(
    portal, tenant, django_capture_on_commit_callbacks
):
    portal.get(HELP, {"q": "迷惑メールフォルダ"})
    other = Portal(Client(), tenant, django_capture_on_commit_callbacks)
    other.open_tenant()
    other.get(HELP, {"q": "迷惑メールフォルダ"})
    assert queries.search_counts(tenant)["searches"] == 2


def test_the_session_keeps_only_short_hashes_of_its_last_questions(portal, tenant):
    for i in range(queries.ASKED_KEPT + 2):
        portal.get(HELP, {"q": f"090-1234-{i:04d}"})
    asked = portal.client.session[queries.ASKED_KEY]
    assert len(asked) == queries.ASKED_KEPT
    # 16 hexadecimal digits, which cannot hold the number asked ("090" alone may occur
    # in a digest by chance, one digest in 300).
    assert all(re.fullmatch(r"[0-9a-f]{16}", a) for a in asked)
    assert queries.search_counts(tenant)["searches"] == queries.ASKED_KEPT + 2
    portal.get(HELP, {"q": "090-1234-0000"})  # forgotten, the oldest: counted again
    assert queries.search_counts(tenant)["searches"] == queries.ASKED_KEPT + 3
