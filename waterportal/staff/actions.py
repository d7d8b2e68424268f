"""Writes on the town's staff accounts: each one transaction and one audit row."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from waterportal import emails
from waterportal.accounts.models import AccountKind, StaffRole, User, normalize_email
from waterportal.accounts.second_factor import tidy_code
from waterportal.accounts.signin import count_failure
from waterportal.audit.actions import record
from waterportal.contracts.models import NumberLock
from waterportal.limits import ratelimit
from waterportal.staff.models import InvitationPurpose, RecoveryCodes, StaffInvitation
from waterportal.tenants.models import Tenant

# How long an emailed invitation (or re-enrolment) link stays usable.
INVITATION_TTL = dt.timedelta(hours=72)


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


# --- Staff accounts managed in the console (管理者 only) -------------------------------


class StaffChangeRefused(Exception):
    """A change the town's rules refuse; ``message`` says why, in Japanese."""

    message = "この変更はできません。"


class OwnAccount(StaffChangeRefused):
    message = (
        "ご自分のアカウントの権限の変更・停止・認証アプリの再設定は、ここではできません。"
        "ほかの管理者に依頼してください。"
    )


class LastManager(StaffChangeRefused):
    message = (
        "この変更をすると、ログインできる管理者がいなくなります。"
        "先にほかの職員を管理者にして、その職員が認証アプリの登録を済ませてから変更してください。"
    )


class NothingToResend(StaffChangeRefused):
    message = "この職員は登録を済ませています。案内のメールを送り直す必要はありません。"


class InvitationInvalid(Exception):
    """The link is unknown, used, replaced by a newer one or expired, or its account is
    stopped."""


class EnrolmentCodeWrong(Exception):
    """The 確認コード typed at enrolment is not the authenticator's code of this moment."""


class EnrolmentTooSoon(EnrolmentCodeWrong):
    """Wrong codes in a row: django-otp makes the next try wait (1, 2, 4… seconds)."""


def _has_authenticator():
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def town_staff(tenant: Tenant) -> QuerySet[User]:
    """The town's staff accounts, each with ``enrolled``: a confirmed authenticator."""
    return User.objects.filter(tenant=tenant, kind=AccountKind.STAFF).annotate(
        enrolled=_has_authenticator()
    )


def is_enrolled(staff: User) -> bool:
    return TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def login_locked_until(staff: User, now=None) -> dt.datetime | None:
    """The end of the staff account's ceiling of failed logins (100 in 24 hours), or
    None when it is not at it."""
    return ratelimit.locked_until(
        ratelimit.LOGIN_ACCOUNT, staff_account_key(staff.town, staff.email), now
    )


def _can_sign_in_managers(tenant: Tenant) -> QuerySet[User]:
    return User.objects.filter(
        _has_authenticator(),
        tenant=tenant,
        kind=AccountKind.STAFF,
        staff_role=StaffRole.MANAGER,
        is_active=True,
    ).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def _guard(staff: User, actor: User | None, *, loses_manager: bool) -> None:
    """Refuse a change of one's own account, and one that would leave the town with no
    active, enrolled 管理者. Call inside the action's transaction: the town's managers
    are locked until it ends, so that two managers cannot each stop the other."""
    if actor is not None and actor.pk == staff.pk:
        raise OwnAccount()
    managers = _can_sign_in_managers(staff.town)
    list(
        User.objects.select_for_update()
        .filter(tenant=staff.town, kind=AccountKind.STAFF, staff_role=StaffRole.MANAGER)
        .values_list("pk", flat=True)
    )
    if loses_manager and managers.filter(pk=staff.pk).exists():
        if not managers.exclude(pk=staff.pk).exists():
            raise LastManager()


def _void_invitations(staff: User, *, now) -> None:
    """The account's open links stop working, and the authenticator key that one of
    them showed is forgotten: whoever saw a voided link must not hold the second factor
    that a later link confirms."""
    StaffInvitation.objects.filter(
        tenant=staff.town, staff=staff, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now, password_hash="")
    TOTPDevice.objects.filter(user=staff, confirmed=False).delete()


def _needs_enrolment(staff: User) -> bool:
    return not (staff.has_usable_password() and is_enrolled(staff))


def _enrolment_purpose(staff: User) -> str:
    return InvitationPurpose.RESET if staff.has_usable_password() else InvitationPurpose.INVITE


