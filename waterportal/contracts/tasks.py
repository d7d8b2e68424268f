from celery import shared_task

from waterportal.contracts.actions import activate_all


@shared_task
def activate_links() -> dict[str, int]:
    """Daily, just after midnight in Tokyo (CELERY_BEAT_SCHEDULE)."""
    return activate_all()
