"""Benchmark: the signed-in home page and the API's bill list against a trivial view, under
gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web .venv/bin/python bench/web/run.py

Seeds one member with a few contracts and 24 months of bills in a ``bench`` tenant of
that database (created if missing; the bench tenant is rebuilt on every run, nothing
else is touched), starts gunicorn with production settings on 127.0.0.1, signs every
client in, then drives ``/``, the app's bill list (``/api/v1/towns/bench/contracts/<id>/bills``,
with an app's token) and ``/healthz`` in turn with the same number of concurrent clients
for a fixed time each, and prints requests per second, latency percentiles and the
ratios. Only loopback traffic; every phase is bounded in time; gunicorn is stopped
at the end. Not a test: it prints figures and exits 0 unless something broke.

``--after-import`` measures the rush after the new-bill emails instead: many members
(``--members``), a bills import giving each of their contracts a new month
(``manage.py import_data``), the new-bill task's work as a worker would do it, then the
home page with no warm-up, each request a different member's first view since the import.
"""

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_web"
# A Redis database of its own: emptied before the run, as it holds only the bench's keys.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
TENANT = "bench"
EMAIL = "bench@example.jp"
PASSWORD = "Bench-Mizu-2026"
HOST = "127.0.0.1"
MONTHS = 24
TARGET_RATIO = 0.5
# (name, path, how the client is signed in: "cookies" (the browser's session), "token"
# (the app's bearer token) or ""). The trivial view twice: as a bare request, and asked
# by the signed-in clients (session, member and tenant loaded, as for every request of a
# member): the target's ratio is home / the signed-in one. The API's bill list must be at
# least as fast as the home page. {link} is the first contract's link id.
API_BILLS = f"/api/v1/towns/{TENANT}/contracts/{{link}}/bills"
PHASE_NAMES = [
    ("home", "/", "cookies"),
    ("api bills", API_BILLS, "token"),
    ("healthz", "/healthz", ""),
    ("healthz signed-in", "/healthz", "cookies"),
]
TARGET_P99_MS = 50.0
# --after-import: the members of the rush, each with --contracts contracts; their bills
# run up to last month (a year of them: the cards compare with the month before and a
# year earlier), and the import adds this month's.
CROWD_MONTHS = 12
CROWD_NUMBER = "8{:07d}"
TARGET_RUSH_RPS = 400


