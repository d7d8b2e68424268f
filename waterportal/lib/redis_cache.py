"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's ``RedisCacheClient`` makes a new ``redis.Redis`` object for every cache call,
and redis-py builds a table of a few hundred response callbacks in each one. A member's
page makes three cache calls (session, cards version, cards), and those constructions
were about a sixth of the time of a cached home page (bench/web). A ``redis.Redis`` is
safe to share between threads (each command borrows a connection from the pool), so one
per pool does the same work.
"""

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Pools are kept for the life of the process, so their id() stays theirs.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
