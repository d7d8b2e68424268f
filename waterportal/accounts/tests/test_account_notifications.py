"""Notification settings: 新しい請求のお知らせメール and 重要なお知らせのメール on or off."""

from waterportal.accounts.actions import do_change_notification_settings
from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent


def test_the_page_shows_the_current_setting(signed_in, member):
    page = signed_in.get("/account/notifications")
    assert "新しい請求のお知らせメール" in page.text and "checked" in page.text
    assert "no-store" in page["Cache-Control"]


def test_unticking_turns_the_bill_mail_off_and_ticking_turns_it_on(signed_in, member):
    # An unticked checkbox sends nothing: the form posts no field at all.
    assert signed_in.post("/account/notifications", {}).url == "/account"
    assert User.objects.get(pk=member.pk).notify_new_bill is False
    assert "checked" not in signed_in.get("/account/notifications").text
    assert "受け取らない" in signed_in.get("/account").text
    signed_in.post("/account/notifications", {"notify_new_bill": "on"})
    assert User.objects.get(pk=member.pk).notify_new_bill is True
    events = AuditEvent.objects.filter(action="notifications_changed", member=member)
    assert [e.data for e in events.order_by("pk")] == [
        {"notify_new_bill": False, "notify_notices": False},
        {"notify_new_bill": True, "notify_notices": False},
    ]


def test_the_notices_setting_sits_beside_the_bills_one(signed_in, member):
    page = signed_in.get("/account/notifications").text
    assert "重要なお知らせのメールを受け取る" in page
    signed_in.post("/account/notifications", {"notify_new_bill": "on"})
    member.refresh_from_db()
    assert (member.notify_new_bill, member.notify_notices) == (True, False)
    assert "重要なお知らせのメール: 受け取らない" in signed_in.get("/account").text
    signed_in.post("/account/notifications", {"notify_notices": "on"})
    member.refresh_from_db()
    assert (member.notify_new_bill, member.notify_notices) == (False, True)


def test_saving_the_setting_writes_only_that_column(member):
    """A name changed elsewhere meanwhile is not overwritten by a stale copy of the member."""
    User.objects.filter(pk=member.pk).update(name="変更後の名前")
    do_change_notification_settings(member, notify_new_bill=False)
    member.refresh_from_db()
    assert member.name == "変更後の名前" and member.notify_new_bill is False


def test_a_strange_value_is_read_as_on(signed_in, member):
    signed_in.post("/account/notifications", {"notify_new_bill": "x" * 10_000})
    assert User.objects.get(pk=member.pk).notify_new_bill is True