def _issue_invitation(staff: User, purpose: str, *, now) -> None:
    """Void the account's earlier links and mail a new one (after commit)."""
    tenant = staff.town
    _void_invitations(staff, now=now)
    secret = secrets.token_urlsafe(32)
    row = StaffInvitation.objects.create(
        tenant=tenant,
        staff=staff,
        purpose=purpose,
        token_hash=StaffInvitation.hash_token(secret),
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    emails.send(
        "staff_invitation",
        staff.email,
        {
            "tenant": tenant,
            "url": f"{settings.SITE_URL}/staff/welcome/{row.pk}.{secret}?tenant={tenant.slug}",
            "expires_at": row.expires_at,
            "reset": purpose == InvitationPurpose.RESET,
            "role": staff.get_staff_role_display(),
        },
    )


def do_invite_staff(
    tenant: Tenant,
    email: str,
    *,
    name: str,
    role: str,
    actor: User | None,
    source: str | None = None,
    now=None,
) -> User:
    """Add a member of staff with no usable password and mail them a link, valid 72
    hours, to set one and enrol an authenticator. Raises ``StaffEmailTaken`` when the
    town's staff already use the address."""
    now = now or timezone.now()
    if role not in StaffRole.values:
        raise ValueError(f"unknown role {role!r}")
    staff = User(
        tenant=tenant,
        email=normalize_email(email),
        name=name,
        kind=AccountKind.STAFF,
        staff_role=role,
        date_joined=now,
        notify_new_bill=False,
    )
    staff.set_unusable_password()
    with transaction.atomic():
        try:
            with transaction.atomic():
                staff.save()
        except IntegrityError as exc:
            raise StaffEmailTaken() from exc
        _issue_invitation(staff, InvitationPurpose.INVITE, now=now)
        record(
            tenant,
            "staff_invited",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            after={"role": role, "state": "invited"},
        )
    return staff


def do_resend_staff_invitation(
    staff: User, *, actor: User | None, source: str | None = None, now=None
) -> None:
    """Mail the account a new link (the invitation, or the re-enrolment after a reset of
    its second factor); the earlier link stops working. Recorded as ``staff_invited``
    with ``resent``."""
    now = now or timezone.now()
    if not _needs_enrolment(staff):
        raise NothingToResend()
    purpose = _enrolment_purpose(staff)
    with transaction.atomic():
        _issue_invitation(staff, purpose, now=now)
        record(
            staff.town,
            "staff_invited",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            resent=True,
            purpose=purpose,
        )


def find_invitation(tenant: Tenant, value: str, *, now=None) -> StaffInvitation:
    """The usable invitation that the mailed link's ``value`` (``<id>.<secret>``) names,
    or ``InvitationInvalid``."""
    now = now or timezone.now()
    row_id, _dot, secret = (value or "").partition(".")
    if not row_id.isdigit() or not secret:
        raise InvitationInvalid()
    row = (
        StaffInvitation.objects.filter(tenant=tenant, pk=int(row_id))
        .select_related("staff")
        .first()
    )
    if row is None or not row.usable(now) or not row.matches(secret) or not row.staff.is_active:
        raise InvitationInvalid()
    return row


@sensitive_variables("password")
def choose_invitation_password(invitation: StaffInvitation, password: str) -> None:
    """The invitation's first step: check the password with the rules (raises
    ``ValidationError``) and keep its hash until the authenticator is confirmed."""
    validate_password(password, invitation.staff)
    invitation.password_hash = make_password(password)
    invitation.save(update_fields=["password_hash"])


def enrolment_device(invitation: StaffInvitation) -> TOTPDevice:
    """The authenticator being enrolled: unconfirmed, so no login accepts it yet."""
    device = TOTPDevice.objects.filter(user=invitation.staff, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=invitation.staff, name="認証アプリ", confirmed=False
    )


@sensitive_variables("code")
def do_accept_staff_invitation(
    tenant: Tenant, value: str, code: str, *, source: str | None = None, now=None
) -> tuple[User, list[str]]:
    """The link's last step: the 確認コード proves the authenticator works. Then, in one
    transaction, the account gets the chosen password (when invited), the authenticator
    is confirmed, ten recovery codes are issued and the link is used up.

    Returns the account and the recovery codes, to be shown once. Raises
    ``InvitationInvalid`` (also when the password step was skipped) and
    ``EnrolmentCodeWrong``.
    """
    now = now or timezone.now()
    invitation = find_invitation(tenant, value, now=now)
    if invitation.purpose == InvitationPurpose.INVITE and not invitation.password_hash:
        raise InvitationInvalid()
    staff = invitation.staff
    device = enrolment_device(invitation)
    # Checked before the transaction: a wrong code's throttling count must be kept.
    if not device.verify_is_allowed()[0]:
        raise EnrolmentTooSoon()
    if not device.verify_token(tidy_code(code)):
        raise EnrolmentCodeWrong()
    with transaction.atomic():
        invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.usable(now):
            raise InvitationInvalid()  # a second click on the same form
        if invitation.password_hash:
            staff.password = invitation.password_hash
            staff.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=staff).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        RecoveryCodes.objects.filter(user=staff).delete()
        codes = RecoveryCodes.objects.create(user=staff, name="リカバリーコード").issue()
        invitation.used_at, invitation.password_hash = now, ""
        invitation.save(update_fields=["used_at", "password_hash"])
        record(
            tenant,
            "staff_enrolled",
            actor=staff,
            now=now,
            source=source,
            staff=staff.pk,
            purpose=invitation.purpose,
        )
    return staff, codes


