"""管理者 publish new versions of the 利用規約 and 個人情報の取り扱い, after a
confirmation; the versions and who published them stay on the page; 担当者 and 閲覧者
cannot; another town's versions are never shown."""

import datetime as dt

import pytest

from waterportal.accounts.actions import (
    EmptyText,
    LabelTaken,
    TextUnchanged,
    do_publish_text_version,
)
from waterportal.audit.models import AuditEvent
from waterportal.tenants.models import Tenant, TextVersion
from waterportal.tenants.versions import current_versions
from waterportal.testing import make_member

NEW_TERMS = "おうむ町 水道ポータル 利用規約\n\n第1条（目的）\nこの規約は、改めた規約です。"


def post_new(console, step="publish", kind="terms", label="2026年12月版", text=NEW_TERMS):
    return console.post(
        "/staff/settings/texts/publish",
        {"step": step, "kind": kind, "label": label, "text": text},
    )


def test_a_new_town_starts_with_its_default_texts_as_version_1(tenant):
    terms, privacy = current_versions(tenant)
    assert (terms.kind, terms.label, terms.published_by) == ("terms", "第1版", None)
    assert terms.text == tenant.terms_text and "おうむ町" in terms.text
    assert privacy.kind == "privacy" and privacy.text == tenant.privacy_text
    assert terms.published_at == tenant.created_at


def test_the_page_shows_each_current_text_with_its_date(console, tenant, member):
    make_member(tenant, email="taro@example.jp", accepted_texts=False)
    page = console.get("/staff/settings/texts")
    assert "同意した会員</dt><dd>1人（会員 2人）" in page.text
    assert page.status_code == 200
    assert "現在の利用規約：第1版" in page.text and "現在の個人情報の取り扱い：第1版" in page.text
    assert "自治体の作成時" in page.text and "これまでの版はありません" in page.text
    assert 'href="/staff/settings/texts"' in page.text  # the menu link, for 管理者


def test_confirming_shows_the_new_text_and_what_changes_but_publishes_nothing(console, tenant):
    page = post_new(console, step="confirm")
    assert page.status_code == 200
    assert "まだ公開していません" in page.text and "この規約は、改めた規約です。" in page.text
    assert "新しく加わる・変わる文" in page.text
    assert TextVersion.objects.filter(tenant=tenant).count() == 2
    assert not AuditEvent.objects.filter(action="terms_published").exists()


def test_a_manager_publishes_a_version_which_becomes_current_and_history_keeps_the_first(
    console, tenant, clock
):
    first_terms = current_versions(tenant)[0]
    clock.shift(dt.timedelta(minutes=10))
    done = post_new(console)
    assert done.status_code == 302 and done.url == "/staff/settings/texts"

    version = TextVersion.objects.get(tenant=tenant, label="2026年12月版")
    assert version.published_by == console.staff and version.text == NEW_TERMS
    assert version.published_at == dt.datetime(2026, 11, 25, 1, 10, tzinfo=dt.UTC)
    assert current_versions(tenant)[0] == version
    assert Tenant.objects.get(pk=tenant.pk).terms_text == NEW_TERMS  # registration shows it

    page = console.get("/staff/settings/texts")
    assert "「2026年12月版」を公開しました" in page.text
    assert "現在の利用規約：2026年12月版" in page.text
    earlier = page.text.split("これまでの版")[1]
    assert "第1版" in earlier and first_terms.text.splitlines()[0] in earlier
    assert "水道係 一郎" in page.text  # who published


def test_publishing_is_on_record_with_the_version_but_never_the_text(console, tenant):
    first = current_versions(tenant)[0]
    post_new(console)
    version = TextVersion.objects.get(label="2026年12月版")
    event = AuditEvent.objects.get(action="terms_published")
    assert event.actor == console.staff and event.tenant == tenant and event.source
    assert event.data == {
        "kind": "terms",
        "version": version.pk,
        "label": "2026年12月版",
        "before": {"version": first.pk, "label": "第1版"},
        "after": {"version": version.pk, "label": "2026年12月版"},
    }
    assert "改めた規約" not in str(event.data)


def test_full_width_digits_in_a_label_are_the_same_label(console, tenant):
    post_new(console, label="２０２６年１２月版")
    assert TextVersion.objects.filter(tenant=tenant, label="2026年12月版").exists()


