from celery import shared_task

from waterportal.audit import looks


@shared_task
def store_looks() -> None:
    """Every 10 seconds: the looks waiting in Redis go to the database (waterportal.audit.looks)."""
    looks.store_waiting()
