"""What a resident reads of the notices, for the web pages and the apps alike: the list
(a member's with their unread marks, or the public one), and one notice for a member."""

from typing import Any

from django.db.models import Exists, OuterRef

from waterportal.notices.models import Notice, NoticeRead

LIST_SIZE = 50


class NoticeGone(Exception):
    """The notice was shown and is no longer (withdrawn, or past its end): the page says
    so (410) instead of "not found"."""


def with_reads(notices, member):
    """``notices`` with ``is_read`` for ``member``."""
    reads = NoticeRead.objects.filter(notice_id=OuterRef("pk"), member_id=member.pk)
    return notices.annotate(is_read=Exists(reads))


def public_notices(tenant, now) -> list[Notice]:
    """The town's newest public notices, for whoever is not one of its members."""
    notices = Notice.objects.public(now).filter(tenant=tenant).select_related("category")
    return list(notices.newest_first()[:LIST_SIZE])


def member_notices(member, now) -> list[Any]:
    """The newest notices ``member`` sees (``visible_to``), each with ``is_read`` (which
    ``Notice`` does not declare, hence ``Any``)."""
    visible = Notice.objects.visible_to(member, now).select_related("category")
    return list(with_reads(visible, member).newest_first()[:LIST_SIZE])


def unread_count(notices: list[Any]) -> int:
    """How many of ``member_notices``' notices are unread."""
    return sum(1 for notice in notices if not notice.is_read)


def member_notice(member, notice_id: int, now) -> Notice | None:
    """The notice ``notice_id`` if ``member`` sees it now; None if it is not for them (or
    not there); raises ``NoticeGone`` for one of theirs that was withdrawn or ended."""
    notice = (
        Notice.objects.visible_to(member, now).select_related("category").filter(pk=notice_id)
    ).first()
    if notice is None and (
        Notice.objects.gone(now).for_member(member, now).filter(pk=notice_id).exists()
    ):
        raise NoticeGone()
    return notice
