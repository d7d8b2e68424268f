"""Background work: mail delivery with retries."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError

from tenants.models import Tenant
from waterportal.lib.emails import render, sender

log = logging.getLogger(__name__)

# Connection refused, timeouts and the server's temporary refusals are worth retrying;
# smtplib's errors are OSErrors too.
RETRY_ON = (OSError, smtplib.SMTPException)


class MailNotDelivered(Exception):
    """A failed delivery, told without the words of the error that failed it.

    smtplib's errors name the recipients (``SMTPRecipientsRefused`` is a dict of them)
    and servers echo the address in their replies, while the worker's log, Celery's own
    lines on a retry or a failure and our warnings are kept far longer than a mail and
    read by more people. So tasks retry with this instead, raised outside the ``except``
    block, so that no traceback chains in the original error either.
    """


def describe(exc: BaseException) -> str:
    """The kind of error and its numeric codes: never its text, which may hold addresses."""
    codes: list[str] = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [str(code) for code in sorted({code for code, _reply in exc.recipients.values()})]
    elif isinstance(exc, smtplib.SMTPResponseException):
        codes = [str(exc.smtp_code)]
    elif isinstance(exc, OSError) and exc.errno is not None:
        codes = [f"errno {exc.errno}"]
    return " ".join([type(exc).__name__, *codes])


MAIL_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": settings.EMAIL_MAX_RETRIES,
}


@shared_task(**MAIL_TASK)
def send_email(self, to: str, subject: str, text: str, html: str) -> None:
    """Deliver one message; while the mail server is down, retry with a growing delay
    (from EMAIL_RETRY_DELAY seconds up to an hour), so nothing queued is lost."""
    try:
        deliver(to, subject, text, html)
    except RETRY_ON as exc:
        failure = MailNotDelivered(describe(exc))
    else:
        return
    raise retry_delivery(self, failure)


# Its result (None) is not kept: 100,000 of them would sit in Redis for a day.
@shared_task(**MAIL_TASK, ignore_result=True)
def send_tenant_email(self, to: str, name: str, tenant_id: int) -> None:
    """Render email ``name`` for the tenant, then deliver it as ``send_email`` does.

    For the emails that are the same for every resident of a tenant
    (``emails.send_many``): the message on the queue is the address and these two
    names, not the rendered email. The database being away is retried like the mail
    server being away: the tenant's texts are read from it.
    """
    try:
        tenant = Tenant.objects.get(pk=tenant_id)
        subject, text, html = render(name, {"tenant": tenant})
        deliver(to, subject, text, html)
    except (*RETRY_ON, DatabaseError) as exc:
        failure = MailNotDelivered(describe(exc))
    else:
        return
    raise retry_delivery(self, failure)


def deliver(to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, sender(), [to])
    message.attach_alternative(html, "text/html")
    message.send()


def retry_delivery(task, exc: Exception) -> Exception:
    delay = min(settings.EMAIL_RETRY_DELAY * 2**task.request.retries, 3600)
    log.warning(
        "mail delivery failed (task %s, try %s): %s", task.request.id, task.request.retries, exc
    )
    return task.retry(exc=exc, countdown=delay)
