from celery import shared_task

from audit import looks


@shared_task
def store_looks() -> None:
    """Every 10 seconds: the looks waiting in Redis go to the database (audit.looks)."""
    looks.store_waiting()
