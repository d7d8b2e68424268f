"""Web Push: the portal's VAPID key, which push services it posts to, the messages, and
the task that delivers one message to one browser.

A browser that a member turned notifications on for gives the portal its push service's
address and two keys (``WebPushSubscription``). To notify it, the portal encrypts the
message for those keys (RFC 8291, aes128gcm), signs a VAPID token with its own key
(RFC 8292) and POSTs both to the address (RFC 8030); the push service wakes the
browser's service worker (``templates/pwa/sw.js``), which shows the notification. The
encryption, the signature and the request are pywebpush's and py_vapid's.

What a message says is the same for every member of a town and names nothing of theirs:
「新しい請求のお知らせが届きました」 or 「重要なお知らせがあります」 and a link, never an
amount, a name, a number, nor even a notice's title (see ``notice_message``).

The key comes from ``WEBPUSH_VAPID_PRIVATE_KEY``. Without it push is off (the account
page does not offer it), except in development, where one is made at first use into
``WEBPUSH_DEV_KEY_FILE`` (var/, git-ignored) and kept, so that browsers subscribed
yesterday still get today's messages.
"""

import base64
import binascii
import dataclasses
import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import requests
from celery import shared_task
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.http import parse_http_date_safe
from django_scopes import scopes_disabled
from py_vapid import Vapid02

from waterportal.devices.models import WebPushSubscription

log = logging.getLogger(__name__)


class InvalidVapidKey(Exception):
    """``WEBPUSH_VAPID_PRIVATE_KEY`` is not a P-256 private key (PEM or base64url)."""


# --- The portal's key --------------------------------------------------------------------