def server_env(database_url: str, redis_url: str, card_cache_seconds: int) -> dict[str, str]:
    """Production settings, as ``manage.py check --deploy`` wants them, on plain HTTP:
    the clients say ``X-Forwarded-Proto: https`` as the TLS proxy in front would."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        EMAIL_URL="smtp://127.0.0.1:25",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # Production runs with Redis: the cache of sessions, tenants' cards and tasks.
        REDIS_URL=redis_url,
        HOME_CACHE_SECONDS=str(card_cache_seconds),
    )
    return env


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed(contracts: int) -> int:
    """The bench tenant afresh: one member, ``contracts`` contracts, 24 monthly bills each."""
    import datetime as dt

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waterportal.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from waterportal.accounts.models import User
    from waterportal.billing.models import Bill, Payment
    from waterportal.billing.services import add_months
    from waterportal.contracts.models import Customer, Link
    from waterportal.lib.kana import kana_key
    from waterportal.notices.models import Notice
    from waterportal.tenants import versions
    from waterportal.tenants.actions import do_create_tenant
    from waterportal.tenants.models import Tenant

    with scopes_disabled(), transaction.atomic():
        old = Tenant.objects.filter(slug=TENANT).first()
        if old is not None:
            # A rush's members leave hundreds of thousands of bills: gone in two
            # statements, rather than one by one through the ORM's collector.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM billing_payment WHERE tenant_id = %s", [old.pk])
                cursor.execute("DELETE FROM billing_bill WHERE tenant_id = %s", [old.pk])
            # A notice keeps its category (PROTECT), which would keep the town.
            Notice.objects.filter(tenant=old).delete()
        Tenant.objects.filter(slug=TENANT).delete()
        # Published at once: the bench signs residents in (a new town shows 準備中).
        tenant = do_create_tenant(
            slug=TENANT, name="ベンチ町", phone="0120-000-000", published_at=timezone.now()
        )
        member = User.objects.create_user(EMAIL, PASSWORD, tenant=tenant, name="ベンチ 花子")
        now = timezone.now()
        versions.record_acceptance(member, versions.current_versions(tenant), now=now)
        this_month = timezone.localdate().replace(day=1)
        first_link = 0
        for c in range(contracts):
            kana = f"ベンチ タロウ{c}"
            customer = Customer.objects.create(
                tenant=tenant,
                number=f"9000{c:04d}",
                name_kana=kana,
                name_kana_key=kana_key(kana),
                name=f"ベンチ 太郎{c}",
                address=f"ベンチ町本町{c + 1}-1",
                reading_cycle=1,
                payment_method="口座振替",
            )
            link = Link.objects.create(
                tenant=tenant,
                member=member,
                customer=customer,
                relationship="本人",
                created_at=now,
                active_from=timezone.localdate() - dt.timedelta(days=30),
            )
            first_link = first_link or link.pk
            bills, reading = [], 1000
            for i in range(MONTHS):
                month = add_months(this_month, i - MONTHS + 1)
                usage = 8 + (i * 7 + c) % 9
                water, sewer = 1100 + usage * 132, 880 + usage * 121
                bills.append(
                    Bill(
                        tenant=tenant,
                        customer=customer,
                        billing_month=month,
                        reading_date=month.replace(day=8),
                        previous_reading=reading,
                        current_reading=reading + usage,
                        usage_m3=usage,
                        days=30,
                        water_charge=water,
                        sewer_charge=sewer,
                        tax=(water + sewer) * 10 // 110,
                        amount=water + sewer,
                        due_date=add_months(month, 1) - dt.timedelta(days=1),
                    )
                )
                reading += usage
            bills = Bill.objects.bulk_create(bills)
            Payment.objects.bulk_create(
                Payment(
                    tenant=tenant,
                    bill=bill,
                    paid_on=bill.due_date,
                    amount=bill.amount,
                    method="口座振替",
                    result="済",
                )
                for bill in bills[:-1]
            )
        seed_notices(tenant, member)
    from django.db import connections

    connections.close_all()  # the client processes are forked: no shared connection
    print(
        f"seeded tenant {TENANT}: 1 member, {contracts} contracts x {MONTHS} months, "
        f"{len(NOTICES)} notices (one read)"
    )
    return first_link


# A town's home page shows its notices: these, published by the actions staff use, for
# every member (the first one read by the bench's member). None is important, which
# would queue its emails.
NOTICES = (
    ("配水管工事に伴う断水のお知らせ", "断水・濁水"),
    ("水道料金の改定について", "料金"),
    ("年末年始の窓口のご案内", "その他"),
)


def seed_notices(tenant, member) -> None:
    import datetime as dt

    from django.utils import timezone

    from waterportal.notices.actions import (
        NoticeFields,
        do_create_notice,
        do_mark_read,
        do_publish_notice,
    )
    from waterportal.notices.models import Notice, NoticeCategory

    for i, (title, category) in enumerate(NOTICES):
        fields = NoticeFields(
            title=title,
            body="詳しくは水道課までお問い合わせください。",
            category=NoticeCategory.objects.get(tenant=tenant, name=category),
            important=False,
            audience=Notice.Audience.MEMBERS,
            starts_at=timezone.now() - dt.timedelta(hours=len(NOTICES) - i),
            ends_at=None,
        )
        notice = do_publish_notice(do_create_notice(tenant, fields, actor=None), actor=None)
        if i == 0:
            do_mark_read(member, notice)


def seed_crowd(members: int, contracts: int) -> list[int]:
    """``members`` more members of the bench tenant, each with ``contracts`` contracts of
    their own and ``CROWD_MONTHS`` bills each up to last month, all paid; returns their
    ids. Written in bulk (no signals: the import's new cards version makes up for it)."""
    import datetime as dt

    from django.db import connections, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from waterportal.accounts.models import User
    from waterportal.billing.models import Bill, Payment
    from waterportal.billing.services import add_months
    from waterportal.contracts.models import Customer, Link
    from waterportal.lib.kana import kana_key
    from waterportal.tenants import versions
    from waterportal.tenants.models import Tenant, TextAcceptance

    started = time.perf_counter()
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    months = [add_months(this_month, i - CROWD_MONTHS) for i in range(CROWD_MONTHS)]
    ids: list[int] = []
    with scopes_disabled():
        tenant = Tenant.objects.get(slug=TENANT)
        texts = versions.current_versions(tenant)
        chunk = 500
        for start in range(0, members, chunk):
            count = min(chunk, members - start)
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(
                        tenant=tenant,
                        email=f"rush{start + i}@example.jp",
                        password="!bench",
                        name=f"ベンチ {start + i}",
                    )
                    for i in range(count)
                )
                TextAcceptance.objects.bulk_create(
                    TextAcceptance(member=user, version=v, accepted_at=now)
                    for user in users
                    for v in texts
                )
                customers = Customer.objects.bulk_create(
                    Customer(
                        tenant=tenant,
                        number=CROWD_NUMBER.format((start + i) * contracts + c),
                        name_kana="ベンチ タロウ",
                        name_kana_key=kana_key("ベンチ タロウ"),
                        name=f"ベンチ 太郎{c}",
                        address=f"ベンチ町{start + i}丁目{c + 1}-1",
                        reading_cycle=1,
                        payment_method="口座振替",
                    )
                    for i in range(count)
                    for c in range(contracts)
                )
                Link.objects.bulk_create(
                    Link(
                        tenant=tenant,
                        member=users[k // contracts],
                        customer=customer,
                        relationship="本人",
                        created_at=now - dt.timedelta(days=400),
                        active_from=this_month - dt.timedelta(days=400),
                        activated_at=now - dt.timedelta(days=400),
                    )
                    for k, customer in enumerate(customers)
                )
                bills = Bill.objects.bulk_create(
                    crowd_bill(tenant, customer, month, i)
                    for customer in customers
                    for i, month in enumerate(months)
                )
                Payment.objects.bulk_create(
                    Payment(
                        tenant=tenant,
                        bill=bill,
                        paid_on=bill.due_date,
                        amount=bill.amount,
                        method="口座振替",
                        result="済",
                    )
                    for bill in bills
                )
            ids += [user.pk for user in users]
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would, after so many new rows
    connections.close_all()
    print(
        f"seeded {members:,} more members with {contracts} contracts and {CROWD_MONTHS} months"
        f" each in {time.perf_counter() - started:.0f} s"
    )
    return ids


def crowd_reading(i: int) -> tuple[int, int]:
    """A crowd contract's meter before and after its ``i``-th month (20 m³ a month)."""
    return 1000 + 20 * i, 1020 + 20 * i


def crowd_bill(tenant, customer, month, i):
    import datetime as dt

    from waterportal.billing.models import Bill
    from waterportal.billing.services import add_months

    before, after = crowd_reading(i)
    return Bill(
        tenant=tenant,
        customer=customer,
        billing_month=month,
        reading_date=month.replace(day=8),
        previous_reading=before,
        current_reading=after,
        usage_m3=after - before,
        days=30,
        water_charge=3300,
        sewer_charge=2200,
        tax=500,
        amount=5500,
        due_date=add_months(month, 1) - dt.timedelta(days=1),
    )


def import_new_month(env: dict[str, str], members: int, contracts: int) -> float:
    """This month's bill for every crowd contract, imported as staff would
    (``manage.py import_data``, which queues the new-bill task); returns its seconds."""
    import csv
    import datetime as dt

    from django.utils import timezone

    from waterportal.billing.services import add_months

    month = timezone.localdate().replace(day=1)
    due = add_months(month, 1) - dt.timedelta(days=1)
    before, after = crowd_reading(CROWD_MONTHS)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"web-rush-bills-{os.getpid()}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(
            ["使用者番号", "調定年月", "検針日", "前回指針", "今回指針", "使用水量"]
            + ["水道料金", "下水道使用料", "消費税額", "請求金額", "納期限"]
        )
        row = [f"{month:%Y-%m}", f"{month:%Y-%m}-08", before, after, after - before]
        row += [3410, 2280, 517, 5690, due.isoformat()]
        writer.writerows([CROWD_NUMBER.format(k), *row] for k in range(members * contracts))
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "import_data", "bills", str(path), "--tenant", TENANT],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        path.unlink()
    return time.perf_counter() - started


# The tasks of the new-bill emails, in the order a worker meets them: the one the import
# queues, then one per batch of emails that draws the batch's home cards and queues the
# batch's delivery (waterportal.exchange.actions).
NEW_BILL_TASKS = (
    "waterportal.exchange.actions.notify_new_bills",
    "waterportal.exchange.actions.cards_then_emails",
)


def work_the_queue(redis_url: str, names=NEW_BILL_TASKS) -> dict[str, tuple[int, float, object]]:
    """Run the queued tasks named ``names``, oldest first, here, as a worker would, until
    none is left; the others (the emails' delivery, push messages) stay queued: no mail
    is sent. Returns, per name, (how many ran, their seconds, the sum of their results)."""
    import base64

    import redis
    from celery import current_app
    from django.db import connections

    import waterportal.exchange.actions  # noqa: F401  (registers the tasks)

    queue = redis.Redis.from_url(redis_url)
    done: dict[str, tuple[int, float, object]] = {}
    while True:
        waiting = queue.lrange("celery", 0, -1)  # newest first (LPUSH)
        message = next(
            (raw for raw in reversed(waiting) if json.loads(raw)["headers"]["task"] in names),
            None,
        )
        if message is None:
            break
        queue.lrem("celery", -1, message)
        envelope = json.loads(message)
        name = envelope["headers"]["task"]
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        started = time.perf_counter()
        result = current_app.tasks[name].run(*args, **kwargs)
        count, seconds, total = done.get(name, (0, 0.0, 0))
        done[name] = (count + 1, seconds + time.perf_counter() - started, total + (result or 0))
    connections.close_all()
    return done


