"""The portal's emails, and the tasks that deliver them with retries.

Each email is a trio of templates under ``templates/emails/``:
``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``. The mail
is handed to a Celery task after the surrounding transaction commits, so a rolled-back
registration never sends anything and a slow mail server never slows a page down.
"""

import datetime as dt
import logging
import smtplib
import weakref
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.views.decorators.debug import sensitive_variables

from waterportal.lib import easy_japanese, outage
from waterportal.lib.after_response import run_after_response
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

# A page that queues a mail waits this long at most for the queue (Redis): connecting,
# and each command. One try, no retries: a mail that cannot be queued is sent at once.
QUEUE_TIMEOUT_SECONDS = 0.5


# Emails are the municipality's official notices: Japanese, even when the page that sent
# one was shown in English (the date filter's weekday would follow the page otherwise);
# in やさしい日本語 for a resident who chose it, where the email has its version
# (``emails/easy/<name>.*``). Its readings are marked when the template is read
# (``EasyTemplateLoader``), before any value is put in, so a name or a title with braces
# stays as it is; they become brackets in the subject and the text, ruby in the HTML.
def email_language(language: str | None) -> str:
    """The language an email is written in for a resident who reads ``language``."""
    return easy_japanese.LANGUAGE if easy_japanese.is_easy(language) else "ja"


@sensitive_variables()
def render(name: str, context: dict, language: str | None = "ja") -> tuple[str, str, str]:
    tenant = context.get("tenant")
    context = {"site_url": settings.SITE_URL} | context
    if tenant is not None:
        context.setdefault("login_url", f"{settings.SITE_URL}/login?tenant={tenant.slug}")
    easy = email_language(language) == easy_japanese.LANGUAGE and has_easy_version(name)
    folder = "emails/easy" if easy else "emails"
    with translation.override(easy_japanese.LANGUAGE if easy else "ja"):
        subject: str = render_to_string(f"{folder}/{name}.subject.txt", context).strip()
        subject = " ".join(subject.split())
        text: str = render_to_string(f"{folder}/{name}.txt", context)
        html: str = render_to_string(f"{folder}/{name}.html", context)
    if easy:
        subject, text, html = (
            easy_japanese.as_text(subject),
            easy_japanese.as_text(text),
            easy_japanese.as_html(html),
        )
    return subject, text, html


def has_easy_version(name: str) -> bool:
    try:
        get_template(f"emails/easy/{name}.txt")
    except TemplateDoesNotExist:
        return False
    return True


@sensitive_variables()
def send(name: str, to: str, context: dict, *, language: str | None = None) -> None:
    """Queue email ``name`` to ``to``; sent after the current transaction commits.

    ``language``: the resident's (``User.language``) for an email sent on someone else's
    page (staff's); by default the language of the page the resident is on.
    """
    if language is None:
        language = translation.get_language()
    subject, text, html = render(name, context, language)
    transaction.on_commit(lambda: _enqueue(to, subject, text, html))


def _enqueue(to: str, subject: str, text: str, html: str) -> None:
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


def send_many(
    name: str,
    recipients,
    tenant: Tenant,
    *,
    unsubscribe: str = "",
    context: dict | None = None,
) -> int:
    """Queue email ``name`` of ``tenant`` to each address of ``recipients`` (one message
    each); returns how many.

    For an email that is the same for every resident of the tenant: its context is the
    tenant and ``context`` (a few plain values, such as a notice's id and title), nothing
    personal. Each message carries only the address, the email's name, the tenant's id
    and ``context``, and the worker renders the email when it sends it
    (``send_tenant_email``): about 1 KB on the broker, most of it
    Celery's envelope, instead of 7 KB with the rendered email (bench/notify). Queued
    over one broker connection, in pipelined batches of 1,000 (kombu's
    ``Producer.batch``), which is what keeps 100,000 messages fast.

    ``unsubscribe``, the kind of notification email (``UNSUBSCRIBE_KINDS``): then
    ``recipients`` are ``(member_id, address)`` pairs, or ``(member_id, address,
    language)`` with the member's ``User.language``, and each message carries the
    one-click ``List-Unsubscribe`` headers for that member (RFC 8058).

    Not after commit, unlike ``send``: the caller decides when. A broker failure is
    raised, and the messages of the batches already sent stay queued.
    """
    if unsubscribe and unsubscribe not in UNSUBSCRIBE_KINDS:
        raise ValueError(f"unknown kind of notification email: {unsubscribe}")

    def arguments(recipient) -> tuple:
        if not unsubscribe:
            return (recipient, name, tenant.pk) + ((None, "", context) if context else ())
        # (member id, address) or (member id, address, the member's language).
        member_id, to, *language = recipient
        arguments = (to, name, tenant.pk, member_id, unsubscribe)
        if email_language(language[0] if language else "") != "ja":
            return (*arguments, context, language[0])
        return arguments + ((context,) if context else ())

    count = 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for recipient in recipients:
            _send_inline(send_tenant_email, arguments(recipient))
            count += 1
        return count
    with send_tenant_email.app.producer_or_acquire() as producer, producer.batch():
        for recipient in recipients:
            send_tenant_email.apply_async(arguments(recipient), producer=producer)
            count += 1
    return count


