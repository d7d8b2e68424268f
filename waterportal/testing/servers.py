"""Real servers for the tests: Redis (the machine's, or one of a test's own that it can
stop), tasks sent to a real broker instead of run inline, and an SMTP server (aiosmtpd)
that a test can stop and start again."""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery, current_app
from django.test import override_settings
from pytest_django import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    """A port of the loopback interface that nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Redis ------------------------------------------------------------------------------


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


# Skipped without them on a developer's machine; in CI (CI set) they run, and fail.
needs_redis = pytest.mark.skipif(
    not redis_available() and not os.environ.get("CI"), reason="needs Redis on 127.0.0.1:6379"
)
needs_redis_server = pytest.mark.skipif(
    not redis_server_available() and not os.environ.get("CI"), reason="needs redis-server"
)


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
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self._process = subprocess.Popen(  # noqa: S603 - redis-server, our own arguments
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


# --- SMTP -------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        """Wait until ``count`` messages arrived (delivery happens in another process)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


class SMTPServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def smtp_mailer(settings: Settings, port: int, *, timeout: float = 2) -> None:
    """The portal's mail goes to the SMTP server on ``port`` (``settings``: pytest-django's)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }
