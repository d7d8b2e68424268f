"""Writes on the town's staff accounts: each one transaction and one audit row."""

import datetime as dt
import getpass
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from waterportal import emails
from waterportal.accounts.models import AccountKind, StaffRole, User, normalize_email
from waterportal.accounts.signin import count_failure
from waterportal.audit.actions import record
from waterportal.contracts.actions import LINK_NUMBER
from waterportal.contracts.models import NumberLock
from waterportal.staff.models import RecoveryCodes
from waterportal.tenants.models import Tenant


class StaffEmailTaken(Exception):
    """The town already has a staff account with this address."""


def staff_account_key(tenant: Tenant, email: str) -> str:
    # Counted apart from a resident's account with the same address.
    return f"staff:{tenant.pk}:{normalize_email(email)}"


def command_user() -> str:
    """The operating-system user running a management command, for the audit log."""
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


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


def do_enroll_operator_authenticator(operator: User) -> tuple[str, list[str]]:
    """Give an operator's account a new authenticator and ten new recovery codes (any
    earlier ones stop working); returns the ``otpauth://`` URI and the codes, shown once.

    The operator belongs to no town, so this is on no town's audit log.
    """
    if operator.kind != AccountKind.OPERATOR or not operator.is_superuser:
        raise ValueError("only the operator's accounts are enrolled here")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=operator).delete()
        RecoveryCodes.objects.filter(user=operator).delete()
        totp = TOTPDevice.objects.create(user=operator, name="認証アプリ", confirmed=True)
        codes = RecoveryCodes.objects.create(user=operator, name="リカバリーコード").issue()
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


# --- The daily list of new customer-number locks, for the town's 管理者 -------------------


@dataclass(frozen=True)
class ReportedLock:
    """One line of the daily list: never the number in full (emails show it masked)."""

    masked_number: str
    locked_at: dt.datetime
    until: dt.datetime
    tries: int
    still_locked: bool


def do_report_number_locks(tenant: Tenant, *, now=None) -> int:
    """Mail the town's active 管理者 the customer-number locks made since the last list.

    Each lock is listed once: the ones listed are marked (``NumberLock.reported_at``) in
    the same transaction, and rows locked for it, so two runs at once cannot both list
    one. On a day with no new lock nothing is sent. Locks are listed even when no
    管理者 can receive them (they are marked all the same: a 管理者 added later is not
    sent a backlog; the console's list shows the locks of now). ``tries``: a lock is
    made by the ``LINK_NUMBER`` limit's wrong names in a day. Returns how many locks
    were listed.
    """
    now = now or timezone.now()
    with scope(tenant=tenant), transaction.atomic():
        new = list(
            NumberLock.objects.select_for_update()
            .filter(tenant=tenant, reported_at__isnull=True, locked_at__lte=now)
            .order_by("locked_at", "pk")
        )
        if not new:
            return 0
        NumberLock.objects.filter(pk__in=[lock.pk for lock in new]).update(reported_at=now)
        managers = User.objects.filter(
            tenant=tenant, kind=AccountKind.STAFF, staff_role=StaffRole.MANAGER, is_active=True
        ).order_by("pk")
        context = {
            "tenant": tenant,
            "locks": [
                ReportedLock(
                    lock.masked_number,
                    lock.locked_at,
                    lock.until,
                    LINK_NUMBER.limit,
                    lock.is_active(now),
                )
                for lock in new
            ],
            "locks_url": f"{settings.SITE_URL}/staff/locks?tenant={tenant.slug}",
        }
        for manager in managers:
            emails.send("number_locks_report", manager.email, context)
    return len(new)


def report_number_locks_everywhere(*, tenants=None, now=None) -> dict[str, int]:
    """The daily run over every town (the active ones by default): locks listed per town."""
    now = now or timezone.now()
    tenants = (
        tenants if tenants is not None else Tenant.objects.filter(is_active=True).order_by("pk")
    )
    return {t.slug: do_report_number_locks(t, now=now) for t in tenants}
