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

log = logging.getLogger(__name__)


@sensitive_variables("plain")
def queue_code_email(row: VerificationCode, plain: str) -> None:
    """After the current transaction commits, queue the email for code ``row``.

    The page does the same work whatever the address: it queues this for every code it
    issues, and the worker (``send_code``) decides what, if anything, is mailed. So the
    answer takes the same time whether or not the address has an account. The message
    expires with the code: a worker that gets it later drops it.
    """
    # In the language of the page that asked for it (the resident is reading it now).
    language = emails.email_language(translation.get_language())
    arguments = (row.pk, plain) if language == "ja" else (row.pk, plain, language)
    transaction.on_commit(lambda: emails.queue(send_code, arguments, expires=row.expires_at))


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


# Named as when it lived in accounts/tasks.py: a code mail waiting on the queue for its
# next try is still understood by a worker of the new code.
@shared_task(**MAIL_TASK, name="accounts.tasks.send_code")
def send_code(self, code_id: int, plain: str, language: str = "ja") -> None:
    """Mail the email of verification code ``code_id`` (see ``_code_email``).

    Checked on every try: a code that has expired, was used or was replaced by a newer
    one is no longer mailed, however long the mail server was away.
    """
    now = timezone.now()
    try:
        with scopes_disabled():
            row = VerificationCode.objects.select_related("tenant").filter(pk=code_id).first()
            if row is None or not row.usable(now):
                log.info("code email dropped: its code is no longer valid (code %s)", code_id)
                return
            choice = _code_email(row)
            if choice is None or not choice[1]:
                _make_decoy(row)
            if choice is None:
                return
        name, with_code = choice
        context = {
            "tenant": row.tenant,
            "ttl_minutes": codes.ttl_minutes(),
            "expires_at": row.expires_at,
        }
        if with_code:
            context |= {"code": plain, "code_id": row.pk}
        deliver(row.email, *emails.render(name, context, language))
    except (*RETRY_ON, DatabaseError) as exc:
        failure = MailNotDelivered(describe(exc))
    else:
        return
    raise retry_delivery(self, failure)
