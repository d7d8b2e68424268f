"""An upload in the staff console is imported by a real Celery worker, through Redis, as
in production: the page shows the run at once, its status until the worker is done, then
the result and the report; the uploaded file is gone afterwards.

The worker is another process, so it must see the test's database: the test's writes are
committed (``transactional_db``), and on SQLite the in-memory test database is copied to
a file that both the test and the worker then use.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from waterportal.contracts.models import Customer
from waterportal.exchange.models import ImportRun
from waterportal.testing import (
    CUSTOMERS,
    REDIS_URL,
    broker,
    csv_bytes,
    customer_row,
    needs_redis,
    text_of,
)

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]

GOOD = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002"))
BAD = csv_bytes(CUSTOMERS, customer_row("1001-0003"), customer_row("1001-0004", kana="Yamada"))


@pytest.fixture
def database_url(transactional_db, tmp_path):
    """The test database, as the worker's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(db["USER"] or "")
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        yield f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    # SQLite: Django keeps the in-memory test database open on its one connection (closing
    # it would destroy it); that connection is set aside while the file is used.
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    in_memory, name = connection.connection, db["NAME"]
    with sqlite3.connect(path) as copy:
        in_memory.backup(copy)
    copy.close()
    connection.connection = None
    db["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        db["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


@pytest.fixture
def worker(database_url, upload_dir, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url,
        "IMPORT_UPLOAD_DIR": str(upload_dir),
        "PYTHONUNBUFFERED": "1",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [celery, "-A", "waterportal", "worker", "--pool=solo", "--concurrency=1", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        if "ready" in log_path.read_text() or proc.poll() is not None:
            break
        time.sleep(0.2)
    assert "ready" in log_path.read_text(), log_path.read_text()
    yield log_path
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def upload(console, data: bytes, name: str = "台帳.csv"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return console.post("/staff/imports/upload", {"file": file, "kind": "customers"})


def wait_until_finished(console, url: str, log_path: Path) -> list[str]:
    """The states the status endpoint told, polling as the page's script does."""
    seen: list[str] = []
    for _ in range(300):
        status = console.get(f"{url}/status").json()
        if not seen or seen[-1] != status["status"]:
            seen.append(status["status"])
        if status["finished"]:
            return seen
        time.sleep(0.2)
    pytest.fail(f"the worker did not finish the import: {seen}\n{log_path.read_text()}")


def test_a_worker_imports_an_upload_and_the_page_follows_it(console, worker, upload_dir):
    with broker():
        response = upload(console, GOOD)
        again = upload(console, GOOD)  # a double click, while the first waits or runs
        run = ImportRun.objects.get()
        assert response.url == again.url == f"/staff/imports/{run.pk}"

        first_look = console.get(response.url)
        assert ("<progress" in first_look.content.decode()) == (run.status != "succeeded")
        states = wait_until_finished(console, response.url, worker)

    assert states[-1] == "succeeded"
    assert "import_upload[" in worker.read_text()  # imported by the worker, not inline
    page = text_of(console.get(response.url))
    assert "完了" in page and "追加 2件" in page and "水道係 一郎" in page
    assert sorted(Customer.objects.values_list("number", flat=True)) == ["10010001", "10010002"]
    assert ImportRun.objects.count() == 1
    assert list(upload_dir.iterdir()) == []


def test_a_worker_rejects_a_bad_upload_and_its_report_is_shown(console, worker, upload_dir):
    with broker():
        response = upload(console, BAD)
        states = wait_until_finished(console, response.url, worker)

    assert states[-1] == "rejected"
    page = text_of(console.get(response.url))
    assert "取り込みませんでした。何も変更していません。" in page
    assert "3 使用者名カナ Yamada" in page
    assert not Customer.objects.exists()
    assert list(upload_dir.iterdir()) == []
