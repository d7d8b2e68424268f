"""Verification codes: issue, send limits, check.

A code is 6 digits from ``secrets``, stored as a keyed hash, valid for ``CODE_TTL``,
single use, voided by a newer code, and dead after ``MAX_ATTEMPTS`` wrong entries.
Issuing is limited per address: one code per ``RESEND_INTERVAL`` and ``MAX_PER_HOUR`` in
each town, ``CODES_TO_ADDRESS`` an hour across every town and purpose, and none for a day once ``WRONG_CODES`` (100 wrong entries of one purpose in 24 hours:
five codes an hour with five tries each would otherwise allow 600 guesses a day at a
password-reset code); and the requests that mail a code to any address are limited per
source address (``count_source_request``), or one machine could have codes mailed to
address after address, and guess at each.

Every request issues a code the same way, whether or not the address has an account;
the worker that mails it decides what to send (``code_mail.send_code``). A code
that is not mailed (already registered, or no account for a reset) becomes a *decoy*:
its hash is replaced by one of a random secret, so nothing anyone types can match it.
This keeps every answer the same whether or not an address has an account.
"""

import datetime as dt
import secrets

from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from waterportal.accounts.models import CodePurpose, VerificationCode
from waterportal.audit.actions import record
from waterportal.limits import ratelimit
from waterportal.tenants.models import Tenant

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = dt.timedelta(seconds=60)
MAX_PER_HOUR = 5
# Codes mailed to one address in an hour across every municipality and purpose: the
# per-town limit (``MAX_PER_HOUR``) alone lets one stranger's address receive five an
# hour from each town, asking with ?tenant= of one town after another.
CODES_TO_ADDRESS = ratelimit.Policy(
    "code-address", 10, dt.timedelta(hours=1), dt.timedelta(hours=1)
)
# Wrong entries per (municipality, address, purpose) in 24 hours, across all its codes.
WRONG_CODES = ratelimit.Policy("code-wrong", 100, dt.timedelta(hours=24), dt.timedelta(hours=24))


