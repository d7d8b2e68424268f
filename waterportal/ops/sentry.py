"""Error reports to Sentry (sentry-sdk) when ``SENTRY_DSN`` is set, with nothing personal.

``send_default_pii=False`` keeps out the user's address, cookies and the request body;
``before_send`` then takes out what the error emails' filter hides
(waterportal.lib.log_filters: the secrets of emailed links, searched questions) and, in
every text of the event, email addresses, 6-digit codes and Japanese text (names). Local variables are not sent
(they hold names and addresses); the user is the id alone.
"""

import re
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from waterportal.lib.log_filters import hide_secrets
from waterportal.lib.version import __version__

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}")
# A verification or sign-in code: six digits standing alone.
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
# Japanese text (kana, kanji, full-width forms), spaces within it included: residents'
# names and addresses are written so, and no rule tells a name from other words. An
# event keeps its exception's type and stack; the portal's own messages can be read
# in the code.
_JAPANESE_CHAR = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_JAPANESE = re.compile(f"[{_JAPANESE_CHAR}]+(?:[ \u3000]+[{_JAPANESE_CHAR}]+)*")
# Request parts that can hold a person's data, whatever their content.
_DROPPED_REQUEST_PARTS = ("data", "cookies", "query_string", "env")
_DROPPED_HEADERS = {"cookie", "authorization", "x-forwarded-for", "x-real-ip", "referer"}


def scrub_text(text: str) -> str:
    text = _EMAIL.sub("[email]", hide_secrets(text))
    return _JAPANESE.sub("[text]", _CODE.sub("[code]", text))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for part in _DROPPED_REQUEST_PARTS:
            request.pop(part, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: item for name, item in headers.items() if name.lower() not in _DROPPED_HEADERS
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for frames in _stack_frames(event):
        for frame in frames:
            frame.pop("vars", None)
    return _scrub(event)


def _stack_frames(event: dict):
    for exception in (event.get("exception") or {}).get("values") or []:
        yield (exception.get("stacktrace") or {}).get("frames") or []
    for thread in (event.get("threads") or {}).get("values") or []:
        yield (thread.get("stacktrace") or {}).get("frames") or []


def init(dsn: str | None = None) -> bool:
    """Start reporting to ``dsn`` (``settings.SENTRY_DSN``); nothing when there is none."""
    dsn = dsn if dsn is not None else settings.SENTRY_DSN
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        release=f"waterportal@{__version__}",
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send,  # type: ignore[arg-type]
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
    )
    return True
