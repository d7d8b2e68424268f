"""Named limits counted in the database, so they hold across every server process.

Written by hand rather than with django-ratelimit: that library counts in the cache in
fixed windows and, with the cache down, can let requests through; these limits need a
sliding window, a lock of a set length once tripped, and to fail closed (a database
error is an error, never "no limit").

Keys are hashed with the secret key before they are stored: the table never holds an
email address or an IP address in clear.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from waterportal.limits.models import RateEvent, RateLock


@dataclass(frozen=True)
class Policy:
    name: str
    limit: int
    window: dt.timedelta
    lockout: dt.timedelta


# Failed logins. Per account and source: someone else's mistakes (or attacks) never lock
# a resident out of their own phone. Per source, across accounts: one machine trying
# many accounts. Per account, across every source: a ceiling high enough that one
# attacker cannot reach it (ASVS and NIST SP 800-63B allow up to 100), which many
# machines together might; then the member is mailed a one-time sign-in link.
LOGIN_ACCOUNT_SOURCE = Policy(
    "login-account-source", 10, dt.timedelta(minutes=15), dt.timedelta(minutes=15)
)
LOGIN_SOURCE = Policy("login-source", 30, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
LOGIN_ACCOUNT = Policy("login-account", 100, dt.timedelta(hours=24), dt.timedelta(hours=24))
LINK_FLOW = Policy("link-flow", 5, dt.timedelta(hours=1), dt.timedelta(hours=1))
LINK_EMAIL = Policy("link-email", 5, dt.timedelta(hours=1), dt.timedelta(hours=1))
RESET_SOURCE = Policy("reset-source", 20, dt.timedelta(hours=1), dt.timedelta(hours=1))
SIGNUP_SOURCE = Policy("signup-source", 20, dt.timedelta(hours=1), dt.timedelta(hours=1))


class Limited(Exception):
    """Raised when a limit refuses; ``until`` is when trying again is allowed."""

    def __init__(self, until: dt.datetime):
        super().__init__(until)
        self.until = until


def _key(policy: Policy, raw: str) -> str:
    return salted_hmac("waterportal.ratelimit." + policy.name, raw, algorithm="sha256").hexdigest()


def locked_until(
    policy: Policy, raw_key: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    now = now or timezone.now()
    lock = (
        RateLock.objects.filter(policy=policy.name, key=_key(policy, raw_key), until__gt=now)
        .order_by("-until")
        .first()
    )
    return lock.until if lock else None


def check(policy: Policy, raw_key: str, now: dt.datetime | None = None) -> None:
    """Raise ``Limited`` while the key is locked out."""
    until = locked_until(policy, raw_key, now)
    if until is not None:
        raise Limited(until)


def hit(policy: Policy, raw_key: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Count one event; when it reaches the limit within the window, lock the key.

    Returns the end of the lock when this event tripped it, else None.
    """
    now = now or timezone.now()
    key = _key(policy, raw_key)
    with transaction.atomic():
        RateEvent.objects.create(policy=policy.name, key=key, created_at=now)
        recent = RateEvent.objects.filter(
            policy=policy.name, key=key, created_at__gt=now - policy.window
        ).count()
        if recent >= policy.limit:
            until = now + policy.lockout
            RateLock.objects.create(policy=policy.name, key=key, until=until)
            # Start counting afresh after the lock, so the first failure after it does
            # not lock again at once.
            RateEvent.objects.filter(policy=policy.name, key=key).delete()
            return until
    return None


def take(policy: Policy, raw_key: str, now: dt.datetime | None = None) -> None:
    """Check and count one event as one step: raise ``Limited`` while the key is locked
    out, else count the event (``hit``), which locks the key when it reaches the limit.

    Call it inside the caller's transaction, after taking a row lock that every request
    counting this key takes too (an inquiry's town row, say), and before the write it
    limits: then two requests sent at once are counted one after the other, and the one
    over the limit is refused (its transaction rolled back) instead of both passing a
    check made before either counted.
    """
    check(policy, raw_key, now)
    hit(policy, raw_key, now)


def count(policy: Policy, raw_key: str, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return RateEvent.objects.filter(
        policy=policy.name, key=_key(policy, raw_key), created_at__gt=now - policy.window
    ).count()


def clear(policy: Policy, raw_key: str) -> None:
    """Forget the events of a key (after a successful login, say); locks stay."""
    RateEvent.objects.filter(policy=policy.name, key=_key(policy, raw_key)).delete()


def unlock(policy: Policy, raw_key: str) -> None:
    RateLock.objects.filter(policy=policy.name, key=_key(policy, raw_key)).delete()
    clear(policy, raw_key)


def purge(now: dt.datetime | None = None, keep: dt.timedelta = dt.timedelta(days=2)) -> None:
    """Delete events and locks nobody will look at again (run daily)."""
    now = now or timezone.now()
    RateEvent.objects.filter(created_at__lt=now - keep).delete()
    RateLock.objects.filter(until__lt=now).delete()
