from celery import shared_task

from waterportal.staff.actions import report_number_locks_everywhere


@shared_task
def report_number_locks() -> dict[str, int]:
    """Daily at 08:30 in Tokyo (CELERY_BEAT_SCHEDULE): each town's 管理者 get the new
    customer-number locks (``actions.do_report_number_locks``)."""
    return report_number_locks_everywhere()
