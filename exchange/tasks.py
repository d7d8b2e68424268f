from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from exchange.retention import do_forget_report_values
from exchange.runs import do_sweep_abandoned_runs
from tenants.models import Tenant


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
