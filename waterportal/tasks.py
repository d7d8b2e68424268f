from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from waterportal.lib.emails import sender


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=None)
def send_email(to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, sender(), [to])
    message.attach_alternative(html, "text/html")
    message.send()
