"""Mail goes through a real Celery worker and Redis, and survives a mail-server outage."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from waterportal.testing import REDIS_URL, SMTPServer, needs_redis

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_redis


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def env(smtp, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    return dict(
        os.environ,
        REDIS_URL=REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        EMAIL_RETRY_DELAY="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )


@pytest.fixture
def worker(env, tmp_path):
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [celery, "-A", "waterportal", "worker", "--pool=solo", "--concurrency=1", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "ready" not in (tmp_path / "worker.log").read_text():
        time.sleep(0.2)
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def enqueue(env, to: str, subject: str) -> None:
    code = (
        "import django; django.setup();"
        "from waterportal.emails import send_email;"
        f"send_email.delay({to!r}, {subject!r}, '本文です。', '<p>本文です。</p>')"
    )
    run_python(env, code)


def run_python(env, code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def test_a_worker_delivers_queued_mail_through_smtp(smtp, env, worker):
    enqueue(env, "taro@example.jp", "認証コードのお知らせ")
    (message,) = smtp.inbox.wait_for(1, timeout=30)
    assert message["To"] == "taro@example.jp"
    assert message["Subject"] == "認証コードのお知らせ"
    assert "本文です。" in message.get_body(("plain",)).get_content()


def test_mail_queued_while_the_mail_server_is_down_goes_out_when_it_is_back(
    smtp, env, worker, tmp_path
):
    smtp.stop()
    enqueue(env, "hanako@example.jp", "登録が完了しました")
    deadline = time.monotonic() + 30
    log = tmp_path / "worker.log"
    while "mail delivery failed" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "mail delivery failed" in log.read_text(), (
        "the worker never tried while the server was down"
    )
    assert smtp.inbox.messages == []
    smtp.start()
    (message,) = smtp.inbox.wait_for(1, timeout=30)
    assert message["Subject"] == "登録が完了しました"


def test_a_worker_renders_and_delivers_the_new_bill_email_queued_as_its_names(smtp, env, worker):
    """The same email for every resident is queued as (address, email, tenant) and
    rendered by the worker, from the tenant in the database."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    subprocess.run(
        [*manage, "create_tenant", "oumu", "--name", "おうむ町", "--phone", "0120-000-111"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    run_python(
        env,
        "import django; django.setup();"
        "from waterportal.tenants.models import Tenant; from waterportal import emails;"
        "emails.send_many('new_bill', ['taro@example.jp', 'hanako@example.jp'],"
        " Tenant.objects.get(slug='oumu'))",
    )
    messages = smtp.inbox.wait_for(2, timeout=30)
    assert sorted(m["To"] for m in messages) == ["hanako@example.jp", "taro@example.jp"]
    assert {m["Subject"] for m in messages} == {
        "【おうむ町 水道ポータル】新しい検針・料金のお知らせ"
    }
    body = messages[0].get_body(("plain",)).get_content()
    assert "/login?tenant=oumu" in body and "電話 0120-000-111" in body
