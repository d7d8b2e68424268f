"""Writes on inquiries: each one transaction, one audit row, its mail after commit.

The audit rows hold the inquiry's id, its reference and its states, never the subject,
the body, a name or an address. Mails say that there is something to read and link to
the page where it is read: the answer itself stays on the portal.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables
from django_scopes import scope

from waterportal import emails
from waterportal.accounts import codes
from waterportal.accounts.code_mail import queue_code_email
from waterportal.accounts.models import AccountKind, CodePurpose, StaffRole, User, normalize_email
from waterportal.audit.actions import record
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer, Link
from waterportal.inquiries import waiting
from waterportal.inquiries.models import (
    WAITING,
    GuestLink,
    Inquiry,
    InquiryMessage,
    Kind,
    Status,
)
from waterportal.limits import ratelimit
from waterportal.tenants.calendar import local_date, start_of_day
from waterportal.tenants.models import Tenant

# Against abuse of the form: inquiries sent per address (a member's account or a
# guest's confirmed address) and per source address; requests to mail a code per source
# (across every town).
SUBMIT_ADDRESS = ratelimit.Policy(
    "inquiry-address", 5, dt.timedelta(hours=24), dt.timedelta(hours=24)
)
SUBMIT_SOURCE = ratelimit.Policy(
    "inquiry-source", 20, dt.timedelta(hours=24), dt.timedelta(hours=24)
)
REPLY_ADDRESS = ratelimit.Policy(
    "inquiry-reply-address", 20, dt.timedelta(hours=24), dt.timedelta(hours=24)
)
CODE_SOURCE = ratelimit.Policy(
    "inquiry-code-source", 20, dt.timedelta(hours=1), dt.timedelta(hours=1)
)

# How long a guest's mailed link opens their inquiry, and at most how long after the
# inquiry was closed (完了): nothing is left to do there, and the mail may be forwarded.
GUEST_LINK_TTL = dt.timedelta(days=90)
CLOSED_GUEST_LINK_TTL = dt.timedelta(days=30)
# How long a guest's confirmed address lets them send the form.
CONFIRMED_TTL = dt.timedelta(minutes=30)

BODY_MAX = 4000
ACTING_ROLES = (StaffRole.MANAGER, StaffRole.CLERK)


class InquiryError(Exception):
    """Base of the refusals a resident or staff can meet; each maps to a message."""


class Limited(InquiryError):
    def __init__(self, until: dt.datetime):
        super().__init__(until)
        self.until = until


class ContractNotYours(InquiryError):
    """The contract chosen is not one of the member's active links."""


class InquiryClosed(InquiryError):
    """The inquiry is 完了: a reply starts a new inquiry instead."""


class NotByHand(InquiryError):
    """回答済み comes with an answer (``do_answer``), never set by hand."""


# The states staff may put an inquiry in by hand (the page's buttons).
BY_HAND = (Status.NEW, Status.IN_PROGRESS, Status.CLOSED)


class NotStaffOfTown(InquiryError):
    """The assignee is not an acting member of the town's staff."""


def _record(inquiry: Inquiry, action: str, *, now, source: str, **data) -> None:
    """The audit row of an action on ``inquiry``: its town, its member (none for a guest),
    its id and reference number, and ``data`` (states and ids only, never a text)."""
    data.setdefault("member", inquiry.member)
    record(
        inquiry.tenant,
        action,
        now=now,
        source=source,
        inquiry=inquiry.pk,
        reference=inquiry.reference,
        **data,
    )


def _key(tenant: Tenant, address: str) -> str:
    return f"{tenant.pk}:{normalize_email(address)}"


def _take(*limits: tuple[ratelimit.Policy, str], now) -> None:
    """Check every limit, then count one event for each: inside the transaction, after
    the town's row lock (``_lock_town``), so requests sent at once are counted in turn.
    Raises ``Limited`` (the caller's transaction rolls back: nothing is counted)."""
    try:
        for policy, key in limits:
            ratelimit.check(policy, key, now)
        for policy, key in limits:
            ratelimit.take(policy, key, now)
    except ratelimit.Limited as exc:
        raise Limited(exc.until) from None


