"""Nothing is lost when Redis is: real workers, a real Redis of the test's own that it
flushes, and a real SMTP server that counts what it accepted.

Delivery is at least once (docs/architecture.md, "Mail: the outbox"): these tests check
that every email arrives once when Redis loses its queues while emails wait to be
retried, and when a worker is killed (SIGKILL) in the middle of a batch, before the mail
server accepted the message it was sending. A worker killed after the server accepted a
message and before the row was marked sent would send that one message twice; that
window is one message wide and is not what is tested here.
"""

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from waterportal.testing import RedisServer, SMTPServer, needs_redis_server

ROOT = Path(__file__).resolve().parents[3]
ADDRESSES = [f"member{i:02}@example.jp" for i in range(12)]

pytestmark = needs_redis_server


class HoldingInbox:
    """An SMTP server's inbox that refuses every message while ``refusing``, and can hold
    the answer to the ``hold_at``-th message until ``release`` (the sender waits)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refusing = False
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.tries = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.refusing:
            return "451 4.3.0 try again later"
        if self.hold_at is not None and len(self.messages) + 1 == self.hold_at:
            self.hold_at = None
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            # The sender is gone by now: nothing was accepted.
            return "451 4.3.0 try again later"
        self.messages.append(envelope.content)
        return "250 OK"

    def headers(self, name: str) -> list[str]:
        return [str(message_from_bytes(m, policy=policy.default)[name]) for m in self.messages]


def wait_until(condition, timeout: float, what: str, every=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if every is not None:
            every()
        time.sleep(0.2)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.inbox = HoldingInbox()  # type: ignore[assignment]
    server.start()
    yield server
    server.inbox.release.set()  # type: ignore[attr-defined]
    server.stop()


@pytest.fixture
def inbox(smtp) -> HoldingInbox:
    return smtp.inbox


class Portal:
    """The portal's processes against a Redis, an SMTP server and a SQLite file."""

    def __init__(self, redis_url: str, smtp_port: int, tmp_path: Path) -> None:
        self.db = tmp_path / "portal.sqlite3"
        self.tmp = tmp_path
        self.redis_url = redis_url
        self.env = dict(
            os.environ,
            REDIS_URL=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            EMAIL_RETRY_DELAY="1",
            OUTBOX_LEASE_SECONDS="2",
            DATABASE_URL=f"sqlite:///{self.db}",
            PYTHONUNBUFFERED="1",
        )
        self.workers: list[subprocess.Popen] = []
        manage = [sys.executable, "manage.py"]
        self.run([*manage, "migrate", "-v0"])
        self.run(
            [*manage, "create_tenant", "oumu", "--name", "おうむ町", "--phone", "0120-000-111"]
        )

    def run(self, args: list[str]) -> None:
        subprocess.run(args, cwd=ROOT, env=self.env, check=True, timeout=120)

    def python(self, code: str) -> None:
        self.run([sys.executable, "-c", "import django; django.setup();" + code])

    def start_worker(self) -> subprocess.Popen:
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        log_path = self.tmp / f"worker{len(self.workers)}.log"
        log = open(log_path, "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [celery, "-A", "waterportal", "worker", "--pool=solo", "-l", "info"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        wait_until(lambda: "ready" in log_path.read_text(), 30, "the worker to start")
        return proc

    def stop(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def sweep(self) -> None:
        """What the beat does every OUTBOX_SWEEP_SECONDS."""
        app = Celery("probe", broker=self.redis_url, set_as_current=False)
        try:
            app.send_task("waterportal.emails.sweep_outbox")
        finally:
            app.close()

    def states(self) -> dict[str, int]:
        with sqlite3.connect(self.db) as db:
            rows = db.execute("SELECT state, COUNT(*) FROM outbox_outboxemail GROUP BY state")
            return dict(rows.fetchall())

    def attempts(self) -> list[int]:
        with sqlite3.connect(self.db) as db:
            return [n for (n,) in db.execute("SELECT attempts FROM outbox_outboxemail")]


@pytest.fixture
def portal(redis_server, smtp, tmp_path):
    processes = Portal(redis_server.url, smtp.port, tmp_path)
    yield processes
    processes.stop()


def assert_no_address_logged(portal: Portal) -> None:
    for log in portal.tmp.glob("worker*.log"):
        assert "@example.jp" not in log.read_text(), f"{log.name} names an address"


def assert_each_arrived_once(inbox: HoldingInbox) -> None:
    assert sorted(inbox.headers("To")) == ADDRESSES
    message_ids = inbox.headers("Message-ID")
    assert len(set(message_ids)) == len(ADDRESSES)


SEND = (
    "from waterportal.tenants.models import Tenant; from waterportal import emails;"
    f"emails.send_many('new_bill', {ADDRESSES!r}, Tenant.objects.get(slug='oumu'))"
)


def test_emails_waiting_to_be_retried_arrive_once_after_redis_is_flushed(
    portal, inbox, redis_server
):
    inbox.refusing = True  # the mail server refuses everything for now
    worker = portal.start_worker()
    portal.python(SEND)
    wait_until(
        lambda: all(n >= 1 for n in portal.attempts()) and portal.states() == {"queued": 12},
        30,
        "every email to be tried once and wait for its retry",
    )
    # Redis loses everything: the wake-ups and the retries' wake-ups with it. The worker
    # is restarted too, so that none is still held in its memory.
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=15)
    redis_server.client().flushdb()
    assert redis_server.client().dbsize() == 0
    inbox.refusing = False
    portal.start_worker()
    wait_until(lambda: len(inbox.messages) >= len(ADDRESSES), 60, "every email", portal.sweep)
    wait_until(lambda: portal.states() == {"sent": 12}, 10, "the rows marked sent")
    portal.sweep()  # one more sweep: nothing is left to send
    portal.sweep()
    wait_until(
        lambda: (portal.tmp / "worker1.log").read_text().count("sweep_outbox") >= 4,
        30,
        "the last sweeps to run",
    )
    assert_each_arrived_once(inbox)
    assert_no_address_logged(portal)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(
    portal, inbox
):
    inbox.hold_at = 5  # the fifth message's answer waits: the worker is mid-batch
    worker = portal.start_worker()
    portal.python(SEND)
    assert inbox.holding.wait(30), "the worker never reached the fifth message"
    assert len(inbox.messages) == 4
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    inbox.release.set()
    assert portal.states() == {"sent": 4, "sending": 8}, "the dead worker's claim is left"
    portal.start_worker()
    # Once the dead worker's lease (2 s here) has run out, the sweep takes its rows.
    wait_until(lambda: len(inbox.messages) >= len(ADDRESSES), 60, "every email", portal.sweep)
    wait_until(lambda: portal.states() == {"sent": 12}, 10, "the rows marked sent")
    assert_each_arrived_once(inbox)
    assert_no_address_logged(portal)
