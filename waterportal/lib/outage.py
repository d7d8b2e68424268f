"""Which Redis servers this process found unreachable, and until when it leaves them alone.

The cache, the sessions' copies and the mail queue all live on one Redis in production.
When it stops answering, the first call that meets it pays a timeout; every other call in
the same process, whatever it is for, is told at once that Redis is down, and goes the
way that does without it (the database, or sending a mail at once). After
``RETRY_SECONDS`` the next call tries Redis again. So a Redis that hangs costs a page
one timeout, not one per cache read plus one for the mail.
"""

import time
from urllib.parse import urlsplit

RETRY_SECONDS = 5.0

_down_until: dict[str, float] = {}


def _now() -> float:
    """The clock of the retry delay (a seam for tests)."""
    return time.monotonic()


def _server(url: str) -> str:
    # The server, not the database: /0 and /15 of one Redis are down together.
    return urlsplit(url).netloc


def is_down(url: str) -> bool:
    """True while the Redis at ``url`` failed less than ``RETRY_SECONDS`` ago."""
    return _now() < _down_until.get(_server(url), 0.0)


def mark_down(url: str) -> None:
    _down_until[_server(url)] = _now() + RETRY_SECONDS


def forget() -> None:
    """Every server is tried again on its next call (tests start from here)."""
    _down_until.clear()