def member_sessions(member_ids: list[int]) -> tuple[str, list[str]]:
    """A signed-in session for each member, made as the login form makes it (the member,
    the backend, the session's auth hash, the session clock, the town, the current texts
    found accepted), through the session engine the server uses; returns the cookie's
    name and the session keys."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connections
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from waterportal.accounts.decorators import TEXTS_ACCEPTED
    from waterportal.accounts.middleware import SEEN, STARTED
    from waterportal.accounts.models import User
    from waterportal.tenants.middleware import SESSION_KEY as TENANT_SESSION_KEY
    from waterportal.tenants.models import Tenant
    from waterportal.tenants.versions import current_versions

    store = import_module(settings.SESSION_ENGINE).SessionStore
    started = time.perf_counter()
    keys = []
    with scopes_disabled():
        # Every member of the crowd accepted them (seed_crowd).
        accepted = [v.pk for v in current_versions(Tenant.objects.get(slug=TENANT))]
        for user in User.objects.filter(pk__in=member_ids).order_by("pk").iterator():
            session = store()
            now = timezone.now().timestamp()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[STARTED] = now
            session[SEEN] = now
            session[TENANT_SESSION_KEY] = user.tenant_id
            session[TEXTS_ACCEPTED] = accepted
            session.create()
            keys.append(session.session_key)
    connections.close_all()
    print(f"signed in {len(keys):,} members {time.perf_counter() - started:.0f} s")
    return settings.SESSION_COOKIE_NAME, keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited before answering")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


# --- the clients (one process each, so that Python's GIL does not cap the load)


class Browser:
    """A minimal cookie-keeping HTTP client on one keep-alive-capable connection."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(
        self, method: str, path: str, body: str | None = None, auth: str = "cookies", json=False
    ):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if auth == "cookies" and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if auth == "token":
            headers["Authorization"] = f"Bearer {self.token}"
        if json:
            headers["Content-Type"] = "application/json"
        elif body is not None:
            origin = f"https://{HOST}"
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": f"{origin}/login",
                }
            )
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # gunicorn's sync workers close the connection after each response.
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        if response.will_close:
            self.conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data

    def sign_in(self) -> None:
        status, _, page = self.request("GET", f"/login?tenant={TENANT}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "email": EMAIL, "password": PASSWORD}
        )
        status, location, _ = self.request("POST", "/login", form)
        if status != 302 or location != "/":
            raise RuntimeError(f"login answered {status} {location}")
        # The app's sign-in: a token of its own, as a phone would hold.
        body = json.dumps({"email": EMAIL, "password": PASSWORD, "device_name": "bench"})
        status, _, answer = self.request(
            "POST", f"/api/v1/towns/{TENANT}/login", body, auth="", json=True
        )
        if status != 200:
            raise RuntimeError(f"the API's login answered {status}")
        self.token = json.loads(answer)["token"]


