"""What residents see: the home page's block with its unread marks and count, the list,
one notice (which marks it read), the public notices on the login page and their Atom
feed; another town's notices do not exist for them."""

import xml.etree.ElementTree as ET

from django.utils import timezone

from waterportal.notices.actions import do_withdraw_notice
from waterportal.notices.models import NoticeRead
from waterportal.testing import make_customer, make_link, make_member, sign_in, text_of
from waterportal.testing.notices import hours, make_notice

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_home_page_shows_new_notices_as_unread_with_their_count(signed_in, tenant):
    make_notice(tenant, title="配水管工事に伴う断水のお知らせ")
    make_notice(tenant, title="料金改定のお知らせ", important=True, category_name="料金")
    home = text_of(signed_in.get("/"))
    assert "未読 2件" in home
    assert "未読 配水管工事に伴う断水のお知らせ" in home
    assert "未読 重要 料金改定のお知らせ" in home
    assert "現在、お知らせはありません。" not in home


def test_opening_a_notice_marks_it_read_and_the_count_drops(signed_in, tenant, member):
    first = make_notice(tenant, title="一つ目")
    make_notice(tenant, title="二つ目")
    page = signed_in.get(f"/notices/{first.pk}")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "一つ目" in text_of(page)
    assert NoticeRead.objects.filter(member=member, notice=first).count() == 1
    home = text_of(signed_in.get("/"))
    assert "未読 1件" in home and "未読 一つ目" not in home and "未読 二つ目" in home
    signed_in.get(f"/notices/{first.pk}")
    assert NoticeRead.objects.filter(member=member, notice=first).count() == 1
    listing = text_of(signed_in.get("/notices"))
    assert "未読のお知らせが1件あります。" in listing


def test_with_no_notices_home_says_so(signed_in):
    assert "現在、お知らせはありません。" in text_of(signed_in.get("/"))


def test_the_body_is_plain_text_with_links(signed_in, tenant):
    notice = make_notice(tenant, body='<b>太字</b> https://example.jp/a?b=1&c=2 "引用"')
    page = signed_in.get(f"/notices/{notice.pk}").text
    assert "<b>太字</b>" not in page and "&lt;b&gt;太字&lt;/b&gt;" in page
    assert 'href="https://example.jp/a?b=1&amp;c=2"' in page


def test_a_scheduled_notice_appears_on_home_when_its_start_comes_and_leaves_at_its_end(
    signed_in, tenant, clock
):
    now = timezone.now()
    # Minutes, not hours: the member's session would end while idle.
    soon, later = now + hours(0.25), now + hours(0.5)
    make_notice(tenant, title="予約したお知らせ", starts_at=soon, ends_at=later)
    assert "予約したお知らせ" not in signed_in.get("/").text
    clock.shift(hours(0.25))
    assert "予約したお知らせ" in signed_in.get("/").text
    clock.shift(hours(0.25))
    assert "予約したお知らせ" not in signed_in.get("/").text


def test_a_notice_for_some_contracts_is_on_their_members_home_only(
    signed_in, portal, tenant, member, clock
):
    mine = make_customer(tenant, number="10100001", address="おうむ町本町1-2")
    make_link(member, mine)
    make_notice(tenant, title="本町の断水", audience="contracts", targets=[mine.pk])
    assert "本町の断水" in signed_in.get("/").text
    signed_in.client.logout()
    neighbour = make_member(tenant, "tonari@example.jp")
    make_link(neighbour, make_customer(tenant, number="10100002", address="おうむ町北町"))
    sign_in(portal, neighbour)
    assert "本町の断水" not in portal.get("/").text
    notice_id = make_notice(tenant, title="x", audience="contracts", targets=[mine.pk]).pk
    assert portal.get(f"/notices/{notice_id}").status_code == 404


def test_the_login_page_lists_public_notices_and_announces_the_feed(portal, tenant, clock):
    make_notice(tenant, title="断水のお知らせ（どなたでも）", audience="public")
    make_notice(tenant, title="会員だけのお知らせ")
    page = portal.get("/login")
    assert "断水のお知らせ（どなたでも）" in page.text and "会員だけのお知らせ" not in page.text
    assert (
        '<link rel="alternate" type="application/atom+xml" title="おうむ町からのお知らせ"'
        ' href="/notices/feed.atom?tenant=oumu">' in page.text
    )


def test_a_public_notice_is_read_without_login_a_member_one_asks_for_it(portal, tenant, clock):
    public = make_notice(tenant, title="どなたでも", audience="public")
    members = make_notice(tenant, title="会員だけ")
    assert "どなたでも" in portal.get(f"/notices/{public.pk}").text
    response = portal.get(f"/notices/{members.pk}")
    assert response.status_code == 302 and response.url.startswith("/login?next=")
    listing = portal.get("/notices").text
    assert "どなたでも" in listing and "会員だけ" not in listing
    assert portal.get("/notices/999999").status_code == 404


