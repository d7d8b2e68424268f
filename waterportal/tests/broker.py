"""Tasks sent to a real broker from the test process, instead of run inline."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery import Celery, current_app
from django.test import override_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@contextmanager
def broker(url: str = REDIS_URL) -> Iterator[Celery]:
    """Within the block, tasks are queued on the broker at ``url`` as in production.

    A Celery app of its own, made current for the block: the project's app keeps running
    tasks inline (no REDIS_URL in tests), and its connection pool is left alone.
    """
    app = Celery("waterportal", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=url, task_always_eager=False, result_backend=None)
    previous = current_app._get_current_object()
    app.set_current()
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            yield app
    finally:
        previous.set_current()
        app.close()
