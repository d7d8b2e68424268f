from celery import shared_task

from waterportal.inquiries.actions import report_overdue_everywhere


@shared_task
def report_overdue_inquiries() -> dict[str, int]:
    """Daily at 08:30 in Tokyo (CELERY_BEAT_SCHEDULE): each town's 管理者 get the
    inquiries waiting longer than its target (``actions.do_report_overdue_inquiries``)."""
    return report_overdue_everywhere()
