"""The console's home page: today's figures."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from waterportal.accounts.models import User
from waterportal.contracts.models import Customer, Link, NumberLock
from waterportal.exchange.models import ImportRun
from waterportal.staff.decorators import staff_page


@require_safe
@staff_page()
def home(request):
    """Today's figures at a glance."""
    tenant, now = request.tenant, timezone.now()
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    start_of_month = start_of_day.replace(day=1)
    members = User.members.filter(tenant=tenant, is_active=True)
    active_links = Link.objects.filter(
        tenant=tenant, revoked_at__isnull=True, active_from__lte=today
    )
    contracts = Customer.objects.filter(tenant=tenant).count()
    linked = active_links.values("customer_id").distinct().count()
    figures = {
        "registrations_today": members.filter(date_joined__gte=start_of_day).count(),
        "registrations_month": members.filter(date_joined__gte=start_of_month).count(),
        "members": members.count(),
        "active_links": active_links.count(),
        "contracts": contracts,
        "linked_share": round(100 * linked / contracts, 1) if contracts else 0,
        "locks": NumberLock.objects.filter(
            tenant=tenant, unlocked_at__isnull=True, until__gt=now
        ).count(),
    }
    last_import = ImportRun.objects.filter(tenant=tenant).order_by("-started_at").first()
    return render(request, "staff/home.html", {"figures": figures, "last_import": last_import})
