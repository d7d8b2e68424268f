"""The portal run as deploy/ runs it (`make deploy-check`, CI's own step): `manage.py
migrate` and `collectstatic`, two gunicorns with deploy/gunicorn.conf.py on different
ports (two web machines behind a load balancer), a Celery worker and beat, with
production settings from deploy/env.example's variables, on a throw-away PostgreSQL
database and the test Redis. Starting all that takes a while: behind the ``deploy``
marker, run only with DEPLOY_TESTS=1."""

import json
import os
import secrets
import time

import pytest
import redis

from waterportal.testing.exchange_files import CUSTOMERS, csv_bytes, customer_row
from waterportal.testing.servers import REDIS_URL, SMTPServer, free_port
from waterportal.testing.stack import (
    COMMANDS,
    PREPARE,
    Visitor,
    deploy_env,
    fresh_postgres_database,
    is_postgres,
    run,
    start,
    stop,
    totp_now,
    wait_for_line,
    wait_until_up,
)

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        os.environ.get("DEPLOY_TESTS") != "1", reason="starts the whole portal: make deploy-check"
    ),
]

# Readiness: the database, Redis, and a worker's heartbeat (waterportal.ops.health).
READY_PATH = "/readyz"


class Stack:
    def __init__(self, tmp, env, data):
        self.tmp, self.env, self.data = tmp, env, data
        self.processes: dict = {}
        self.bases: dict[str, str] = {}

    def log(self, name: str):
        return self.tmp / f"{name}.log"

    def access_log(self, name: str):
        return self.tmp / f"{name}-access.log"

    def start_web(self, name: str) -> str:
        port = free_port()
        env = self.env | {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": str(self.access_log(name)),
        }
        process = start(COMMANDS["web"], env, self.log(name))
        self.processes[name] = process
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + READY_PATH, process, self.log(name))
        self.bases[name] = base
        return base


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    base_url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(base_url):
        pytest.skip("needs DATABASE_URL on PostgreSQL (production's database)")
    tmp = tmp_path_factory.mktemp("deploy")
    smtp = SMTPServer().start()
    # The worker takes every task on this Redis database: none left by other runs.
    redis.Redis.from_url(REDIS_URL).flushdb()
    with fresh_postgres_database(base_url) as database_url:
        env = deploy_env(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(60),
            DATABASE_URL=database_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            REDIS_URL=REDIS_URL,
            SITE_URL="https://127.0.0.1",
            ALLOWED_HOSTS="127.0.0.1",
            # The requests come straight from the test, not through a proxy that appends
            # to X-Forwarded-For; gunicorn believes loopback's X-Forwarded-Proto.
            TRUSTED_PROXY_COUNT="0",
            FORWARDED_ALLOW_IPS="127.0.0.1",
            IMPORT_UPLOAD_DIR=str(tmp / "uploads"),
            CELERY_BEAT_SCHEDULE_FILE=str(tmp / "beat" / "celerybeat-schedule"),
            WEB_CONCURRENCY="2",
            LOG_LEVEL="INFO",
        )
        (tmp / "beat").mkdir()
        for command in PREPARE:
            run(command, env)
        seeded = run(
            [
                "python",
                "-c",
                "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'waterportal.settings'); "
                "import django, json; django.setup(); "
                "from waterportal.testing.deploy_seed import seed; print(json.dumps(seed()))",
            ],
            env,
        )
        stack = Stack(tmp, env, json.loads(seeded.stdout.strip().splitlines()[-1]))
        try:
            for name in ("worker", "beat"):
                stack.processes[name] = start(COMMANDS[name], env, stack.log(name))
            wait_for_line(stack.log("worker"), "ready.", stack.processes["worker"])
            stack.start_web("web-a")
            stack.start_web("web-b")
            yield stack
        finally:
            # Beat first, then the worker (its running tasks end), then the web servers.
            for name in ("beat", "worker", "web-a", "web-b"):
                stop(stack.processes.get(name))
            smtp.stop()


def sign_in(stack: Stack, base: str) -> Visitor:
    visitor = Visitor()
    data = stack.data
    answer = visitor.post_form(
        base,
        f"/login?tenant={data['slug']}",
        {"email": data["email"], "password": data["password"]},
    )
    assert answer.status_code == 302, answer.text[-2000:]
    return visitor


