"""Inquiries in tests: sending one as a resident (a member, or a guest through the
code), and making one directly."""

from typing import Any

from django.utils import timezone

from waterportal.inquiries.models import Inquiry, InquiryMessage, Status
from waterportal.testing.browser import Portal
from waterportal.testing.mail import code_from_mail

QUESTION = {
    "kind": "moving",
    "subject": "引っ越しの手続きについて",
    "body": "来月、町内で引っ越します。\n手続きを教えてください。",
}


def send_inquiry(portal: Portal, **fields: Any) -> Any:
    """The form of /inquiries/new as filled in (a member's or a confirmed guest's)."""
    return portal.post("/inquiries/new", QUESTION | fields)


def confirm_guest(portal: Portal, email: str) -> Any:
    """Someone who is not a member: the address, then the code from its mail."""
    response = portal.post("/inquiries/email", {"email": email})
    assert response.status_code == 302 and response.url == "/inquiries/code", response
    return portal.post("/inquiries/code", {"code": code_from_mail(email)})


def make_inquiry(
    tenant, *, member=None, email="", status=Status.NEW, when=None, **fields: Any
) -> Inquiry:
    """An inquiry as if sent at ``when`` (now by default), with its first message."""
    when = when or timezone.now()
    last = Inquiry.objects.filter(tenant=tenant).order_by("-seq").first()
    seq = (last.seq if last else 0) + 1
    waiting = status in (Status.NEW, Status.IN_PROGRESS)
    inquiry = Inquiry.objects.create(
        tenant=tenant,
        seq=seq,
        reference=f"Q-{when.year}-{seq:06d}",
        kind=fields.pop("kind", "other"),
        subject=fields.pop("subject", "質問です"),
        member=member,
        email="" if member else (email or "guest@example.jp"),
        status=status,
        created_at=when,
        last_resident_message_at=when,
        waiting_since=when if waiting else None,
        **fields,
    )
    InquiryMessage.objects.create(
        tenant=tenant, inquiry=inquiry, author=member, body="本文です", created_at=when
    )
    return inquiry
