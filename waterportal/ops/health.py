"""What ``/readyz`` checks: the database, Redis, and a worker's recent heartbeat.

Every check is bounded by a short timeout, and none waits on a worker: the worker writes
a timestamp to Redis every minute (``waterportal.ops.tasks.heartbeat``) and readiness only
reads it. A check's answer names the part and says ``ok`` or what is wrong, never a host,
an address or an error message (those go to the log).
"""

import logging
import time

import redis
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "waterportal:worker-heartbeat"
# Long enough for a worker busy with an import not to look dead: the heartbeat task waits
# behind the tasks ahead of it.
HEARTBEAT_STALE_SECONDS = 5 * 60
REDIS_TIMEOUT_SECONDS = 0.5
DATABASE_TIMEOUT_MS = 2000

OK = "ok"
ERROR = "error"
STALE = "stale"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


def check_database() -> str:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A statement that hangs (a lock, an overloaded server) fails the check
                # instead of the probe's own timeout; LOCAL: for this transaction only.
                cursor.execute("SET LOCAL statement_timeout = %s", [DATABASE_TIMEOUT_MS])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("readiness: the database did not answer", exc_info=True)
        return ERROR
    return OK


def check_redis_and_worker() -> dict[str, str]:
    """Redis answers PING, and a worker wrote its heartbeat in the last few minutes."""
    client = _redis()
    try:
        client.ping()
        beat = client.get(HEARTBEAT_KEY)
    except redis.RedisError:
        logger.warning("readiness: Redis did not answer", exc_info=True)
        # Whether a worker runs cannot be told without Redis, and without Redis no task
        # reaches one: the worker is not ready either.
        return {"redis": ERROR, "worker": ERROR}
    finally:
        client.close()
    if beat is None or time.time() - float(beat) > HEARTBEAT_STALE_SECONDS:
        return {"redis": OK, "worker": STALE}
    return {"redis": OK, "worker": OK}


def readiness() -> dict[str, str]:
    """Each part's state, by name. Without REDIS_URL (one host, tasks inline) there is no
    Redis and no worker to check."""
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks |= check_redis_and_worker()
    return checks


def write_heartbeat(now: float | None = None) -> None:
    """Called by a worker: "a worker answered at ``now``" (Unix time)."""
    client = _redis()
    try:
        client.set(HEARTBEAT_KEY, repr(now if now is not None else time.time()), ex=24 * 3600)
    finally:
        client.close()
