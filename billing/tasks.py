from celery import shared_task

from billing.notifications import do_notify_new_bills


@shared_task(acks_late=True)
def notify_new_bills(run_id: int) -> int:
    return do_notify_new_bills(run_id)
