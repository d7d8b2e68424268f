"""Send the portal's emails: each is a trio of templates under ``templates/emails/``.

``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``. The mail
is handed to a Celery task after the surrounding transaction commits, so a rolled-back
registration never sends anything and a slow mail server never slows a page down.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string


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
    from waterportal.tasks import send_email

    subject, text, html = render(name, context)
    transaction.on_commit(lambda: send_email.delay(to, subject, text, html))


def sender() -> str:
    return settings.DEFAULT_FROM_EMAIL
