"""Next-business-day activation of links.

A link made on a day becomes visible at the start of the tenant's next business day
(``Link.active_from``, fixed when the link is made). Visibility itself is decided by that
date, so a late or missed run never hides a contract; the daily job records the moment
each link went live (``activated_at``) and leaves an audit row for staff.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from audit.models import AuditEvent
from billing import freshness
from contracts.models import Link
from tenants.models import Tenant


def do_activate_due_links(tenant: Tenant, as_of: dt.date, *, now=None) -> int:
    """Mark every link of ``tenant`` due on or before ``as_of`` as active; returns how many."""
    now = now or timezone.now()
    with scope(tenant=tenant), transaction.atomic():
        due = list(
            Link.objects.select_for_update()
            .filter(
                tenant=tenant,
                active_from__lte=as_of,
                activated_at__isnull=True,
                revoked_at__isnull=True,
            )
            .values_list("pk", "member_id")
        )
        if not due:
            return 0
        Link.objects.filter(pk__in=[pk for pk, _ in due]).update(activated_at=now)
        freshness.tenant_data_changed(tenant.pk)  # update() sends no signals
        AuditEvent.objects.bulk_create(
            AuditEvent(
                tenant=tenant,
                created_at=now,
                action="link_activated",
                member_id=member_id,
                data={"link": pk},
            )
            for pk, member_id in due
        )
    return len(due)


def activate_all(as_of: dt.date | None = None, *, tenants=None, now=None) -> dict[str, int]:
    """Run the activation for each tenant (all active ones by default)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    tenants = (
        tenants if tenants is not None else Tenant.objects.filter(is_active=True).order_by("pk")
    )
    return {t.slug: do_activate_due_links(t, as_of, now=now) for t in tenants}
