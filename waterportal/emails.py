"""The portal's emails, and the tasks that deliver them with retries.

Each email is a trio of templates under ``templates/emails/``:
``emails/<name>.subject.txt``, ``emails/<name>.txt`` and ``emails/<name>.html``. Each
email is first a row of the outbox (``waterportal.outbox``), written in the transaction
of the change that causes it: a rolled-back registration never sends anything, and an
email that exists is never lost. After the commit a Celery task is queued to wake a
worker (``deliver_outbox``); retries wait in the outbox, and the periodic sweep
(``sweep_outbox``) sends whatever is still unsent, so Redis losing its queues (a flush,
a restart) or a worker killed mid-send loses nothing. A slow mail server never slows a
page down.
"""

import datetime as dt
import logging
import smtplib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables

from waterportal.lib import easy_japanese, outage
from waterportal.lib.after_response import run_after_response
from waterportal.outbox import store as outbox
from waterportal.outbox.models import OutboxEmail
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
    """Write email ``name`` to ``to`` into the outbox, in the current transaction; a
    worker is woken to send it after the transaction commits.

    ``language``: the resident's (``User.language``) for an email sent on someone else's
    page (staff's); by default the language of the page the resident is on.
    """
    if language is None:
        language = translation.get_language()
    subject, text, html = render(name, context, language)
    tenant = context.get("tenant")
    row = outbox.add(
        kind=OutboxEmail.Kind.RENDERED,
        to=to,
        tenant=tenant if isinstance(tenant, Tenant) else None,
        subject=subject,
        text=text,
        html=html,
    )
    transaction.on_commit(lambda: wake([row.pk]))


def wake(ids: list[int], *, expires: dt.datetime | None = None) -> None:
    """Have a worker send the outbox rows ``ids``: on the queue, or if it cannot take the
    task, from this process after the response (``queue``)."""
    queue(deliver_outbox, (ids,), expires=expires)


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


def _publish(task, args: tuple, expires: dt.datetime | None, **options) -> None:
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
            task.apply_async(args, connection=connection, retry=False, expires=expires, **options)
    except Exception:
        # Its connections may be half-open (a Redis that hung): start afresh next time.
        _pools.pop(app, None)
        pool.force_close_all()
        raise


def _send_inline(task, args: tuple) -> None:
    # No queue (development without REDIS_URL, or the broker down): send once, now. A
    # failure is logged, not raised: the page the resident is on has already done its
    # work (an outbox row that failed waits for the sweep's next try).
    try:
        task.apply(args=args, retries=settings.EMAIL_MAX_RETRIES, throw=True)
    except Exception:
        log.exception("mail could not be sent and could not be queued to retry it")


def sender() -> str:
    return settings.DEFAULT_FROM_EMAIL


def sender_address() -> str:
    """The bare address the portal's mail comes from (``noreply@example.jp``), without the
    display name: what a resident adds to a phone carrier's list of allowed senders."""
    return parseaddr(sender())[1] or sender()


def sender_domain() -> str:
    """The part of ``sender_address`` after the @, which carriers' domain lists take."""
    address = sender_address()
    return address.rsplit("@", 1)[-1] or address