def _take_submit_limits(tenant: Tenant, address: str, source: str, now) -> None:
    _take(
        (SUBMIT_ADDRESS, _key(tenant, address)),
        (SUBMIT_SOURCE, f"{tenant.pk}:{source}"),
        now=now,
    )


def _lock_town(tenant: Tenant) -> None:
    # The town's row, locked: it orders two inquiries (or replies) sent at once, for
    # their numbering and for the limits counted against them.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def contract_choices(member: User, *, today: dt.date | None = None):
    """The member's contracts an inquiry may concern: their active links' customers."""
    today = today or timezone.localdate()
    links = Link.objects.filter(
        tenant=member.town, member=member, revoked_at__isnull=True, active_from__lte=today
    )
    return Customer.objects.filter(tenant=member.town, pk__in=links.values("customer_id")).order_by(
        "number"
    )


def _new_inquiry(tenant: Tenant, *, now, **fields) -> Inquiry:
    # One numbering per town: the caller holds the town's row lock (``_lock_town``).
    last = Inquiry.objects.filter(tenant=tenant).aggregate(m=Max("seq"))["m"] or 0
    seq = last + 1
    return Inquiry.objects.create(
        tenant=tenant,
        seq=seq,
        reference=f"Q-{local_date(now).year}-{seq:06d}",
        created_at=now,
        last_resident_message_at=now,
        waiting_since=now,
        status=Status.NEW,
        **fields,
    )


def _guest_link(inquiry: Inquiry, now) -> str:
    """A new link for the guest's next mail; returns its token (kept nowhere else)."""
    token = GuestLink.new_token()
    GuestLink.objects.create(
        tenant=inquiry.tenant,
        inquiry=inquiry,
        token_hash=GuestLink.hash_token(token),
        created_at=now,
        expires_at=now + GUEST_LINK_TTL,
    )
    return token


def resident_url(inquiry: Inquiry, token: str | None = None) -> str:
    """Where the resident reads the inquiry: a member's history page, or a guest's link."""
    base = settings.SITE_URL
    slug = inquiry.tenant.slug
    if token is not None:
        return f"{base}/inquiries/t/{token}?tenant={slug}"
    return f"{base}/inquiries/{inquiry.pk}?tenant={slug}"


def _mail_context(inquiry: Inquiry, url: str) -> dict:
    """The emails are in Japanese, whatever language the page was browsed in."""
    with translation.override("ja"):
        kind = str(inquiry.get_kind_display())
    return {
        "tenant": inquiry.tenant,
        "reference": inquiry.reference,
        "kind": kind,
        "url": url,
        "target_days": inquiry.tenant.inquiry_target_days,
    }


def _resident_address(inquiry: Inquiry) -> str | None:
    """Where mail about the inquiry goes: the member's address of now (None once they
    withdrew), or the guest's confirmed address."""
    if inquiry.member_id is None:
        return inquiry.email
    member = inquiry.member
    if member is None or not member.is_active:
        return None
    return member.email


def find_guest_inquiry(tenant: Tenant, token: str, *, now=None) -> Inquiry | None:
    """The inquiry of a guest's link, or None (unknown, expired, another town's, or
    closed more than ``CLOSED_GUEST_LINK_TTL`` ago)."""
    now = now or timezone.now()
    link = (
        GuestLink.objects.select_related("inquiry")
        .filter(tenant=tenant, token_hash=GuestLink.hash_token(token), expires_at__gt=now)
        .exclude(
            inquiry__status=Status.CLOSED,
            inquiry__closed_at__lte=now - CLOSED_GUEST_LINK_TTL,
        )
        .first()
    )
    return link.inquiry if link is not None else None


# --- The resident ------------------------------------------------------------------------


