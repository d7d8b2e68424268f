"""Writes on a member's devices: an app's sign-in and sign-out, the request log, and the
browsers that get push notifications (``do_subscribe_push``, ``do_remove_push_subscription``,
``do_drop_push_subscriptions``; sending is ``devices.push``).

An app signs in with the member's password (``accounts.actions.do_sign_in_with_password``,
the same rules as the web's login) and then gets its bearer token here. The token is
shown once, in the login's answer; only its prefix and keyed hash are kept
(``devices.tokens``).
"""

import base64
import binascii
import datetime as dt
import hashlib

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled

from waterportal.audit.actions import record
from waterportal.devices import push, tokens
from waterportal.devices.models import ApiRequest, AppSignIn, Platform, WebPushSubscription
from waterportal.tenants.versions import texts_check

# An app not opened for 90 days must sign in again; each use moves the end forward.
SIGN_IN_IDLE = dt.timedelta(days=90)
# However often it is used, a year after its sign-in the app asks for the password
# again: a token copied from a phone cannot be kept alive for ever by using it.
SIGN_IN_MAX_AGE = dt.timedelta(days=365)
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
        sign_in.expires_at = min(now + SIGN_IN_IDLE, sign_in.created_at + SIGN_IN_MAX_AGE)
        sign_in.save(update_fields=["last_used_at", "expires_at"])
    return sign_in


def texts_pending(sign_in: AppSignIn) -> bool:
    """Whether the member of this app sign-in has current texts to accept. Remembered on
    the sign-in for the town's current versions, as the web's session does
    (``tenants.versions.texts_check``): the acceptances are read again only when the town
    publishes a version (two queries of every call of the app less)."""
    pending, ids = texts_check(sign_in.member, sign_in.texts_accepted)
    if ids != sign_in.texts_accepted:
        sign_in.texts_accepted = ids
        sign_in.save(update_fields=["texts_accepted"])
    return pending


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
        # The browsers' push the app registered go with it: a signed-out app gets none.
        WebPushSubscription.objects.filter(
            tenant_id=sign_in.tenant_id, app_sign_in=sign_in
        ).delete()
        action = "app_signed_out" if by_member_elsewhere else "logout"
        # The browser push of this app goes with its sign-in.
        WebPushSubscription.objects.filter(
            tenant_id=sign_in.tenant_id, app_sign_in=sign_in
        ).delete()
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


def do_end_app_sign_ins(member, *, keep: AppSignIn | None = None, now=None) -> int:
    """End every open app sign-in of ``member`` but ``keep``: a new password, a reset,
    退会, a stop, or the staff's sign-out from every device. Their tokens were already
    refused (the member's auth stamp changed); this also makes it true where it is read
    without a token: the device list no longer shows them, their push subscriptions go
    and their native push addresses are forgotten, so nothing more is sent to a phone
    that is no longer signed in. Inside the caller's transaction, whose audit row says
    why; returns how many ended."""
    now = now or timezone.now()
    ended = AppSignIn.objects.filter(
        tenant_id=member.tenant_id, member=member, ended_at__isnull=True
    )
    if keep is not None:
        ended = ended.exclude(pk=keep.pk)
    ids = list(ended.values_list("pk", flat=True))
    if not ids:
        return 0
    WebPushSubscription.objects.filter(tenant_id=member.tenant_id, app_sign_in_id__in=ids).delete()
    return AppSignIn.objects.filter(pk__in=ids).update(
        ended_at=now, native_push="", native_push_token=""
    )


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


# --- Push notifications ------------------------------------------------------------------

# The browsers one member may have: enough for a family's phones, tablets and computers;
# a new one beyond it replaces the one added longest ago.
MAX_PUSH_DEVICES = 10


class PushRefused(Exception):
    """A subscription the portal does not take; ``str()`` says why, in Japanese."""


# Marked for translation, not translated here: a page shows gettext(str(exc)).
PUSH_OFF = gettext_noop("この水道ポータルでは、プッシュ通知を使えません。")
NOT_A_PUSH_SERVICE = gettext_noop(
    "このブラウザーの通知の送り先は受け付けられません。"
    "Chrome、Edge、Firefox、Safari の最新版でお試しください。"
)
BROKEN_SUBSCRIPTION = gettext_noop(
    "このブラウザーから届いた通知の登録内容が正しくありません。"
    "ページを読み込み直して、もう一度お試しください。"
)


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None


def _check_keys(p256dh: str, auth: str) -> None:
    """The browser's keys as RFC 8291 wants them: a P-256 point, a 16-byte secret."""
    point = _b64url_bytes(p256dh) if isinstance(p256dh, str) and len(p256dh) <= 200 else None
    secret = _b64url_bytes(auth) if isinstance(auth, str) and len(auth) <= 60 else None
    if point is None or secret is None or len(secret) != 16:
        raise PushRefused(BROKEN_SUBSCRIPTION)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise PushRefused(BROKEN_SUBSCRIPTION) from None


