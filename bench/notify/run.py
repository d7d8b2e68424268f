"""Benchmark: queueing the new-bill emails of one import for 100,000 members, and the
emails of an important notice for 100,000 targeted members.

    .venv/bin/python bench/notify/run.py
    DATABASE_URL=postgres://user@host:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/notify/run.py

Creates a scratch PostgreSQL database on the server of ``DATABASE_URL`` (default
127.0.0.1:5432 as postgres; the database it names is never touched) with 100,000
contracts, each linked (active) to a member of its own, imports a bills file giving
every contract a new bill, then times ``waterportal.exchange.actions.do_notify_new_bills`` for
that import, the work of the task the import queued: finding the members, writing one
outbox row each and queueing one ``cards_then_emails`` task per ``OUTBOX_BATCH`` rows on
the Redis broker (it draws the batch's home cards, then queues the batch's
``deliver_outbox``). A few of those tasks are then run, to print what drawing the cards
costs a worker before a batch goes out. No worker runs, so the tasks stay queued; the Redis database (``REDIS_URL``, default ``redis://127.0.0.1:6379/14``) is
emptied before and after. The scratch database is dropped at the end.

The notices case (``--case notices``, run by default after the bills one) chooses every
contract by its 使用者番号 for an important notice (as a pasted list would), then times
the staff member's publish call (``do_publish_notice``: it flips the notice and queues
one task) and that task's work (``do_mail_notice``: the ``NoticeEmail`` and outbox rows,
and one ``deliver_outbox`` task per ``OUTBOX_BATCH`` members, in batches).

Not a test: it prints figures and exits 0 unless something broke.
"""

import argparse
import csv
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
TARGET_SECONDS = 60
BATCH = 5000


def number(i: int) -> str:
    return f"{3000 + i // 10000:04d}{i % 10000:04d}"


def write_files(members: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    ledger, bills = OUT / f"notify-customers-{members}.csv", OUT / f"notify-bills-{members}.csv"
    with ledger.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["使用者番号", "使用者名カナ"])
        writer.writerows([number(i), "ヤマダ タロウ"] for i in range(members))
    with bills.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["使用者番号", "調定年月", "検針日", "前回指針", "今回指針", "使用水量"]
            + ["水道料金", "下水道使用料", "消費税額", "請求金額", "納期限"]
        )
        bill = ["2026-10", "2026-10-10", 100, 120, 20, 3300, 2200, 500, 5500, "2026-10-31"]
        writer.writerows([number(i), *bill] for i in range(members))
    return ledger, bills


def seed(members: int, ledger: Path, bills: Path):
    """The tenant, its ledger, one member with an active link per contract, and the
    bills import; returns (tenant, the import's run)."""
    from django.core.management import call_command
    from django.db import transaction
    from django_scopes import scopes_disabled

    from waterportal.accounts.models import User
    from waterportal.contracts.models import Customer, Link
    from waterportal.exchange.actions import do_import_file
    from waterportal.tenants.actions import do_create_tenant

    call_command("migrate", verbosity=0)
    tenant = do_create_tenant(slug="bench", name="ベンチ町", phone="0120-000-000")
    run = do_import_file(tenant, "customers", ledger)
    assert run.status == "succeeded", run.report
    long_ago = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with scopes_disabled():
        customers = list(Customer.objects.filter(tenant=tenant).order_by("number"))
        for start in range(0, members, BATCH):
            chunk = customers[start : start + BATCH]
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(tenant=tenant, email=f"m{start + i}@example.jp", password="!bench")
                    for i in range(len(chunk))
                )
                Link.objects.bulk_create(
                    Link(
                        tenant=tenant,
                        member=user,
                        customer=customer,
                        relationship="本人",
                        created_at=long_ago,
                        active_from=long_ago.date(),
                        activated_at=long_ago,
                    )
                    for user, customer in zip(users, chunk, strict=True)
                )
    # The import queues notify_new_bills on the broker; no worker takes it, and this
    # benchmark does its work below, timed.
    run = do_import_file(tenant, "bills", bills)
    assert (run.status, run.added) == ("succeeded", members), run.report
    # The members and links were bulk-created here, not imported: give them the planner
    # statistics a live database has (autovacuum's ANALYZE).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return tenant, run


