"""Writes on members: each one transaction, one audit row, mail after commit."""

import datetime as dt
import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_scopes import scopes_disabled

from waterportal import emails
from waterportal.accounts import codes, signin, signup
from waterportal.accounts.code_mail import queue_code_email
from waterportal.accounts.models import (
    AccountKind,
    CodePurpose,
    SignupFlow,
    User,
    VerificationCode,
    normalize_email,
)
from waterportal.audit.actions import record
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Link
from waterportal.devices.actions import do_drop_push_subscriptions, do_end_app_sign_ins
from waterportal.lib import metrics
from waterportal.limits import ratelimit
from waterportal.tenants import versions
from waterportal.tenants.models import Tenant, TextKind, TextVersion, normalize_label


class EmailTaken(Exception):
    """The new address already belongs to another account of the municipality."""


class CurrentPasswordWrong(Exception):
    """The current password asked again before a change is not the member's."""


@sensitive_variables("password")
def check_current_password(member: User, password: str, *, source: str, now=None) -> None:
    """The member's current password, asked again before a change that matters (a new
    address or password, 退会), for the web's account pages and the apps alike.

    Checked under the login limits of the member's address: a wrong one counts as a
    failed login, so whoever holds an open session or an app's token without the
    password gets no more guesses here than at the login. Raises ``ratelimit.Limited``
    while (or once) a limit refuses, ``CurrentPasswordWrong`` for a wrong one.
    """
    account = signin.account_key(member.tenant, member.email)
    signin.check_limits(account, source, now)
    if member.check_password(password):
        signin.clear_after_success(account, source)
        return
    do_record_login_failure(member.town, member.email, source=source, now=now)
    signin.check_limits(account, source, now)
    raise CurrentPasswordWrong()


@sensitive_variables("plain")
def do_request_password_reset(tenant: Tenant, email: str, *, source: str, now=None) -> None:
    """Mail a reset code if the address has an account; nothing otherwise, same answer.

    The same work for every address: a code is issued and queued, and the worker mails
    it only to an account's address (``code_mail.send_code``), so neither the
    answer nor its timing tells who is registered. ``source`` is the client's IP
    address, counted under ``ratelimit.RESET_SOURCE``. Raises codes.SendTooSoon /
    SendLimitReached.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    # Counted even when the address's own limit refuses below: it was a request.
    codes.count_source_request(ratelimit.RESET_SOURCE, source, now=now)
    with transaction.atomic():
        row, plain = codes.issue_code(tenant, CodePurpose.RESET, email, now=now)
        queue_code_email(row, plain)


@sensitive_variables("code", "password")
def do_reset_password(tenant: Tenant, email: str, code: str, password: str, *, now=None) -> User:
    """Set a new password with a valid reset code (raises codes.CodeError otherwise).

    Changing the password hash ends every other session of the member. The account's
    password lock after 100 failures (``waterportal.accounts.signin``) is lifted: its owner has
    shown they read its mail.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    # Outside the transaction: a wrong entry must stay counted when this raises.
    codes.check_code(tenant, CodePurpose.RESET, email, code, now=now)
    with transaction.atomic():
        member = User.members.select_for_update().filter(tenant=tenant, email=email).first()
        if member is None:
            # No account: its decoy code never matches, so this is not reached; were it
            # reached, the answer is a wrong code's, as for any other address.
            raise codes.CodeMissing()
        member.set_password(password)
        member.save(update_fields=["password"])
        ratelimit.unlock(ratelimit.LOGIN_ACCOUNT, signin.account_key(tenant, email))
        # Someone else may have known the old password: no phone or browser they used
        # stays signed in or keeps receiving the member's notifications.
        do_end_app_sign_ins(member, now=now)
        do_drop_push_subscriptions(member)
        VerificationCode.objects.filter(  # a sign-in link mailed before is no longer needed
            tenant=tenant, email=email, purpose=CodePurpose.SIGN_IN, used_at__isnull=True
        ).update(voided_at=now)
        record(tenant, "password_reset", member=member, now=now)
        emails.send("password_changed", email, {"tenant": tenant})
    return member


