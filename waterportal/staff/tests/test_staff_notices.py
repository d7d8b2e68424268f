"""Staff write notices in the console: the form with its preview as residents see it,
the audience by 使用者番号 or by 給水場所, publishing, scheduling, withdrawing, the
history of edits and the categories; another town's notices do not exist for them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from waterportal.audit.models import AuditEvent
from waterportal.notices.actions import do_create_category
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.testing import make_customer, make_member, text_of
from waterportal.testing.notices import category, make_notice


def form(tenant, **changes) -> dict:
    now = timezone.localtime()
    data = {
        "title": "配水管工事に伴う断水のお知らせ",
        "body": "12月10日に断水します。\n詳しくは https://www.town.oumu.example.jp/suido へ。",
        "category": category(tenant, "断水・濁水").pk,
        "audience": "members",
        "target_by": "numbers",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": "",
        "save": "1",
    }
    return data | changes


def test_the_console_menu_links_to_notices(console):
    assert 'href="/staff/notices"' in console.get("/staff/").text


def test_staff_write_a_draft_then_publish_it(console, tenant, member, link):
    response = console.post("/staff/notices/new", form(tenant))
    notice = Notice.objects.get(tenant=tenant)
    assert response.url == f"/staff/notices/{notice.pk}"
    assert notice.status == "draft" and notice.created_by == console.staff
    page = console.get(response.url)
    assert "状態: 下書き" in text_of(page) and "今の会員 1人" in text_of(page)
    published = console.post(f"/staff/notices/{notice.pk}/publish")
    assert published.url == f"/staff/notices/{notice.pk}"
    assert "公開しました" in text_of(console.get(published.url))
    notice.refresh_from_db()
    assert notice.status == "published"
    assert AuditEvent.objects.filter(action="notice_published", actor=console.staff).exists()


def test_the_preview_shows_the_body_as_residents_will_escaped_with_links(console, tenant):
    body = "<script>alert(1)</script>\n詳しくは https://www.town.oumu.example.jp/suido へ。"
    page = console.post("/staff/notices/new", form(tenant, body=body, preview="1", save=""))
    assert page.status_code == 200
    assert "プレビュー（住民の画面での見え方）" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'href="https://www.town.oumu.example.jp/suido"' in page.text
    assert not Notice.objects.exists()


def test_a_future_start_is_a_schedule(console, tenant):
    start = timezone.localtime() + dt.timedelta(days=1)
    console.post("/staff/notices/new", form(tenant, starts_at=start.strftime("%Y-%m-%dT%H:%M")))
    notice = Notice.objects.get()
    page = console.get(f"/staff/notices/{notice.pk}")
    assert "に公開する（予約）" in page.text
    response = console.post(f"/staff/notices/{notice.pk}/publish")
    assert "に公開するよう予約しました" in text_of(console.get(response.url))
    assert "状態: 公開予定" in text_of(console.get(response.url))


def test_an_end_before_the_start_is_shown_on_the_form(console, tenant):
    now = timezone.localtime()
    early = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page = console.post("/staff/notices/new", form(tenant, ends_at=early))
    assert page.status_code == 400
    assert "公開終了は、公開開始より後の日時にしてください。" in page.text
    assert not Notice.objects.exists()


def test_unknown_numbers_are_named_on_the_form(console, tenant, customer):
    page = console.post(
        "/staff/notices/new",
        form(tenant, audience="contracts", numbers="1010-0001\n1010-0099\n20200001"),
    )
    assert page.status_code == 400
    assert "台帳にない使用者番号があります（2件）: 1010-0099、20200001" in page.text
    assert not Notice.objects.exists()


def test_bad_and_unknown_numbers_are_named_together_in_one_round(console, tenant, customer):
    page = console.post(
        "/staff/notices/new",
        form(tenant, audience="contracts", numbers="1010-0001\nabc\n1010-0099"),
    )
    assert page.status_code == 400
    words = text_of(page)
    assert (
        "使用者番号として読めないものがあります: abc。数字（ハイフン可）で入力してください。"
        in words
    )
    assert "台帳にない使用者番号があります（1件）: 1010-0099" in words
    assert not Notice.objects.exists()


def test_contracts_chosen_by_a_pasted_list_a_csv_or_an_address(console, tenant, customer):
    make_customer(tenant, number="10100002", address="おうむ町北町3-1")
    console.post(
        "/staff/notices/new", form(tenant, title="一覧", audience="contracts", numbers="10100001")
    )
    upload = SimpleUploadedFile("numbers.csv", "使用者番号\r\n10100001\r\n10100002\r\n".encode())
    console.post(
        "/staff/notices/new",
        form(tenant, title="CSV", audience="contracts", target_by="csv", csv_file=upload),
    )
    console.post(
        "/staff/notices/new",
        form(
            tenant,
            title="北町",
            audience="contracts",
            target_by="prefix",
            address_prefix="おうむ町北町",
        ),
    )
    counts = {n.title: n.targets.count() for n in Notice.objects.all()}
    assert counts == {"一覧": 1, "CSV": 2, "北町": 1}
    assert "選んだ契約 2件" in text_of(console.get("/staff/notices"))


def test_an_address_matching_nothing_is_shown_on_the_form(console, tenant, customer):
    page = console.post(
        "/staff/notices/new",
        form(tenant, audience="contracts", target_by="prefix", address_prefix="みなみ町"),
    )
    assert page.status_code == 400 and "「みなみ町」で始まる契約はありません" in page.text


def test_an_edit_is_kept_in_the_history(console, tenant):
    notice = make_notice(tenant, title="最初の題", actor=console.staff)
    page = console.get(f"/staff/notices/{notice.pk}/edit")
    assert 'value="最初の題"' in page.text
    console.post(f"/staff/notices/{notice.pk}/edit", form(tenant, title="直した題"))
    detail = text_of(console.get(f"/staff/notices/{notice.pk}"))
    assert "直した題" in detail and "編集する前" in detail and "最初の題" in detail
    event = AuditEvent.objects.get(action="notice_edited")
    assert (
        event.data["before"]["title"] == "最初の題" and event.data["after"]["title"] == "直した題"
    )


def test_withdrawing_takes_it_down(console, tenant):
    notice = make_notice(tenant)
    response = console.post(f"/staff/notices/{notice.pk}/withdraw")
    assert "取り下げました" in text_of(console.get(response.url))
    notice.refresh_from_db()
    assert notice.status == "withdrawn"


def test_staff_add_a_category(console, tenant):
    console.post("/staff/notices/categories", {"name": "水質検査"})
    assert NoticeCategory.objects.filter(tenant=tenant, name="水質検査").exists()
    page = console.post("/staff/notices/categories", {"name": "水質検査"})
    assert page.status_code == 400 and "すでにあります" in page.text


def test_a_clerk_writes_and_a_viewer_only_reads(console_as, tenant):
    clerk = console_as("clerk")
    assert clerk.post("/staff/notices/new", form(tenant)).status_code == 302
    notice = Notice.objects.get()
    viewer = console_as("viewer")
    assert viewer.get("/staff/notices").status_code == 200
    page = viewer.get(f"/staff/notices/{notice.pk}")
    assert page.status_code == 200 and "公開する" not in page.text
    assert viewer.get("/staff/notices/new").status_code == 403
    assert viewer.post(f"/staff/notices/{notice.pk}/publish").status_code == 403
    notice.refresh_from_db()
    assert notice.status == "draft"


@pytest.mark.parametrize(
    "path",
    ["", "/edit"],
)
def test_another_towns_notice_does_not_exist_for_staff(console, other_tenant, path):
    theirs = make_notice(other_tenant, title="きた市のお知らせ")
    assert console.get(f"/staff/notices/{theirs.pk}{path}").status_code == 404
    assert "きた市のお知らせ" not in console.get("/staff/notices").text


@pytest.mark.parametrize("action", ["publish", "withdraw", "edit"])
def test_another_towns_notice_cannot_be_changed(console, other_tenant, action):
    theirs = make_notice(other_tenant, title="きた市のお知らせ", publish=action == "withdraw")
    before = theirs.status
    assert (
        console.post(f"/staff/notices/{theirs.pk}/{action}", form(other_tenant)).status_code == 404
    )
    theirs.refresh_from_db()
    assert (theirs.status, theirs.title) == (before, "きた市のお知らせ")


def test_another_towns_category_cannot_be_chosen(console, tenant, other_tenant):
    theirs = category(other_tenant, "工事")
    page = console.post("/staff/notices/new", form(tenant, category=theirs.pk))
    assert page.status_code == 400 and "分類を選び直してください" in page.text
    do_create_category(other_tenant, "きた市の分類", actor=None)
    assert "きた市の分類" not in console.get("/staff/notices/categories").text


def test_the_publish_button_says_who_will_see_it_and_who_will_be_emailed(console, tenant, member):
    quiet = make_member(tenant, "shizuka@example.jp")
    quiet.notify_notices = False
    quiet.save(update_fields=["notify_notices"])
    notice = make_notice(tenant, title="料金改定", important=True, publish=False)
    html = console.get(f"/staff/notices/{notice.pk}").text
    page = text_of(console.get(f"/staff/notices/{notice.pk}"))
    assert "公開すると、2人の会員に表示されます。" in page
    assert "重要なお知らせのため、1人にメールを送ります。" in page
    assert html.index("1人にメールを送ります") < html.index('"publish-effect">公開する</button>')
    console.post(f"/staff/notices/{notice.pk}/publish")
    assert "人にメールを送ります" not in text_of(console.get(f"/staff/notices/{notice.pk}"))
    console.post(f"/staff/notices/{notice.pk}/withdraw")
    page = text_of(console.get(f"/staff/notices/{notice.pk}"))
    assert "公開し直す" in page and "すでにメールを送った会員には、もう一度は送りません。" in page
    assert "重要なお知らせのため、0人にメールを送ります。" in page


def test_an_ordinary_notice_says_no_email_by_the_button(console, tenant, member):
    notice = make_notice(tenant, title="検針のお知らせ", publish=False)
    page = text_of(console.get(f"/staff/notices/{notice.pk}"))
    assert "公開すると、1人の会員に表示されます。" in page and "メールを送ります" not in page