def do_submit_inquiry(
    member: User,
    *,
    kind: str,
    subject: str,
    body: str,
    customer: Customer | None = None,
    source: str,
    now=None,
) -> Inquiry:
    """A member sends an inquiry (種類, 件名, 本文, optionally one of their contracts).

    Raises ``ContractNotYours`` when ``customer`` is not one of the member's active links,
    ``Limited`` when the member or the source sent too many today. The member is mailed
    a confirmation with the reference number.
    """
    now = now or timezone.now()
    tenant = member.town
    Kind(kind)
    if customer is not None and not contract_choices(member).filter(pk=customer.pk).exists():
        raise ContractNotYours()
    with transaction.atomic():
        _lock_town(tenant)
        _take_submit_limits(tenant, member.email, source, now)
        inquiry = _new_inquiry(
            tenant, now=now, kind=kind, subject=subject, member=member, customer=customer
        )
        InquiryMessage.objects.create(
            tenant=tenant, inquiry=inquiry, author=member, body=body, created_at=now
        )
        _record(
            inquiry,
            "inquiry_submitted",
            member=member,
            now=now,
            source=source,
            kind=kind,
        )
        emails.send("inquiry_received", member.email, _mail_context(inquiry, resident_url(inquiry)))
    return inquiry


@sensitive_variables("plain")
def do_request_inquiry_code(tenant: Tenant, email: str, *, source: str, now=None) -> None:
    """Mail a code to the address someone who is not a member wants answers at.

    The code is the registration's kind (``accounts.codes``), for ``CodePurpose.INQUIRY``,
    with its limits per address; the requests are limited per source too. Raises
    ``codes.SendTooSoon`` / ``SendLimitReached``.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    # Per source across every town, as registration's: alternating ?tenant= gains nothing.
    codes.count_source_request(CODE_SOURCE, source, now=now)
    with transaction.atomic():
        row, plain = codes.issue_code(tenant, CodePurpose.INQUIRY, email, now=now)
        queue_code_email(row, plain)


@sensitive_variables("code")
def confirm_guest_email(tenant: Tenant, email: str, code: str, *, now=None) -> None:
    """Check the code mailed to ``email`` (raises ``codes.CodeError``)."""
    codes.check_code(tenant, CodePurpose.INQUIRY, normalize_email(email), code, now=now)


def do_submit_guest_inquiry(
    tenant: Tenant,
    email: str,
    *,
    kind: str,
    subject: str,
    body: str,
    source: str,
    now=None,
) -> Inquiry:
    """Someone who is not a member sends an inquiry, from ``email``, an address they
    confirmed with a code (the caller checked it). Raises ``Limited``. They are mailed a
    confirmation with the reference number and a link to read the thread."""
    now = now or timezone.now()
    email = normalize_email(email)
    Kind(kind)
    with transaction.atomic():
        _lock_town(tenant)
        _take_submit_limits(tenant, email, source, now)
        inquiry = _new_inquiry(tenant, now=now, kind=kind, subject=subject, email=email)
        InquiryMessage.objects.create(tenant=tenant, inquiry=inquiry, body=body, created_at=now)
        _record(
            inquiry,
            "inquiry_guest_submitted",
            now=now,
            source=source,
            kind=kind,
        )
        token = _guest_link(inquiry, now)
        emails.send("inquiry_received", email, _mail_context(inquiry, resident_url(inquiry, token)))
    return inquiry


def do_resident_reply(
    inquiry: Inquiry, *, body: str, member: User | None = None, source: str, now=None
) -> Inquiry:
    """The resident writes again (a member from their history, a guest through their
    link: ``member`` None). An answered inquiry waits for the town again: 対応中 when
    someone is assigned, 未対応 otherwise. Raises ``InquiryClosed`` for a 完了 one and
    ``Limited`` after too many replies."""
    now = now or timezone.now()
    tenant = inquiry.tenant
    address = _resident_address(inquiry) or ""
    with transaction.atomic():
        # The town first, as a new inquiry does: one address's replies to its several
        # inquiries are counted in turn.
        _lock_town(tenant)
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk, tenant=tenant)
        if inquiry.status == Status.CLOSED:
            raise InquiryClosed()
        _take((REPLY_ADDRESS, _key(tenant, address)), now=now)
        before = inquiry.status
        InquiryMessage.objects.create(
            tenant=tenant, inquiry=inquiry, author=member, body=body, created_at=now
        )
        inquiry.last_resident_message_at = now
        fields = ["last_resident_message_at"]
        if inquiry.status == Status.ANSWERED:
            inquiry.status = Status.IN_PROGRESS if inquiry.assigned_to_id else Status.NEW
            inquiry.waiting_since = now
            fields += ["status", "waiting_since"]
        inquiry.save(update_fields=fields)
        _record(
            inquiry,
            "inquiry_resident_replied",
            member=member,
            now=now,
            source=source,
            before={"inquiry_status": before},
            after={"inquiry_status": inquiry.status},
        )
    return inquiry


# --- The town's staff -------------------------------------------------------------------


def _locked(inquiry: Inquiry, actor: User) -> Inquiry:
    # Locked for the change; another town's inquiry does not exist for the actor.
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk, tenant=actor.town)


def acting_staff(tenant: Tenant):
    """The town's staff an inquiry may be assigned to: active 管理者 and 担当者."""
    return User.objects.filter(
        tenant=tenant, kind=AccountKind.STAFF, staff_role__in=ACTING_ROLES, is_active=True
    ).order_by("name", "pk")


