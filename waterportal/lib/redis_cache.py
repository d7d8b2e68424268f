"""Django's Redis cache backend, keeping one redis-py client per connection pool, and
treating Redis being unreachable as a cache miss instead of an error.

One client per pool: Django's ``RedisCacheClient`` makes a new ``redis.Redis`` object for
every cache call, and redis-py builds a table of a few hundred response callbacks in
each one. A member's page makes three cache calls (session, cards version, cards), and
those constructions were about a sixth of the time of a cached home page (bench/web). A
``redis.Redis`` is safe to share between threads (each command borrows a connection from
the pool), so one per pool does the same work.

Failing soft: everything kept in this cache can be had again from the database (the
sessions are written through to it, the cards are drawn again), so a Redis that is down,
restarting or unreachable must not take the member pages, the imports or the admin with
it. A failed read is a miss, a failed write is skipped, and for ``outage.RETRY_SECONDS``
after a failure the process does not try that Redis at all (nor does the mail queue:
``waterportal.lib.outage``), so that a Redis that hangs costs one timeout per process,
not one per call. What a failed write leaves behind in a Redis that
was only unreachable is bounded by the entries' timeouts (the sessions' copies:
``waterportal.accounts.sessions``; the cards: ``HOME_CACHE_SECONDS``).

django-redis has an ``IGNORE_EXCEPTIONS`` option for the same purpose, but it would
replace Django's own backend (and this module's client reuse) for the sake of a few
lines; it also retries Redis on every call while it is down.
"""

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends import redis as django_redis

from waterportal.lib import outage

logger = logging.getLogger(__name__)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        # Django's own private helpers, which django-stubs leaves out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        # Pools are kept for the life of the process, so their id() stays theirs.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))  # type: ignore[attr-defined]
        return client


def _soft(fallback: Callable[..., Any]) -> Callable:
    """A cache method that answers ``fallback(*args, **kwargs)`` when Redis fails."""

    def wrap(method: Callable) -> Callable:
        @functools.wraps(method)
        def soft(self: "RedisCache", *args: Any, **kwargs: Any) -> Any:
            if outage.is_down(self._server_url):
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as exc:
                # Never the key: session keys are part of the cache keys.
                logger.warning(
                    "Redis cache unreachable (%s); using the database for %.0f s",
                    type(exc).__name__,
                    outage.RETRY_SECONDS,
                )
                outage.mark_down(self._server_url)
                return fallback(*args, **kwargs)

        return soft

    return wrap


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        # Django accepts several servers (the first for writes); they go down together.
        self._server_url = (re.split("[;,]", server) if isinstance(server, str) else server)[0]

    # Django's RedisCache.clear returns a bool too; django-stubs declare BaseCache's None.
    def clear(self) -> bool:  # type: ignore[override]
        """Delete this cache's keys, and only those.

        Django's backend empties the whole Redis database (FLUSHDB); with one
        ``REDIS_URL`` that database is also Celery's broker, and the queued emails would
        go with it. Every key this cache writes starts with its prefix and version
        separator (``make_key``), which Celery's keys never do.
        """
        client = self._cache.get_client(None, write=True)
        pattern = f"{self.key_prefix}:*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True

    # Django's RedisCache implements each of these directly (none calls another), so
    # each is wrapped. ``incr``/``decr`` and ``clear`` keep raising: a counter that
    # silently failed would be wrong, and clearing is never part of a request.
    get = _soft(_default)(django_redis.RedisCache.get)
    get_many = _soft(_empty)(django_redis.RedisCache.get_many)
    has_key = _soft(_false)(django_redis.RedisCache.has_key)
    set = _soft(_nothing)(django_redis.RedisCache.set)
    set_many = _soft(_all_failed)(django_redis.RedisCache.set_many)
    add = _soft(_false)(django_redis.RedisCache.add)
    touch = _soft(_false)(django_redis.RedisCache.touch)
    delete = _soft(_false)(django_redis.RedisCache.delete)
    delete_many = _soft(_nothing)(django_redis.RedisCache.delete_many)