@sensitive_variables("plain")
def do_request_email_change(member: User, new_email: str, *, now=None) -> None:
    """Mail a code to ``new_email`` so the member can prove it is theirs.

    The code is sent even when the address already has an account here: whether it does
    is said only after the code is verified, so this step never reveals who is
    registered. Raises codes.SendTooSoon / SendLimitReached.
    """
    now = now or timezone.now()
    tenant = member.town
    new_email = normalize_email(new_email)
    with transaction.atomic():
        row, plain = codes.issue_code(
            tenant, CodePurpose.EMAIL_CHANGE, new_email, member=member, now=now
        )
        record(tenant, "email_change_requested", member=member, now=now)
        queue_code_email(row, plain)


@sensitive_variables("code")
def do_change_email(member: User, new_email: str, code: str, *, now=None) -> User:
    """Change the member's address once ``code`` (sent to ``new_email``) is verified.

    Raises codes.CodeError for a bad code, and EmailTaken when the address belongs to
    another account of the municipality. The old address is told of the change (the
    mail holds no code); the audit row holds no address.
    """
    now = now or timezone.now()
    tenant = member.town
    new_email = normalize_email(new_email)
    # Outside the transaction: a wrong entry must stay counted when this raises.
    codes.check_code(tenant, CodePurpose.EMAIL_CHANGE, new_email, code, member=member, now=now)
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk, tenant=tenant)
        old_email = member.email
        if User.members.filter(tenant=tenant, email=new_email).exclude(pk=member.pk).exists():
            raise EmailTaken()
        member.email = new_email
        try:
            with transaction.atomic():
                member.save(update_fields=["email"])
        except IntegrityError as exc:  # registered by someone else a moment ago
            raise EmailTaken() from exc
        record(tenant, "email_changed", member=member, now=now)
        emails.send("email_changed", old_email, {"tenant": tenant, "changed_at": now})
    return member


@sensitive_variables("password")
def do_change_password(member: User, password: str, *, keep_app=None, now=None) -> User:
    """Set a new password (the caller has checked the current one).

    Changing the hash ends every other session; the caller keeps its own with
    ``update_session_auth_hash``, or (from an app) names its sign-in as ``keep_app``.
    Every other app sign-in ends with its push subscriptions. The member is told by
    email.
    """
    now = now or timezone.now()
    tenant = member.town
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk, tenant=tenant)
        member.set_password(password)
        member.save(update_fields=["password"])
        do_end_app_sign_ins(member, keep=keep_app, now=now)
        record(tenant, "password_changed", member=member, now=now)
        emails.send("password_changed", member.email, {"tenant": tenant})
    return member


def do_change_notification_settings(
    member: User, *, notify_new_bill: bool, notify_notices: bool | None = None, now=None
) -> User:
    """The member's notification emails: new bills and, when given, important notices."""
    now = now or timezone.now()
    if notify_notices is None:
        notify_notices = member.notify_notices
    with transaction.atomic():
        member.notify_new_bill = notify_new_bill
        member.notify_notices = notify_notices
        member.save(update_fields=["notify_new_bill", "notify_notices"])
        record(
            member.town,
            "notifications_changed",
            member=member,
            now=now,
            notify_new_bill=notify_new_bill,
            notify_notices=notify_notices,
        )
    return member


def do_change_language(member: User, language: str, *, now=None) -> User:
    """The language the member chose with the footer's switch: that of their emails."""
    now = now or timezone.now()
    with transaction.atomic():
        member.language = language
        member.save(update_fields=["language"])
        record(member.town, "language_changed", member=member, now=now, language=language)
    return member


def do_unsubscribe(member: User, kind: str, *, source: str = "", now=None) -> bool:
    """Turn one kind of notification email off from the link in such an email (RFC 8058
    one-click, or the page it opens), with no login; returns whether it was on.

    ``kind`` is a key of ``emails.UNSUBSCRIBE_KINDS``. Turning off what is off already
    changes nothing and records nothing: mail programs may send the POST more than once.
    """
    now = now or timezone.now()
    field = emails.UNSUBSCRIBE_KINDS[kind]
    with transaction.atomic():
        member = User.members.select_for_update().get(pk=member.pk)
        if not getattr(member, field):
            return False
        setattr(member, field, False)
        member.save(update_fields=[field])
        record(
            member.town,
            "notifications_unsubscribed",
            member=member,
            now=now,
            source=source,
            email_kind=kind,
        )
    return True


