"""Who gets an important notice's email: the members it is for, who have not turned
those emails off, and have not been emailed about it already (``NoticeEmail``)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from waterportal.accounts.models import User
from waterportal.contracts.models import Link
from waterportal.notices.models import Notice, NoticeEmail, NoticeTarget


def audience(notice: Notice, now):
    """The members ``notice`` is for (whatever their settings), by id."""
    members = User.members.filter(tenant_id=notice.tenant_id, is_active=True)
    if notice.audience != Notice.Audience.CONTRACTS:
        return members
    targeted = NoticeTarget.objects.filter(notice_id=notice.pk, customer_id=OuterRef("customer_id"))
    links = Link.objects.filter(
        member_id=OuterRef("pk"),
        revoked_at__isnull=True,
        active_from__lte=timezone.localdate(now),
    ).filter(Exists(targeted))
    return members.filter(Exists(links))


def recipients(notice: Notice, now):
    """``(id, address)`` of the members still to email about ``notice``, by id."""
    emailed = NoticeEmail.objects.filter(notice_id=notice.pk, member_id=OuterRef("pk"))
    return (
        audience(notice, now)
        .filter(notify_notices=True)
        .exclude(Exists(emailed))
        .order_by("pk")
        .values_list("pk", "email")
    )
