"""Background work: mail delivery with retries."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from waterportal.lib.emails import sender

log = logging.getLogger(__name__)

# Connection refused, timeouts and the server's temporary refusals are worth retrying;
# smtplib's errors are OSErrors too.
RETRY_ON = (OSError, smtplib.SMTPException)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.EMAIL_MAX_RETRIES,
)
def send_email(self, to: str, subject: str, text: str, html: str) -> None:
    """Deliver one message; while the mail server is down, retry with a growing delay
    (from EMAIL_RETRY_DELAY seconds up to an hour), so nothing queued is lost."""
    message = EmailMultiAlternatives(subject, text, sender(), [to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except RETRY_ON as exc:
        delay = min(settings.EMAIL_RETRY_DELAY * 2**self.request.retries, 3600)
        log.warning(
            "mail delivery failed (task %s, try %s): %s", self.request.id, self.request.retries, exc
        )
        raise self.retry(exc=exc, countdown=delay) from exc