def withdrawn_email(member: User) -> str:
    """What stands in for the address of a withdrawn member: unique, and never deliverable."""
    return f"withdrawn-{member.pk}@invalid"


def do_withdraw_member(member: User, *, now=None) -> User:
    """退会: erase the member's personal data and links; the ledger stays.

    Erased: the email address (replaced by ``withdrawn_email``), the name, the password
    (made unusable), every link to a contract, the notification setting, and the codes
    and registration records that hold the address. Kept: the municipality's contracts,
    readings, bills and payments, and the audit rows (which hold no personal data). The
    account can no longer sign in and its other sessions end; the same address may
    register again. A goodbye mail goes to the address the member had.
    """
    now = now or timezone.now()
    tenant = member.town
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk, tenant=tenant)
        old_email = member.email
        links = Link.objects.filter(tenant=tenant, member=member)
        removed = links.filter(revoked_at__isnull=True).count()
        links.delete()
        SignupFlow.objects.filter(Q(member=member) | Q(email=old_email), tenant=tenant).delete()
        VerificationCode.objects.filter(tenant=tenant, email=old_email).delete()
        # The account stays (anonymised), so nothing cascades: its browsers go here.
        do_drop_push_subscriptions(member)
        do_end_app_sign_ins(member, now=now)
        member.email = withdrawn_email(member)
        member.name = ""
        member.set_unusable_password()
        member.is_active = False
        member.notify_new_bill = False
        member.last_login = None
        member.save(
            update_fields=[
                "email",
                "name",
                "password",
                "is_active",
                "notify_new_bill",
                "last_login",
            ]
        )
        record(tenant, "member_withdrawn", member=member, now=now, links=removed)
        emails.send("withdrawn", old_email, {"tenant": tenant})
    return member


