from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from billing.notifications import do_notify_new_bills, missed_runs
from tenants.models import Tenant


@shared_task(acks_late=True)
def notify_new_bills(run_id: int) -> int:
    return do_notify_new_bills(run_id)


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
