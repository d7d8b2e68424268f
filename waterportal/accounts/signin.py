"""The rules of signing in with a password: the limits on failures, and the one-time
sign-in link a member is mailed when their account's ceiling is reached.

Three limits (``waterportal.limits.ratelimit``), each counting failed logins:

- per account and source (10 in 15 minutes): a mistyped password from one phone locks
  that phone only, so nobody can lock a resident out of their own phone;
- per source (30 in 15 minutes): one machine trying many accounts;
- per account, across every source (100 in 24 hours): many machines trying one
  account. Reaching it stops password logins to the account for 24 hours and mails the
  member a one-time link, valid as long as the lock, that signs them in.

The same rules serve the residents' login, the current-password checks of the account
pages and the operator's admin login; keys are made by ``account_key``.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from waterportal.accounts import codes
from waterportal.accounts.code_mail import queue_code_email
from waterportal.accounts.models import CodePurpose, User, VerificationCode
from waterportal.audit.actions import record
from waterportal.limits import ratelimit
from waterportal.tenants.models import Tenant


class AccountLocked(ratelimit.Limited):
    """The account's ceiling was reached: password logins are stopped, from everywhere."""


def account_key(tenant: Tenant | None, email: str) -> str:
    # Operators have no municipality: their keys never meet a resident's ("<tenant id>:…").
    return f"{tenant.pk}:{email}" if tenant is not None else f"operator:{email}"


def check_limits(account: str, source: str, now=None) -> None:
    """Raise ``ratelimit.Limited`` (or ``AccountLocked``) while a limit refuses."""
    until = ratelimit.locked_until(ratelimit.LOGIN_ACCOUNT, account, now)
    if until is not None:
        raise AccountLocked(until)
    ratelimit.check(ratelimit.LOGIN_ACCOUNT_SOURCE, f"{account}|{source}", now)
    ratelimit.check(ratelimit.LOGIN_SOURCE, source, now)


def count_failure(
    tenant: Tenant | None, account: str, source: str, *, member=None, now=None
) -> None:
    """Count one failed login under the three limits; write what it tripped to the log.

    When it reaches the account's ceiling, the account (if ``member`` is its owner) is
    mailed a sign-in link.
    """
    now = now or timezone.now()
    with transaction.atomic():
        pair_until = ratelimit.hit(ratelimit.LOGIN_ACCOUNT_SOURCE, f"{account}|{source}", now)
        source_until = ratelimit.hit(ratelimit.LOGIN_SOURCE, source, now)
        if tenant is None:
            # The operator's: no ceiling across sources, which would lock the only
            # account that can unlock anything, with no link to mail. The admin is to
            # be reachable from the operator's network only (README).
            return
        account_until = ratelimit.hit(ratelimit.LOGIN_ACCOUNT, account, now)
        for until, action, scope in (
            (pair_until, "login_locked", "account_source"),
            (source_until, "login_source_locked", "source"),
            (account_until, "login_locked", "account"),
        ):
            if until is not None:
                record(
                    tenant,
                    action,
                    member=member if scope != "source" else None,
                    now=now,
                    source=source,
                    until=until.isoformat(),
                    scope=scope,
                )
        if account_until is not None and member is not None:
            _mail_sign_in_link(tenant, member, until=account_until, now=now)


def clear_after_success(account: str, source: str) -> None:
    """A right password forgets that account's failures from that source."""
    ratelimit.clear(ratelimit.LOGIN_ACCOUNT_SOURCE, f"{account}|{source}")


def _mail_sign_in_link(tenant: Tenant, member: User, *, until: dt.datetime, now) -> None:
    token = secrets.token_urlsafe(32)
    row = codes.replace_secret(
        tenant, CodePurpose.SIGN_IN, member.email, token, expires_at=until, now=now
    )
    queue_code_email(row, token)


class LinkInvalid(Exception):
    """The link is unknown, used, replaced by a newer one or expired."""


class AccountStopped(Exception):
    """The town's staff stopped the account (``actions.do_lock_member``)."""


def is_stopped(tenant: Tenant, email: str, password: str) -> bool:
    """The password is right but the account is stopped by staff: asked only after a
    failed sign-in, so that only the account's owner learns that it is stopped."""
    member = User.members.filter(
        tenant=tenant, email=email, is_active=True, locked_at__isnull=False
    ).first()
    return member is not None and member.check_password(password)


def find_link(tenant: Tenant, value: str, *, now=None) -> VerificationCode:
    """The usable sign-in link row that ``value`` names, or LinkInvalid.

    ``value`` is what the mailed link carries (``emails/sign_in_link``): the row's id, a
    dot, and the secret whose keyed hash the row holds.
    """
    now = now or timezone.now()
    row_id, _dot, token = (value or "").partition(".")
    if not row_id.isdigit() or not token:
        raise LinkInvalid()
    row = VerificationCode.objects.filter(
        tenant=tenant, pk=int(row_id), purpose=CodePurpose.SIGN_IN
    ).first()
    if row is None or not row.usable(now) or not row.matches(token):
        raise LinkInvalid()
    return row