def do_sign_in_with_link(tenant: Tenant, value: str, *, source: str, now=None) -> User:
    """Use a one-time sign-in link (``signin.find_link``) and return its member.

    Single use even under a double submit; using it lifts the password lock of the
    account (its owner has shown they read its mail). Raises signin.LinkInvalid.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = signin.find_link(tenant, value, now=now)
        used = VerificationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
        member = User.members.filter(tenant=tenant, email=row.email, is_active=True).first()
        if not used or member is None:
            raise signin.LinkInvalid()
        if member.locked_at is not None:
            raise signin.AccountStopped()
        ratelimit.unlock(ratelimit.LOGIN_ACCOUNT, signin.account_key(tenant, member.email))
        record(tenant, "login", member=member, now=now, source=source, method="link")
    metrics.LOGINS.labels(town=tenant.slug, method="link").inc()
    return member


class WrongPassword(Exception):
    """No account of the town has this address and password (which one, is not said)."""


@sensitive_variables("password")
def do_sign_in_with_password(
    tenant: Tenant, email: str, password: str, *, source: str, request=None, now=None
) -> User:
    """The login's rules, for the web's login page and the apps' alike: the limits on
    failures (``signin.check_limits``: raises ``ratelimit.Limited`` or
    ``signin.AccountLocked``), a stopped account (``signin.AccountStopped``, told only to
    whoever knows its password), a wrong pair (``WrongPassword``, counted). Returns the
    member, with the login on the log; starting the session or the app's sign-in is the
    caller's.
    """
    account = signin.account_key(tenant, email)
    signin.check_limits(account, source, now)
    member = authenticate(request, email=email, password=password, tenant=tenant)
    if member is None:
        if signin.is_stopped(tenant, email, password):
            # The right password: not a failure to count, but no way in either.
            raise signin.AccountStopped()
        do_record_login_failure(tenant, email, source=source, now=now)
        raise WrongPassword()
    signin.clear_after_success(account, source)
    metrics.LOGINS.labels(town=tenant.slug, method="password").inc()
    return member


def do_record_login_failure(tenant: Tenant, email: str, *, source: str, now=None) -> None:
    """A wrong password (or an unknown address) at the login: counted under the login
    limits (``waterportal.accounts.signin``) and written to the audit log, with the member when the
    address has an account, never the address itself or the password."""
    now = now or timezone.now()
    email = normalize_email(email)
    with transaction.atomic():
        member = User.members.filter(tenant=tenant, email=email).first()
        signin.count_failure(
            tenant, signin.account_key(tenant, email), source, member=member, now=now
        )
        record(tenant, "login_failed", member=member, now=now, source=source)


def do_record_login(member: User, *, source: str, now=None) -> None:
    record(member.town, "login", member=member, now=now, source=source, method="password")


def do_record_logout(member: User, *, source: str, now=None) -> None:
    record(member.town, "logout", member=member, now=now, source=source)


# --- What the town's staff do to a member's account -------------------------------------


def _staff_member(member: User, actor: User) -> User:
    # Locked for the change; a member of another town than the actor's does not exist.
    return User.members.select_for_update().get(pk=member.pk, tenant=actor.town)


def do_lock_member(member: User, *, actor: User, reason: str, source: str, now=None) -> bool:
    """Staff stop the account (アカウントを停止), for ``reason``.

    No sign-in of any kind until staff lift it: not with the password, a sign-in link or
    after a password reset (``backends.TenantEmailBackend.user_can_authenticate``), and
    every open session ends at once (the session generation is raised) and no browser of
    theirs gets push notifications any more. On record with
    before and after; the member is told by email, without the reason. Returns False,
    changing nothing, when the account is already stopped.
    """
    now = now or timezone.now()
    with transaction.atomic():
        member = _staff_member(member, actor)
        if member.locked_at is not None:
            return False
        member.locked_at = now
        member.session_generation += 1
        member.save(update_fields=["locked_at", "session_generation"])
        do_drop_push_subscriptions(member)
        do_end_app_sign_ins(member, now=now)
        record(
            member.town,
            "staff_locked_member",
            actor=actor,
            member=member,
            source=source,
            now=now,
            reason=reason,
            before={"locked": False},
            after={"locked": True},
        )
        emails.send(
            "staff_locked_member", member.email, {"tenant": member.town}, language=member.language
        )
    return True


def do_unlock_member(member: User, *, actor: User, reason: str, source: str, now=None) -> bool:
    """Staff lift the stop (停止を解除): the member may sign in again (the sessions that
    the stop ended stay ended). Returns False, changing nothing, when it is not stopped."""
    now = now or timezone.now()
    with transaction.atomic():
        member = _staff_member(member, actor)
        if member.locked_at is None:
            return False
        locked_at = member.locked_at
        member.locked_at = None
        member.save(update_fields=["locked_at"])
        record(
            member.town,
            "staff_unlocked_member",
            actor=actor,
            member=member,
            source=source,
            now=now,
            reason=reason,
            before={"locked": True, "locked_at": locked_at.isoformat()},
            after={"locked": False},
        )
        emails.send(
            "staff_unlocked_member", member.email, {"tenant": member.town}, language=member.language
        )
    return True


def do_end_member_sessions(
    member: User,
    *,
    actor: User,
    reason: str,
    source: str,
    seen_generation: int | None = None,
    now=None,
) -> bool:
    """Staff sign the member out everywhere (すべての端末からログアウトさせる).

    Raising the session generation changes the session auth hash, so every session of
    the member, in the database and in Redis alike, is refused on its next request
    (Django compares the hash on each one), and their browsers' push notifications are
    turned off. The password is left alone. ``seen_generation``
    is the generation the staff member's page showed: when it has changed meanwhile (a
    second click, or another member of staff first) nothing is done and False returned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        member = _staff_member(member, actor)
        if seen_generation is not None and seen_generation != member.session_generation:
            return False
        before = member.session_generation
        member.session_generation += 1
        member.save(update_fields=["session_generation"])
        # A device signed out everywhere gets no notifications either (a lost phone).
        do_drop_push_subscriptions(member)
        do_end_app_sign_ins(member, now=now)
        record(
            member.town,
            "staff_ended_sessions",
            actor=actor,
            member=member,
            source=source,
            now=now,
            reason=reason,
            before={"session_generation": before},
            after={"session_generation": member.session_generation},
        )
        emails.send(
            "staff_ended_sessions", member.email, {"tenant": member.town}, language=member.language
        )
    return True


def do_record_operator_login(operator: User, *, source: str, now=None) -> None:
    """The operator signed in to the admin: on the log with no town (the operator's own
    rows, which the admin shows and no town's console does)."""
    record(None, "operator_login", actor=operator, now=now, source=source)


