"""Redis for the tests: tasks sent to a real broker from the test process instead of run
inline, and a Redis server of a test's own that it can stop."""

import os
import shutil
import signal
import socket
import subprocess
import time
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


class RedisServer:
    """A Redis server of the test's own on a free port, which the test can stop and start
    again (on the same port, empty, as a Redis without persistence comes back)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self._process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)  # a frozen server cannot stop
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def freeze(self) -> None:
        """SIGSTOP: the server keeps its port and accepts connections, and answers nothing."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None
