"""Sessions read from the cache and written through to the database (Django's
``cached_db``), with the cached copy kept at most ``SESSION_CACHE_SECONDS``, and the
database deciding whether a signed-in session still exists.

Why the database decides: a logout deletes the session from the database, and from
Redis when it can. Found by probing production: with Redis frozen (SIGSTOP) during a
logout, the copy in Redis survived, and once Redis was back the old cookie signed in
again until the copy expired. So a cached copy of a signed-in session is used only
while its row exists; a logout is final once the page says so, whatever Redis holds.

The check costs no query of its own: the member is read from the database on every
signed-in request anyway, and ``waterportal.accounts.backends`` reads them only if the session's
row still exists (one query, ``unverified_session``). Sessions with nobody signed in
(the town chosen, a registration under way) are not checked: ending them ends nothing.

Why the limit: the cache fails soft (``waterportal.lib.redis_cache``). A logout made while
this process could not reach Redis deletes the session from the database but cannot
delete its copy in Redis; were that Redis only unreachable, not restarted, the copy would
let the old cookie in again once Redis is back, for as long as the copy lives. Django
keeps it for the session's whole age (12 hours); here it lives 5 minutes after it was
last written. A member who keeps using the portal has their session written once a minute
(``waterportal.accounts.middleware``), so the limit costs one database read after a pause of more than
5 minutes.
"""

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY as SIGNED_IN
from django.contrib.sessions.backends import cached_db

# The key of the session this request loaded from the cache with someone signed in:
# its row must still exist for the member to be read (``waterportal.accounts.backends``).
_unverified: ContextVar[str | None] = ContextVar("unverified_session", default=None)


def unverified_session() -> str | None:
    """The key whose database row decides whether this request is still signed in."""
    return _unverified.get()


def forget_unverified(**kwargs) -> None:
    """``request_started``: nothing of an earlier request on this thread carries over."""
    _unverified.set(None)


class _Limited:
    """The cache, with every timeout it is given cut to ``seconds``."""

    def __init__(self, cache, seconds: int):
        self._cache = cache
        self._seconds = seconds

    def _limit(self, timeout):
        return self._seconds if timeout is None else min(timeout, self._seconds)

    def set(self, key, value, timeout):
        return self._cache.set(key, value, self._limit(timeout))

    async def aset(self, key, value, timeout):
        return await self._cache.aset(key, value, self._limit(timeout))

    def __contains__(self, key) -> bool:
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    # Set by Django's cache-backed store; django-stubs does not declare it.
    _cache: Any

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Limited(self._cache, settings.SESSION_CACHE_SECONDS)

    def load(self):
        data = self._cache.get(self.cache_key)
        cached_sign_in = data is not None and SIGNED_IN in data
        _unverified.set(self.session_key if cached_sign_in else None)
        if data is not None:
            return data
        # A private method of Django's database store, which django-stubs leaves out.
        row = self._get_session_from_db()  # type: ignore[attr-defined]
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        return data
