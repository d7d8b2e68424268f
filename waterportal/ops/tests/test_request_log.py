"""The log lines as an operator reads them (the JSON formatter of LOG_FORMAT=json): each
has the request's id, town and account id, and no address, name, code or password."""

import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.test import Client

from waterportal.lib import json_log, request_context
from waterportal.lib.log_filters import HideLinkSecrets
from waterportal.testing import REDIS_URL, needs_redis
from waterportal.testing.browser import sign_in
from waterportal.testing.personas import HANAKO

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def log_lines():
    """The JSON lines the portal's console handler would print, as parsed objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_log.formatter())
    handler.addFilter(HideLinkSecrets())
    handler.addFilter(request_context.RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.setLevel(previous)
    root.removeHandler(handler)


def test_every_answer_has_a_request_id():
    first, second = Client().get("/healthz"), Client().get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept():
    response = Client(headers={"X-Request-ID": "lb-7f3a9c2e-0001"}).get("/healthz")

    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


@pytest.mark.parametrize(
    "given", ["short", "has spaces in it", "<script>alert(1)</script>", "x" * 200]
)
def test_a_request_id_that_is_not_an_id_is_replaced(given):
    response = Client(headers={"X-Request-ID": given}).get("/healthz")

    assert response["X-Request-ID"] != given and len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_members_log_lines_have_the_ids_and_no_personal_data(portal, member, clock, log_lines):
    sign_in(portal, member)

    response = portal.get("/no-such-page?q=水道花子")

    lines = [line for line in log_lines() if line["request_id"] == response["X-Request-ID"]]
    assert lines, log_lines()
    (not_found,) = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["level"] == "WARNING"
    assert not_found["town"] == portal.tenant.slug
    assert not_found["member_id"] == member.pk and not_found["staff_id"] is None
    assert not_found["time"].endswith("+00:00")
    text = json.dumps(log_lines(), ensure_ascii=False)
    assert HANAKO.email not in text and HANAKO.name not in text and "水道花子" not in text


@pytest.mark.django_db
def test_a_failed_login_logs_neither_the_address_nor_the_password(portal, member, log_lines):
    portal.open_tenant()
    portal.post("/login", {"email": member.email, "password": "Wrong-Password-991"})
    portal.post("/login", {"email": "nobody@example.jp", "password": "Wrong-Password-992"})

    text = json.dumps(log_lines(), ensure_ascii=False)
    for secret in (member.email, "nobody@example.jp", "Wrong-Password-99", member.name):
        assert secret not in text


@pytest.mark.django_db
def test_a_staff_members_lines_have_the_staff_id(console, log_lines):
    response = console.get("/staff/no-such-page")

    (line,) = [
        line
        for line in log_lines()
        if line["request_id"] == response["X-Request-ID"] and line["logger"] == "django.request"
    ]
    assert line["staff_id"] == console.staff.pk and line["member_id"] is None
    assert console.staff.email not in json.dumps(log_lines(), ensure_ascii=False)


# --- Into the worker ------------------------------------------------------------------------

QUEUE_IN_A_REQUEST = """
import django
django.setup()
from waterportal.emails import send_email
from waterportal.lib import request_context
request_context.bind(request_id="req-from-the-web-0042", town="oumu")
send_email.delay("taro.worker@example.jp", "件名", "本文", "<p>本文</p>")
"""


@needs_redis
def test_the_request_id_reaches_the_workers_log_lines(tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = dict(
        os.environ,
        REDIS_URL=REDIS_URL,
        EMAIL_URL="smtp://127.0.0.1:9",  # nothing listens: the worker logs its failure
        EMAIL_MAX_RETRIES="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [celery, "-A", "waterportal", "worker", "--pool=solo", "-l", "info", "-Q", "celery"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            subprocess.run(
                [sys.executable, "-c", QUEUE_IN_A_REQUEST],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=60,
            )
            deadline = time.monotonic() + 45
            while (
                time.monotonic() < deadline and "req-from-the-web-0042" not in log_path.read_text()
            ):
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    carried = [line for line in lines if line.get("request_id") == "req-from-the-web-0042"]
    assert carried, log_path.read_text()[-3000:]
    assert all(line["town"] == "oumu" for line in carried)
    assert "taro.worker@example.jp" not in log_path.read_text()
