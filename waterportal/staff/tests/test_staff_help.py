"""The town's help in the console: 担当者 and 管理者 add, edit, delete and reorder
entries, add categories and bring the defaults back, each on the audit log; 閲覧者
read; another town's entries are invisible and unchangeable (404)."""

import pytest

from waterportal.audit.models import AuditEvent
from waterportal.helpcentre import defaults
from waterportal.helpcentre.models import HelpCategory, HelpEntry
from waterportal.testing import text_of
from waterportal.testing.helpcentre import help_entry


def category(tenant, key="other") -> HelpCategory:
    return HelpCategory.objects.get(tenant=tenant, key=key)


def entry_form(tenant, **changes) -> dict:
    form = {
        "category": category(tenant).pk,
        "question": "水道の工事はいつですか。",
        "answer": "工事の予定はお知らせでお伝えします。\n詳しくは水道係へ。",
        "keywords": "工事 断水 construction",
        "is_published": "on",
    }
    return form | changes


def test_the_console_lists_every_entry_by_category(console, tenant):
    page = console.get("/staff/help")
    assert page.status_code == 200
    text = text_of(page)
    assert "認証コードが届かない" in text and "迷惑メールフォルダに入っていないか" in text
    assert "初期の文" in text
    assert 'href="/staff/help"' in page.text  # the menu link


def test_the_console_shows_how_many_questions_found_no_answer(console, portal, tenant):
    portal.get("/help?tenant=oumu", {"q": "今日の天気は"})
    text = text_of(console.get("/staff/help"))
    assert "検索された質問 1件" in text and "答えが見つからなかった質問 1件" in text


def test_a_clerk_adds_an_entry_which_residents_find(console_as, tenant, portal):
    clerk = console_as("clerk")
    response = clerk.post("/staff/help/new", entry_form(tenant))
    assert response.status_code == 302
    entry = HelpEntry.objects.get(tenant=tenant, question="水道の工事はいつですか。")
    assert entry.updated_by == clerk.staff and entry.key == ""
    assert entry.answer == "工事の予定はお知らせでお伝えします。\n詳しくは水道係へ。"
    event = AuditEvent.objects.get(action="help_entry_created")
    assert event.actor == clerk.staff and event.data["question"] == entry.question
    found = portal.get("/help?tenant=oumu", {"q": "工事の予定"})
    assert "水道の工事はいつですか。" in found.text.split('class="card help-answer"')[1]


def test_a_refused_entry_says_what_to_fix_and_saves_nothing(console, tenant):
    before = HelpEntry.objects.count()
    page = console.post("/staff/help/new", entry_form(tenant, question="", answer=""))
    assert page.status_code == 400
    assert "質問を入力してください。" in page.text and "回答を入力してください。" in page.text
    assert HelpEntry.objects.count() == before


def test_editing_an_entry_records_what_changed(console, tenant):
    entry = help_entry(tenant, "code-spam")
    form = entry_form(
        tenant,
        category=entry.category_id,
        question="迷惑メールを確かめて",
        answer="確かめてください。",
    )
    form.pop("is_published")
    assert console.post(f"/staff/help/{entry.pk}", form).status_code == 302
    entry.refresh_from_db()
    assert (entry.question, entry.is_published, entry.updated_by) == (
        "迷惑メールを確かめて",
        False,
        console.staff,
    )
    event = AuditEvent.objects.get(action="help_entry_changed")
    assert (
        event.data["before"]["is_published"] is True
        and event.data["after"]["is_published"] is False
    )
    assert "回答" in event.data["changed"]


def test_an_entry_is_reset_to_its_default_text(console, tenant):
    entry = help_entry(tenant, "code-spam")
    HelpEntry.objects.filter(pk=entry.pk).update(question="変えた質問", answer="変えた回答")
    assert console.post(f"/staff/help/{entry.pk}/reset").status_code == 302
    entry.refresh_from_db()
    assert entry.question == defaults.BY_KEY["code-spam"].question
    assert "おうむ町 水道ポータル" in entry.answer


