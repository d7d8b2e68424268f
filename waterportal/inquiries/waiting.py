"""How long inquiries have waited for an answer, in the town's business days."""

import datetime as dt
from dataclasses import dataclass

from waterportal.inquiries.models import WAITING, Inquiry
from waterportal.tenants.calendar import is_business_day, local_date
from waterportal.tenants.models import Tenant

# Past this many calendar days, the count stops (and says at least this many).
_LONGEST = 400


def business_days_between(tenant: Tenant, since: dt.date, today: dt.date) -> int:
    """The town's business days after ``since`` up to and including ``today``: an
    inquiry sent on a Wednesday has waited 2 business days on Friday, and still 2 over
    the weekend, 3 on Monday (unless it is a holiday or a closed day)."""
    if today <= since:
        return 0
    start = max(since, today - dt.timedelta(days=_LONGEST))
    closed = set(
        tenant.closed_days.filter(date__gt=start, date__lte=today).values_list("date", flat=True)
    )
    days, day = 0, start + dt.timedelta(days=1)
    while day <= today:
        if is_business_day(tenant, day, closed):
            days += 1
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class Waiting:
    inquiry: Inquiry
    days: int  # business days waited

    @property
    def reference(self) -> str:
        return self.inquiry.reference


def waiting_rows(tenant: Tenant, inquiries, today: dt.date) -> list[Waiting]:
    """Each inquiry with the business days it has waited (0 for those not waiting)."""
    rows = []
    for inquiry in inquiries:
        days = 0
        if inquiry.status in WAITING and inquiry.waiting_since is not None:
            days = business_days_between(tenant, local_date(inquiry.waiting_since), today)
        rows.append(Waiting(inquiry, days))
    return rows


def overdue(tenant: Tenant, today: dt.date) -> list[Waiting]:
    """The town's inquiries waiting longer than its target, the longest waiting first."""
    candidates = Inquiry.objects.filter(
        tenant=tenant, status__in=WAITING, waiting_since__isnull=False
    ).order_by("waiting_since", "pk")
    return [
        row
        for row in waiting_rows(tenant, candidates, today)
        if row.days > tenant.inquiry_target_days
    ]