def test_the_portal_started_as_deploy_starts_it_signs_a_resident_in_and_is_ready(stack):
    base = stack.bases["web-a"]
    visitor = sign_in(stack, base)
    assert "__Host-sessionid" in visitor.cookies
    home = visitor.get(base, "/")
    assert home.status_code == 200
    assert "水道 花子" in home.text
    # The static files collectstatic wrote, by their hashed names.
    assert "/static/" in home.text and ".css" in home.text

    # Beat sends store_looks every 10 seconds through Redis, and the worker runs it.
    wait_for_line(stack.log("beat"), "store-looks", stack.processes["beat"])
    wait_for_line(stack.log("worker"), "store_looks", stack.processes["worker"])

    # Ready: the database, Redis and the worker (its heartbeat), and nothing else said.
    ready = visitor.get(base, READY_PATH)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ok" and set(body) == {"status", "checks", "version"}
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}
    # Beat keeps its schedule where CELERY_BEAT_SCHEDULE_FILE says, not in the checkout.
    assert any(p.name.startswith("celerybeat-schedule") for p in (stack.tmp / "beat").iterdir())


def test_signed_in_through_one_web_server_is_signed_in_through_the_other(stack):
    visitor = sign_in(stack, stack.bases["web-a"])
    home = visitor.get(stack.bases["web-b"], "/")
    assert home.status_code == 200
    assert "水道 花子" in home.text
    stranger = Visitor().get(stack.bases["web-b"], f"/?tenant={stack.data['slug']}")
    assert stranger.status_code == 302 and "/login" in stranger.headers["Location"]


def test_an_import_uploaded_through_one_web_server_shows_its_progress_through_the_other(stack):
    a, b, data = stack.bases["web-a"], stack.bases["web-b"], stack.data
    staff = Visitor()
    slug = data["slug"]
    answer = staff.post_form(
        a,
        f"/staff/login?tenant={slug}",
        {"email": data["staff_email"], "password": data["staff_password"]},
    )
    assert answer.status_code == 302, answer.text[-2000:]
    code_page = answer.headers["Location"]
    answer = staff.post_form(a, code_page, {"code": totp_now(data["staff_key"])})
    assert answer.status_code == 302, answer.text[-2000:]

    rows = [customer_row(number=f"2001-{i:04d}", kana="ヤマダ タロウ") for i in range(1, 51)]
    upload = staff.post_form(
        a,
        "/staff/imports/upload",
        {"kind": "customers"},
        files={"file": ("customers.csv", csv_bytes(CUSTOMERS, *rows), "text/csv")},
    )
    assert upload.status_code == 302, upload.text[-2000:]
    run_page = upload.headers["Location"]

    # The run's progress is in the database: the other web server shows it, and the
    # worker (which read the file from the shared upload directory) finishes it.
    deadline = time.monotonic() + 60
    while True:
        status = staff.get(b, run_page + "/status")
        assert status.status_code == 200
        progress = status.json()
        if progress["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert progress["status"] == "succeeded", progress
    assert progress["percent"] == 100 and progress["bytes_read"] == progress["size"] > 0
    page = staff.get(b, run_page)
    assert page.status_code == 200 and "50" in page.text
    assert not any((stack.tmp / "uploads").iterdir()), "the worker removes the file"


def test_gunicorns_access_log_keeps_no_query_string_link_secret_or_referer(stack):
    a = stack.bases["web-a"]
    visitor = Visitor()
    secret_paths = [
        "/inquiries/t/TOKENinPATH0123456789?tenant=oumu",
        "/staff/welcome/12.SECRETinPATH98765",
        "/help?tenant=oumu&q=QUESTIONtyped",
    ]
    for path in secret_paths:
        visitor.get(a, path, headers={"Referer": "https://127.0.0.1/inquiries/t/REFERERtoken"})
    visitor.get(a, "/healthz?tenant=oumu", headers={"X-Request-ID": "req-4242"})
    log = stack.access_log("web-a")
    deadline = time.monotonic() + 10
    while "req-4242" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /inquiries/t/… HTTP/1.1"' in text
    assert '"GET /staff/welcome/12.… HTTP/1.1"' in text
    assert '"GET /help HTTP/1.1"' in text
    assert '"GET /healthz HTTP/1.1" 200' in text and "req-4242" in text
    for secret in ("TOKENinPATH", "SECRETinPATH", "QUESTIONtyped", "REFERERtoken", "tenant="):
        assert secret not in text, secret