def send_many(
    name: str,
    recipients,
    tenant: Tenant,
    *,
    unsubscribe: str = "",
    context: dict | None = None,
    batch: str = "",
    wake: Callable[[list[int]], None] | None = None,
) -> int:
    """Write email ``name`` of ``tenant`` to each address of ``recipients`` into the
    outbox (one message each), in the current transaction; returns how many.

    For an email that is the same for every resident of the tenant: its context is the
    tenant and ``context`` (a few plain values, such as a notice's id and title), nothing
    personal. Each row holds only the address, the email's name, the tenant and
    ``context``, and the worker renders the email when it sends it: 100,000 rendered
    emails would be 700 MB of rows (bench/notify). Written in chunks of 1,000; after the
    commit, workers are woken with one task per ``OUTBOX_BATCH`` rows, queued over one
    broker connection in a pipelined batch (kombu's ``Producer.batch``).

    ``unsubscribe``, the kind of notification email (``UNSUBSCRIBE_KINDS``): then
    ``recipients`` are ``(member_id, address)`` pairs, or ``(member_id, address,
    language)`` with the member's ``User.language``, and each message carries the
    one-click ``List-Unsubscribe`` headers for that member (RFC 8058). ``batch`` names
    what the emails belong to, for their counts per state (``outbox.store.counts``).

    A broker that cannot take the wake-up tasks is logged, not raised: the rows are in
    the outbox, and the sweep sends them.

    ``wake``: how the workers are told of the rows written (their ids, in the order of
    ``recipients``), after the commit, or at once when there is no queue; by default
    ``wake_workers``. A caller with work to do before each batch goes out gives its own,
    which ends by waking the workers for that batch (the new-bill emails: the members'
    home cards are drawn first, ``exchange.actions``).
    """
    if unsubscribe and unsubscribe not in UNSUBSCRIBE_KINDS:
        raise ValueError(f"unknown kind of notification email: {unsubscribe}")
    now = timezone.now()

    def rows():
        for recipient in recipients:
            language = ""
            if unsubscribe:
                # (member id, address) or (member id, address, the member's language).
                member_id, to, *rest = recipient
                language = rest[0] if rest else ""
            else:
                member_id, to = None, recipient
            recipe = {"name": name, "member_id": member_id, "unsubscribe": unsubscribe}
            if email_language(language) != "ja":
                recipe["language"] = email_language(language)
            yield outbox.row(
                kind=OutboxEmail.Kind.TOWN,
                to=to,
                now=now,
                tenant=tenant,
                batch=batch,
                recipe=recipe | ({"context": context} if context else {}),
            )

    ids = outbox.add_many(rows())
    wake = wake or wake_workers
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No queue (development): sent here, now, as the tasks would.
        wake(ids)
    else:
        transaction.on_commit(lambda: wake(ids), robust=True)
    return len(ids)


def wake_workers(ids: list[int]) -> None:
    """One ``deliver_outbox`` task per ``OUTBOX_BATCH`` of the outbox rows ``ids``."""
    queue_batches(deliver_outbox, [(chunk,) for chunk in outbox_batches(ids)], len(ids))


def outbox_batches(items: list) -> list[list]:
    """``items`` cut into the batches of ``OUTBOX_BATCH`` that one task sends."""
    size = settings.OUTBOX_BATCH
    return [items[start : start + size] for start in range(0, len(items), size)]


