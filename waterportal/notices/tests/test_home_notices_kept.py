"""The home page's notices come from the town's live notices kept in the shared cache
(``notices.live``): each view adds only which of them are the member's and which they
have read. Every test looks at the home page first, so that the list is kept, then
changes something and looks again: the member sees the change at once."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waterportal.contracts.actions import do_revoke_link
from waterportal.notices.actions import do_edit_notice, do_mark_read, do_withdraw_notice
from waterportal.notices.live import member_view
from waterportal.notices.models import Notice, NoticeCategory, NoticeRead
from waterportal.notices.reading import with_reads
from waterportal.testing import make_customer, make_link, make_member, sign_in, text_of
from waterportal.testing.notices import make_notice, notice_fields

SECONDS_30 = dt.timedelta(seconds=30)


def home(portal) -> str:
    return text_of(portal.get("/"))


def notice_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "notices_" in q["sql"]]


def test_a_later_view_reads_neither_the_notices_nor_the_members_reads(signed_in, tenant):
    make_notice(tenant, title="配水管工事に伴う断水のお知らせ")
    with CaptureQueriesContext(connection) as first:
        assert "未読 配水管工事に伴う断水のお知らせ" in home(signed_in)
    with CaptureQueriesContext(connection) as queries:
        page = text_of(signed_in.get("/"))
    assert "未読 配水管工事に伴う断水のお知らせ" in page and "未読 1件" in page
    assert any("notices_noticeread" in sql for sql in notice_queries(first))
    assert notice_queries(queries) == []


def test_one_members_reading_leaves_anothers_marks_as_they_were(signed_in, tenant, member):
    notice = make_notice(tenant, title="断水のお知らせ")
    other = make_member(tenant, email="jiro@example.jp", name="水道 次郎")
    assert "未読 断水のお知らせ" in home(signed_in)
    do_mark_read(other, notice)
    assert "未読 断水のお知らせ" in home(signed_in)
    do_mark_read(member, notice)
    assert "未読 断水のお知らせ" not in home(signed_in)


def test_a_notice_published_after_the_reads_were_kept_is_unread_beside_the_read_one(
    signed_in, tenant, member
):
    first = make_notice(tenant, title="一つ目")
    do_mark_read(member, first)
    assert "未読" not in home(signed_in)
    make_notice(tenant, title="二つ目")
    page = home(signed_in)
    assert "未読 二つ目" in page and "未読 一つ目" not in page and "未読 1件" in page


def test_a_members_reads_are_read_every_time_when_nothing_is_kept(signed_in, tenant, settings):
    settings.HOME_CACHE_SECONDS = 0
    make_notice(tenant, title="断水のお知らせ")
    home(signed_in)
    with CaptureQueriesContext(connection) as queries:
        home(signed_in)
    assert any("notices_noticeread" in sql for sql in notice_queries(queries))


def test_a_notice_published_edited_or_withdrawn_shows_on_the_next_view(signed_in, tenant):
    assert "現在、お知らせはありません。" in home(signed_in)
    notice = make_notice(tenant, title="配水管工事に伴う断水のお知らせ")
    assert "配水管工事に伴う断水のお知らせ" in home(signed_in)
    notice = do_edit_notice(
        notice, notice_fields(tenant, title="断水の時間が変わりました"), actor=None
    )
    page = home(signed_in)
    assert "断水の時間が変わりました" in page and "配水管工事" not in page
    do_withdraw_notice(notice, actor=None)
    assert "現在、お知らせはありません。" in home(signed_in)


def test_a_renamed_category_shows_its_new_name(signed_in, tenant):
    make_notice(tenant, title="工事のお知らせ", category_name="工事")
    assert "工事のお知らせ" in home(signed_in)
    category = NoticeCategory.objects.get(tenant=tenant, name="工事")
    category.name = "道路工事"
    category.save()
    assert "道路工事" in home(signed_in)


def test_reading_one_notice_takes_its_mark_and_the_count_down_at_once(signed_in, tenant):
    first = make_notice(tenant, title="一つ目")
    make_notice(tenant, title="二つ目")
    assert "未読 2件" in home(signed_in)
    signed_in.get(f"/notices/{first.pk}")
    page = home(signed_in)
    assert "未読 1件" in page and "未読 一つ目" not in page and "未読 二つ目" in page


def test_a_notice_for_a_contract_leaves_home_with_the_members_link(signed_in, tenant, member, link):
    make_notice(tenant, title="本町の断水", audience="contracts", targets=[link.customer_id])
    assert "本町の断水" in home(signed_in)
    do_revoke_link(member, link)
    assert "本町の断水" not in home(signed_in)


def test_the_kept_list_is_the_towns_each_member_sees_their_own(portal, tenant, link, clock):
    """Two members of one town: the list kept by the first one's view holds a notice for
    the first one's contract, which the second one is not shown."""
    mine = make_customer(tenant, number="10109999", address="おうむ町本町1-2")
    first = make_member(tenant, "first@example.jp")
    make_link(first, mine)
    make_notice(tenant, title="本町の断水", audience="contracts", targets=[mine.pk])
    make_notice(tenant, title="全員へのお知らせ")
    sign_in(portal, first)
    page = home(portal)
    assert "本町の断水" in page and "未読 2件" in page
    portal.client.logout()
    sign_in(portal, make_member(tenant, "second@example.jp"))
    page = home(portal)
    assert "本町の断水" not in page and "全員へのお知らせ" in page and "未読 1件" in page