@pytest.mark.parametrize(
    "label, text, message",
    [
        ("2026年12月版", "", "本文を入力してください。空の本文は公開できません。"),
        ("2026年12月版", "  \n\n ", "本文を入力してください。空の本文は公開できません。"),
        ("", NEW_TERMS, "版の名前を入力してください（例: 2026年12月版）。"),
        ("第1版", NEW_TERMS, "この版の名前はすでに使われています。"),
    ],
)
@pytest.mark.parametrize("step", ["confirm", "publish"])
def test_bad_input_is_refused_with_what_to_do_and_what_was_typed_kept(
    console, tenant, label, text, message, step
):
    page = post_new(console, step=step, label=label, text=text)
    assert page.status_code == 400 and message in page.text
    if text.strip():
        assert "この規約は、改めた規約です。" in page.text  # the typed text is still there
    assert TextVersion.objects.filter(tenant=tenant).count() == 2
    assert not AuditEvent.objects.filter(action="terms_published").exists()


def test_the_same_text_again_is_refused_as_no_change(console, tenant):
    page = post_new(console, label="2026年12月版", text=tenant.terms_text + "\n\n")
    assert page.status_code == 400 and "本文が現在の版と同じです" in page.text
    assert TextVersion.objects.filter(tenant=tenant).count() == 2


def test_a_label_used_for_the_other_text_is_free(console, tenant):
    post_new(console, kind="privacy", label="2026年12月版", text="新しい個人情報の取り扱い")
    post_new(console, kind="terms", label="2026年12月版")
    assert TextVersion.objects.filter(tenant=tenant, label="2026年12月版").count() == 2


def test_a_second_click_on_publish_publishes_once(console, tenant):
    post_new(console)
    again = post_new(console)
    assert again.status_code == 302
    assert "すでに公開されています" in console.get("/staff/settings/texts").text
    assert TextVersion.objects.filter(tenant=tenant, label="2026年12月版").count() == 1
    assert AuditEvent.objects.filter(action="terms_published").count() == 1


def test_going_back_from_the_confirmation_keeps_what_was_typed(console, tenant):
    page = post_new(console, step="edit")
    assert page.status_code == 200 and "この規約は、改めた規約です。" in page.text
    assert "2026年12月版" in page.text
    assert TextVersion.objects.filter(tenant=tenant).count() == 2


def test_a_new_version_can_start_from_the_current_text(console, tenant):
    page = console.get("/staff/settings/texts", {"kind": "privacy"})
    form = page.text.split('id="new-heading"')[1]
    assert tenant.privacy_text.splitlines()[0] in form


def test_the_action_refuses_the_same_rules(tenant):
    with pytest.raises(EmptyText):
        do_publish_text_version(tenant, "terms", "2026年12月版", "\n", actor=None, source=None)
    with pytest.raises(LabelTaken):
        do_publish_text_version(tenant, "terms", " 第1版 ", "別の文", actor=None, source=None)
    with pytest.raises(TextUnchanged):
        do_publish_text_version(
            tenant, "terms", "2026年12月版", tenant.terms_text, actor=None, source=None
        )


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_and_viewers_can_neither_see_nor_publish(console_as, tenant, role):
    other = console_as(role)
    page = other.get("/staff/settings/texts")
    assert page.status_code == 403 and "権限" in page.text
    for step in ("confirm", "publish"):
        assert post_new(other, step=step).status_code == 403
    assert TextVersion.objects.filter(tenant=tenant).count() == 2
    assert 'href="/staff/settings/texts"' not in other.get("/staff/").text


def test_publishing_is_post_only(console, tenant):
    assert console.get("/staff/settings/texts/publish").status_code == 405


def test_a_resident_or_a_visitor_is_sent_to_the_staff_login(signed_in, client):
    page = signed_in.get("/staff/settings/texts")
    assert page.status_code == 302 and page.url.startswith("/staff/login")


def test_another_towns_versions_are_never_shown_nor_changed(console, other_console, tenant):
    do_publish_text_version(
        tenant, "terms", "おうむ町だけの版", "おうむ町の新しい規約", actor=None, source=None
    )
    kita = other_console.get("/staff/settings/texts")
    assert kita.status_code == 200
    assert "おうむ町だけの版" not in kita.text and "おうむ町" not in kita.text

    post_new(other_console, label="きた市の版", text="きた市の新しい規約")
    assert not TextVersion.objects.filter(tenant=tenant, label="きた市の版").exists()
    assert "きた市の版" not in console.get("/staff/settings/texts").text
    assert "おうむ町の新しい規約" == Tenant.objects.get(pk=tenant.pk).terms_text