def do_record_operator_login_failure(email: str, *, source: str, step: str, now=None) -> None:
    """A wrong password or 確認コード at the admin's login: counted under the login limits
    and written to the log with no town, with the operator's account when the address
    is one (``step``: "password" or "code"), never the address typed."""
    now = now or timezone.now()
    email = normalize_email(email)
    with transaction.atomic():
        operator = User.objects.filter(
            tenant__isnull=True, kind=AccountKind.OPERATOR, email=email
        ).first()
        signin.count_failure(None, signin.account_key(None, email), source, now=now)
        record(None, "operator_login_failed", actor=operator, now=now, source=source, step=step)


@sensitive_variables("plain")
def _send_signup_code(tenant: Tenant, email: str, *, now) -> None:
    """Send a code, or to a registered address a "you already have an account" mail.

    The page does the same for both, and the worker decides which mail to send
    (``code_mail.send_code``), so every answer of this step and of those that
    follow is the same, in content and in time, whether or not the address is
    registered.
    """
    row, plain = codes.issue_code(tenant, CodePurpose.SIGNUP, email, now=now)
    queue_code_email(row, plain)


def do_start_registration(
    tenant: Tenant, email: str, *, source: str, previous_key: str | None = None, now=None
) -> SignupFlow:
    """Step 2: begin (or restart with a corrected address) and send the code.

    ``source`` is the client's IP address, counted under ``ratelimit.SIGNUP_SOURCE``.
    Raises codes.SendTooSoon / SendLimitReached, in which case nothing changes.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    codes.count_source_request(ratelimit.SIGNUP_SOURCE, source, now=now)
    with transaction.atomic():
        _send_signup_code(tenant, email, now=now)
        data = {}
        if previous_key:
            old = SignupFlow.objects.filter(
                tenant=tenant, key=previous_key, completed_at__isnull=True
            ).first()
            if old is not None:
                # A corrected address keeps what was already entered (but must be verified again).
                data = {k: v for k, v in old.data.items() if k in ("name", "password_hash")}
                old.delete()
        return SignupFlow.objects.create(
            tenant=tenant,
            key=secrets.token_urlsafe(32),
            email=email,
            created_at=now,
            touched_at=now,
            data=data,
        )


def do_resend_registration_code(flow: SignupFlow, *, source: str, now=None) -> None:
    """Step 3's 「認証コードを再送する」: a new code, under the same limits as the first."""
    now = now or timezone.now()
    codes.count_source_request(ratelimit.SIGNUP_SOURCE, source, now=now)
    with transaction.atomic():
        _send_signup_code(flow.tenant, flow.email, now=now)


def do_register_member(flow_key: str, tenant: Tenant, *, now=None) -> SignupFlow:
    """Step 8 「登録」: create the member and the link, exactly once.

    A double click or a reload finds the flow already completed and returns it. Raises
    EmailTaken when another flow registered the address first, and the ContractErrors of
    ``do_link_contract`` (SelfTaken when someone else became 本人 meanwhile).
    """
    now = now or timezone.now()
    with transaction.atomic():
        flow = SignupFlow.objects.select_for_update().get(tenant=tenant, key=flow_key)
        if flow.completed_at:
            return flow
        if signup.next_step(flow) != "confirm":
            raise signup.FlowExpired()
        customer = signup.flow_customer(flow)
        if customer is None:
            raise signup.FlowExpired()
        member = User(
            tenant=tenant,
            email=flow.email,
            name=flow.data["name"],
            password=flow.data["password_hash"],
            date_joined=now,
        )
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError as exc:
            raise EmailTaken() from exc
        link = contract_actions.do_link_contract(
            member, customer, flow.data["relationship"], now=now
        )
        # They agreed to the texts on the way here: the versions current now.
        agreed = versions.current_versions(tenant)
        versions.record_acceptance(member, agreed, now=now)
        record(
            tenant,
            "member_registered",
            member=member,
            now=now,
            link=link.pk,
            versions=[v.pk for v in agreed],
        )
        flow.completed_at = now
        flow.member = member
        flow.data = {"active_from": link.active_from.isoformat()}
        flow.save(update_fields=["completed_at", "member", "data"])
        emails.send(
            "signup_complete",
            member.email,
            {"tenant": tenant, "active_from": link.active_from, "name": member.name},
        )
        transaction.on_commit(lambda: metrics.REGISTRATIONS.labels(town=tenant.slug).inc())
    return flow


