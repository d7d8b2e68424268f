"""Benchmark: the portal's cost as the data grows, on PostgreSQL.

    .venv/bin/python bench/scale/run.py                 # 200 towns, 5,000,000 contracts
    .venv/bin/python bench/scale/run.py --size small    # 20 towns, 200,000: a quick run

Measures the same things twice and prints them side by side:

- on an empty database (``bench_scale_empty``, made afresh each run): only what each
  measured step needs: the large and the small town with their ledgers, members linked
  to 10 % of the contracts, and 24 months of bills for the measured members' contracts
  only;
- on a national-size database (``bench_scale_<size>``, filled once with PostgreSQL's bulk
  path and kept for the next run; ``--refill`` makes it again): 200 towns, 5,000,000
  contracts with 24 months of bills each (read every two months: 60,000,000 bills, all
  paid but the latest), members linked to 10 % of the contracts.

The steps: bench/web's home page (cards kept, and drawn on every view) and history page,
16 clients on 2 gunicorn workers, for a member of the large and of the small town; a
bills import of one new month for every contract of the large town (1,000,000 rows, with
``manage.py import_data``); the next-business-day activation job with 10,000 links
waiting; an important notice published to every member of the large town (its emails
queued). Before measuring, the member pages' queries (and the activation's and the
notice's) are explained on the large database: the run fails if one reads bills,
customers or links with a sequential scan.

Everything the steps add is removed after each, so the filled database can be reused.
Not a test: it prints figures and their targets, and exits 1 only on a sequential scan
or when something broke.
"""

import argparse
import csv
import datetime as dt
import importlib.util
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = "Scale-Mizu-2026"
TOLERANCE = 0.20  # every figure within 20 % of its empty-database value
# Relations a member page must never read whole.
WATCHED = {"billing_bill", "contracts_customer", "contracts_link", "billing_payment"}
BIG, SMALL = "scale-big", "scale-small"


def _load(name: str):
    """bench/web and bench/import are scripts, not a package: load them by path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / name / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


web = _load("web")
imports = _load("import")


@dataclass(frozen=True)
class Size:
    towns: int
    customers: int
    big: int  # the large town: a city of 横浜's size bills about a million contracts
    small: int
    waiting: int  # links waiting for the activation job

    def town_sizes(self) -> list[tuple[str, int]]:
        """The large and the small town, then the rest on a geometric slope."""
        rest, count = self.customers - self.big - self.small, self.towns - 2
        weights = [0.97**j for j in range(count)]
        sizes = [max(self.small, int(rest * w / sum(weights))) for w in weights]
        sizes[0] += rest - sum(sizes)
        return [(BIG, self.big), (SMALL, self.small)] + [
            (f"scale-{j + 3:03d}", n) for j, n in enumerate(sizes)
        ]


SIZES = {
    "full": Size(towns=200, customers=5_000_000, big=1_000_000, small=2_000, waiting=10_000),
    "small": Size(towns=20, customers=200_000, big=100_000, small=500, waiting=1_000),
}
JST = dt.timezone(dt.timedelta(hours=9))
MONTHS = 24
CYCLE = 2  # read every two months: 12 bills a contract in 24 months


# --- filling, in SQL (the bulk path: INSERT … SELECT with the indexes dropped, then built)


def this_month() -> dt.date:
    return dt.datetime.now(JST).date().replace(day=1)


def add_months(first: dt.date, n: int) -> dt.date:
    months = first.year * 12 + first.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def stored_number(i: int) -> str:
    """bench/import's number(i), 1000-0001, as the ledger stores it: 10000001."""
    return imports.number(i).replace("-", "")


# The i of a customer (its place in its town's ledger), from its stored number.
INDEX = "(c.number::bigint - 10000000)"


class Step:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        print(f"  {self.label} …", end="", flush=True)
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            print(f" {time.perf_counter() - self.started:.0f} s", flush=True)


class IndexesDropped:
    """Drop a table's unique constraints, foreign keys and indexes (not its primary key)
    for a bulk insert, and build them again after: a build is much faster than keeping
    each index up to date row by row."""

    def __init__(self, db: psycopg.Connection, table: str):
        self.db, self.table = db, table

    def __enter__(self):
        db, table = self.db, self.table
        self.constraints = db.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        ).fetchall()
        names = [name for name, _, _ in self.constraints]
        self.indexes = db.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND i.relname <> ALL(%s)",
            [table, names],
        ).fetchall()
        for name, _, _ in self.constraints:
            db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            db.execute(f'DROP INDEX "{name}"')

    def __exit__(self, *exc):
        if exc[0] is not None:
            return
        for _, definition in self.indexes:
            self.db.execute(definition)
        # Unique keys first ('u' sorts after 'f', hence DESC above), then the foreign keys.
        for name, definition, _ in self.constraints:
            self.db.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')


