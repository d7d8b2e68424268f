"""Send the portal's emails: each is a trio of templates under ``templates/emails/``.

``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``. The mail
is handed to a Celery task after the surrounding transaction commits, so a rolled-back
registration never sends anything and a slow mail server never slows a page down.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


# Emails are the municipality's official notices: always Japanese, even when the page that
# sent one was shown in English (the date filter's weekday would follow the page otherwise).
@translation.override("ja")
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


def send(name: str, to: str, context: dict) -> None:
    """Queue email ``name`` to ``to``; sent after the current transaction commits."""
    subject, text, html = render(name, context)
    transaction.on_commit(lambda: _enqueue(to, subject, text, html))


def _enqueue(to: str, subject: str, text: str, html: str) -> None:
    from waterportal.tasks import send_email

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        send_email.delay(to, subject, text, html)
        return
    # No queue (development without REDIS_URL): send once, now. A failure is logged, not
    # raised: the page the resident is on has already done its work, and there is no
    # queue to retry from. Production runs with REDIS_URL and real retries.
    try:
        send_email.apply(
            args=(to, subject, text, html), retries=settings.EMAIL_MAX_RETRIES, throw=True
        )
    except Exception:
        log.exception("mail could not be sent and no queue is configured to retry it")


def sender() -> str:
    return settings.DEFAULT_FROM_EMAIL


def send_many(name: str, recipients, context: dict) -> int:
    """Queue the same email to each address of ``recipients`` (one message each).

    Rendered once: for this to be right the email must hold nothing personal. Queued
    over one broker connection, in pipelined batches of 1,000 (kombu's
    ``Producer.batch``), which is what keeps 100,000 messages fast (bench/notify).
    """
    from waterportal.tasks import send_email

    subject, text, html = render(name, context)
    count = 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for to in recipients:
            _enqueue(to, subject, text, html)
            count += 1
        return count
    with send_email.app.producer_or_acquire() as producer, producer.batch():
        for to in recipients:
            send_email.apply_async((to, subject, text, html), producer=producer)
            count += 1
    return count
