"""Writes on members: each one transaction, one audit row, mail after commit."""

from django.db import transaction
from django.utils import timezone

from accounts import codes
from accounts.models import CodePurpose, User, normalize_email
from audit.actions import record
from waterportal.lib import emails


def do_request_password_reset(tenant, email: str, *, now=None) -> None:
    """Mail a reset code if the address has an account; otherwise a decoy, same answer.

    Raises codes.SendTooSoon / SendLimitReached.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    member = User.objects.filter(tenant=tenant, email=email, is_active=True).first()
    with transaction.atomic():
        _row, plain = codes.issue_code(tenant, CodePurpose.RESET, email, deliver=member is not None, now=now)
        if member is not None:
            emails.send(
                "reset_code",
                email,
                {"tenant": tenant, "code": plain, "ttl_minutes": int(codes.CODE_TTL.total_seconds() // 60)},
            )


def do_reset_password(tenant, email: str, code: str, password: str, *, now=None) -> User:
    """Set a new password with a valid reset code (raises codes.CodeError otherwise).

    Changing the password hash ends every other session of the member.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    # Outside the transaction: a wrong entry must stay counted when this raises.
    codes.check_code(tenant, CodePurpose.RESET, email, code, now=now)
    with transaction.atomic():
        member = User.objects.select_for_update().get(tenant=tenant, email=email)
        member.set_password(password)
        member.save(update_fields=["password"])
        record(tenant, "password_reset", member=member, now=now)
        emails.send("password_changed", email, {"tenant": tenant})
    return member