def fill(conninfo: str, towns: dict[str, int], *, history_of_all: bool) -> None:
    """Customers, members (10 %), links and bills for ``towns`` (slug → contracts), which
    exist already. With ``history_of_all`` false, only the measured members' contracts
    (the first three of each town) get their 24 months."""
    from django.contrib.auth.hashers import make_password

    from waterportal.lib.kana import kana_key

    last = add_months(this_month(), -1)
    password = make_password(PASSWORD)  # one hash for all: signing in is not measured here
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        ids = dict(db.execute("SELECT slug, id FROM tenants_tenant").fetchall())
        tenant_ids, counts = [ids[s] for s in towns], list(towns.values())
        with Step(f"{sum(counts):,} customers"), IndexesDropped(db, "contracts_customer"):
            db.execute(
                "INSERT INTO contracts_customer (tenant_id, number, name_kana, name_kana_key,"
                " name, address, diameter_mm, reading_cycle, payment_method, status, updated_at)"
                " SELECT t.id, (10000000 + i)::text, 'ヤマダ タロウ', %s, '山田 太郎',"
                " '本町' || (i %% 9 + 1) || '丁目' || (i %% 30 + 1) || '-' || (i %% 20 + 1), 20, 2,"
                " CASE WHEN i %% 3 = 0 THEN '納付書' ELSE '口座振替' END, '使用中', now()"
                " FROM unnest(%s::bigint[], %s::int[]) AS t(id, n), generate_series(0, t.n - 1) i",
                [kana_key("ヤマダ タロウ"), tenant_ids, counts],
            )
        which = "" if history_of_all else f" AND {INDEX} < 3"
        with Step("bills"), IndexesDropped(db, "billing_bill"):
            # Contract i is read in the even or the odd months (i % 2); the latest one
            # last month or the month before; usage, readings and charges vary with i.
            db.execute(
                "INSERT INTO billing_bill (tenant_id, customer_id, billing_month, reading_date,"
                " previous_reading, current_reading, usage_m3, days, water_charge, sewer_charge,"
                " tax, amount, due_date, meter_replaced, reading_status, basic_charge,"
                " volume_charge, updated_at)"
                " SELECT tenant_id, id, month, month + 9, prev, prev + usage, usage, 61, water,"
                " sewer, (water + sewer) * 10 / 110, water + sewer,"
                " (month + interval '1 month' + interval '27 days')::date, false, '', 1650,"
                " water - 1650, now()"
                " FROM (SELECT c.tenant_id, c.id, k,"
                "   (%s::date - make_interval(months => 22 + ("
                + INDEX
                + " %% 2)::int - 2 * k))::date"
                "     AS month,"
                "   1000 + 40 * k AS prev, 5 + ((c.id * 7 + k) %% 40)::int AS usage"
                "   FROM contracts_customer c, generate_series(0, %s) k"
                "   WHERE c.tenant_id = ANY(%s)" + which + ") b,"
                " LATERAL (SELECT 1650 + usage * 176 AS water, 880 + usage * 121 AS sewer) m",
                [last, MONTHS // CYCLE - 1, tenant_ids],
            )
        with Step("payments (all but each contract's latest bill)"):
            with IndexesDropped(db, "billing_payment"):
                db.execute(
                    "INSERT INTO billing_payment (tenant_id, bill_id, paid_on, amount, method,"
                    " result, updated_at) SELECT tenant_id, id, due_date, amount, '口座振替', '済',"
                    " now() FROM billing_bill WHERE tenant_id = ANY(%s) AND billing_month < %s",
                    [tenant_ids, add_months(last, -1)],
                )
        long_ago = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
        with Step("members for 10 % of the contracts, linked"):
            with IndexesDropped(db, "accounts_user"):
                db.execute(
                    "INSERT INTO accounts_user (password, is_superuser, email, name, is_staff,"
                    " is_active, date_joined, notify_new_bill, tenant_id, kind, staff_role,"
                    " session_generation, notify_notices, language)"
                    " SELECT %s, false, 'm' || c.id || '@scale.example.jp', '', false, true, %s,"
                    " true, c.tenant_id, 'member', '', 0, true, '' FROM contracts_customer c"
                    f" WHERE c.tenant_id = ANY(%s) AND {INDEX} %% 10 = 0",
                    [password, long_ago, tenant_ids],
                )
            # Counted first: without statistics of the tables just filled, linking the
            # empty database's 100,000 members to their customers took 432 s; with them,
            # 2 s (2026-12-07).
            db.execute("ANALYZE accounts_user")
            db.execute("ANALYZE contracts_customer")
            with IndexesDropped(db, "contracts_link"):
                db.execute(
                    "INSERT INTO contracts_link (tenant_id, member_id, customer_id, relationship,"
                    " created_at, active_from, activated_at)"
                    " SELECT c.tenant_id, u.id, c.id, '本人', %s, %s, %s"
                    " FROM contracts_customer c JOIN accounts_user u"
                    "   ON u.tenant_id = c.tenant_id AND u.email = 'm' || c.id || '@scale.example.jp'"
                    f" WHERE c.tenant_id = ANY(%s) AND {INDEX} %% 10 = 0",
                    [long_ago, long_ago.date(), long_ago, tenant_ids],
                )
        with Step("VACUUM ANALYZE"):
            for table in ("contracts_customer", "billing_bill", "billing_payment",
                          "accounts_user", "contracts_link"):  # fmt: skip
                db.execute(f"VACUUM (ANALYZE) {table}")


# --- the databases


def django_env(url: str) -> dict[str, str]:
    """Production's settings on ``url``, with the bench's Redis as broker and cache (the
    tasks an import or a notice queues wait there: no worker runs)."""
    return web.server_env(url, os.environ["BENCH_REDIS_URL"], 600)


def admin_url(server: str) -> str:
    return urlsplit(server)._replace(path="/postgres", query="").geturl()


def database_url(server: str, name: str) -> str:
    return urlsplit(server)._replace(path=f"/{name}", query="").geturl()


def migrate_and_create_towns(url: str, towns: list[tuple[str, int]]) -> None:
    from django.utils import timezone

    from waterportal.tenants.actions import do_create_tenant

    imports.manage(django_env(url), "migrate", "--noinput", "-v0")
    use_database(url)
    for slug, _ in towns:
        do_create_tenant(
            slug=slug,
            name=f"スケール町{slug[-3:]}",
            phone="0120-000-000",
            published_at=timezone.now(),
        )


def prepare_empty(server: str, size: Size) -> str:
    name = "bench_scale_empty"
    url = database_url(server, name)
    with psycopg.connect(admin_url(server), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    print(f"\nempty database {name}: the two measured towns only", flush=True)
    towns = [(BIG, size.big), (SMALL, size.small)]
    migrate_and_create_towns(url, towns)
    fill(url, dict(towns), history_of_all=False)
    return url


def prepare_full(server: str, size_name: str, size: Size, refill: bool) -> str:
    name = f"bench_scale_{size_name}"
    url = database_url(server, name)
    with psycopg.connect(admin_url(server), autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and refill:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_scale_filled (filled_at timestamptz)")
        filled = db.execute("SELECT filled_at FROM bench_scale_filled").fetchone()
    towns = size.town_sizes()
    if filled:
        print(f"\nfull database {name}, filled {filled[0]:%Y-%m-%d %H:%M} (--refill to redo)")
        imports.manage(django_env(url), "migrate", "--noinput", "-v0")
        use_database(url)
        return url
    print(
        f"\nfull database {name}: {size.towns} towns, {size.customers:,} contracts, "
        f"{MONTHS} months of bills read every {CYCLE} months",
        flush=True,
    )
    started = time.perf_counter()
    migrate_and_create_towns(url, towns)
    fill(url, dict(towns), history_of_all=True)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("INSERT INTO bench_scale_filled VALUES (now())")
        bills = db.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'billing_bill'")
        used = db.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(
            f"  filled in {(time.perf_counter() - started) / 60:.1f} min: "
            f"{bills.fetchone()[0]:,} bills, {used.fetchone()[0]} on disk"
        )
    return url


def use_database(url: str) -> None:
    """Point this process's Django at ``url`` (closing any earlier connection)."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    parts = urlsplit(url)
    settings.DATABASES["default"].update(NAME=parts.path.lstrip("/"))
    for conn in connections.all():
        conn.settings_dict["NAME"] = parts.path.lstrip("/")


# --- what is measured


def measured_member(slug: str) -> tuple[str, int]:
    """The member of contract 0 of ``slug``, given contracts 1 and 2 as well and the
    town's current texts accepted: (email, first link's id). Idempotent."""
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from waterportal.accounts.models import User
    from waterportal.contracts.models import Customer, Link
    from waterportal.tenants import versions
    from waterportal.tenants.models import Tenant

    with scopes_disabled(), transaction.atomic():
        tenant = Tenant.objects.get(slug=slug)
        customers = list(
            Customer.objects.filter(
                tenant=tenant, number__in=[stored_number(i) for i in range(3)]
            ).order_by("number")
        )
        member = User.objects.get(tenant=tenant, email=f"m{customers[0].pk}@scale.example.jp")
        long_ago = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
        for customer in customers[1:]:
            Link.objects.get_or_create(
                tenant=tenant,
                member=member,
                customer=customer,
                defaults={
                    "relationship": "本人",
                    "created_at": long_ago,
                    "active_from": long_ago.date(),
                    "activated_at": long_ago,
                },
            )
        versions.record_acceptance(member, versions.current_versions(tenant), now=timezone.now())
        link = Link.objects.filter(member=member, customer=customers[0]).get()
    return member.email, link.pk


def signed_in_client(slug: str, email: str):
    from django.test import Client

    client = Client(HTTP_HOST=web.HOST, HTTP_X_FORWARDED_PROTO="https")
    client.get(f"/login?tenant={slug}", secure=True)
    answer = client.post("/login", {"email": email, "password": PASSWORD}, secure=True)
    if answer.status_code != 302:
        raise SystemExit(f"the measured member of {slug} could not sign in ({answer.status_code})")
    return client


def seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in WATCHED:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def explain(label: str, queries: list[str]) -> list[str]:
    """Print each SELECT's plan; return the sequential scans of watched tables."""
    from django.db import connection

    problems = []
    print(f"\n  plans: {label}")
    with connection.cursor() as cursor:
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            (document,) = cursor.fetchone()
            plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
            cursor.execute("EXPLAIN (COSTS OFF) " + sql)
            text = [row[0] for row in cursor.fetchall()]
            scans = seq_scans(plan)
            problems += [f"{label}: {name}" for name in scans]
            mark = "  SEQUENTIAL SCAN of " + ", ".join(scans) if scans else ""
            print(f"    {sql[:150]}{' …' if len(sql) > 150 else ''}{mark}")
            for line in text:
                print(f"      {line}")
    return problems


def member_page_queries(slug: str, email: str, link: int) -> list[tuple[str, list[str]]]:
    """The SQL each member page runs, with its cards drawn (not read from the cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    client = signed_in_client(slug, email)
    month = last_bill_month(link)
    pages = [
        ("home", "/"),
        ("history", f"/contracts/{link}/history"),
        ("bill", f"/contracts/{link}/bills/{month:%Y-%m}"),
    ]
    captured = []
    with override_settings(HOME_CACHE_SECONDS=0):
        for name, path in pages:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(path, secure=True)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
            captured.append((f"{slug} {name}", [q["sql"] for q in queries.captured_queries]))
    return captured


def last_bill_month(link_id: int) -> dt.date:
    from django_scopes import scopes_disabled

    from waterportal.billing.models import Bill
    from waterportal.contracts.models import Link

    with scopes_disabled():
        customer = Link.objects.get(pk=link_id).customer_id
        return Bill.objects.filter(customer=customer).latest("billing_month").billing_month


def signed_in_browsers(port: int, slug: str, email: str, count: int) -> list[dict]:
    """``count`` sessions of the member, signed in through the login form before any
    client starts (bench/web's clients sign in inside the measured window's lead time,
    which a busy machine can overrun): their cookies."""
    import re
    from urllib.parse import urlencode

    sessions = []
    for _ in range(count):
        browser = web.Browser(port)
        status, _, page = browser.request("GET", f"/login?tenant={slug}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"the login page of {slug} answered {status}")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "email": email,
            "password": PASSWORD,
        }
        status, location, _ = browser.request("POST", "/login", urlencode(form))
        if (status, location) != (302, "/"):
            raise SystemExit(f"the measured member of {slug} could not sign in: {status}")
        sessions.append(dict(browser.cookies))
    return sessions


def timed_client(port: int, cookies: dict, schedule, results) -> None:
    """One client process: each (path, start, end) of ``schedule`` in a loop, recording
    each latency in ms; a page without the member's content counts as an error."""
    browser = web.Browser(port)
    browser.cookies = cookies
    out = []
    for path, start, end in schedule:
        time.sleep(max(0.0, start - time.time()))
        latencies, errors = [], 0
        while time.time() < end:
            began = time.perf_counter()
            status, _, body = browser.request("GET", path)
            if status == 200 and ("ご請求".encode() in body or b"<table" in body):
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                errors += 1
        out.append((latencies, errors))
    results.put(out)


def load(port: int, slug: str, email: str, pages: list[tuple[str, str]], args) -> dict:
    """bench/web's load on ``pages`` for the measured member of ``slug``: each page for a
    warm-up slice, then ``args.seconds`` measured. {page: (req/s, p50, p99, errors)}."""
    sessions = signed_in_browsers(port, slug, email, args.clients)
    warmup, t = 2.0, time.time() + 2.0
    schedule = []
    for _, path in pages:
        schedule += [(path, t, t + warmup), (path, t + warmup, t + warmup + args.seconds)]
        t += warmup + args.seconds
    context = mp.get_context("fork")
    results = context.Queue()
    procs = [
        context.Process(target=timed_client, args=(port, cookies, schedule, results))
        for cookies in sessions
    ]
    for p in procs:
        p.start()
    collected = [results.get(timeout=t - time.time() + 60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    report = {}
    for index, (name, _) in enumerate(pages):
        latencies = [ms for out in collected for ms in out[2 * index + 1][0]]
        errors = sum(out[2 * index + 1][1] for out in collected)
        report[name] = (
            len(latencies) / args.seconds,
            statistics.median(latencies) if latencies else float("nan"),
            web.percentile(latencies, 99) if latencies else float("nan"),
            errors,
        )
    return report


class Gunicorn:
    def __init__(self, url: str, redis_url: str, card_cache_seconds: int, workers: int):
        self.env = web.server_env(url, redis_url, card_cache_seconds)
        self.workers = workers

    def __enter__(self) -> int:
        self.port = web.free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "waterportal.wsgi", "--bind",
             f"{web.HOST}:{self.port}", "--workers", str(self.workers), "--backlog", "256",
             "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        web.wait_until_up(self.port, self.process)
        return self.port

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def web_figures(url: str, redis_url: str, args) -> dict[str, float]:
    import redis
    from django.db import connections

    figures = {}
    members = {slug: measured_member(slug) for slug in (BIG, SMALL)}
    connections.close_all()  # the clients are forked
    for cache_seconds, pages in ((600, ["home", "history"]), (0, ["home drawn"])):
        redis.Redis.from_url(redis_url).flushdb()
        with Gunicorn(url, redis_url, cache_seconds, args.workers) as port:
            for slug, (email, link) in members.items():
                paths = {"home": "/", "home drawn": "/", "history": f"/contracts/{link}/history"}
                report = load(port, slug, email, [(p, paths[p]) for p in pages], args)
                town = "large" if slug == BIG else "small"
                for page, (rps, _, p99, errors) in report.items():
                    figures[f"{town} town: {page} req/s"] = rps
                    figures[f"{town} town: {page} p99 ms"] = p99
                    if errors:
                        print(f"  {errors} errors on {slug} {page}")
    return figures


def bills_file(rows: int, month: dt.date) -> Path:
    """One bill for each of the large town's ``rows`` contracts, for ``month``."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scale-bills-{rows}-{month:%Y-%m}.csv"
    if path.exists():
        return path
    label = f"{month:%Y-%m}"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(imports.BILL_COLUMNS)
        for i in range(rows):
            usage = 5 + i % 40
            previous = 2000 + i % 997
            water, sewer = 1650 + usage * 176, 880 + usage * 121
            amount = water + sewer
            writer.writerow(
                [imports.number(i), label, f"{label}-{10 + i % 15:02d}", previous,
                 previous + usage, usage, 61, water, sewer, amount * 10 // 110, amount,
                 f"{label}-28", "", "", 1650, water - 1650]
            )  # fmt: skip
    return path


def import_figures(url: str, size: Size) -> dict[str, float]:
    month = this_month()
    path = bills_file(size.big, month)
    # With the broker, as in production: the new-bill emails are queued, not sent inline.
    env = django_env(url)
    imports.TENANT = BIG
    seconds, rss, summary = imports.timed_import(env, "bills", path)
    print(f"  import of {size.big:,} bills into {BIG}: {seconds:.1f} s, {rss:.0f} MB; {summary}")
    with psycopg.connect(url, autocommit=True) as db:
        # Take it back, so that the database is the same for the next run.
        tenant = db.execute("SELECT id FROM tenants_tenant WHERE slug = %s", [BIG]).fetchone()[0]
        db.execute(
            "DELETE FROM billing_bill WHERE tenant_id = %s AND billing_month = %s", [tenant, month]
        )
        db.execute("VACUUM (ANALYZE) billing_bill")
    from django_scopes import scopes_disabled

    from waterportal.exchange.models import ImportRun

    with scopes_disabled():
        ImportRun.objects.filter(tenant__slug=BIG).delete()
    return {f"bills import, {size.big:,} rows s": seconds, "bills import peak RSS MB": rss}


def waiting_links(size: Size) -> list[int]:
    """``size.waiting`` links of the large town waiting for activation (made once)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tenants_tenant WHERE slug = %s", [BIG])
        (tenant,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM accounts_user WHERE tenant_id = %s AND email LIKE 'w%%'",
            [tenant],
        )
        if cursor.fetchone()[0] == 0:
            # Contracts 5, 15, 25 …: none has a member yet.
            cursor.execute(
                "INSERT INTO accounts_user (password, is_superuser, email, name, is_staff,"
                " is_active, date_joined, notify_new_bill, tenant_id, kind, staff_role,"
                " session_generation, notify_notices, language)"
                " SELECT '!', false, 'w' || c.id || '@scale.example.jp', '', false, true, now(),"
                " true, c.tenant_id, 'member', '', 0, true, '' FROM contracts_customer c"
                f" WHERE c.tenant_id = %s AND {INDEX} %% 10 = 5 AND {INDEX} < %s",
                [tenant, size.waiting * 10],
            )
            cursor.execute(
                "INSERT INTO contracts_link (tenant_id, member_id, customer_id, relationship,"
                " created_at, active_from)"
                " SELECT c.tenant_id, u.id, c.id, '本人', now(), current_date"
                " FROM contracts_customer c JOIN accounts_user u"
                "   ON u.tenant_id = c.tenant_id AND u.email = 'w' || c.id || '@scale.example.jp'"
                " WHERE c.tenant_id = %s",
                [tenant],
            )
            cursor.execute("ANALYZE contracts_link")
        cursor.execute(
            "SELECT l.id FROM contracts_link l JOIN accounts_user u ON u.id = l.member_id"
            " WHERE l.tenant_id = %s AND u.email LIKE 'w%%'",
            [tenant],
        )
        return [row[0] for row in cursor.fetchall()]


def activation_figures(size: Size) -> tuple[dict[str, float], list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from waterportal.contracts.actions import activate_all
    from waterportal.contracts.models import Link

    links = waiting_links(size)
    today = this_month().replace(day=dt.datetime.now(JST).day)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contracts_link SET activated_at = NULL, active_from = %s WHERE id = ANY(%s)",
            [today, links],
        )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        done = activate_all(as_of=today)
    seconds = time.perf_counter() - started
    activated = sum(done.values())
    assert activated == len(links), (activated, len(links))
    with scopes_disabled():
        assert not Link.objects.filter(pk__in=links, activated_at=None).exists()
    print(f"  activation: {activated:,} links in {seconds:.2f} s ({len(done)} towns)")
    return {f"activation job, {len(links):,} links s": seconds}, [
        q["sql"] for q in queries.captured_queries
    ]


def notice_figures(size: Size) -> tuple[dict[str, float], list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from waterportal.accounts.models import User
    from waterportal.notices.actions import (
        NoticeFields,
        do_create_notice,
        do_mail_notice,
        do_publish_notice,
    )
    from waterportal.notices.models import Notice, NoticeCategory
    from waterportal.outbox.models import OutboxEmail
    from waterportal.tenants.models import Tenant

    tenant = Tenant.objects.get(slug=BIG)
    with scope(tenant=tenant):
        staff, _ = User.objects.get_or_create(
            tenant=tenant, email="staff@scale.example.jp", kind="staff",
            defaults={"staff_role": "clerk"},
        )  # fmt: skip
        fields = NoticeFields(
            title="料金改定のお知らせ",
            body="4月の検針分から料金が変わります。",
            category=NoticeCategory.objects.filter(tenant=tenant).first(),
            important=True,
            audience=Notice.Audience.MEMBERS,
            starts_at=timezone.now(),
        )
        notice = do_create_notice(tenant, fields, actor=staff, targets=None)
        started = time.perf_counter()
        do_publish_notice(notice, actor=staff)
        publish = time.perf_counter() - started
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        sent = do_mail_notice(notice.pk)
    seconds = time.perf_counter() - started
    print(
        f"  notice: published in {publish * 1000:.0f} ms; {sent:,} emails queued in {seconds:.1f} s"
    )
    with scopes_disabled():
        # Take it back: the notice (its emails and marks with it) and the outbox's rows.
        Notice.objects.filter(pk=notice.pk).delete()
        OutboxEmail.objects.filter(tenant=tenant).delete()
    return {
        "notice: the publish call ms": publish * 1000,
        f"notice: {sent:,} emails queued s": seconds,
    }, [q["sql"] for q in queries.captured_queries[:20]]


def measure(
    url: str, redis_url: str, size: Size, args, *, explain_plans: bool
) -> tuple[dict, list]:
    import redis

    use_database(url)
    redis.Redis.from_url(redis_url).flushdb()
    problems = []
    if explain_plans:
        for slug in (BIG, SMALL):
            email, link = measured_member(slug)
            for label, queries in member_page_queries(slug, email, link):
                problems += explain(label, queries)
    figures = {}
    print("  bench/web's pages …", flush=True)
    figures |= web_figures(url, redis_url, args)
    use_database(url)
    figures |= import_figures(url, size)
    activation, queries = activation_figures(size)
    figures |= activation
    if explain_plans:
        problems += explain("the activation job", queries)
    notice, queries = notice_figures(size)
    figures |= notice
    if explain_plans:
        explain("the notice's emails (printed, not judged)", queries)
    return figures, problems


def within(name: str, empty: float, full: float) -> bool:
    if name.endswith("req/s"):
        return full >= empty * (1 - TOLERANCE)
    return full <= empty * (1 + TOLERANCE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--refill", action="store_true", help="fill the large database again")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--fill-only", action="store_true", help="fill the large database if needed, then stop"
    )
    args = parser.parse_args()
    size = SIZES[args.size]
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = DEFAULT_SERVER
    if urlsplit(server).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(
            "bench/scale fills a database: it only talks to PostgreSQL on this machine"
        )
    redis_url = os.environ.setdefault("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    # This process runs the activation and the notice with production's settings.
    os.environ.update(web.server_env(database_url(server, "postgres"), redis_url, 600))
    os.environ.update(CELERY_TASK_ALWAYS_EAGER="false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waterportal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    started = time.perf_counter()
    imports.manage(
        django_env(database_url(server, "postgres")), "collectstatic", "--noinput", "-v0"
    )
    print(f"collectstatic {time.perf_counter() - started:.0f} s")

    if args.fill_only:
        prepare_full(server, args.size, size, args.refill)
        return
    empty_url = prepare_empty(server, size)
    empty, _ = measure(empty_url, redis_url, size, args, explain_plans=False)
    full_url = prepare_full(server, args.size, size, args.refill)
    full, problems = measure(full_url, redis_url, size, args, explain_plans=True)
    with psycopg.connect(admin_url(server), autocommit=True) as db:
        db.execute('DROP DATABASE IF EXISTS "bench_scale_empty" WITH (FORCE)')

    print(
        f"\n{size.towns} towns, {size.customers:,} contracts, {MONTHS} months; "
        f"{args.clients} clients, gunicorn {args.workers} workers, {os.cpu_count()} CPUs"
    )
    print(
        f"{'figure':<44}{'empty':>10}{'full':>10}{'full/empty':>12}  target: within {TOLERANCE:.0%}"
    )
    for name, value in empty.items():
        other = full[name]
        ratio = other / value if value else float("nan")
        verdict = "met" if within(name, value, other) else "MISSED"
        print(f"{name:<44}{value:>10.1f}{other:>10.1f}{ratio:>12.2f}  {verdict}")
    if problems:
        print("\nsequential scans of bills, customers or links:\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("\nplans: no sequential scan of bills, customers or links")


if __name__ == "__main__":
    main()
