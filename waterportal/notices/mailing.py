"""Who gets an important notice's email: the members it is for, who have not turned
those emails off, and have not been emailed about it already (``NoticeEmail``)."""

from waterportal.accounts.models import User
from waterportal.notices.models import Notice, NoticeEmail, NoticeTarget, active_links


def audience(notice: Notice, now):
    """The members ``notice`` is for (whatever their settings), by id."""
    members = User.members.filter(tenant_id=notice.tenant_id, is_active=True)
    if notice.audience != Notice.Audience.CONTRACTS:
        return members
    # IN (subquery), which PostgreSQL hashes once. With the statistics of an empty
    # table it joined members to targets row by row instead (30 emails/s in bench/notify),
    # hence the ANALYZE after a large choice of contracts (actions._set_targets).
    targeted = NoticeTarget.objects.filter(notice_id=notice.pk).values("customer_id")
    links = active_links(now).filter(customer_id__in=targeted).values("member_id")
    return members.filter(pk__in=links)


def recipients(notice: Notice, now):
    """``(id, address)`` of the members still to email about ``notice``, by id."""
    emailed = NoticeEmail.objects.filter(notice_id=notice.pk).values("member_id")
    return (
        audience(notice, now)
        .filter(notify_notices=True)
        .exclude(pk__in=emailed)
        .order_by("pk")
        .values_list("pk", "email", "language")
    )