def do_subscribe_push(
    member,
    endpoint: str,
    p256dh: str,
    auth: str,
    *,
    name: str,
    app_sign_in: AppSignIn | None = None,
    source: str = "",
    now=None,
) -> WebPushSubscription:
    """Turn push notifications on for one browser of ``member``: the ``PushSubscription``
    it gave (``endpoint`` and its ``keys.p256dh`` and ``keys.auth``), shown as ``name``
    (``push.device_name(user_agent)`` for a web page). ``app_sign_in``: the app sign-in
    it came through (the API), which takes it away when it ends.

    Raises ``PushRefused`` (its text for the member) when push is off, the address is
    not an allowed push service's (``push.allowed_endpoint``), or the keys are not
    valid. The same browser again (its address is unique) updates its keys; a browser
    that another member had turned on, on a shared computer, is now this member's only.
    Beyond ``MAX_PUSH_DEVICES`` the member's oldest is removed. Audit ``push_subscribed``.
    """
    now = now or timezone.now()
    if app_sign_in is not None and app_sign_in.member_id != member.pk:
        raise ValueError("the app sign-in is another member's")
    if not push.enabled():
        raise PushRefused(PUSH_OFF)
    if not push.allowed_endpoint(endpoint):
        raise PushRefused(NOT_A_PUSH_SERVICE)
    _check_keys(p256dh, auth)
    tenant = member.town
    with transaction.atomic():
        # Across towns: the address is unique in the whole table.
        with scopes_disabled():
            existing = WebPushSubscription.objects.select_for_update().filter(endpoint=endpoint)
            previous = existing.first()
            if previous is not None and previous.member_id != member.pk:
                record(
                    previous.tenant,
                    "push_removed",
                    member=previous.member,
                    now=now,
                    device=previous.pk,
                    reason="同じブラウザーで別の会員が通知を登録",
                )
                previous.delete()
                previous = None
        if previous is not None:
            previous.p256dh, previous.auth = p256dh, auth
            previous.name = name.strip()[:60] or previous.name
            previous.app_sign_in = app_sign_in
            previous.save(update_fields=["p256dh", "auth", "name", "app_sign_in"])
            subscription = previous
        else:
            subscription = WebPushSubscription.objects.create(
                tenant=tenant,
                member=member,
                name=name.strip()[:60] or "ブラウザー",
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                app_sign_in=app_sign_in,
                created_at=now,
            )
            oldest = WebPushSubscription.objects.filter(tenant=tenant, member=member).order_by(
                "-created_at", "-pk"
            )[MAX_PUSH_DEVICES:]
            WebPushSubscription.objects.filter(pk__in=[row.pk for row in oldest]).delete()
        record(
            tenant,
            "push_subscribed",
            member=member,
            now=now,
            source=source,
            device=subscription.pk,
            method="app" if app_sign_in is not None else "web",
        )
    return subscription


def push_subscriptions(member):
    """The member's browsers with push notifications on, newest first."""
    return WebPushSubscription.objects.filter(tenant_id=member.tenant_id, member=member).order_by(
        "-created_at", "-pk"
    )


def do_remove_push_subscription(
    member, subscription_id: int, *, source: str = "", now=None
) -> bool:
    """The member turns push off for one of their browsers (「削除」): False when it is not
    theirs, not in their town, or already gone. Audit ``push_removed``."""
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _ = push_subscriptions(member).filter(pk=subscription_id).delete()
        if not deleted:
            return False
        record(
            member.town,
            "push_removed",
            member=member,
            now=now,
            source=source,
            device=subscription_id,
        )
    return True


def do_drop_push_subscriptions(member) -> int:
    """Remove every browser of ``member`` (退会, a stop of the account, a sign-out from
    every device by the town's staff): from then on nothing is pushed to them. Inside
    the caller's transaction, whose audit row says why; returns how many."""
    deleted, _ = WebPushSubscription.objects.filter(
        tenant_id=member.tenant_id, member=member
    ).delete()
    return deleted


def do_set_native_push(sign_in: AppSignIn, service: str, token: str) -> None:
    """The app's own push address (FCM or APNs) for this sign-in, or none (``service``
    ""). Kept as given, not hashed: it is an address to send to, not a secret that
    proves anything, and the operator's sender needs it. Ended with the sign-in."""
    sign_in.native_push, sign_in.native_push_token = (service, token) if service else ("", "")
    sign_in.save(update_fields=["native_push", "native_push_token"])