def do_assign(inquiry: Inquiry, assignee: User, *, actor: User, source: str, now=None) -> Inquiry:
    """Assign the inquiry to ``assignee`` (the actor or another 管理者/担当者 of the
    town); a 未対応 one becomes 対応中. Raises ``NotStaffOfTown``."""
    now = now or timezone.now()
    with transaction.atomic():
        inquiry = _locked(inquiry, actor)
        if not acting_staff(actor.town).filter(pk=assignee.pk).exists():
            raise NotStaffOfTown()
        before = {"staff": inquiry.assigned_to_id, "inquiry_status": inquiry.status}
        inquiry.assigned_to = assignee
        if inquiry.status == Status.NEW:
            inquiry.status = Status.IN_PROGRESS
        inquiry.save(update_fields=["assigned_to", "status"])
        _record(
            inquiry,
            "staff_assigned_inquiry",
            actor=actor,
            now=now,
            source=source,
            before=before,
            after={"staff": assignee.pk, "inquiry_status": inquiry.status},
        )
    return inquiry


def do_answer(inquiry: Inquiry, *, body: str, actor: User, source: str, now=None) -> Inquiry:
    """Staff answer: the message joins the thread, the inquiry is 回答済み (assigned to
    the actor when no one was), and the resident is mailed a link to read it and reply
    (a member their history page, a guest a new link of their own)."""
    now = now or timezone.now()
    with transaction.atomic():
        inquiry = _locked(inquiry, actor)
        before = inquiry.status
        InquiryMessage.objects.create(
            tenant=inquiry.tenant,
            inquiry=inquiry,
            author=actor,
            from_staff=True,
            body=body,
            created_at=now,
        )
        inquiry.status = Status.ANSWERED
        inquiry.answered_at = now
        inquiry.waiting_since = None
        inquiry.closed_at = None
        if inquiry.assigned_to_id is None:
            inquiry.assigned_to = actor
        inquiry.save(
            update_fields=["status", "answered_at", "waiting_since", "closed_at", "assigned_to"]
        )
        _record(
            inquiry,
            "staff_answered_inquiry",
            actor=actor,
            now=now,
            source=source,
            before={"inquiry_status": before},
            after={"inquiry_status": inquiry.status},
        )
        to = _resident_address(inquiry)
        if to:
            token = _guest_link(inquiry, now) if inquiry.is_guest else None
            emails.send(
                "inquiry_answer",
                to,
                _mail_context(inquiry, resident_url(inquiry, token)),
                # Staff answer on their console: the member's own choice, if any (a guest
                # left none: Japanese).
                language=inquiry.member.language if inquiry.member else "",
            )
    return inquiry