def queue_batches(task, batches: list[tuple], emails: int) -> None:
    """Queue ``task`` once for each arguments' tuple of ``batches``, over one broker
    connection in a pipelined batch (kombu's ``Producer.batch``), for ``emails`` outbox
    rows; with no queue (development), run each here, now. A broker that cannot take
    them is logged, not raised: the rows are in the outbox, and the sweep sends them."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for args in batches:
            _send_inline(task, args)
        return
    try:
        with task.app.producer_or_acquire() as producer, producer.batch():
            for args in batches:
                task.apply_async(args, producer=producer)
    except Exception as exc:
        log.warning(
            "mail queue unreachable (%s); %s emails wait in the outbox for the sweep",
            type(exc).__name__,
            emails,
        )


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


# The tasks of the code before the outbox, which carried the email itself. Kept, named as
# when they lived in waterportal/tasks.py, so that a mail still waiting on the queue for
# its next try when the outbox was deployed is still understood; nothing queues them now.
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


# --- Delivery from the outbox -----------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A message ready to send: the address, subject, text, HTML and extra headers."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


# How the rows of a kind that is rendered when sent become a message, by kind: the
# apps above register theirs (accounts: verification codes). None: nothing to send.
PREPARERS: dict[str, Callable[[OutboxEmail, dt.datetime], Prepared | None]] = {}


def _prepare_town(row: OutboxEmail, now: dt.datetime) -> Prepared:
    recipe = row.recipe
    assert row.tenant is not None
    headers: dict[str, str] = {}
    extra = dict(recipe.get("context") or {})
    member_id, kind = recipe.get("member_id"), recipe.get("unsubscribe")
    if member_id is not None and kind:
        headers = unsubscribe_headers(member_id, kind)
        extra["unsubscribe_url"] = unsubscribe_url(member_id, kind)
    language = recipe.get("language", "ja")
    subject, text, html = render(recipe["name"], extra | {"tenant": row.tenant}, language)
    return Prepared(row.to, subject, text, html, headers)


def _prepare_rendered(row: OutboxEmail, now: dt.datetime) -> Prepared:
    return Prepared(row.to, row.subject, row.text, row.html, dict(row.headers))


PREPARERS[OutboxEmail.Kind.RENDERED] = _prepare_rendered
PREPARERS[OutboxEmail.Kind.TOWN] = _prepare_town


def deliver_rows(token: str, rows: list[OutboxEmail]) -> int:
    """Send the claimed ``rows``, each marked sent as soon as the mail server took it;
    returns how many were sent. A failed try leaves the row to the next (``mark_failed``)."""
    sent = 0
    retry: dict[int, list[int]] = {}
    for row in rows:
        now = timezone.now()
        try:
            prepared = PREPARERS[row.kind](row, now)
            if prepared is None:
                outbox.mark_dropped(row, token)
                continue
            headers = prepared.headers | {"Message-ID": row.message_id}
            deliver(prepared.to, prepared.subject, prepared.text, prepared.html, headers=headers)
        except (*RETRY_ON, DatabaseError) as exc:
            failure = describe(exc)
        else:
            if not outbox.mark_sent(row, token):
                log.warning("outbox row %s: sent after its claim had run out", row.pk)
            sent += 1
            continue
        delay = outbox.mark_failed(row, token, failure)
        log.warning(
            "mail delivery failed (outbox row %s, try %s): %s", row.pk, row.attempts, failure
        )
        if delay is not None:
            retry.setdefault(int(delay.total_seconds()), []).append(row.pk)
    broker_url = deliver_outbox.app.conf.broker_url
    if retry and not settings.CELERY_TASK_ALWAYS_EAGER and not outage.is_down(broker_url):
        # A wake-up for the next try, to be prompt; if it is lost (Redis flushed), the
        # sweep finds the rows due all the same. Queued as a page queues (short timeouts,
        # no retries): this may run in a web process, after a response, with Redis down.
        try:
            for delay_seconds, ids in retry.items():
                _publish(deliver_outbox, (ids,), None, countdown=delay_seconds)
        except Exception as exc:
            outage.mark_down(broker_url)
            log.warning(
                "mail queue unreachable (%s); retries left to the sweep", type(exc).__name__
            )
    return sent


# Its result is not kept. Not retried by Celery: the outbox keeps the tries.
@shared_task(acks_late=True, ignore_result=True, name="waterportal.emails.deliver_outbox")
def deliver_outbox(ids: list[int]) -> int:
    """Send the outbox rows ``ids`` that are due and not claimed by another worker."""
    token, rows = outbox.claim(ids, limit=len(ids))
    return deliver_rows(token, rows)


@shared_task(ignore_result=True, name="waterportal.emails.sweep_outbox")
def sweep_outbox() -> int:
    """Send every row still due: those whose wake-up was lost (Redis flushed or
    restarted), whose retry is due, or whose worker died holding them (lease run out)."""
    sent = 0
    while True:
        token, rows = outbox.claim(limit=settings.OUTBOX_BATCH)
        if not rows:
            return sent
        sent += deliver_rows(token, rows)


@shared_task(ignore_result=True, name="waterportal.emails.purge_outbox")
def purge_outbox() -> int:
    """Delete the settled rows older than OUTBOX_KEEP_DAYS: addresses are personal data."""
    return outbox.purge()