def whole_home(body: bytes) -> bool:
    """The home page with its bills and the town's notices (those of ``seed_notices``)."""
    return "ご請求".encode() in body and NOTICES[-1][0].encode() in body


def client(port: int, schedule: list[tuple[str, str, float, float]], results) -> None:
    """Sign in, then for each (path, how signed in, start, end) request ``path`` in a loop
    from ``start`` to ``end`` (time.time()), recording each latency in ms."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    browser = Browser(port)
    browser.sign_in()
    out = []
    for path, auth, start, end in schedule:
        while time.time() < start:
            time.sleep(0.005)
        latencies, errors = [], 0
        while time.time() < end:
            t0 = time.perf_counter()
            status, _, body = browser.request("GET", path, auth=auth)
            elapsed = (time.perf_counter() - t0) * 1000
            if status == 200 and (path != "/" or whole_home(body)):
                # A home page without a bill on it would be a failed sign-in, not speed.
                latencies.append(elapsed)
            else:
                errors += 1
        out.append((latencies, errors))
    results.put(out)


def first_views(port: int, cookie: str, keys: list[str], start: float, end: float, results):
    """From ``start`` to ``end`` (time.time()) or until ``keys`` run out, request the home
    page once with each session key: every request a member's first view. Puts
    (latencies in ms, errors, seconds measured)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    browser = Browser(port)
    while time.time() < start:
        time.sleep(0.005)
    began = time.perf_counter()
    latencies, errors = [], 0
    for key in keys:
        if time.time() >= end:
            break
        browser.cookies = {cookie: key}
        t0 = time.perf_counter()
        status, _, body = browser.request("GET", "/")
        elapsed = (time.perf_counter() - t0) * 1000
        if status == 200 and whole_home(body):
            latencies.append(elapsed)
        else:
            errors += 1
    results.put((latencies, errors, time.perf_counter() - began))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def rush(env: dict[str, str], args, port: int, crowd: list[int]) -> None:
    """--after-import, with gunicorn up: the import, the new-bill task, the members'
    sessions, then every client requests the home page for its share of the members, each
    once, with no warm-up."""
    seconds = import_new_month(env, args.members, args.contracts)
    print(
        f"imported this month's bills of {args.members * args.contracts:,} contracts"
        f" (manage.py import_data) in {seconds:.1f} s"
    )
    # The import queued the new-bill task; run it, then the batches it queued, as workers.
    for name, (count, seconds, result) in work_the_queue(env["REDIS_URL"]).items():
        what = "emails written" if name.endswith("notify_new_bills") else "fragments kept"
        print(f"  {name.rsplit('.', 1)[1]}: {count} task(s), {seconds:.1f} s, {result:,} {what}")
    cookie, keys = member_sessions(crowd)
    start = time.time() + 1.0 + args.clients * 0.1
    end = start + args.seconds
    results: mp.Queue = mp.Queue()
    shares = [keys[i :: args.clients] for i in range(args.clients)]
    procs = [
        mp.Process(target=first_views, args=(port, cookie, share, start, end, results))
        for share in shares
    ]
    for p in procs:
        p.start()
    collected = [results.get(timeout=end - time.time() + 60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    latencies = [ms for out, _, _ in collected for ms in out]
    errors = sum(e for _, e, _ in collected)
    # Each client's own rate over the time it measured (it stops when its members run out).
    rps = sum(len(out) / took for out, _, took in collected if took > 0)
    measured = max(took for _, _, took in collected)
    print(
        f"\n{args.clients} concurrent clients, gunicorn {args.workers} sync workers,"
        f" {os.cpu_count()} CPUs, PostgreSQL; {len(latencies):,} first views after the import"
        f" in {measured:.1f} s, no warm-up, each of a different member"
    )
    print(f"{'view':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = percentile(latencies, 99) if latencies else float("nan")
    print(f"{'home, first view':<18}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}")
    print(f"home first view after an import: {rps:.0f} req/s (target >= {TARGET_RUSH_RPS})")
    print(f"home first view after an import p99: {p99:.1f} ms (target <= {TARGET_P99_MS:g} ms)")
    if len(latencies) + errors >= len(keys):
        print("(every member was seen before the time was up: give more --members)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per view")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--contracts", type=int, default=3)
    parser.add_argument(
        "--no-card-cache",
        action="store_true",
        help="draw the home page's cards on every request (HOME_CACHE_SECONDS=0): the "
        "cost of a member's first view without its cards kept",
    )
    parser.add_argument(
        "--after-import",
        action="store_true",
        help="the rush after the new-bill emails: import a new month for --members members,"
        " run the new-bill task, then measure the home page with no warm-up, every request a"
        " member's first view since the import",
    )
    parser.add_argument(
        "--members",
        type=int,
        default=6000,
        help="--after-import: how many members (each seen once; the measured time ends"
        " when they run out), default 6,000",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 60:
        raise SystemExit("--clients 1..64 and --seconds 1..60 keep the run bounded")
    if not args.clients <= args.members <= 200_000:
        raise SystemExit("--members: at least one per client, at most 200,000")

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/web runs on PostgreSQL: set DATABASE_URL=postgres://...")
    if urlsplit(database_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("bench/web only talks to a database on this machine")
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    if urlsplit(redis_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("bench/web only talks to a Redis on this machine")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = server_env(database_url, redis_url, 0 if args.no_card_cache else 600)
    os.environ.update(env)
    ensure_database(database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    link = seed(args.contracts)
    phases = [(path.format(link=link), auth) for _, path, auth in PHASE_NAMES]
    crowd = seed_crowd(args.members, args.contracts) if args.after_import else []

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "waterportal.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port, gunicorn)
        if args.after_import:
            rush(env, args, port, crowd)
            return
        warmup = 2.0
        t0 = time.time() + 3.0 + args.clients * 0.3  # time for every client to sign in
        schedule, t = [], t0
        for path, auth in phases:
            # A warm-up slice first (not counted), then the measured slice.
            schedule.append((path, auth, t, t + warmup))
            schedule.append((path, auth, t + warmup, t + warmup + args.seconds))
            t += warmup + args.seconds
        results: mp.Queue = mp.Queue()
        procs = [
            mp.Process(target=client, args=(port, schedule, results)) for _ in range(args.clients)
        ]
        for p in procs:
            p.start()
        collected = [results.get(timeout=t - time.time() + 60) for _ in procs]
        for p in procs:
            p.join(timeout=10)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()

    report = {}
    for index, (name, _, _) in enumerate(PHASE_NAMES):
        # Each phase is a warm-up slice then the measured one: odd slices count.
        latencies = [ms for out in collected for ms in out[2 * index + 1][0]]
        errors = sum(out[2 * index + 1][1] for out in collected)
        report[name] = (len(latencies) / args.seconds, latencies, errors)
    print(
        f"\n{args.clients} concurrent clients, {args.seconds:g} s per view, "
        f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs, PostgreSQL"
    )
    print(f"{'view':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, (rps, latencies, errors) in report.items():
        p50 = statistics.median(latencies) if latencies else float("nan")
        p99 = percentile(latencies, 99) if latencies else float("nan")
        print(f"{name:<18}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}")
    home_rps, home_latencies, _ = report["home"]
    for name in ("healthz", "healthz signed-in"):
        base_rps = report[name][0]
        ratio = home_rps / base_rps if base_rps else float("nan")
        print(f"ratio home / {name}: {ratio:.2f} (target >= {TARGET_RATIO})")
    api_rps = report["api bills"][0]
    print(
        f"ratio api bills / home: {api_rps / home_rps if home_rps else float('nan'):.2f} (target >= 1)"
    )
    home_p99 = percentile(home_latencies, 99) if home_latencies else float("nan")
    print(f"home p99: {home_p99:.1f} ms (target <= {TARGET_P99_MS:g} ms)")


if __name__ == "__main__":
    main()
