"""Writing, claiming and settling the outbox's rows (``models.OutboxEmail``).

Delivery is at least once. A worker claims rows (state "sending", a token, a lease),
sends each and marks it sent at once, one row at a time, so that the window in which a
worker's death means a second delivery is one message wide: the time between the mail
server accepting it and the row's update. A worker that dies leaves its rows claimed
until the lease runs out, and the sweep then takes them again. Claims are taken with
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never wait for or
take the same row; on SQLite (one writer at a time, no row locks) the conditional
update of the claim does the same.
"""

import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from waterportal.outbox.models import OutboxEmail

State = OutboxEmail.State


def new_message_id() -> str:
    domain = settings.OUTBOX_MESSAGE_ID_DOMAIN
    return f"<{uuid.uuid4().hex}@{domain}>"


def row(*, kind: str, to: str, now: dt.datetime | None = None, **fields) -> OutboxEmail:
    """An unsaved row, due now."""
    now = now or timezone.now()
    fields.setdefault("next_attempt_at", now)
    return OutboxEmail(kind=kind, to=to, message_id=new_message_id(), created_at=now, **fields)


def add(**fields) -> OutboxEmail:
    """Write one row, in the caller's transaction."""
    email = row(**fields)
    email.save()
    return email


def add_many(rows: Iterable[OutboxEmail], *, chunk: int = 1000) -> list[int]:
    """Write the rows in chunks, in the caller's transaction; returns their ids."""
    ids: list[int] = []
    pending: list[OutboxEmail] = []
    for email in rows:
        pending.append(email)
        if len(pending) >= chunk:
            ids += [e.pk for e in OutboxEmail.objects.bulk_create(pending)]
            pending = []
    if pending:
        ids += [e.pk for e in OutboxEmail.objects.bulk_create(pending)]
    return ids


# --- The code of a code email, encrypted while it waits --------------------------------

# The plain code must reach the worker that renders the email, and the row waits in the
# database for it: encrypted there (Fernet: AES and an HMAC) with a key derived from
# SECRET_KEY, and blanked once the email is sent or dropped.


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"waterportal.outbox:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None  # SECRET_KEY changed meanwhile: the code cannot be sent


# --- Claims ----------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    waiting = Q(state=State.QUEUED, next_attempt_at__lte=now)
    abandoned = Q(state=State.SENDING, claimed_until__lt=now)
    return waiting | abandoned


def claim(
    ids: Iterable[int] | None = None, *, now: dt.datetime | None = None, limit: int = 100
) -> tuple[str, list[OutboxEmail]]:
    """Claim up to ``limit`` due rows (of ``ids`` only, if given): returns the claim's
    token and the rows, which no other worker takes until the lease runs out."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = OutboxEmail.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        chosen = list(
            due.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not chosen:
            return token, []
        OutboxEmail.objects.filter(_due(now), pk__in=chosen).update(
            state=State.SENDING,
            claim=token,
            claimed_until=now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    return token, list(OutboxEmail.objects.filter(claim=token).order_by("pk"))


def _settle(email: OutboxEmail, token: str, **fields) -> bool:
    """Update the row if this claim still holds it; False if the lease ran out and
    another worker took it."""
    return bool(OutboxEmail.objects.filter(pk=email.pk, claim=token).update(claim="", **fields))


def mark_sent(email: OutboxEmail, token: str, now: dt.datetime | None = None) -> bool:
    return _settle(email, token, state=State.SENT, sent_at=now or timezone.now(), secret="")


def mark_dropped(email: OutboxEmail, token: str) -> bool:
    return _settle(email, token, state=State.DROPPED, secret="", sent_at=timezone.now())


def mark_failed(
    email: OutboxEmail, token: str, error: str, now: dt.datetime | None = None
) -> dt.timedelta | None:
    """A try failed: the row waits for the next one, with a growing delay (from
    EMAIL_RETRY_DELAY seconds up to an hour), or after EMAIL_MAX_RETRIES retries it has
    failed for good. Returns the delay, or None when there is no next try."""
    now = now or timezone.now()
    if email.attempts > settings.EMAIL_MAX_RETRIES:
        _settle(
            email, token, state=State.FAILED, next_attempt_at=now, last_error=error[:200], secret=""
        )
        return None
    delay = dt.timedelta(seconds=min(settings.EMAIL_RETRY_DELAY * 2 ** (email.attempts - 1), 3600))
    _settle(
        email,
        token,
        state=State.QUEUED,
        next_attempt_at=now + delay,
        claimed_until=None,
        last_error=error[:200],
    )
    return delay


# --- What operators and staff see -------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    unsent: int  # queued or being sent
    oldest_age: dt.timedelta | None  # of the oldest unsent row; None when there is none


def backlog(now: dt.datetime | None = None) -> Backlog:
    """How many emails wait to be sent, and for how long the oldest has (for metrics)."""
    now = now or timezone.now()
    found = OutboxEmail.objects.filter(state__in=[State.QUEUED, State.SENDING]).aggregate(
        unsent=Count("pk"), oldest=Min("created_at")
    )
    oldest = found["oldest"]
    return Backlog(unsent=found["unsent"], oldest_age=None if oldest is None else now - oldest)


@dataclass(frozen=True)
class Counts:
    queued: int
    sent: int
    failed: int

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed


def counts(batch: str) -> Counts:
    """The emails of ``batch`` per state, as they are in the outbox: delivered or not."""
    found = dict(
        OutboxEmail.objects.filter(batch=batch)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return Counts(
        queued=found.get(State.QUEUED, 0) + found.get(State.SENDING, 0),
        sent=found.get(State.SENT, 0),
        failed=found.get(State.FAILED, 0),
    )


def purge(now: dt.datetime | None = None, *, chunk: int = 5000) -> int:
    """Delete the rows settled (sent, dropped, failed) more than OUTBOX_KEEP_DAYS ago;
    returns how many. Their addresses and messages are personal data."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = OutboxEmail.objects.filter(
        Q(state__in=[State.SENT, State.DROPPED], sent_at__lt=cutoff)
        | Q(state=State.FAILED, next_attempt_at__lt=cutoff)
    )
    purged = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:chunk])
        if not ids:
            return purged
        purged += OutboxEmail.objects.filter(pk__in=ids).delete()[0]
