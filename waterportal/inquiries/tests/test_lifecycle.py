"""An inquiry from start to end, with every mail through a real SMTP server: a member's
(submitted, seen and answered in the console, read and replied to, closed) and a
guest's (address, code, form, answer through the mailed link)."""

import re

import pytest

from waterportal.audit.models import AuditEvent
from waterportal.inquiries.models import Inquiry, Status
from waterportal.testing import SMTPServer, smtp_mailer, text_of
from waterportal.testing.inquiries import send_inquiry

pytestmark = pytest.mark.usefixtures("clock")
GUEST = "guest@example.jp"


@pytest.fixture
def smtp(settings):
    server = SMTPServer().start()
    smtp_mailer(settings, server.port, timeout=5)
    try:
        yield server
    finally:
        server.stop()


def mail(smtp, count: int):
    """The ``count``-th mail received: its recipient, subject and text."""
    messages = smtp.inbox.wait_for(count, timeout=10)
    assert len(messages) >= count, [m["Subject"] for m in messages]
    message = messages[count - 1]
    return message["To"], str(message["Subject"]), message.get_body(("plain",)).get_content()


def test_a_members_inquiry_from_start_to_end(smtp, signed_in, member, link, console_as):
    # The member asks about one of their contracts, and is mailed the reference.
    response = send_inquiry(signed_in, customer=str(link.customer_id))
    assert response.url == "/inquiries/done"
    inquiry = Inquiry.objects.get()
    to, subject, text = mail(smtp, 1)
    assert to == member.email and inquiry.reference in subject and "受け付けました" in subject

    # A 担当者 finds it in the inbox, opens it (a look on record), takes it and answers.
    clerk = console_as("clerk")
    assert inquiry.reference in text_of(clerk.get("/staff/inquiries"))
    page = text_of(clerk.get(f"/staff/inquiries/{inquiry.pk}"))
    assert "来月、町内で引っ越します" in page and link.customer.printed_number in page
    assert AuditEvent.objects.filter(action="staff_viewed_inquiry", actor=clerk.staff).exists()
    clerk.post(f"/staff/inquiries/{inquiry.pk}/assign", {"staff": "me"})
    clerk.post(
        f"/staff/inquiries/{inquiry.pk}/answer",
        {"body": "転居の届は役場の窓口か電話で受け付けています。"},
    )
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ANSWERED
    to, subject, text = mail(smtp, 2)
    assert to == member.email and "回答しました" in subject
    url = re.search(r"http\S+(/inquiries/\d+)\?tenant=oumu", text)
    assert url and "転居の届" not in text
    # One "no reply" line, the signature's, not two.
    assert "返信できません" not in text and text.count("返信いただいてもお答えできません") == 1

    # The member reads the answer in their history and replies: it waits again.
    assert "回答済み" in text_of(signed_in.get("/inquiries"))
    thread = signed_in.get(url.group(1))
    assert "転居の届は役場の窓口か電話で受け付けています。" in text_of(thread)
    signed_in.post(url.group(1), {"body": "ありがとうございます。電話で伝えます。"})
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.waiting_since is not None
    assert "ありがとうございます" in text_of(clerk.get(f"/staff/inquiries/{inquiry.pk}"))

    # The clerk closes it; the member sees it done and can no longer reply to it.
    clerk.post(f"/staff/inquiries/{inquiry.pk}/close")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.CLOSED
    assert "完了" in text_of(signed_in.get("/inquiries"))
    response = signed_in.post(url.group(1), {"body": "もう一つ"})
    assert "完了しています" in text_of(response)
    assert inquiry.messages.count() == 3
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "inquiry_submitted",
        "staff_viewed_inquiry",
        "staff_assigned_inquiry",
        "staff_answered_inquiry",
        "inquiry_resident_replied",
        "staff_closed_inquiry",
    } <= actions


def test_a_guests_inquiry_from_start_to_end(smtp, portal, console_as):
    response = portal.post("/inquiries/email", {"email": GUEST})
    assert response.url == "/inquiries/code"
    to, subject, text = mail(smtp, 1)
    assert to == GUEST and "認証コード" in subject
    found = re.search(r"認証コード: (\d{6})", text)
    assert found
    code = found.group(1)
    assert portal.post("/inquiries/code", {"code": code}).url == "/inquiries/new"
    assert send_inquiry(portal).url == "/inquiries/done"
    inquiry = Inquiry.objects.get()
    assert inquiry.reference in text_of(portal.get("/inquiries/done"))
    to, subject, text = mail(smtp, 2)
    assert to == GUEST and inquiry.reference in subject

    clerk = console_as("clerk")
    assert GUEST in text_of(clerk.get(f"/staff/inquiries/{inquiry.pk}"))
    clerk.post(f"/staff/inquiries/{inquiry.pk}/answer", {"body": "窓口で受け付けます。"})
    to, subject, text = mail(smtp, 3)
    assert to == GUEST and "回答しました" in subject
    found = re.search(r"http\S+(/inquiries/t/[\w-]+)\?tenant=oumu", text)
    assert found
    token_url = found.group(1)

    thread = portal.get(token_url)
    assert thread.status_code == 200 and "窓口で受け付けます。" in text_of(thread)
    portal.post(token_url, {"body": "分かりました。"})
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS  # the clerk who answered is assigned
    assert portal.get(token_url[:-3] + "xyz").status_code == 404
