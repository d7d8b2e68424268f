"""How the apps may keep what the API answers, and revalidate it with an ETag.

A member's data must never be kept by anyone between the app and the portal: every
answer to a signed-in app says ``private`` (``AppRequestLogMiddleware`` gives
``no-store, private`` to every one that chose nothing else). The bill lists, which an
app opens again and again and which change a few times a month, say ``private,
no-cache`` instead: the app's own HTTP cache may keep them, but must ask each time
(``If-None-Match``) and gets 304 without a body while nothing changed, which spares a
slow mobile connection the whole list. Files (PDF, CSV) and everything else stay
``no-store``: a resident saves a file on purpose, and a cache on a shared phone's disk
should hold no bills.
"""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Schema, Status
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

REVALIDATE = {"private": True, "no_cache": True}
# The API's renderer (``api.main``), which also renders the answers ``kept`` renders.
RENDERER = JSONRenderer()
NEVER_STORE = {"private": True, "no_store": True}


def etag_of(out: BaseModel | list) -> str:
    """A strong ETag of the JSON body: a hash of the data as it will be sent, so two
    answers have the same tag exactly when they say the same (whatever changed them:
    a new bill, a payment, the language)."""
    data = (
        [item.model_dump(mode="json") for item in out]
        if isinstance(out, list)
        else out.model_dump(mode="json")
    )
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    # RFC 9110 §13.1.2: If-None-Match compares weakly; "*" matches any current answer.
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def revalidated(request, response: HttpResponse, out: Schema | list) -> Status | Schema | list:
    """``out`` with its ETag and ``private, no-cache``; 304 (no body) when the app's
    ``If-None-Match`` already names it."""
    etag = etag_of(out)
    response["ETag"] = etag
    patch_cache_control(response, **REVALIDATE)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return Status(304, None)
    return out


def kept(
    request,
    response: HttpResponse,
    key: tuple,
    build: Callable[[], Schema],
) -> Status | HttpResponse:
    """``revalidated`` for an answer kept as the home page's cards are: in the cards'
    cache (``template_fragments``, shared by every process) under ``key``, which must
    hold the tenant's cards version taken before any data was read
    (``tenants.freshness``), so that a change of the town's data is never answered from
    before it. Kept are the ETag and the body as the API renders it: an app opening a
    contract's history again reads neither the bills nor builds the answer's models
    (what made the bill list slower than the home page on the bench).
    ``HOME_CACHE_SECONDS=0`` keeps nothing, as for the cards."""
    seconds = settings.HOME_CACHE_SECONDS
    cache = caches["template_fragments"]
    name = "api:" + ":".join(map(str, key))
    answer = cache.get(name) if seconds > 0 else None
    if answer is None:
        out = build()
        content = RENDERER.render(request, out.model_dump(), response_status=200)
        answer = (etag_of(out), content)
        if seconds > 0:
            cache.set(name, answer, seconds)
    etag, content = answer
    response["ETag"] = etag
    patch_cache_control(response, **REVALIDATE)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return Status(304, None)
    response.content = content
    return response
