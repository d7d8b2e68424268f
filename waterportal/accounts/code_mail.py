"""The email of a verification code or a sign-in link: queued by the actions, decided
and sent by a worker."""

import logging
import secrets

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables
from django_scopes import scopes_disabled

from waterportal import emails
from waterportal.accounts import codes
from waterportal.accounts.models import CodePurpose, User, VerificationCode
from waterportal.emails import (
    MAIL_TASK,
    RETRY_ON,
    MailNotDelivered,
    deliver,
    describe,
    retry_delivery,
)
from waterportal.outbox import store as outbox
from waterportal.outbox.models import OutboxEmail

log = logging.getLogger(__name__)


@sensitive_variables("plain")
def queue_code_email(row: VerificationCode, plain: str) -> None:
    """Write the email for code ``row`` into the outbox (the code encrypted) and, after
    the current transaction commits, wake a worker to send it.

    The page does the same work whatever the address: it writes this for every code it
    issues, and the worker (``prepare_code_email``) decides what, if anything, is mailed.
    So the answer takes the same time whether or not the address has an account. The
    wake-up expires with the code, and the row is dropped once its code is no longer
    valid. With the queue down the email is sent at once, from the web process after
    the response (``emails.queue``).
    """
    # In the language of the page that asked for it (the resident is reading it now).
    language = emails.email_language(translation.get_language())
    email = outbox.add(
        kind=OutboxEmail.Kind.CODE,
        to=row.email,
        tenant=row.tenant,
        recipe={"code_id": row.pk} | ({"language": language} if language != "ja" else {}),
        secret=outbox.seal(plain),
        expires_at=row.expires_at,
    )
    transaction.on_commit(lambda: emails.wake([email.pk], expires=row.expires_at))


@sensitive_variables()
def prepare_code_email(email: OutboxEmail, now) -> emails.Prepared | None:
    """The message of outbox row ``email`` (a code email), or None when nothing is sent."""
    plain = outbox.unseal(email.secret) if email.secret else None
    if plain is None:
        return None
    prepared = _prepare(email.recipe["code_id"], plain, now)
    if prepared is None:
        return None
    language = email.recipe.get("language", "ja")
    rendered = emails.render(prepared[1], prepared[2], language)
    return emails.Prepared(prepared[0], *rendered, headers={})


emails.PREPARERS[OutboxEmail.Kind.CODE] = prepare_code_email


def _code_email(row: VerificationCode) -> tuple[str, bool] | None:
    """The email to send for ``row`` and whether it carries the code, or None for none.

    Registration: the code, or to an address that already has an account a mail saying
    so (no code). Password reset and sign-in links: to an account's address, nothing to
    any other. Email change: the code, to the new address, always (whether it is taken
    is said only once the code is verified).
    """
    accounts = User.members.filter(tenant=row.tenant, email=row.email)
    if row.purpose == CodePurpose.SIGNUP:
        if accounts.exists():
            return ("signup_already_registered", False)
        return ("signup_code", True)
    if row.purpose == CodePurpose.RESET:
        return ("reset_code", True) if accounts.filter(is_active=True).exists() else None
    if row.purpose == CodePurpose.SIGN_IN:
        return ("sign_in_link", True) if accounts.filter(is_active=True).exists() else None
    if row.purpose == CodePurpose.INQUIRY:
        # Always the code: an inquiry may come from anyone, member or not.
        return ("inquiry_code", True)
    return ("email_change_code", True)


def _make_decoy(row: VerificationCode) -> None:
    """Nothing anyone types can match a code that was not mailed."""
    VerificationCode.objects.filter(pk=row.pk).update(
        code_hash=VerificationCode.hash_code(row.salt, secrets.token_urlsafe(32)),
        delivered=False,
    )


@sensitive_variables("plain")
def _prepare(code_id: int, plain: str, now) -> tuple[str, str, dict] | None:
    """The address, the email's name and its context for code ``code_id``, or None."""
    with scopes_disabled():
        row = VerificationCode.objects.select_related("tenant").filter(pk=code_id).first()
        if row is None or not row.usable(now):
            log.info("code email dropped: its code is no longer valid (code %s)", code_id)
            return None
        choice = _code_email(row)
        if choice is None or not choice[1]:
            _make_decoy(row)
        if choice is None:
            return None
    name, with_code = choice
    context = {
        "tenant": row.tenant,
        "ttl_minutes": codes.ttl_minutes(),
        "expires_at": row.expires_at,
    }
    if with_code:
        context |= {"code": plain, "code_id": row.pk}
    return row.email, name, context


# Named as when it lived in accounts/tasks.py: a code mail queued by the code before the
# outbox, still waiting for its next try, is still understood by a worker of the new code.
@shared_task(**MAIL_TASK, name="accounts.tasks.send_code")
def send_code(self, code_id: int, plain: str, language: str = "ja") -> None:
    """Mail the email of verification code ``code_id`` (see ``_code_email``).

    Checked on every try: a code that has expired, was used or was replaced by a newer
    one is no longer mailed, however long the mail server was away.
    """
    now = timezone.now()
    try:
        prepared = _prepare(code_id, plain, now)
        if prepared is None:
            return
        to, name, context = prepared
        deliver(to, *emails.render(name, context, language))
    except (*RETRY_ON, DatabaseError) as exc:
        failure = MailNotDelivered(describe(exc))
    else:
        return
    raise retry_delivery(self, failure)
