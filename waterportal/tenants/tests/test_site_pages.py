"""The town's pages about the portal, linked from every page's footer: 利用規約,
個人情報の取り扱い (the current published version, with its label and date) and the
アクセシビリティ方針 (with the browser suite's latest axe-core result, when there is one)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from waterportal.accounts.actions import do_publish_text_version
from waterportal.tenants.models import TextVersion
from waterportal.testing.pages import text_of

pytestmark = pytest.mark.django_db

DECEMBER = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 2026年12月1日 10:00 in Japan


def publish(tenant, kind, label, text):
    return do_publish_text_version(
        tenant, kind, label, text, actor=None, source="203.0.113.9", now=DECEMBER
    )


@pytest.mark.parametrize(
    ("path", "heading"), [("/terms", "利用規約"), ("/privacy", "個人情報の取り扱い")]
)
def test_a_text_page_shows_the_towns_first_version_with_its_label_and_date(
    client, tenant, path, heading
):
    response = client.get(f"{path}?tenant=oumu")
    assert f"<h1>{heading}</h1>" in response.content.decode()
    first = TextVersion.objects.get(tenant=tenant, kind=path.strip("/"))
    day = timezone.localtime(first.published_at)
    page = text_of(response)
    assert f"第1版 （{day.year}年{day.month}月{day.day}日から）" in page
    assert first.text.splitlines()[0] in page  # "おうむ町 水道ポータル 利用規約"


def test_the_terms_page_shows_the_newest_version_only(client, tenant):
    publish(tenant, "terms", "2026年12月版", "第1条 新しい規約の文。")
    page = text_of(client.get("/terms?tenant=oumu"))
    assert "2026年12月版" in page and "2026年12月1日から" in page
    assert "第1条 新しい規約の文。" in page
    assert "第1版" not in page
    # The privacy text has its own versions: still its first.
    privacy = text_of(client.get("/privacy?tenant=oumu"))
    assert "第1版" in privacy and "新しい規約の文" not in privacy


def test_another_towns_text_is_never_shown(client, tenant, other_tenant):
    publish(tenant, "terms", "おうむ版", "おうむ町だけの規約。")
    publish(other_tenant, "privacy", "きた版", "きた市だけの取り扱い。")
    oumu = text_of(client.get("/terms?tenant=oumu")) + text_of(client.get("/privacy?tenant=oumu"))
    kita = text_of(client.get("/terms?tenant=kita")) + text_of(client.get("/privacy?tenant=kita"))
    assert "おうむ町だけの規約。" in oumu and "きた市だけの取り扱い。" not in oumu
    assert "きた市だけの取り扱い。" in kita and "おうむ町だけの規約。" not in kita
    assert "きた市 水道ポータル" in kita and "おうむ町 水道ポータル 利用規約" not in kita


@pytest.mark.parametrize("path", ["/terms", "/privacy", "/accessibility"])
def test_an_unknown_town_is_a_404(client, tenant, path):
    response = client.get(f"{path}?tenant=nowhere")
    assert response.status_code == 404
    assert "おうむ町" not in response.content.decode()


@pytest.mark.parametrize("path", ["/terms", "/privacy", "/accessibility"])
def test_no_town_at_all_is_a_404(client, tenant, path):
    assert client.get(path).status_code == 404


def test_the_pages_are_open_to_visitors_and_members_alike(signed_in, link):
    for path in ("/terms", "/privacy", "/accessibility"):
        assert signed_in.get(path).status_code == 200, path


def test_the_accessibility_page_says_there_is_no_result_before_the_suite_has_run(
    client, tenant, settings, tmp_path
):
    settings.ACCESSIBILITY_REPORT = tmp_path / "absent.json"
    page = text_of(client.get("/accessibility?tenant=oumu"))
    assert "JIS X 8341-3:2016 の適合レベルAAに準拠することを目標とします。" in page
    assert (
        "対象とするページ" in page
        and "おうむ町 水道ポータルの、住民の方が使うすべてのページです。" in page
    )
    assert "試験結果はまだありません" in page
    assert "試験日" not in page


def write_report(path, states, tested_at="2026-12-04T09:30:00+00:00"):
    path.write_text(
        json.dumps({"tested_at": tested_at, "tool": "axe-core 4.10.2", "states": states}),
        encoding="utf-8",
    )


def test_the_accessibility_page_shows_the_date_and_result_of_the_latest_run(
    client, tenant, settings, tmp_path
):
    settings.ACCESSIBILITY_REPORT = tmp_path / "accessibility.json"
    states = [{"name": f"page {i}", "path": "/", "width": 360, "violations": 0} for i in range(51)]
    write_report(settings.ACCESSIBILITY_REPORT, states, tested_at="2026-12-04T15:30:00+00:00")
    page = text_of(client.get("/accessibility?tenant=oumu"))
    # 15:30 UTC is already the 5th in Japan.
    assert "試験日 2026年12月5日" in page
    assert "axe-core 4.10.2 による WCAG 2.1 のレベルA・AAの自動試験" in page
    assert "試験した画面 51画面" in page
    assert "問題は見つかりませんでした。" in page
    assert "試験結果はまだありません" not in page


def test_the_accessibility_page_counts_the_violations_found(client, tenant, settings, tmp_path):
    settings.ACCESSIBILITY_REPORT = tmp_path / "accessibility.json"
    states = [
        {"name": "login", "path": "/login", "width": 360, "violations": 0},
        {"name": "register", "path": "/register", "width": 360, "violations": 2},
        {"name": "home", "path": "/", "width": 1280, "violations": 1},
    ]
    write_report(settings.ACCESSIBILITY_REPORT, states)
    page = text_of(client.get("/accessibility?tenant=oumu"))
    assert "試験した画面 3画面" in page
    assert "2画面で、3件の問題が見つかりました。" in page
    assert "問題は見つかりませんでした。" not in page


@pytest.mark.parametrize(
    "content", ["not json", '{"tested_at": "2026-12-04T09:30:00"}', '{"states": []}', "[]"]
)
def test_an_unreadable_report_counts_as_none(client, tenant, settings, tmp_path, content):
    settings.ACCESSIBILITY_REPORT = tmp_path / "accessibility.json"
    settings.ACCESSIBILITY_REPORT.write_text(content, encoding="utf-8")
    page = text_of(client.get("/accessibility?tenant=oumu"))
    assert "試験結果はまだありません" in page