def do_change_staff_role(
    staff: User, role: str, *, actor: User | None, source: str | None = None, now=None
) -> None:
    if role not in StaffRole.values:
        raise ValueError(f"unknown role {role!r}")
    before = staff.staff_role
    with transaction.atomic():
        _guard(staff, actor, loses_manager=role != StaffRole.MANAGER)
        if role == before:
            return
        staff.staff_role = role
        staff.save(update_fields=["staff_role"])
        record(
            staff.town,
            "staff_role_changed",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            before={"role": before},
            after={"role": role},
        )


def do_disable_staff(
    staff: User, *, actor: User | None, source: str | None = None, now=None
) -> None:
    """Stop the account: no login, and its open sessions end at their next request (the
    backend drops an inactive account). A link it was sent stops working for good."""
    now = now or timezone.now()
    with transaction.atomic():
        _guard(staff, actor, loses_manager=True)
        if not staff.is_active:
            return
        staff.is_active = False
        staff.save(update_fields=["is_active"])
        _void_invitations(staff, now=now)
        record(
            staff.town,
            "staff_disabled",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            before={"is_active": True},
            after={"is_active": False},
        )


def do_enable_staff(
    staff: User, *, actor: User | None, source: str | None = None, now=None
) -> None:
    """Restart a stopped account. One that had not finished enrolling (its link died
    with the stop) is mailed a new link."""
    now = now or timezone.now()
    with transaction.atomic():
        if staff.is_active:
            return
        staff.is_active = True
        staff.save(update_fields=["is_active"])
        invited = _needs_enrolment(staff)
        if invited:
            _issue_invitation(staff, _enrolment_purpose(staff), now=now)
        record(
            staff.town,
            "staff_enabled",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            before={"is_active": False},
            after={"is_active": True},
            **({"invited": True} if invited else {}),
        )


def do_reset_staff_second_factor(
    staff: User, *, actor: User | None, source: str | None = None, now=None
) -> None:
    """Remove the account's authenticator and recovery codes (its open sessions lose
    their second factor and end) and mail it a link to enrol a new authenticator; until
    then it cannot sign in. The password stays."""
    now = now or timezone.now()
    with transaction.atomic():
        _guard(staff, actor, loses_manager=True)
        before = is_enrolled(staff)
        TOTPDevice.objects.filter(user=staff).delete()
        RecoveryCodes.objects.filter(user=staff).delete()
        _issue_invitation(staff, _enrolment_purpose(staff), now=now)
        record(
            staff.town,
            "staff_second_factor_reset",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            before={"second_factor": before},
            after={"second_factor": False},
        )


def do_unlock_staff_login(
    staff: User, *, actor: User | None, source: str | None = None, now=None
) -> bool:
    """Lift the account's ceiling of failed logins (100 in 24 hours) before its end.
    Returns False when the account was not at it (nothing recorded)."""
    now = now or timezone.now()
    until = login_locked_until(staff, now)
    if until is None:
        return False
    with transaction.atomic():
        ratelimit.unlock(ratelimit.LOGIN_ACCOUNT, staff_account_key(staff.town, staff.email))
        record(
            staff.town,
            "staff_login_unlocked",
            actor=actor,
            now=now,
            source=source,
            staff=staff.pk,
            before={"login_locked_until": until.isoformat()},
            after={"login_locked_until": None},
        )
    return True


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
    sent a backlog; the console's list shows the locks of now). Returns how many locks
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
                    lock.tries,
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
