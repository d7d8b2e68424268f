"""Writes on a member's devices: an app's sign-in and sign-out, and the request log.

An app signs in with the member's password (``accounts.actions.do_sign_in_with_password``,
the same rules as the web's login) and then gets its bearer token here. The token is
shown once, in the login's answer; only its prefix and keyed hash are kept
(``devices.tokens``).
"""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from waterportal.audit.actions import record
from waterportal.devices import tokens
from waterportal.devices.models import ApiRequest, AppSignIn, Platform

# An app not opened for 90 days must sign in again; each use moves the end forward.
SIGN_IN_IDLE = dt.timedelta(days=90)
# last_used_at and the expiry move at most once a minute: one write per request would
# double the work of an app's bill list for nothing.
TOUCH_EVERY = dt.timedelta(minutes=1)
# What the member sees as 「最近の利用」, and how long it is kept.
RECENT_REQUESTS = 20
REQUESTS_KEPT = dt.timedelta(days=90)


def auth_stamp(member) -> str:
    """What ties a sign-in to the member's password and session generation: when either
    changes, every app's sign-in ends, as every web session does."""
    return hashlib.sha256(member.get_session_auth_hash().encode()).hexdigest()


def do_sign_in_app(
    member, *, name: str, platform: str = Platform.OTHER, source: str, now=None
) -> tuple[AppSignIn, str]:
    """Start an app's sign-in for ``member`` (whose password was checked by the caller);
    returns it and its bearer token, which is never stored and shown only now."""
    now = now or timezone.now()
    tenant = member.town
    token, prefix = tokens.new_token()
    with transaction.atomic():
        sign_in = AppSignIn.objects.create(
            tenant=tenant,
            member=member,
            name=name.strip()[:60] or "アプリ",
            platform=platform,
            prefix=prefix,
            token_hash=tokens.hash_token(token),
            auth_stamp=auth_stamp(member),
            created_at=now,
            last_used_at=now,
            expires_at=now + SIGN_IN_IDLE,
        )
        record(tenant, "login", member=member, now=now, source=source, method="app")
    return sign_in, token


def find_app_sign_in(tenant, token: str, *, now=None) -> AppSignIn | None:
    """The open sign-in this bearer token proves in this town, or None: unknown, wrong,
    ended, expired, another town's, or its member's password or sessions changed since,
    or the account stopped or withdrawn. Touches it (at most once a minute)."""
    now = now or timezone.now()
    prefix = tokens.prefix_of(token)
    if prefix is None:
        return None
    sign_in = (
        AppSignIn.objects.filter(tenant=tenant, prefix=prefix, ended_at__isnull=True)
        .select_related("member")
        .first()
    )
    if sign_in is None or not tokens.matches(token, sign_in.token_hash):
        return None
    member = sign_in.member
    if (
        sign_in.expires_at <= now
        or not member.is_active
        or member.is_locked
        or member.tenant_id != tenant.pk
        or sign_in.auth_stamp != auth_stamp(member)
    ):
        return None
    if sign_in.last_used_at is None or now - sign_in.last_used_at >= TOUCH_EVERY:
        sign_in.last_used_at = now
        sign_in.expires_at = now + SIGN_IN_IDLE
        sign_in.save(update_fields=["last_used_at", "expires_at"])
    return sign_in


def do_sign_out_app(
    sign_in: AppSignIn, *, by_member_elsewhere: bool = False, source: str = "", now=None
) -> bool:
    """End one app sign-in: the app's own logout, or the member's 「ログアウトさせる」 in their
    account (``by_member_elsewhere``). False when it had already ended."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = AppSignIn.objects.filter(pk=sign_in.pk, ended_at__isnull=True).update(ended_at=now)
        if not ended:
            return False
        action = "app_signed_out" if by_member_elsewhere else "logout"
        record(
            sign_in.tenant,
            action,
            member=sign_in.member,
            now=now,
            source=source,
            method="app",
            device=sign_in.pk,
        )
    sign_in.ended_at = now
    return True


def keep_signed_in(sign_in: AppSignIn, member) -> None:
    """After the member changed their password from this app: this sign-in stays, the
    others end (as ``update_session_auth_hash`` keeps the web's own session)."""
    sign_in.auth_stamp = auth_stamp(member)
    sign_in.save(update_fields=["auth_stamp"])


def open_sign_ins(member):
    return AppSignIn.objects.filter(
        tenant_id=member.tenant_id,
        member=member,
        ended_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-last_used_at")


def record_request(
    sign_in: AppSignIn, *, method: str, endpoint: str, status: int, now=None
) -> None:
    """One line of the device's request log (never its query string or body)."""
    ApiRequest.objects.create(
        tenant_id=sign_in.tenant_id,
        app_sign_in=sign_in,
        at=now or timezone.now(),
        method=method[:8],
        endpoint=endpoint[:200],
        status=status,
    )


def recent_requests(member, *, limit: int = RECENT_REQUESTS):
    return (
        ApiRequest.objects.filter(tenant_id=member.tenant_id, app_sign_in__member=member)
        .select_related("app_sign_in")
        .order_by("-at")[:limit]
    )


def do_purge_old_requests(*, now=None) -> int:
    """Housekeeping across towns by age alone (no audit row, as accounts' purge)."""
    now = now or timezone.now()
    with scopes_disabled():
        deleted, _ = ApiRequest.objects.filter(at__lt=now - REQUESTS_KEPT).delete()
        AppSignIn.objects.filter(expires_at__lt=now - REQUESTS_KEPT).delete()
    return deleted