def test_the_feed_is_atom_of_the_public_notices(portal, tenant, clock):
    make_notice(tenant, title="断水のお知らせ", audience="public", body="詳しくは https://e.jp/ へ")
    make_notice(tenant, title="会員だけ")
    make_notice(tenant, title="下書き", audience="public", publish=False)
    response = portal.get("/notices/feed.atom?tenant=oumu")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = list(feed.iter(f"{ATOM}entry"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["断水のお知らせ"]
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert str(link.get("href")).startswith("http://testserver/notices/")
    assert 'href="https://e.jp/"' in str(entries[0].findtext(f"{ATOM}summary"))


def test_another_towns_notices_do_not_exist_for_residents(
    signed_in, other_portal, tenant, other_tenant
):
    theirs = make_notice(other_tenant, title="きた市の全会員へ")
    theirs_public = make_notice(other_tenant, title="きた市のどなたでも", audience="public")
    assert signed_in.get(f"/notices/{theirs.pk}").status_code == 404
    assert signed_in.get(f"/notices/{theirs_public.pk}").status_code == 404
    assert "きた市の全会員へ" not in signed_in.get("/notices").text
    assert "きた市の" not in signed_in.get("/").text
    ours = make_notice(tenant, title="おうむ町のどなたでも", audience="public")
    assert other_portal.get(f"/notices/{ours.pk}").status_code == 404
    feed = other_portal.get("/notices/feed.atom?tenant=kita").text
    assert "きた市のどなたでも" in feed and "おうむ町のどなたでも" not in feed
    assert "おうむ町のどなたでも" not in other_portal.get("/login").text


def test_the_feed_without_a_town_is_not_found(client, db):
    assert client.get("/notices/feed.atom").status_code == 404


def test_a_withdrawn_notice_is_gone_from_home_and_its_page(signed_in, tenant):
    notice = make_notice(tenant, title="取り下げるお知らせ")
    do_withdraw_notice(notice, actor=None)
    assert "取り下げるお知らせ" not in signed_in.get("/").text
    page = signed_in.get(f"/notices/{notice.pk}")
    assert page.status_code == 410 and "このお知らせは掲載を終了しました。" in text_of(page)


def test_on_home_the_notices_come_before_the_contract_cards(signed_in, tenant, link):
    make_notice(tenant, title="断水のお知らせ", important=True)
    page = signed_in.get("/").text
    assert 'id="notices"' in page and "contract-card" in page
    assert page.index('id="notices"') < page.index("contract-card")
    assert page.index("断水のお知らせ") < page.index("contract-card")
    assert "{#" not in page and "#}" not in page


GONE = "このお知らせは掲載を終了しました。"


def test_a_withdrawn_or_ended_notice_says_it_ended_and_leads_to_the_list(signed_in, tenant, clock):
    withdrawn = make_notice(tenant, title="取り下げた断水のお知らせ")
    do_withdraw_notice(withdrawn, actor=None)
    now = timezone.now()
    ended = make_notice(tenant, title="終わった工事", starts_at=now, ends_at=now + hours(0.25))
    clock.shift(hours(0.5))
    for notice in (withdrawn, ended):
        page = signed_in.get(f"/notices/{notice.pk}")
        assert page.status_code == 410
        words = text_of(page)
        assert GONE in words and "お知らせの一覧へ" in words and notice.title not in words
        assert 'href="/notices"' in page.text
    draft = make_notice(tenant, title="下書き", publish=False)
    assert signed_in.get(f"/notices/{draft.pk}").status_code == 404


def test_signed_out_an_ended_public_notice_says_so_a_member_one_asks_to_log_in(
    portal, tenant, clock
):
    public = make_notice(tenant, title="どなたでも", audience="public")
    members = make_notice(tenant, title="会員だけ")
    do_withdraw_notice(public, actor=None)
    do_withdraw_notice(members, actor=None)
    page = portal.get(f"/notices/{public.pk}")
    assert page.status_code == 410 and GONE in text_of(page) and "どなたでも" not in page.text
    assert "?tenant=oumu" in page.text
    response = portal.get(f"/notices/{members.pk}")
    assert response.status_code == 302 and response.url.startswith("/login?next=")


def test_an_ended_notice_of_another_town_or_not_for_the_member_is_not_found(
    signed_in, other_portal, tenant, other_tenant, member, clock
):
    theirs = make_notice(other_tenant, title="きた市のどなたでも", audience="public")
    do_withdraw_notice(theirs, actor=None)
    page = signed_in.get(f"/notices/{theirs.pk}")
    assert page.status_code == 404 and GONE not in page.text
    ours = make_notice(tenant, title="おうむ町のどなたでも", audience="public")
    do_withdraw_notice(ours, actor=None)
    page = other_portal.get(f"/notices/{ours.pk}")
    assert page.status_code == 404 and GONE not in page.text
    elsewhere = make_customer(tenant, number="10100009", address="おうむ町北町")
    make_link(make_member(tenant, "tonari@example.jp"), elsewhere)
    not_mine = make_notice(tenant, title="北町の断水", audience="contracts", targets=[elsewhere.pk])
    do_withdraw_notice(not_mine, actor=None)
    page = signed_in.get(f"/notices/{not_mine.pk}")
    assert page.status_code == 404 and GONE not in page.text


LOG_IN_TO_READ = "このお知らせを読むには、ログインしてください。"


def test_signed_out_a_member_notice_link_leads_to_a_login_page_that_says_why(
    portal, tenant, member, clock
):
    notice = make_notice(tenant, title="会員だけのお知らせ")
    response = portal.get(f"/notices/{notice.pk}")
    login_page = portal.get(response.url)
    assert LOG_IN_TO_READ in text_of(login_page) and "会員だけのお知らせ" not in login_page.text
    assert f'name="next" value="/notices/{notice.pk}' in login_page.text
    assert LOG_IN_TO_READ not in text_of(portal.get("/login?next=/account"))
    assert LOG_IN_TO_READ not in text_of(portal.get("/login"))
