"""Who and what a log line is about: the request's id, its town and the signed-in account's
id, kept in a context variable for the request (and for the tasks it starts) and added
to every log record by ``RequestContextFilter``. Ids and the town's slug only: never an
address, a name or a code.

The request id comes from the ``X-Request-ID`` header when it looks like an id (the
proxy's), else a new UUID; it is sent back in the answer's ``X-Request-ID``. Tasks queued
during the request carry it in a message header (``before_task_publish``) and the worker
takes it up for the task's run (``task_prerun``), so the worker's lines have it too.
"""

import contextvars
import logging
import re
import uuid
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
FIELDS = ("request_id", "town", "member_id", "staff_id")

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "waterportal_request_context", default=None
)


def current() -> dict[str, Any]:
    return _context.get() or {}


def bind(**values: Any) -> contextvars.Token:
    """Adds ``values`` to the context; ``unbind(token)`` restores what was before."""
    return _context.set(current() | values)


def unbind(token: contextvars.Token) -> None:
    _context.reset(token)


def request_id_from(header: str | None) -> str:
    if header and _SAFE_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """The first middleware: the id for the whole request; the town and the account once
    the other middleware found them (``process_view``, just before the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(HEADER))
        # A fresh context for each request, left in place after the answer: Django logs a
        # 4xx or 5xx answer once every middleware has returned, and that line is this
        # request's too. It ends with request_finished (``clear``).
        _context.set({"request_id": request.request_id})
        response = self.get_response(request)
        # Again after the view: an address no view answers never reached process_view.
        _context.set(current() | _who(request))
        response[HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        _context.set(current() | _who(request))
        return None


def _who(request) -> dict[str, Any]:
    """The town's slug and the signed-in account's id, as the other middleware found them."""
    tenant = getattr(request, "tenant", None)
    values: dict[str, Any] = {"town": tenant.slug if tenant is not None else None}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        key = "member_id" if getattr(user, "kind", "member") == "member" else "staff_id"
        values[key] = user.pk
    return values


def clear(**kwargs) -> None:
    """Connected to Django's request_started and request_finished (after the work done
    once the answer is sent): nothing of a request is carried into what the thread does
    next."""
    _context.set({})


class RequestContextFilter(logging.Filter):
    """Sets ``request_id``, ``town``, ``member_id`` and ``staff_id`` on every record (None
    outside a request), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current()
        for field in FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field))
        return True


# --- Celery: the request's context travels with its tasks ------------------------------


@before_task_publish.connect
def _send_context(headers=None, **kwargs) -> None:
    context = current()
    if headers is not None and context.get("request_id"):
        headers["request_id"] = context["request_id"]
        if context.get("town"):
            headers["request_town"] = context["town"]


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect
def _take_context(task_id=None, task=None, **kwargs) -> None:
    if task is None or not task_id:
        return
    # A worker makes the message's headers attributes of the task's request; a task run
    # with apply() keeps them in request.headers.
    headers = getattr(task.request, "headers", None) or {}
    request_id = getattr(task.request, "request_id", None) or headers.get("request_id")
    if request_id:
        town = getattr(task.request, "request_town", None) or headers.get("request_town")
        _task_tokens[task_id] = bind(request_id=request_id, town=town)


@task_postrun.connect
def _drop_context(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        unbind(token)
