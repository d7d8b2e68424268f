"""The console's inquiry inbox: tabs, waiting time, the page (a look), assigning,
answering and closing, by role and against the other town."""

import datetime as dt

import pytest
from django.utils import timezone

from waterportal.audit.models import AuditEvent
from waterportal.inquiries import actions as inquiry_actions
from waterportal.inquiries.models import Inquiry, Status
from waterportal.testing import mails_to, make_member, make_staff, settings_form_of, text_of
from waterportal.testing.inquiries import make_inquiry

pytestmark = pytest.mark.usefixtures("clock")
DAY = dt.timedelta(days=1)


def test_the_inbox_lists_new_inquiries_the_longest_waiting_first(console, tenant, clock):
    now = timezone.now()
    newer = make_inquiry(tenant, subject="新しい方", when=now - DAY)
    older = make_inquiry(tenant, subject="古い方", when=now - 8 * DAY)
    page = text_of(console.get("/staff/inquiries"))
    assert page.index(older.reference) < page.index(newer.reference)
    # 2026-11-17 (Tue) to 11-25 (Wed): 18, 19, 20, 24, 25 (23 is a holiday): 5 business days.
    assert "5営業日" in page and "目安超過" in page
    assert "1営業日" in page


def test_the_tabs_show_each_state(console, tenant):
    make_inquiry(tenant, subject="回答済みの件", status=Status.ANSWERED)
    make_inquiry(tenant, subject="完了の件", status=Status.CLOSED)
    assert "回答済みの件" not in text_of(console.get("/staff/inquiries"))
    assert "回答済みの件" in text_of(console.get("/staff/inquiries?tab=answered"))
    assert "完了の件" in text_of(console.get("/staff/inquiries?tab=closed"))


def test_mine_lists_what_is_assigned_to_me(console, tenant):
    mine = make_inquiry(
        tenant, subject="私の件", status=Status.IN_PROGRESS, assigned_to=console.staff
    )
    make_inquiry(tenant, subject="誰のでもない件")
    page = text_of(console.get("/staff/inquiries?tab=mine"))
    assert mine.subject in page and "誰のでもない件" not in page


def test_the_menu_counts_the_new_inquiries(console, tenant):
    make_inquiry(tenant)
    make_inquiry(tenant)
    make_inquiry(tenant, status=Status.ANSWERED)
    assert "お問い合わせ（未対応 2件）" in text_of(console.get("/staff/"))


def test_opening_an_inquiry_is_a_look_on_record(console, tenant, member):
    inquiry = make_inquiry(tenant, member=member)
    page = text_of(console.get(f"/staff/inquiries/{inquiry.pk}"))
    assert "本文です" in page and member.name in page
    look = AuditEvent.objects.get(action="staff_viewed_inquiry")
    assert look.actor == console.staff and look.member == member
    assert look.data["inquiry"] == inquiry.pk


def test_an_answer_sent_back_for_a_correction_is_a_look_too(console, tenant, member):
    """The page shown again with the form's error holds the thread and the address."""
    inquiry = make_inquiry(tenant, member=member)
    response = console.post(f"/staff/inquiries/{inquiry.pk}/answer", {"body": ""})
    assert response.status_code == 200 and "本文です" in text_of(response)
    look = AuditEvent.objects.get(action="staff_viewed_inquiry")
    assert look.actor == console.staff and look.member == member
    assert look.data["inquiry"] == inquiry.pk
    console.get(f"/staff/inquiries/{inquiry.pk}")
    assert AuditEvent.objects.filter(action="staff_viewed_inquiry").count() == 2


def test_opening_the_inbox_is_a_look_on_record(console, tenant):
    shown = make_inquiry(tenant, subject="漏水の件")
    make_inquiry(tenant, status=Status.CLOSED)
    assert "漏水の件" in text_of(console.get("/staff/inquiries"))
    look = AuditEvent.objects.get(action="staff_listed_inquiries")
    assert look.actor == console.staff and look.source == "127.0.0.1"
    assert look.data["tab"] == "new" and look.data["inquiries"] == [shown.pk]