# --- One-click unsubscribe (RFC 8058) ----------------------------------------------------

# The kinds of notification email a member can turn off, and the member's setting for each
# (``accounts.User``). Every notification email carries the headers of its kind.
UNSUBSCRIBE_KINDS = {"new_bill": "notify_new_bill", "notices": "notify_notices"}
_UNSUBSCRIBE_SALT = "waterportal.emails.unsubscribe"


def unsubscribe_token(member_id: int, kind: str) -> str:
    """A signed token naming the member and the kind of email; it does not expire (an
    old email's link must still work), and it can do nothing but turn that kind off."""
    return signing.dumps([member_id, kind], salt=_UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The member's id and the kind; raises ``signing.BadSignature`` for anything else."""
    try:
        member_id, kind = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed") from exc
    if not isinstance(member_id, int) or kind not in UNSUBSCRIBE_KINDS:
        raise signing.BadSignature("malformed")
    return member_id, kind


def unsubscribe_url(member_id: int, kind: str) -> str:
    return f"{settings.SITE_URL}/unsubscribe/{unsubscribe_token(member_id, kind)}"


def unsubscribe_headers(member_id: int, kind: str) -> dict[str, str]:
    """The headers that let a mail program offer "unsubscribe" and do it in one click:
    a POST of ``List-Unsubscribe=One-Click`` to the URL, with no login."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(member_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Delivery: the tasks the workers run ------------------------------------------------


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


# Named as when they lived in waterportal/tasks.py: a mail waiting on the queue for its
# next try is still understood by a worker of the new code.
@shared_task(**MAIL_TASK, name="waterportal.tasks.send_email")
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
@shared_task(**MAIL_TASK, ignore_result=True, name="waterportal.tasks.send_tenant_email")
def send_tenant_email(
    self,
    to: str,
    name: str,
    tenant_id: int,
    member_id: int | None = None,
    unsubscribe: str = "",
    context: dict | None = None,
    language: str = "",
) -> None:
    """Render email ``name`` for the tenant, then deliver it as ``send_email`` does.

    For the emails that are the same for every resident of a tenant
    (``emails.send_many``): the message on the queue is the address and these two
    names (with the member's id and the kind of email for the one-click unsubscribe
    headers, and a few plain values of ``context``), not the rendered email. The
    database being away is retried like the mail server being away: the tenant's texts
    are read from it.
    """
    try:
        tenant = Tenant.objects.get(pk=tenant_id)
        headers = {}
        extra = dict(context or {})
        if member_id is not None and unsubscribe:
            headers = unsubscribe_headers(member_id, unsubscribe)
            extra["unsubscribe_url"] = unsubscribe_url(member_id, unsubscribe)
        subject, text, html = render(name, extra | {"tenant": tenant}, language)
        deliver(to, subject, text, html, headers=headers)
    except (*RETRY_ON, DatabaseError) as exc:
        failure = MailNotDelivered(describe(exc))
    else:
        return
    raise retry_delivery(self, failure)


def deliver(to: str, subject: str, text: str, html: str, *, headers=None) -> None:
    message = EmailMultiAlternatives(subject, text, sender(), [to], headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()


def retry_delivery(task, exc: Exception) -> Exception:
    delay = min(settings.EMAIL_RETRY_DELAY * 2**task.request.retries, 3600)
    log.warning(
        "mail delivery failed (task %s, try %s): %s", task.request.id, task.request.retries, exc
    )
    return task.retry(exc=exc, countdown=delay)