def wake_ups(emails: int) -> int:
    """The deliver_outbox tasks queued for ``emails`` outbox rows written at once."""
    from django.conf import settings

    return -(-emails // settings.OUTBOX_BATCH)


def bills_case(queue, run) -> None:
    from waterportal.exchange.actions import do_notify_new_bills

    queued_by_import = queue.llen("celery")
    memory_before = queue.info("memory")["used_memory"]

    started = time.perf_counter()
    sent = do_notify_new_bills(run.pk)
    seconds = time.perf_counter() - started

    queued = queue.llen("celery") - queued_by_import
    assert queued == wake_ups(sent), (queued, sent)
    newest = json.loads(queue.lindex("celery", 0))
    # One task per batch: it draws the batch's home cards, then wakes a worker for its rows.
    assert newest["headers"]["task"] == CARDS_THEN_EMAILS, newest["headers"]
    memory_after = queue.info("memory")["used_memory"]
    in_queue = queue.memory_usage("celery", samples=0)
    print(f"queued {sent:,} emails ({queued:,} tasks on the broker) in {seconds:.1f} s")
    print(f"  {sent / seconds:,.0f} emails/s (target: all within {TARGET_SECONDS} s)")
    print(
        f"  broker memory: {memory_before / 1e6:.0f} MB before, {memory_after / 1e6:.0f} MB after"
        f" ({(memory_after - memory_before) / max(queued, 1):,.0f} bytes a message);"
        f" one message: {len(queue.lindex('celery', 0)):,} bytes"
    )
    print(f"  the queue itself (MEMORY USAGE celery): {in_queue / 1e6:.0f} MB")
    workers_share(queue)


CARDS_THEN_EMAILS = "waterportal.exchange.actions.cards_then_emails"


def workers_share(queue, tasks: int = 5) -> None:
    """What the batches cost the workers before their emails go out: the oldest few
    batches' tasks run here (their home cards drawn; their delivery stays queued)."""
    import base64

    from waterportal.exchange.actions import cards_then_emails

    seconds, members, ran = 0.0, 0, 0
    while ran < tasks:
        envelope = json.loads(queue.rpop("celery"))  # the oldest
        if envelope["headers"]["task"] != CARDS_THEN_EMAILS:
            continue  # the import's own task, done above
        ran += 1
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        started = time.perf_counter()
        cards_then_emails.run(*args)
        seconds += time.perf_counter() - started
        members += len(args[1])
    print(
        f"  a worker's share before a batch's emails go out (drawing its members' home"
        f" cards, {tasks} batches): {seconds / tasks * 1000:.0f} ms a batch of"
        f" {members // tasks}, {seconds / members * 1000:.2f} ms a member"
    )


def notices_case(queue, tenant, members: int) -> None:
    from django.utils import timezone
    from django_scopes import scope

    from waterportal.accounts.models import User
    from waterportal.notices import targeting
    from waterportal.notices.actions import (
        NoticeFields,
        do_create_notice,
        do_mail_notice,
        do_publish_notice,
    )
    from waterportal.notices.models import NoticeCategory

    queue.delete("celery")
    with scope(tenant=tenant):
        staff = User.objects.create(
            tenant=tenant, email="staff@bench.example.jp", kind="staff", staff_role="clerk"
        )
        started = time.perf_counter()
        targets = targeting.by_numbers(tenant, [number(i) for i in range(members)])
        chosen = time.perf_counter() - started
        fields = NoticeFields(
            title="料金改定のお知らせ",
            body="4月の検針分から料金が変わります。",
            category=NoticeCategory.objects.get(tenant=tenant, name="料金"),
            important=True,
            audience="contracts",
            starts_at=timezone.now(),
        )
        started = time.perf_counter()
        notice = do_create_notice(tenant, fields, actor=staff, targets=targets)
        saved = time.perf_counter() - started
        print(
            f"notices: chose {len(targets):,} contracts by 使用者番号 in {chosen:.1f} s;"
            f" saved the draft with its targets in {saved:.1f} s"
        )

        started = time.perf_counter()
        do_publish_notice(notice, actor=staff)
        publish = time.perf_counter() - started
        queued_by_publish = queue.llen("celery")
        print(
            f"  the staff member's publish call: {publish * 1000:.0f} ms"
            f" (target: under 1 s), {queued_by_publish} task queued"
        )
        assert queued_by_publish == 1, queued_by_publish
        queue.delete("celery")

    started = time.perf_counter()
    sent = do_mail_notice(notice.pk)
    seconds = time.perf_counter() - started
    queued = queue.llen("celery")
    assert sent == members and queued >= wake_ups(sent), (queued, sent, members)
    print(f"  the task queued {sent:,} emails ({queued:,} tasks on the broker) in {seconds:.1f} s")
    print(f"  {sent / seconds:,.0f} emails/s (target: all within {TARGET_SECONDS} s)")
    print(f"  one message: {len(queue.lindex('celery', 0)):,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000, help="default 100,000")
    parser.add_argument(
        "--case", choices=["all", "bills", "notices"], default="all", help="default: both"
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = DEFAULT_SERVER
    broker = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    parts = urlsplit(server)
    scratch = f"waterportal_bench_notify_{os.getpid()}"
    admin = parts._replace(path="/postgres", query="").geturl()
    queue = redis.Redis.from_url(broker)
    queue.flushdb()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{scratch}"')
    os.environ.update(
        DATABASE_URL=parts._replace(path=f"/{scratch}", query="").geturl(),
        REDIS_URL=broker,
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waterportal.settings")
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.db import connections

        ledger, bills = write_files(args.members)
        started = time.perf_counter()
        tenant, run = seed(args.members, ledger, bills)
        print(
            f"seeded {args.members:,} members, contracts and bills in {time.perf_counter() - started:.0f} s"
        )
        if args.case in ("all", "bills"):
            bills_case(queue, run)
        if args.case in ("all", "notices"):
            notices_case(queue, tenant, args.members)
        connections.close_all()
    finally:
        queue.flushdb()
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        for leftover in OUT.glob("notify-*.csv"):
            leftover.unlink()


if __name__ == "__main__":
    main()