def _unanswered_since(inquiry: Inquiry, now) -> dt.datetime:
    """Since when the resident has waited: their first message after the latest answer
    (their question itself when never answered), or ``now`` when they wrote nothing
    since (staff take up an answered inquiry again)."""
    theirs = inquiry.messages.filter(from_staff=False)
    if inquiry.answered_at is not None:
        theirs = theirs.filter(created_at__gt=inquiry.answered_at)
    first = theirs.order_by("created_at", "pk").values_list("created_at", flat=True).first()
    return first or now


def do_set_status(inquiry: Inquiry, status: str, *, actor: User, source: str, now=None) -> Inquiry:
    """Staff put the inquiry in ``status`` by hand: 未対応 or 対応中 again, or 完了
    (``BY_HAND``). Raises ``NotByHand`` for 回答済み, which only an answer sets
    (``do_answer``). Returns it unchanged when it already was. An inquiry opened again
    waits since the resident's first message not answered, not since now: closing it
    does not restart the clock of a question nobody answered."""
    now = now or timezone.now()
    status = Status(status)
    if status not in BY_HAND:
        raise NotByHand()
    with transaction.atomic():
        inquiry = _locked(inquiry, actor)
        before = inquiry.status
        if before == status:
            return inquiry
        inquiry.status = status
        inquiry.closed_at = now if status == Status.CLOSED else None
        if status in WAITING and inquiry.waiting_since is None:
            inquiry.waiting_since = _unanswered_since(inquiry, now)
        elif status not in WAITING:
            inquiry.waiting_since = None
        inquiry.save(update_fields=["status", "closed_at", "waiting_since"])
        _record(
            inquiry,
            "staff_closed_inquiry" if status == Status.CLOSED else "staff_changed_inquiry_status",
            actor=actor,
            now=now,
            source=source,
            before={"inquiry_status": before},
            after={"inquiry_status": status.value},
        )
    return inquiry


def do_close(inquiry: Inquiry, *, actor: User, source: str, now=None) -> Inquiry:
    """完了: nothing more to do (the resident may send a new inquiry)."""
    return do_set_status(inquiry, Status.CLOSED, actor=actor, source=source, now=now)


# --- The daily list of inquiries waiting too long ---------------------------------------


def do_report_overdue_inquiries(tenant: Tenant, *, now=None) -> int:
    """Mail the town's active 管理者 the inquiries waiting for an answer longer than the
    town's target (``Tenant.inquiry_target_days`` business days on its calendar): the
    reference numbers and days waited, no names or texts. At most once per town and day
    (the audit row ``inquiry_overdue_reported`` of today says it was sent). Returns how
    many inquiries were listed."""
    now = now or timezone.now()
    today = local_date(now)
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        overdue = waiting.overdue(tenant, today)
        if not overdue:
            return 0
        start = start_of_day(today)
        if AuditEvent.objects.filter(
            tenant=tenant, action="inquiry_overdue_reported", created_at__gte=start
        ).exists():
            return 0
        managers = User.objects.filter(
            tenant=tenant, kind=AccountKind.STAFF, staff_role=StaffRole.MANAGER, is_active=True
        ).order_by("pk")
        context = {
            "tenant": tenant,
            "rows": overdue,
            "target_days": tenant.inquiry_target_days,
            "inbox_url": f"{settings.SITE_URL}/staff/inquiries?tenant={tenant.slug}",
        }
        for manager in managers:
            emails.send("inquiry_overdue", manager.email, context)
        record(
            tenant,
            "inquiry_overdue_reported",
            now=now,
            count=len(overdue),
            inquiries=[row.inquiry.pk for row in overdue],
        )
    return len(overdue)


def report_overdue_everywhere(*, tenants=None, now=None) -> dict[str, int]:
    """The daily run over every town (the active ones by default)."""
    now = now or timezone.now()
    tenants = (
        tenants if tenants is not None else Tenant.objects.filter(is_active=True).order_by("pk")
    )
    result = {}
    for t in tenants:
        with scope(tenant=t):
            result[t.slug] = do_report_overdue_inquiries(t, now=now)
    return result
