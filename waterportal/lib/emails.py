"""Send the portal's emails: each is a trio of templates under ``templates/emails/``.

``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``. The mail
is handed to a Celery task after the surrounding transaction commits, so a rolled-back
registration never sends anything and a slow mail server never slows a page down.
"""

import datetime as dt
import logging
import weakref
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.debug import sensitive_variables

from waterportal.lib import outage
from waterportal.lib.after_response import run_after_response

log = logging.getLogger(__name__)

# A page that queues a mail waits this long at most for the queue (Redis): connecting,
# and each command. One try, no retries: a mail that cannot be queued is sent at once.
QUEUE_TIMEOUT_SECONDS = 0.5


# Emails are the municipality's official notices: always Japanese, even when the page that
# sent one was shown in English (the date filter's weekday would follow the page otherwise).
@translation.override("ja")
@sensitive_variables()
def render(name: str, context: dict) -> tuple[str, str, str]:
    tenant = context.get("tenant")
    context = {"site_url": settings.SITE_URL} | context
    if tenant is not None:
        context.setdefault("login_url", f"{settings.SITE_URL}/login?tenant={tenant.slug}")
    subject = render_to_string(f"emails/{name}.subject.txt", context).strip()
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


@sensitive_variables()
def send(name: str, to: str, context: dict) -> None:
    """Queue email ``name`` to ``to``; sent after the current transaction commits."""
    subject, text, html = render(name, context)
    transaction.on_commit(lambda: _enqueue(to, subject, text, html))


def _enqueue(to: str, subject: str, text: str, html: str) -> None:
    from waterportal.tasks import send_email

    queue(send_email, (to, subject, text, html))


def queue(task, args: tuple, *, expires: dt.datetime | None = None) -> None:
    """Hand ``task(*args)`` to the workers; if the queue cannot take it, run it here.

    For the mails a resident is waiting for on the page that asked for them (a code, a
    reset link): when Redis is down, refusing or hanging, better to send the mail at
    once than to show an error, and the page must not wait for the queue more than
    ``QUEUE_TIMEOUT_SECONDS``. Run here, the mail is sent after the response
    (``after_response``), so that no answer waits for the mail server. ``expires``:
    a worker that gets the task later drops it (a code no one can use any more).
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        broker_url = task.app.conf.broker_url
        if not outage.is_down(broker_url):
            try:
                _publish(task, args, expires)
                return
            except Exception as exc:
                # Whatever failed (refused, timed out, a result backend, a bug in a
                # transport), the page has done its work and the resident waits for
                # this mail: send it now rather than lose it or show an error.
                outage.mark_down(broker_url)
                log.warning(
                    "mail queue unreachable (%s); sending the mail now instead",
                    type(exc).__name__,
                )
    run_after_response(lambda: _send_inline(task, args))


# The connections the web process queues mail on, one pool per Celery app: kept open,
# because opening one costs about 8 ms, more than the rest of a code request.
_pools: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _publish(task, args: tuple, expires: dt.datetime | None) -> None:
    app = task.app
    pool = _pools.get(app)
    if pool is None:
        # Connections of their own, with short timeouts and no retries, rather than the
        # app's pool: its options are also the worker's, which must keep retrying.
        options = {
            "socket_timeout": QUEUE_TIMEOUT_SECONDS,
            "socket_connect_timeout": QUEUE_TIMEOUT_SECONDS,
            "max_retries": 0,
        }
        connection = app.connection_for_write(
            connect_timeout=QUEUE_TIMEOUT_SECONDS, transport_options=options
        )
        pool = _pools.setdefault(app, connection.Pool(limit=app.conf.broker_pool_limit))
    try:
        with pool.acquire(block=True, timeout=QUEUE_TIMEOUT_SECONDS) as connection:
            task.apply_async(args, connection=connection, retry=False, expires=expires)
    except Exception:
        # Its connections may be half-open (a Redis that hung): start afresh next time.
        _pools.pop(app, None)
        pool.force_close_all()
        raise


def _send_inline(task, args: tuple) -> None:
    # No queue (development without REDIS_URL, or the broker down): send once, now. A
    # failure is logged, not raised: the page the resident is on has already done its
    # work, and there is no queue to retry from.
    try:
        task.apply(args=args, retries=settings.EMAIL_MAX_RETRIES, throw=True)
    except Exception:
        log.exception("mail could not be sent and could not be queued to retry it")


def sender() -> str:
    return settings.DEFAULT_FROM_EMAIL


def send_many(name: str, recipients, tenant) -> int:
    """Queue email ``name`` of ``tenant`` to each address of ``recipients`` (one message
    each); returns how many.

    For an email that is the same for every resident of the tenant: its context is the
    tenant and nothing else, nothing personal. Each message carries only the address, the
    email's name and the tenant's id, and the worker renders the email when it sends it
    (``waterportal.tasks.send_tenant_email``): about 1 KB on the broker, most of it
    Celery's envelope, instead of 7 KB with the rendered email (bench/notify). Queued
    over one broker connection, in pipelined batches of 1,000 (kombu's
    ``Producer.batch``), which is what keeps 100,000 messages fast.

    Not after commit, unlike ``send``: the caller decides when. A broker failure is
    raised, and the messages of the batches already sent stay queued.
    """
    from waterportal.tasks import send_tenant_email

    count = 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for to in recipients:
            _send_inline(send_tenant_email, (to, name, tenant.pk))
            count += 1
        return count
    with send_tenant_email.app.producer_or_acquire() as producer, producer.batch():
        for to in recipients:
            send_tenant_email.apply_async((to, name, tenant.pk), producer=producer)
            count += 1
    return count