def parse_private_key(text: str) -> Vapid02:
    """The VAPID signer of a private key given as PEM (PKCS#8 or SEC 1; ``\\n`` may be
    written as the two characters, as an environment variable often holds it) or as the
    base64url of its 32 raw bytes (or of its DER). Raises ``InvalidVapidKey``."""
    text = text.strip().replace("\\n", "\n")
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            # validate=True: the default decoder would skip stray characters silently.
            raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError, binascii.Error):
        # The library's words may quote the key: say only what is wrong.
        raise InvalidVapidKey("not a PEM or base64url private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidVapidKey("not a P-256 (prime256v1) elliptic curve key")
    return Vapid02(key)


_signers: dict[str, Vapid02] = {}


def vapid() -> Vapid02 | None:
    """The portal's VAPID signer, or None when push is off (no key, not development).
    Raises ``InvalidVapidKey`` for a malformed configured key (the system check
    ``devices.E001`` says so at startup)."""
    configured: str = settings.WEBPUSH_VAPID_PRIVATE_KEY
    dev_file = settings.WEBPUSH_DEV_KEY_FILE
    if not configured and not dev_file:
        return None
    cache_key = f"env:{configured}" if configured else f"file:{dev_file}"
    signer = _signers.get(cache_key)
    if signer is None:
        if configured:
            signer = parse_private_key(configured)
        else:
            signer = _development_key(Path(str(dev_file)))
        _signers[cache_key] = signer
    return signer


def _development_key(path: Path) -> Vapid02:
    """Read the development key, making it first if there is none (once: a second
    process that loses the race reads the winner's)."""
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            log.info("made a development VAPID key for Web Push in %s", path.name)
    return parse_private_key(path.read_text())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key() -> str | None:
    """The application server key a browser subscribes with (``applicationServerKey``
    of ``PushManager.subscribe``): the base64url of the public key's uncompressed point;
    None when push is off."""
    signer = vapid()
    if signer is None:
        return None
    point = signer.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(point)


def enabled() -> bool:
    """Whether the portal can send push messages (a key is configured, or development)."""
    return vapid() is not None


def subject() -> str:
    """The VAPID ``sub`` claim: whom a push service may contact (mailto: or https:)."""
    if settings.WEBPUSH_VAPID_SUBJECT:
        return settings.WEBPUSH_VAPID_SUBJECT
    if settings.SITE_URL.startswith("https://"):
        return settings.SITE_URL
    if settings.WEBPUSH_DEV_KEY_FILE:
        return "mailto:webpush@localhost"
    return ""


# --- Which addresses the portal posts to --------------------------------------------------

MAX_ENDPOINT_LENGTH = 2000


def allowed_endpoint(url: str) -> bool:
    """Whether the portal may POST push messages to ``url``: an ``https://`` address,
    without user or password, on a host of ``WEBPUSH_ALLOWED_HOSTS`` (``*.example.com``
    takes its subdomains; ``host:port`` a port other than 443).

    The address comes from a browser, and the portal's worker calls it: without this, a
    member could make the portal post to anything it can reach (SSRF)."""
    if not isinstance(url, str) or len(url) > MAX_ENDPOINT_LENGTH:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or parts.username is not None:
        return False
    if parts.password is not None or any(c.isspace() for c in url):
        return False
    for entry in settings.WEBPUSH_ALLOWED_HOSTS:
        allowed_host, _, allowed_port = entry.strip().lower().partition(":")
        if port != (int(allowed_port) if allowed_port else 443):
            continue
        if allowed_host.startswith("*."):
            if host.endswith(allowed_host[1:]) and len(host) > len(allowed_host) - 1:
                return True
        elif host == allowed_host:
            return True
    return False


# --- What a device is called --------------------------------------------------------------

# A handful of families is all the device list needs ("Chrome (Android)"); a full
# user-agent parser (ua-parser and its regex file) would be a dependency for one label.
_BROWSERS = [
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
]


def device_name(user_agent: str) -> str:
    """A name for the device list from the browser's User-Agent, such as
    ``"Chrome (Android)"`` or ``"Safari (iPhone)"``; ``"ブラウザー"`` when unknown."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "ブラウザー")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return f"{browser} ({system})" if system else browser


# --- The messages ---------------------------------------------------------------------------

NEW_BILL_TTL = 3 * 24 * 60 * 60  # as long as the new-bill emails are sent after an import
NOTICE_TTL = 24 * 60 * 60


def _message(tenant, *, body: str, url: str, topic: str, ttl: int) -> dict:
    # The town's name is the title, as the installed app's name; nothing of the member.
    # No icon: the browser shows the site's own (the app's icon once installed).
    return {
        "title": f"{tenant.name} 水道ポータル",
        "body": body,
        "url": url,
        "topic": topic,
        "ttl": ttl,
    }


def new_bill_message(tenant) -> dict:
    """「新しい請求のお知らせが届きました」, opening the town's home page."""
    return _message(
        tenant,
        body="新しい請求のお知らせが届きました。",
        url=f"/?tenant={tenant.slug}",
        topic="new-bill",
        ttl=NEW_BILL_TTL,
    )


def notice_message(tenant, url: str) -> dict:
    """「重要なお知らせがあります」, opening the notice at ``url`` (a path of the portal).

    Not the notice's title: a notification shows on a locked phone to whoever is near it,
    and a notice sent to some contracts only (a stop of supply for unpaid bills, the works
    in one street) says something about the member by its title alone. The notice page,
    behind the login, says the rest."""
    return _message(
        tenant, body="重要なお知らせがあります。", url=url, topic="notice", ttl=NOTICE_TTL
    )


# --- Sending ----------------------------------------------------------------------------------

# A VAPID token is good for at most 24 hours (RFC 8292 §2); a fresh one for each message.
TOKEN_LIFETIME = 12 * 60 * 60
REQUEST_TIMEOUT = 10
# However long a push service asks to wait (Retry-After), try again within this.
LONGEST_WAIT = 6 * 60 * 60


class Outcome(StrEnum):
    SENT = "sent"
    GONE = "gone"  # 404/410: the browser unsubscribed; the subscription was removed
    REFUSED = "refused"  # another 4xx: the message is dropped, the subscription kept
    RETRY = "retry"  # 429, 5xx, no answer
    SKIPPED = "skipped"  # no such subscription (any more), push off, address refused


@dataclasses.dataclass(frozen=True)
class Result:
    outcome: Outcome
    status: int | None = None
    retry_after: int | None = None


class _NoRedirects(requests.Session):
    """A push service answers; it never redirects. Following a redirect would post the
    message wherever the answer says, past ``allowed_endpoint``."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def _retry_after(response) -> int | None:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return int(value)
    when = parse_http_date_safe(value) if value else None
    return max(0, int(when - time.time())) if when is not None else None


def deliver(subscription_id: int, message: dict, *, now=None) -> Result:
    """Encrypt ``message`` for one subscription and post it to its push service, once.

    Sent (2xx): ``last_sent_at`` is set. 404 or 410: the browser has unsubscribed, and
    the subscription is removed. 429, 5xx or no answer: ``Outcome.RETRY``, with the push
    service's Retry-After in seconds if it gave one. Any other answer drops the message.
    Nothing is sent when the subscription is gone, push is off or the address is no
    longer allowed."""
    now = now or timezone.now()
    with scopes_disabled():
        subscription = WebPushSubscription.objects.filter(pk=subscription_id).first()
    signer = vapid()
    if subscription is None or signer is None:
        return Result(Outcome.SKIPPED)
    if not allowed_endpoint(subscription.endpoint):
        log.warning("push subscription %s: its address is not allowed", subscription.pk)
        return Result(Outcome.SKIPPED)
    parts = urlsplit(subscription.endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(now.timestamp()) + TOKEN_LIFETIME,
        "sub": subject(),
    }
    headers = signer.sign(claims) | {"Urgency": "normal", "Topic": message["topic"]}
    payload = {key: message[key] for key in ("title", "body", "url")}
    payload["tag"] = message["topic"]
    # Imported here: pywebpush brings aiohttp, a tenth of a second of every process's
    # start (every manage.py command, an import's included) for the one task that sends.
    from pywebpush import WebPusher

    pusher = WebPusher(
        {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        },
        requests_session=_NoRedirects(),
    )
    try:
        response = pusher.send(
            json.dumps(payload, ensure_ascii=False),
            headers=headers,
            ttl=message["ttl"],
            content_encoding="aes128gcm",
            timeout=REQUEST_TIMEOUT,
        )
    except requests.RequestException as exc:
        log.warning("push subscription %s: no answer (%s)", subscription.pk, type(exc).__name__)
        return Result(Outcome.RETRY)
    status = response.status_code
    response.close()
    with scopes_disabled():
        if 200 <= status < 300:
            WebPushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
            return Result(Outcome.SENT, status)
        if status in (404, 410):
            WebPushSubscription.objects.filter(pk=subscription.pk).delete()
            log.info("push subscription %s: gone (%s), removed", subscription.pk, status)
            return Result(Outcome.GONE, status)
    if status == 429 or status >= 500:
        return Result(Outcome.RETRY, status, _retry_after(response))
    log.warning("push subscription %s: refused with %s, message dropped", subscription.pk, status)
    return Result(Outcome.REFUSED, status)


class PushNotDelivered(Exception):
    """A push message to be tried again (the status only: no address, no key)."""


def retry_delay(retries: int, retry_after: int | None) -> int:
    """Seconds before the next try: the push service's Retry-After if it gave one (up to
    ``LONGEST_WAIT``), else WEBPUSH_RETRY_DELAY doubling with each try, up to an hour."""
    if retry_after is not None:
        return min(retry_after, LONGEST_WAIT)
    return min(settings.WEBPUSH_RETRY_DELAY * 2**retries, 3600)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=settings.WEBPUSH_MAX_RETRIES,
)
def send_push(self, subscription_id: int, message: dict) -> str:
    """Deliver ``message`` to one subscription (``deliver``); a push service that is
    busy (429), failing (5xx) or unreachable is tried again later (``retry_delay``), up
    to WEBPUSH_MAX_RETRIES times."""
    try:
        result = deliver(subscription_id, message)
    except DatabaseError as exc:
        failure = PushNotDelivered(type(exc).__name__)
        countdown = retry_delay(self.request.retries, None)
    else:
        if result.outcome != Outcome.RETRY:
            return result.outcome.value
        failure = PushNotDelivered(f"status {result.status or 'none'}")
        countdown = retry_delay(self.request.retries, result.retry_after)
    log.warning(
        "push not delivered (task %s, try %s): %s", self.request.id, self.request.retries, failure
    )
    raise self.retry(exc=failure, countdown=countdown)


# --- Queueing ---------------------------------------------------------------------------------

_CHUNK = 1000


def subscriptions_of(tenant, members, *, now=None) -> Iterable[int]:
    """The ids of the push subscriptions in ``tenant`` of ``members`` (their ids: a
    queryset of ids, or any iterable), leaving out those of an app sign-in that has
    ended or expired."""
    now = now or timezone.now()
    open_app = Q(app_sign_in__isnull=True) | Q(
        app_sign_in__ended_at__isnull=True, app_sign_in__expires_at__gt=now
    )
    base = WebPushSubscription.objects.filter(open_app, tenant=tenant).order_by("pk")
    if isinstance(members, QuerySet):
        yield from base.filter(member_id__in=members).values_list("pk", flat=True).iterator()
        return
    chunk: list[int] = []
    for member_id in members:
        chunk.append(member_id)
        if len(chunk) == _CHUNK:
            yield from base.filter(member_id__in=chunk).values_list("pk", flat=True)
            chunk = []
    if chunk:
        yield from base.filter(member_id__in=chunk).values_list("pk", flat=True)


def queue_push(tenant, members, message: dict, *, now=None) -> int:
    """Queue ``message`` (``new_bill_message``, ``notice_message``) to every browser of
    ``members`` of ``tenant`` (see ``subscriptions_of``), one task per subscription so
    that each is retried on its own; returns how many. Nothing when push is off.

    Who gets it is the caller's choice, the same selection as its emails (the new-bill
    emails' recipients, a notice's): this only finds their browsers. Not after commit:
    the caller decides when. A broker failure is raised. Without a queue (development)
    each is sent at once, a failure logged."""
    if not enabled():
        return 0
    now = now or timezone.now()
    expires = now + dt.timedelta(seconds=message["ttl"])
    ids = subscriptions_of(tenant, members, now=now)
    count = 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for subscription_id in ids:
            # One try (no queue to retry from); a failure is logged by Celery's tracer.
            send_push.apply(
                args=(subscription_id, message), retries=settings.WEBPUSH_MAX_RETRIES, throw=False
            )
            count += 1
        return count
    with send_push.app.producer_or_acquire() as producer, producer.batch():
        for subscription_id in ids:
            send_push.apply_async((subscription_id, message), producer=producer, expires=expires)
            count += 1
    return count
