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
from django.views.decorators.debug import sensitive_variables
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


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

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            send_email.delay(to, subject, text, html)
            return
        except OperationalError:
            # The broker (Redis) cannot be reached. The resident is waiting for this
            # mail (a code, a reset link) on the page that asked for it, which has done
            # its work: better to send it now, without retries, than to show an error.
            log.warning("mail queue unreachable; sending the mail now instead")
    _send_inline(send_email, (to, subject, text, html))


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