class TextVersionError(Exception):
    """A new version of a text cannot be published as typed."""


class EmptyLabel(TextVersionError):
    pass


class EmptyText(TextVersionError):
    pass


class LabelTaken(TextVersionError):
    """The town already published a version of this text under this label."""


class TextUnchanged(TextVersionError):
    """The text is the same as the current version's: nothing to ask members."""


def normalize_text(text: str) -> str:
    """A text as pasted into a form: the browser's CRLF as LF, no trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip("\n")


def check_text_version(tenant: Tenant, kind: str, label: str, text: str):
    """The rules a new version must pass, for the console's preview and for publishing:
    returns the label and text as they will be stored, and the current version (or
    None). Raises EmptyLabel, EmptyText, TextUnchanged (the same text as the current
    version) or LabelTaken (a label used before for this text)."""
    kind = TextKind(kind)
    label, text = normalize_label(label), normalize_text(text)
    if not label:
        raise EmptyLabel()
    if not text.strip():
        raise EmptyText()
    current = TextVersion.objects.filter(tenant=tenant, kind=kind).order_by("-pk").first()
    if current is not None and normalize_text(current.text) == text:
        raise TextUnchanged()
    if TextVersion.objects.filter(tenant=tenant, kind=kind, label=label).exists():
        raise LabelTaken()
    return label, text, current


def do_publish_text_version(
    tenant: Tenant, kind: str, label: str, text: str, *, actor, source, now=None
) -> TextVersion:
    """Publish a new version of the town's 利用規約 or 個人情報の取り扱い.

    It becomes the current text at once (``Tenant.terms_text`` / ``privacy_text``, which
    the registration pages show), and every member who has not accepted it is asked to
    at their next page (``accounts.decorators.member_page``): at once by this process,
    within ``TENANT_CACHE_SECONDS`` by the others, which keep the current versions as
    they keep the town's row. Raises the errors of
    ``check_text_version``; nothing is stored then. The audit row holds the kind, the
    version's id and label, never the text.
    """
    now = now or timezone.now()
    kind = TextKind(kind)
    with transaction.atomic():
        # One publication of a town at a time: two 管理者 pressing 公開 at once cannot both
        # pass the checks.
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        label, text, current = check_text_version(tenant, kind, label, text)
        version = TextVersion.objects.create(
            tenant=tenant, kind=kind, label=label, text=text, published_at=now, published_by=actor
        )
        field = versions.TEXT_FIELDS[kind]
        setattr(tenant, field, text)
        tenant.save(update_fields=[field])
        record(
            tenant,
            "terms_published",
            actor=actor,
            now=now,
            source=source,
            kind=kind.value,
            version=version.pk,
            label=label,
            before={"version": current.pk, "label": current.label} if current else {},
            after={"version": version.pk, "label": label},
        )
    return version


def do_accept_text_versions(member: User, version_ids, *, source, now=None) -> list[TextVersion]:
    """「同意する」: the member agreed to the versions they were shown (``version_ids``).

    Only versions still current and not yet accepted are recorded, each with one audit
    row: a version published while the page was open is asked for next, and a double
    click records nothing twice. Returns the versions recorded.
    """
    now = now or timezone.now()
    tenant = member.town
    shown = {str(pk) for pk in version_ids}
    with transaction.atomic():
        member = User.objects.select_for_update().get(pk=member.pk, tenant=tenant)
        agreed = [v for v in versions.pending_versions(member) if str(v.pk) in shown]
        versions.record_acceptance(member, agreed, now=now)
        for version in agreed:
            record(
                tenant,
                "terms_accepted",
                member=member,
                now=now,
                source=source,
                kind=version.kind,
                version=version.pk,
            )
    return agreed


def do_purge_expired(*, now=None) -> None:
    """Daily: forget what no one will look at again (codes, abandoned flows, counters,
    ended sessions).

    Runs across tenants on purpose: it deletes by age only and reads nothing out.
    """
    now = now or timezone.now()
    with scopes_disabled():
        VerificationCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
        SignupFlow.objects.filter(touched_at__lt=now - dt.timedelta(days=1)).delete()
    ratelimit.purge(now)
    # What manage.py clearsessions does: Django leaves expired sessions in the table,
    # one for every visit to a town's login page, for ever.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