def test_a_kept_list_is_not_used_past_a_notices_end(signed_in, tenant, clock):
    # Sooner than the list's own minute in the cache.
    make_notice(tenant, title="今日だけのお知らせ", ends_at=timezone.now() + SECONDS_30)
    assert "今日だけのお知らせ" in home(signed_in)
    clock.shift(SECONDS_30)
    assert "今日だけのお知らせ" not in home(signed_in)


def test_a_kept_list_is_not_used_past_a_notices_start(signed_in, tenant, clock):
    make_notice(tenant, title="予約したお知らせ", starts_at=timezone.now() + SECONDS_30)
    assert "予約したお知らせ" not in home(signed_in)
    clock.shift(SECONDS_30)
    assert "予約したお知らせ" in home(signed_in)


def test_each_town_keeps_its_own_list(signed_in, tenant, other_tenant, other_portal):
    make_notice(tenant, title="おうむ町のお知らせ")
    make_notice(other_tenant, title="きた市のお知らせ")
    assert "おうむ町のお知らせ" in home(signed_in)
    sign_in(other_portal, make_member(other_tenant, "kita@example.jp"))
    page = home(other_portal)
    assert "きた市のお知らせ" in page and "おうむ町" not in page
    page = home(signed_in)
    assert "おうむ町のお知らせ" in page and "きた市" not in page


def test_the_kept_list_gives_the_members_the_notices_visible_to_gives_them(
    tenant, other_tenant, member, link, clock
):
    """The kept path applies the audience rule of ``Notice.objects.visible_to`` itself:
    for every kind of notice, both give one member the same notices, in the same order,
    read or not, the list kept or read afresh."""
    now = timezone.now()
    theirs = make_customer(tenant, number="10109998", address="おうむ町北町")
    neighbour = make_member(tenant, "tonari@example.jp")
    make_link(neighbour, theirs)
    read = make_notice(tenant, title="全員へ", starts_at=now - SECONDS_30)
    make_notice(tenant, title="どなたでも", audience="public")
    make_notice(tenant, title="この契約へ", audience="contracts", targets=[link.customer_id])
    make_notice(tenant, title="隣の契約へ", audience="contracts", targets=[theirs.pk])
    make_notice(tenant, title="予約", starts_at=now + SECONDS_30)
    make_notice(tenant, title="すぐ終わる", ends_at=now + SECONDS_30 / 2)
    do_withdraw_notice(make_notice(tenant, title="取り下げ"), actor=None)
    make_notice(tenant, title="下書き", publish=False)
    make_notice(other_tenant, title="きた市へ")
    do_mark_read(member, read)
    # Now, then once the scheduled one has started and the short one ended.
    for _ in range(2):
        now = timezone.now()
        for who in (member, neighbour, member):  # member again: from the kept list
            expected = with_reads(Notice.objects.visible_to(who, now), who).newest_first()
            assert [(n.pk, n.is_read) for n in member_view(who, now)] == [
                (n.pk, n.is_read) for n in expected
            ]
        clock.shift(SECONDS_30)


def test_a_read_notice_that_ended_and_was_extended_comes_back_read(signed_in, tenant, member):
    """The member's reads were kept for the notices live without it: they are read
    again for the list that has it."""
    soon = timezone.now() + dt.timedelta(minutes=2)
    ending = make_notice(tenant, title="短い断水", ends_at=soon)
    make_notice(tenant, title="工事のお知らせ")
    do_mark_read(member, ending)  # then it ends before the next view
    with time_machine.travel(soon + SECONDS_30, tick=False):
        assert "短い断水" not in home(signed_in)
        do_edit_notice(
            ending,
            notice_fields(tenant, title="短い断水", ends_at=soon + dt.timedelta(days=1)),
            actor=None,
        )
        page = home(signed_in)
    assert "短い断水" in page and "未読 短い断水" not in page and "未読 工事のお知らせ" in page


def test_a_read_whose_version_was_never_replaced_shows_within_a_minute(signed_in, tenant, member):
    """As when Redis could not be reached from the process that marked it, or a process
    of the release before (which did not replace the version) did."""
    notice = make_notice(tenant, title="断水のお知らせ")
    assert "未読 断水のお知らせ" in home(signed_in)
    NoticeRead.objects.create(tenant=tenant, notice=notice, member=member, read_at=timezone.now())
    assert "未読 断水のお知らせ" in home(signed_in)  # kept: nothing said it changed
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert "未読 断水のお知らせ" not in home(signed_in)


def test_a_read_marked_where_nothing_is_kept_still_reaches_the_processes_that_keep(
    signed_in, tenant, member, settings
):
    notice = make_notice(tenant, title="断水のお知らせ")
    assert "未読 断水のお知らせ" in home(signed_in)
    settings.HOME_CACHE_SECONDS = 0  # the process that marks it keeps nothing
    do_mark_read(member, notice)
    settings.HOME_CACHE_SECONDS = 600
    assert "未読 断水のお知らせ" not in home(signed_in)
