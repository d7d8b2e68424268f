"""Who sees a notice and when: the audience, the contracts chosen by number or by
address, the schedule and the end of publication, reads, edits and their history."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from waterportal.notices import targeting
from waterportal.notices.actions import (
    NoticeError,
    do_create_category,
    do_edit_notice,
    do_mark_read,
    do_publish_notice,
    do_withdraw_notice,
)
from waterportal.notices.models import DEFAULT_CATEGORIES, Notice, NoticeCategory
from waterportal.tenants.actions import do_create_tenant
from waterportal.testing import make_customer, make_link, make_member
from waterportal.testing.notices import hours, make_notice, notice_fields


def visible(member, now=None):
    with scope(tenant=member.tenant):
        return list(
            Notice.objects.visible_to(member, now or timezone.now())
            .newest_first()
            .values_list("title", flat=True)
        )


def test_every_town_starts_with_the_six_categories(tenant, other_tenant):
    for town in (tenant, other_tenant):
        names = list(NoticeCategory.objects.filter(tenant=town).values_list("name", flat=True))
        assert names == list(DEFAULT_CATEGORIES)
    town = do_create_tenant(slug="minami", name="みなみ村")
    assert NoticeCategory.objects.filter(tenant=town).count() == 6


def test_a_town_adds_its_own_category_once(tenant):
    category = do_create_category(tenant, "水質検査", actor=None)
    assert category.position == 7
    with pytest.raises(NoticeError, match="すでにあります"):
        do_create_category(tenant, "水質検査", actor=None)


def test_a_notice_for_members_is_seen_by_every_member_of_its_town_only(
    tenant, other_tenant, member, clock
):
    make_notice(tenant, title="町の全会員へ")
    other_member = make_member(other_tenant)
    assert visible(member) == ["町の全会員へ"]
    assert visible(other_member) == []


def test_a_draft_and_a_withdrawn_notice_are_not_seen(tenant, member, clock):
    make_notice(tenant, title="下書き", publish=False)
    notice = make_notice(tenant, title="取り下げ")
    assert visible(member) == ["取り下げ"]
    do_withdraw_notice(notice, actor=None)
    assert visible(member) == []


def test_a_scheduled_notice_appears_at_its_start_and_goes_at_its_end(tenant, member, clock):
    now = timezone.now()
    notice = make_notice(tenant, title="予約", starts_at=now + hours(2), ends_at=now + hours(5))
    assert notice.state() == "公開予定"
    assert visible(member) == []
    clock.shift(hours(2))
    assert visible(member) == ["予約"]
    notice.refresh_from_db()
    assert notice.state() == "公開中"
    clock.shift(hours(3))
    assert visible(member) == []
    notice.refresh_from_db()
    assert notice.state() == "公開終了"


def test_an_end_before_the_start_is_refused(tenant, clock):
    now = timezone.now()
    with pytest.raises(NoticeError, match="公開終了は、公開開始より後"):
        make_notice(tenant, starts_at=now, ends_at=now - hours(1))


def test_a_notice_whose_end_has_passed_cannot_be_published(tenant, clock):
    now = timezone.now()
    notice = make_notice(tenant, publish=False, starts_at=now - hours(3), ends_at=now + hours(1))
    clock.shift(hours(2))
    with pytest.raises(NoticeError, match="公開終了の日時が過ぎています"):
        do_publish_notice(notice, actor=None)


def test_contracts_chosen_by_number_reach_only_their_linked_members(tenant, member, clock):
    mine = make_customer(tenant, number="10100001")
    make_link(member, mine)
    neighbour = make_member(tenant, "tonari@example.jp")
    make_link(neighbour, make_customer(tenant, number="10100002"))
    ids = targeting.by_numbers(tenant, targeting.numbers_in_text("１０１０-０００１\n"))
    make_notice(tenant, title="あなたの契約", audience="contracts", targets=ids)
    assert visible(member) == ["あなたの契約"]
    assert visible(neighbour) == []


def test_a_revoked_or_not_yet_active_link_does_not_count(tenant, member, clock):
    customer = make_customer(tenant, number="10100001")
    make_link(member, customer, revoked=True)
    later = make_member(tenant, "later@example.jp")
    make_link(later, customer, active_from=dt.date(2027, 1, 1))
    make_notice(tenant, audience="contracts", targets=[customer.pk])
    assert visible(member) == [] and visible(later) == []


def test_unknown_numbers_are_reported_by_number_not_dropped(tenant, customer):
    with pytest.raises(targeting.TargetError) as error:
        targeting.by_numbers(tenant, ["10100001", "1010-0099", "20200001"])
    assert "2件" in str(error.value)
    assert "1010-0099" in str(error.value) and "20200001" in str(error.value)
    with pytest.raises(targeting.TargetError, match="読めない.*abc"):
        targeting.by_numbers(tenant, ["10100001", "abc"])
    with pytest.raises(targeting.TargetError) as both:
        targeting.by_numbers(tenant, ["abc", "1010-0099"])
    assert len(both.value.messages) == 2  # one round of corrections, not two
    assert "abc" in both.value.messages[0] and "1010-0099" in both.value.messages[1]


def test_numbers_of_another_town_are_unknown(tenant, other_tenant):
    make_customer(other_tenant, number="30300001")
    with pytest.raises(targeting.TargetError, match="30300001"):
        targeting.by_numbers(tenant, ["30300001"])


def test_a_csv_file_gives_its_first_column_header_or_not(tenant):
    data = "使用者番号,氏名\r\n10100001,ヤマダ\r\n1010-0002,スズキ\r\n".encode("cp932")
    assert targeting.numbers_in_csv(data) == ["10100001", "1010-0002"]
    assert targeting.numbers_in_csv(b"\xef\xbb\xbf10100003\n") == ["10100003"]


def test_an_address_prefix_reaches_one_district_only(tenant, member, clock):
    honmachi = make_customer(tenant, number="10100001", address="おうむ町本町1丁目2-3")
    make_link(member, honmachi)
    other = make_member(tenant, "kita@example.jp")
    make_link(other, make_customer(tenant, number="10100002", address="おうむ町北町3-1"))
    ids = targeting.by_address_prefix(tenant, "おうむ町本町")
    assert ids == [honmachi.pk]
    make_notice(tenant, title="本町の断水", audience="contracts", targets=ids)
    assert visible(member) == ["本町の断水"] and visible(other) == []


def test_an_address_prefix_matching_nothing_is_an_error(tenant, customer):
    with pytest.raises(targeting.TargetError, match="「南町」で始まる契約はありません"):
        targeting.by_address_prefix(tenant, "南町")
    with pytest.raises(targeting.TargetError, match="始めの文字を入力"):
        targeting.by_address_prefix(tenant, "  ")


def test_a_contracts_notice_needs_contracts(tenant):
    with pytest.raises(NoticeError, match="対象の契約を選んでください"):
        make_notice(tenant, audience="contracts", targets=[])


def test_opening_marks_read_once(tenant, member, clock):
    notice = make_notice(tenant)
    assert do_mark_read(member, notice) is True
    assert do_mark_read(member, notice) is False


def test_an_edit_keeps_what_the_notice_was(tenant, console, clock):
    notice = make_notice(tenant, title="最初の題", actor=console.staff)
    fields = notice_fields(tenant, title="直した題", category_name="工事")
    do_edit_notice(notice, fields, actor=console.staff)
    notice.refresh_from_db()
    assert (notice.title, notice.category.name) == ("直した題", "工事")
    (revision,) = notice.revisions.all()
    assert (revision.title, revision.category_name, revision.edited_by) == (
        "最初の題",
        "断水・濁水",
        console.staff,
    )