def test_deleting_and_restoring_the_defaults(console, tenant):
    entry = help_entry(tenant, "code-spam")
    assert console.post(f"/staff/help/{entry.pk}/delete").status_code == 302
    assert not HelpEntry.objects.filter(pk=entry.pk).exists()
    assert "削除した初期の質問を戻す" in console.get("/staff/help").text
    assert console.post("/staff/help/restore").status_code == 302
    restored = help_entry(tenant, "code-spam")
    assert restored.category.key == "code"
    actions = list(
        AuditEvent.objects.filter(action__startswith="help_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["help_entry_deleted", "help_defaults_restored"]


def test_moving_an_entry_swaps_it_with_its_neighbour(console, tenant):
    keys = lambda: list(  # noqa: E731
        HelpEntry.objects.filter(tenant=tenant, category__key="code")
        .order_by("order", "pk")
        .values_list("key", flat=True)
    )
    first, second, *rest = keys()
    entry = help_entry(tenant, second)
    assert console.post(f"/staff/help/{entry.pk}/move", {"direction": "up"}).status_code == 302
    assert keys() == [second, first, *rest]
    console.post(f"/staff/help/{entry.pk}/move", {"direction": "up"})  # already first
    assert keys() == [second, first, *rest]
    assert AuditEvent.objects.filter(action="help_entry_moved").count() == 1


def test_a_category_is_added_and_an_empty_one_deleted(console, tenant):
    assert console.post("/staff/help/categories", {"name": " 水道の工事 "}).status_code == 302
    added = HelpCategory.objects.get(tenant=tenant, name="水道の工事")
    assert list(HelpCategory.objects.filter(tenant=tenant))[-1] == added
    in_use = category(tenant, "code")
    console.post(f"/staff/help/categories/{in_use.pk}/delete")
    assert HelpCategory.objects.filter(pk=in_use.pk).exists()
    console.post(f"/staff/help/categories/{added.pk}/delete")
    assert not HelpCategory.objects.filter(pk=added.pk).exists()


def test_the_try_the_search_box_shows_what_residents_get(console, tenant):
    page = console.get("/staff/help", {"q": "ﾒｰﾙが来ない"})
    assert "「ﾒｰﾙが来ない」の検索結果" in page.text
    assert help_entry(tenant, "code-check-address").question in page.text.split("検索結果")[1]
    nothing = console.get("/staff/help", {"q": "今日の天気は"})
    assert "合う回答はありません" in nothing.text


def test_a_viewer_reads_but_sees_no_buttons_and_cannot_open_the_forms(console_as, tenant):
    viewer = console_as("viewer")
    page = viewer.get("/staff/help")
    assert page.status_code == 200 and "回答を見る" in page.text
    assert "編集する" not in page.text and "質問を追加する" not in page.text
    entry = help_entry(tenant, "code-spam")
    assert viewer.get("/staff/help/new").status_code == 403
    assert viewer.get(f"/staff/help/{entry.pk}").status_code == 403


@pytest.mark.parametrize(
    "address, data",
    [
        ("/staff/help/{entry}", None),
        ("/staff/help/{entry}", "form"),
        ("/staff/help/{entry}/delete", {}),
        ("/staff/help/{entry}/move", {"direction": "up"}),
        ("/staff/help/{entry}/reset", {}),
        ("/staff/help/categories/{category}/delete", {}),
    ],
)
def test_another_towns_entries_and_categories_are_404(other_console, tenant, address, data):
    entry = help_entry(tenant, "code-expired")
    empty = HelpCategory.objects.create(tenant=tenant, name="おうむ町の分類", order=99)
    url = address.format(entry=entry.pk, category=empty.pk)
    if data is None:
        response = other_console.get(url)
    else:
        form = entry_form(other_console.tenant) if data == "form" else data
        response = other_console.post(url, form)
    assert response.status_code == 404
    assert HelpEntry.objects.filter(pk=entry.pk, question=entry.question).exists()
    assert HelpCategory.objects.filter(pk=empty.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="help_").exists()


def test_another_towns_category_cannot_be_chosen_for_an_entry(console, tenant, other_tenant):
    theirs = category(other_tenant)
    page = console.post("/staff/help/new", entry_form(tenant, category=theirs.pk))
    assert page.status_code == 400 and "分類を選び直してください。" in page.text


def test_the_console_never_shows_another_towns_entries(console, tenant, other_tenant):
    HelpEntry.objects.filter(tenant=other_tenant, key="code-spam").update(
        question="きた市だけの質問"
    )
    assert "きた市だけの質問" not in console.get("/staff/help").text
    tried = console.get("/staff/help", {"q": "きた市だけの質問"}).text
    assert "きた市だけの質問" not in tried.split("の検索結果")[1]


def test_restoring_in_one_town_leaves_the_other_alone(console, tenant, other_tenant):
    HelpEntry.objects.filter(tenant=other_tenant, key="code-spam").delete()
    console.post("/staff/help/restore")
    assert not HelpEntry.objects.filter(tenant=other_tenant, key="code-spam").exists()


def test_the_audit_log_reads_the_help_changes_in_words(console, tenant):
    entry = help_entry(tenant, "code-spam")
    form = entry_form(tenant, category=category(tenant, "code").pk, question="迷惑メールの確かめ方")
    console.post(f"/staff/help/{entry.pk}", form)
    console.post(f"/staff/help/{entry.pk}/move", {"direction": "down"})
    text = text_of(console.get("/staff/audit"))
    assert "よくある質問を変更" in text and "よくある質問の並び順を変更" in text
    assert "迷惑メールの確かめ方" in text