def ttl_minutes() -> int:
    return int(CODE_TTL.total_seconds() // 60)


class CodeError(Exception):
    """Base of the errors a resident can meet with a code; each maps to a message."""


class SendTooSoon(CodeError):
    def __init__(self, until: dt.datetime):
        super().__init__(until)
        self.until = until


class SendLimitReached(SendTooSoon):
    pass


class CodeMissing(CodeError):
    """No usable code: none was sent, or it was used or voided."""


class CodeExpired(CodeError):
    pass


class CodeExhausted(CodeError):
    """Too many wrong entries: a new code must be requested."""


class CodeWrong(CodeError):
    def __init__(self, remaining: int):
        super().__init__(remaining)
        self.remaining = remaining


def count_source_request(policy: ratelimit.Policy, source: str, *, now=None) -> None:
    """Count one request to mail a code from ``source`` (the client's IP address).

    Raises ``SendLimitReached`` while the source is locked out: the same answer as the
    per-address limit, whatever the address, so it tells nothing about who is registered.
    """
    try:
        ratelimit.check(policy, source, now)
    except ratelimit.Limited as exc:
        raise SendLimitReached(exc.until) from None
    ratelimit.hit(policy, source, now)


def generate_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _wrong_key(tenant: Tenant, purpose: str, email: str) -> str:
    return f"{tenant.pk}:{purpose}:{email}"


@sensitive_variables("plain")
def issue_code(
    tenant: Tenant, purpose: str, email: str, *, member=None, now=None
) -> tuple[VerificationCode, str]:
    """Create a new code for (tenant, email, purpose), voiding earlier ones.

    ``member``: the code is for that member's own account (a new address) and
    ``check_code`` accepts it from nobody else.

    Returns ``(code_row, plain_code)``: the caller hands both to
    ``code_mail.queue_code_email``. Raises ``SendTooSoon`` or ``SendLimitReached``
    with the time when asking again is allowed.
    """
    now = now or timezone.now()
    until = ratelimit.locked_until(WRONG_CODES, _wrong_key(tenant, purpose, email), now)
    if until is not None:
        raise SendLimitReached(until)
    # Only the codes someone asked for: a sign-in link exists only for an account's
    # address, and counting it would tell which addresses have one.
    sent = (
        VerificationCode.objects.filter(
            tenant=tenant, email=email, created_at__gt=now - dt.timedelta(hours=1)
        )
        .exclude(purpose=CodePurpose.SIGN_IN)
        .order_by("-created_at")
    )
    recent = list(sent.values_list("created_at", flat=True)[:MAX_PER_HOUR])
    if recent and recent[0] > now - RESEND_INTERVAL:
        raise SendTooSoon(recent[0] + RESEND_INTERVAL)
    if len(recent) >= MAX_PER_HOUR:
        raise SendLimitReached(recent[-1] + dt.timedelta(hours=1))
    # Counted only for a code issued (a refusal above mails nothing); keyed by the
    # address alone, hashed as every limit's key (``ratelimit``).
    until = ratelimit.locked_until(CODES_TO_ADDRESS, email, now)
    if until is not None:
        raise SendLimitReached(until)
    ratelimit.hit(CODES_TO_ADDRESS, email, now)

    plain = generate_code()
    row = replace_secret(
        tenant, purpose, email, plain, expires_at=now + CODE_TTL, now=now, member=member
    )
    return row, plain


@sensitive_variables("secret")
def replace_secret(
    tenant: Tenant, purpose: str, email: str, secret: str, *, expires_at, now, member=None
) -> VerificationCode:
    """Store the keyed hash of ``secret`` (a code, or a sign-in link's token) for
    (tenant, email, purpose), voiding the earlier ones still open. No limits: the
    caller has applied its own."""
    VerificationCode.objects.filter(
        tenant=tenant, email=email, purpose=purpose, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)
    salt = VerificationCode.new_salt()
    return VerificationCode.objects.create(
        tenant=tenant,
        purpose=purpose,
        email=email,
        salt=salt,
        code_hash=VerificationCode.hash_code(salt, secret),
        created_at=now,
        expires_at=expires_at,
        member=member,
    )


def current_code(tenant: Tenant, purpose: str, email: str):
    return (
        VerificationCode.objects.filter(
            tenant=tenant,
            email=email,
            purpose=purpose,
            used_at__isnull=True,
            voided_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )


@sensitive_variables("code")
def check_code(
    tenant: Tenant, purpose: str, email: str, code: str, *, member=None, now=None
) -> VerificationCode:
    """Use the current code if ``code`` matches it; raise a ``CodeError`` otherwise.

    A code issued for a member (``issue_code(member=...)``) is missing to anyone else:
    knowing the code sent to an address one controls must not move another account
    (signed in on a lost phone, say) to that address.
    """
    now = now or timezone.now()
    row = current_code(tenant, purpose, email)
    if row is None or (member is not None and row.member_id != member.pk):
        raise CodeMissing()
    if row.expires_at <= now:
        raise CodeExpired()
    if row.attempts >= MAX_ATTEMPTS:
        raise CodeExhausted()
    if ratelimit.locked_until(WRONG_CODES, _wrong_key(tenant, purpose, email), now):
        raise CodeExhausted()  # a new code is refused too, with the neutral message
    if not row.matches(code):
        until = ratelimit.hit(WRONG_CODES, _wrong_key(tenant, purpose, email), now)
        if until is not None:
            record(tenant, "code_locked", now=now, purpose=str(purpose), until=until.isoformat())
        # An atomic increment: two wrong guesses sent at once both count.
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        row.refresh_from_db(fields=["attempts"])
        if row.attempts >= MAX_ATTEMPTS:
            raise CodeExhausted()
        raise CodeWrong(MAX_ATTEMPTS - row.attempts)
    # Single use even under a double submit: only one request can flip used_at.
    used = VerificationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    if not used:
        raise CodeMissing()
    return row
