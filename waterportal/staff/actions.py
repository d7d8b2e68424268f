"""Writes on the town's staff accounts: each one transaction and one audit row."""

from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice

from waterportal.accounts.models import AccountKind, StaffRole, User, normalize_email
from waterportal.accounts.signin import count_failure

# Moved down to audit, where every app's commands reach it; still importable from here.
from waterportal.audit.actions import command_user as command_user  # noqa: F401
from waterportal.audit.actions import record
from waterportal.staff.models import RecoveryCodes
from waterportal.tenants.models import Tenant


class StaffEmailTaken(Exception):
    """The town already has a staff account with this address."""


def staff_account_key(tenant: Tenant, email: str) -> str:
    # Counted apart from a resident's account with the same address.
    return f"staff:{tenant.pk}:{normalize_email(email)}"


@sensitive_variables("password")
def do_create_staff(
    tenant: Tenant,
    email: str,
    *,
    role: str,
    password: str,
    name: str = "",
    actor: User | None = None,
    os_user: str = "",
    now=None,
) -> tuple[User, str, list[str]]:
    """Create a staff account of ``tenant`` with its authenticator and recovery codes.

    Returns the account, the authenticator's ``otpauth://`` URI and the ten recovery
    codes: both are shown once and never again. Raises ``ValidationError`` for a
    password the rules refuse and ``StaffEmailTaken`` for an address already in use by
    the town's staff (a resident's account with it is another account).
    """
    now = now or timezone.now()
    email = normalize_email(email)
    if role not in StaffRole.values:
        raise ValueError(f"unknown role {role!r}")
    staff = User(
        tenant=tenant,
        email=email,
        name=name,
        kind=AccountKind.STAFF,
        staff_role=role,
        date_joined=now,
        notify_new_bill=False,
    )
    validate_password(password, staff)
    staff.set_password(password)
    with transaction.atomic():
        try:
            with transaction.atomic():
                staff.save()
        except IntegrityError as exc:
            raise StaffEmailTaken() from exc
        totp = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
        recovery = RecoveryCodes.objects.create(user=staff, name="リカバリーコード")
        codes = recovery.issue()
        record(
            tenant,
            "staff_created",
            actor=actor,
            now=now,
            staff=staff.pk,
            role=role,
            **({"os_user": os_user} if os_user else {}),
        )
    return staff, totp.config_url, codes


def do_enroll_operator_authenticator(
    operator: User, *, os_user: str = "", now=None
) -> tuple[str, list[str]]:
    """Give an operator's account a new authenticator and ten new recovery codes (any
    earlier ones stop working); returns the ``otpauth://`` URI and the codes, shown once.

    The operator belongs to no town, so its ``operator_enrolled`` row has none: the
    operator sees it in the admin, no town's log shows it. ``os_user`` is the
    operating-system user when a management command enrols.
    """
    if operator.kind != AccountKind.OPERATOR or not operator.is_superuser:
        raise ValueError("only the operator's accounts are enrolled here")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=operator).delete()
        RecoveryCodes.objects.filter(user=operator).delete()
        totp = TOTPDevice.objects.create(user=operator, name="認証アプリ", confirmed=True)
        codes = RecoveryCodes.objects.create(user=operator, name="リカバリーコード").issue()
        record(
            None,
            "operator_enrolled",
            now=now,
            operator=operator.pk,
            **({"os_user": os_user} if os_user else {}),
        )
    return totp.config_url, codes


def do_record_staff_login(staff: User, *, source: str, method: str, now=None) -> None:
    record(staff.town, "staff_login", actor=staff, now=now, source=source, method=method)


def do_record_staff_logout(staff: User, *, source: str, now=None) -> None:
    record(staff.town, "staff_logout", actor=staff, now=now, source=source)


def do_record_staff_login_failure(
    tenant: Tenant, email: str, *, source: str, step: str, now=None
) -> None:
    """A wrong password or a wrong 確認コード: counted under the residents' login limits
    (per account and source, per source, per account) and written to the log."""
    now = now or timezone.now()
    staff = User.objects.filter(
        tenant=tenant, email=normalize_email(email), kind=AccountKind.STAFF
    ).first()
    with transaction.atomic():
        count_failure(tenant, staff_account_key(tenant, email), source, now=now)
        record(tenant, "staff_login_failed", actor=staff, now=now, source=source, step=step)


def do_record_staff_look(
    staff: User, what: str, *, source: str, member: User | None = None, now=None, **data
) -> None:
    """A member of staff looked at residents' personal data: who, when, from where, at
    whom and what (``staff_viewed_member``, ``staff_searched_members``…). Written at
    once, in the audit log beside every other staff action, so that 管理者 find every
    look of a member of staff in one place."""
    record(staff.town, what, actor=staff, member=member, now=now, source=source, **data)


def print_second_factor(write, uri: str, codes: list[str]) -> None:
    """What the commands that enrol an authenticator show, once."""
    write("認証アプリに次のURIを登録してください（この一度だけ表示します）:")
    write(uri)
    write("リカバリーコード（それぞれ一度だけ使えます。安全な場所に保管してください）:")
    for code in codes:
        write(f"  {code}")