def test_a_guests_inquiry_shows_the_confirmed_address(console, tenant):
    inquiry = make_inquiry(tenant, email="guest@example.jp")
    assert "guest@example.jp" in text_of(console.get(f"/staff/inquiries/{inquiry.pk}"))


def test_assigning_to_me_and_to_another_clerk(console, tenant):
    inquiry = make_inquiry(tenant)
    console.post(f"/staff/inquiries/{inquiry.pk}/assign", {"staff": "me"})
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == console.staff and inquiry.status == Status.IN_PROGRESS
    clerk = make_staff(tenant, "tanto2@town.oumu.example.jp", role="clerk", name="担当 二郎")
    console.post(f"/staff/inquiries/{inquiry.pk}/assign", {"staff": str(clerk.user.pk)})
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == clerk.user
    assert AuditEvent.objects.filter(action="staff_assigned_inquiry").count() == 2


def test_a_viewer_cannot_be_assigned(console, tenant):
    inquiry = make_inquiry(tenant)
    viewer = make_staff(tenant, "etsuran2@town.oumu.example.jp", role="viewer")
    response = console.post(f"/staff/inquiries/{inquiry.pk}/assign", {"staff": str(viewer.user.pk)})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.assigned_to is None


def test_answering_mails_the_member_and_is_on_record(console, tenant, member):
    inquiry = make_inquiry(tenant, member=member)
    response = console.post(
        f"/staff/inquiries/{inquiry.pk}/answer", {"body": "窓口で手続きできます。"}
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ANSWERED and inquiry.assigned_to == console.staff
    (mail,) = mails_to(member.email)
    assert inquiry.reference in mail.subject and "窓口で手続き" not in mail.body
    assert AuditEvent.objects.filter(action="staff_answered_inquiry", actor=console.staff).exists()


def test_an_empty_answer_says_so(console, tenant):
    inquiry = make_inquiry(tenant)
    response = console.post(f"/staff/inquiries/{inquiry.pk}/answer", {"body": "  "})
    assert response.status_code == 200 and "回答を入力してください" in text_of(response)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW


def test_closing_and_opening_again(console, tenant):
    inquiry = make_inquiry(tenant, status=Status.ANSWERED)
    console.post(f"/staff/inquiries/{inquiry.pk}/close")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.CLOSED and inquiry.closed_at is not None
    console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": "in_progress"})
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.closed_at is None
    assert inquiry.waiting_since is not None
    assert AuditEvent.objects.filter(action="staff_closed_inquiry").count() == 1
    assert AuditEvent.objects.filter(action="staff_changed_inquiry_status").count() == 1


def test_answered_cannot_be_set_by_hand(console, tenant):
    inquiry = make_inquiry(tenant)
    response = console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": "answered"})
    assert response.status_code == 400
    assert "この状態にはできません" in text_of(response)
    assert "「回答する」の欄から回答を送ってください" in text_of(response)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW and inquiry.answered_at is None
    assert not AuditEvent.objects.filter(action="staff_changed_inquiry_status").exists()


def test_the_action_refuses_answered_by_hand(console, tenant):
    inquiry = make_inquiry(tenant)
    with pytest.raises(inquiry_actions.NotByHand):
        inquiry_actions.do_set_status(
            inquiry, Status.ANSWERED, actor=console.staff, source="127.0.0.1"
        )
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW


@pytest.mark.parametrize("status", ["new", "in_progress", "closed"])
def test_the_states_the_page_offers_can_be_set_by_hand(console, tenant, status):
    inquiry = make_inquiry(tenant, status=Status.IN_PROGRESS if status == "new" else Status.NEW)
    response = console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": status})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == status


def test_closing_and_opening_again_keeps_the_waiting_of_a_question_never_answered(console, tenant):
    asked = timezone.now() - 3 * DAY
    inquiry = make_inquiry(tenant, when=asked)
    inquiry_actions.do_close(inquiry, actor=console.staff, source="127.0.0.1", now=asked + DAY)
    console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": "in_progress"})
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.waiting_since == asked


def test_opening_an_answered_one_again_waits_since_the_residents_reply(console, tenant):
    asked = timezone.now() - 5 * DAY
    inquiry = make_inquiry(tenant, when=asked)
    staff, ip = console.staff, "127.0.0.1"
    inquiry_actions.do_answer(inquiry, body="回答です", actor=staff, source=ip, now=asked + DAY)
    replied = asked + 2 * DAY
    inquiry_actions.do_resident_reply(inquiry, body="まだです", source=ip, now=replied)
    inquiry_actions.do_close(inquiry, actor=staff, source=ip, now=asked + 3 * DAY)
    console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": "new"})
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW and inquiry.waiting_since == replied


def test_opening_an_answered_one_again_with_no_reply_waits_from_now(console, tenant):
    asked = timezone.now() - 5 * DAY
    inquiry = make_inquiry(tenant, when=asked)
    inquiry_actions.do_answer(
        inquiry, body="回答です", actor=console.staff, source="127.0.0.1", now=asked + DAY
    )
    console.post(f"/staff/inquiries/{inquiry.pk}/status", {"status": "in_progress"})
    inquiry.refresh_from_db()
    assert inquiry.waiting_since == timezone.now()


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_act_and_viewers_read(console_as, tenant, role):
    inquiry = make_inquiry(tenant)
    browser = console_as(role)
    assert browser.get(f"/staff/inquiries/{inquiry.pk}").status_code == 200
    page = browser.get(f"/staff/inquiries/{inquiry.pk}").content.decode()
    assert ("回答を送る" in page) is (role == "clerk")
    response = browser.post(f"/staff/inquiries/{inquiry.pk}/answer", {"body": "回答"})
    assert response.status_code == (302 if role == "clerk" else 403)


def test_another_towns_staff_get_404_on_every_inquiry_address(other_console, tenant, member):
    inquiry = make_inquiry(tenant, member=member)
    base = f"/staff/inquiries/{inquiry.pk}"
    assert other_console.get(base).status_code == 404
    for action, data in [
        ("assign", {"staff": "me"}),
        ("answer", {"body": "よその町から"}),
        ("status", {"status": "closed"}),
        ("close", {}),
    ]:
        assert other_console.post(f"{base}/{action}", data).status_code == 404, action
    assert inquiry.reference not in text_of(other_console.get("/staff/inquiries"))
    inquiry.refresh_from_db()
    assert inquiry.status == Status.NEW and inquiry.messages.count() == 1
    assert not mails_to(member.email)
    assert not AuditEvent.objects.filter(action__contains="inquiry").exists()


def test_the_other_towns_menu_does_not_count_this_towns_inquiries(other_console, tenant):
    make_inquiry(tenant)
    assert "未対応 1件" not in text_of(other_console.get("/staff/"))


def test_the_target_time_is_set_on_the_settings_page(console, tenant):
    response = console.post("/staff/settings", settings_form_of(tenant, inquiry_target_days="5"))
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.inquiry_target_days == 5
    event = AuditEvent.objects.get(action="tenant_settings_changed")
    assert event.data["after"] == {"inquiry_target_days": 5}


@pytest.mark.parametrize("value", ["0", "31", "abc"])
def test_a_target_time_out_of_range_is_refused(console, tenant, value):
    response = console.post("/staff/settings", settings_form_of(tenant, inquiry_target_days=value))
    assert response.status_code == 200 and "回答の目安" in text_of(response)
    tenant.refresh_from_db()
    assert tenant.inquiry_target_days == 2


def test_only_a_manager_sees_the_target_time(console_as):
    assert console_as("clerk").get("/staff/settings").status_code == 403


def test_the_member_of_an_inquiry_cannot_be_seen_by_a_member_of_another_town(other_portal, tenant):
    theirs = make_member(tenant, "x@example.jp")
    inquiry = make_inquiry(tenant, member=theirs)
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    assert other_portal.get(f"/inquiries/{inquiry.pk}").status_code in (302, 404)


def test_back_to_in_progress_is_offered_only_once_answered_or_closed(console, tenant):
    for status, offered in [
        (Status.NEW, False),
        (Status.IN_PROGRESS, False),
        (Status.ANSWERED, True),
        (Status.CLOSED, True),
    ]:
        inquiry = make_inquiry(tenant, status=status)
        page = text_of(console.get(f"/staff/inquiries/{inquiry.pk}"))
        assert ("対応中に戻す" in page) is offered, status
