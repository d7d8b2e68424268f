from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from waterportal.notices.actions import notify_notice
from waterportal.notices.models import Notice
from waterportal.tenants.models import Tenant


@shared_task
def sweep_notice_mail() -> dict[str, int]:
    """Every minute: queue the emails of the important notices that are visible and not
    yet mailed: a scheduled start that has come, or a publication whose own task was lost
    (a broker that was away) or stopped halfway."""
    now = timezone.now()
    swept = {}
    for tenant in Tenant.objects.order_by("pk"):
        with scope(tenant=tenant):
            ids = list(
                Notice.objects.live(now)
                .filter(tenant=tenant, important=True, mailed_at__isnull=True)
                .values_list("pk", flat=True)
            )
        for notice_id in ids:
            notify_notice.delay(notice_id)
        swept[tenant.slug] = len(ids)
    return swept
