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

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Schema, Status
from pydantic import BaseModel

REVALIDATE = {"private": True, "no_cache": True}
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
