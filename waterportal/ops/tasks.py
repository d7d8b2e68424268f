"""The worker's heartbeat, which ``/readyz`` reads (waterportal.ops.health)."""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from waterportal.ops import health


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Run by a worker every minute (the beat schedule): a worker takes tasks."""
    if settings.REDIS_URL:
        health.write_heartbeat()


@worker_ready.connect
def _worker_ready(**kwargs) -> None:
    # Ready as soon as it started, not only after the first scheduled heartbeat.
    if settings.REDIS_URL:
        health.write_heartbeat()
