from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from waterportal.exchange.actions import (
    do_forget_report_values,
    do_sweep_abandoned_runs,
    notify_new_bills,
)
from waterportal.exchange.notifications import missed_runs
from waterportal.tenants.models import Tenant


@shared_task
def sweep_abandoned_runs() -> dict[str, int]:
    """Every few minutes: imports whose process died are shown as failed, not running."""
    now = timezone.now()
    swept = {}
    for tenant in Tenant.objects.order_by("pk"):
        with scope(tenant=tenant):
            swept[tenant.slug] = do_sweep_abandoned_runs(tenant, now=now)
    return swept


@shared_task
def forget_report_values() -> int:
    """Daily: blank the cell values quoted in import reports older than 90 days."""
    return do_forget_report_values()


@shared_task
def sweep_missed_notifications() -> dict[str, int]:
    """Every five minutes: queue the new-bill emails of the imports whose own queueing
    never happened (their process died after the COMMIT) or failed (the broker)."""
    now = timezone.now()
    swept = {}
    for tenant in Tenant.objects.order_by("pk"):
        with scope(tenant=tenant):
            run_ids = list(missed_runs(now).values_list("pk", flat=True))
        for run_id in run_ids:
            notify_new_bills.delay(run_id)
        swept[tenant.slug] = len(run_ids)
    return swept
