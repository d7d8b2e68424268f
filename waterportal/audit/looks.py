"""Looks at members' bills, on their way to the database.

A look is recorded on every page that shows a member's bills (``waterportal.audit.actions.
do_record_look``), the home page included. Written to the database by the page, it cost
the home page 13 % of its speed on the bench machine (one more round trip, 0.45–0.6 ms,
whatever the SQL); the target is 5 %. So, as Zulip does with its user-activity
records, the page hands the look to Redis (one RPUSH, about 0.1 ms) and the worker moves
the waiting looks into the database in batches (``waterportal.audit.tasks.store_looks``, every 10
seconds). Without Redis, or while it cannot be reached, the page writes the look to the
database itself: nothing is dropped for want of Redis. What Redis holds is at most the
last few seconds of looks; losing Redis's contents (a flush, a restart without
persistence) loses those.
"""

import datetime as dt
import json
import logging

import redis
from django.conf import settings
from django.db import connections, router, transaction
from django.utils.dateparse import parse_datetime

from waterportal.audit.models import Look
from waterportal.lib import outage

log = logging.getLogger(__name__)

QUEUE = "waterportal:looks"
BATCH = 1000

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url or outage.is_down(url):
        return None
    client = _clients.get(url)
    if client is None:
        # The same limits as the cache: a page waits a second at most for Redis.
        client = _clients.setdefault(
            url, redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
        )
    return client


def record(row: tuple) -> None:
    """Queue one look (``Look`` columns in ``COLUMNS`` order), or write it at once."""
    client = _client()
    if client is not None:
        try:
            client.rpush(QUEUE, json.dumps(row, default=_iso))
            return
        except redis.RedisError as exc:
            outage.mark_down(settings.REDIS_URL)
            log.warning("looks queue unreachable (%s); writing to the database", type(exc).__name__)
    write([row])


COLUMNS = ("tenant_id", "member_id", "created_at", "action", "customer_id", "month", "source")


def write(rows: list[tuple]) -> None:
    """Insert looks (``COLUMNS`` order) in one statement."""
    if not rows:
        return
    connection = connections[router.db_for_write(Look)]
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Look._meta.db_table} ({', '.join(COLUMNS)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(rows))}",
            [value for look in rows for value in look],
        )


STORING = QUEUE + ":storing"


def store_waiting(client: redis.Redis | None = None) -> int:
    """Move every look waiting in Redis into the database; returns how many.

    The waiting looks are first renamed, all at once, to ``STORING`` (new looks go on
    queueing meanwhile), stored in one transaction, and only then deleted from Redis.
    A worker that dies or a database that refuses in between leaves them there for
    the next run: a look may be stored twice, never lost. A look that cannot be read
    (not written by ``record``) is logged and left out, or it would block the rest.
    """
    client = client or _client()
    if client is None:
        return 0
    stored = 0
    while True:
        if not client.exists(STORING):
            try:
                client.rename(QUEUE, STORING)
            except redis.ResponseError:  # nothing waiting
                return stored
        raw: list[bytes] = client.lrange(STORING, 0, -1)  # type: ignore[assignment]
        rows = []
        for item in raw:
            try:
                rows.append(_row(json.loads(item)))
            except (ValueError, TypeError):
                log.error("a look that cannot be read was left out")
        with transaction.atomic():
            for start in range(0, len(rows), BATCH):
                write(rows[start : start + BATCH])
        client.delete(STORING)
        stored += len(rows)


def _iso(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def _row(item: list) -> tuple:
    """The columns of a look as ``record`` queued it; ValueError for anything else."""
    tenant_id, member_id, created_at, action, customer_id, month, source = item
    when = parse_datetime(created_at) if isinstance(created_at, str) else None
    if not isinstance(tenant_id, int) or when is None or not isinstance(action, str):
        raise ValueError("not a look")
    return (tenant_id, member_id, when, action, customer_id, month, source)
