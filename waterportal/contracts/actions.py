"""Proving a contract (使用者番号 + カナ氏名), linking it to a member, and the links'
next-business-day activation.

The same check and limits serve registration and, later, "add a contract" from the
account page and the staff console.

A link made on a day becomes visible at the start of the tenant's next business day
(``Link.active_from``, fixed when the link is made). Visibility itself is decided by that
date, so a late or missed run never hides a contract; the daily job records the moment
each link went live (``activated_at``) and leaves an audit row for staff.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waterportal import emails
from waterportal.audit.actions import record, record_many
from waterportal.contracts.models import Customer, Link, NumberLock, Relationship
from waterportal.lib.kana import customer_number_key, kana_key
from waterportal.limits import ratelimit
from waterportal.tenants import freshness
from waterportal.tenants.calendar import activation_date
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

# 10 wrong names for one number in a day, from anyone, lock the number. The lock is a
# NumberLock, for the town's own period (Tenant.number_lock_hours), not this policy's.
LINK_NUMBER = ratelimit.Policy("link-number", 10, dt.timedelta(days=1), dt.timedelta(0))


class ContractError(Exception):
    pass


class ContractMismatch(ContractError):
    """Number and name do not match the ledger; deliberately silent on which is wrong."""


class ContractStepLocked(ContractError):
    def __init__(self, until):
        super().__init__(until)
        self.until = until


class NumberLocked(ContractError):
    """Self-service linking of this number is locked until ``until`` (or staff unlock it).

    Said to everyone who tries the number meanwhile, whether or not the name matches:
    a different answer would tell the name without counting a failure.
    """

    def __init__(self, until):
        super().__init__(until)
        self.until = until


class ContractEnded(ContractError):
    pass


class AlreadyLinked(ContractError):
    pass


class SelfTaken(ContractError):
    """The contract already has a member linked as 本人."""


def check_limits(tenant: Tenant, *, flow_key: str, email: str, now=None) -> None:
    now = now or timezone.now()
    for policy, raw in (
        (ratelimit.LINK_FLOW, flow_key),
        (ratelimit.LINK_EMAIL, f"{tenant.pk}:{email}"),
    ):
        until = ratelimit.locked_until(policy, raw, now)
        if until:
            raise ContractStepLocked(until)


def _check_number_lock(tenant: Tenant, number: str, now, *, a_try: bool) -> None:
    """Refuse a locked number; ``a_try``: someone typed it now (counted on the lock)."""
    lock = NumberLock.objects.filter(
        tenant=tenant, number=number, unlocked_at__isnull=True, until__gt=now
    ).first()
    if lock is not None:
        if a_try:
            NumberLock.objects.filter(pk=lock.pk).update(tries=F("tries") + 1)
        raise NumberLocked(lock.until)


def find_contract(
    tenant: Tenant, number: str, kana: str, *, flow_key: str, email: str, now=None
) -> Customer:
    """Return the contract whose number and katakana name match, or raise a ContractError.

    Every failure counts towards three limits: 5 per flow and 5 per address in an hour
    (then the step is locked for an hour), and 10 per number in a day across everyone
    (then self-service linking of that number is locked for the town's
    ``number_lock_hours``, 24 by default, or until staff unlock it). Each lock is
    written to the audit log for staff.
    """
    now = now or timezone.now()
    check_limits(tenant, flow_key=flow_key, email=email, now=now)
    number_key = customer_number_key(number)
    if number_key:
        _check_number_lock(tenant, number_key, now, a_try=True)

    customer = (
        Customer.objects.filter(tenant=tenant, number=number_key).first() if number_key else None
    )
    if customer is not None and customer.name_kana_key == kana_key(kana):
        if customer.status == Customer.Status.ENDED:
            raise ContractEnded()
        return customer

    _count_failure(tenant, number_key, flow_key=flow_key, email=email, now=now)
    check_limits(tenant, flow_key=flow_key, email=email, now=now)
    if number_key:
        _check_number_lock(tenant, number_key, now, a_try=False)
    raise ContractMismatch()


def _count_failure(tenant: Tenant, number_key: str, *, flow_key: str, email: str, now) -> None:
    with transaction.atomic():
        flow_until = ratelimit.hit(ratelimit.LINK_FLOW, flow_key, now)
        email_until = ratelimit.hit(ratelimit.LINK_EMAIL, f"{tenant.pk}:{email}", now)
        until = flow_until or email_until
        if until:
            record(tenant, "link_step_locked", now=now, until=until.isoformat())
            log.warning("contract check locked for a flow (tenant=%s)", tenant.slug)
        if number_key and ratelimit.hit(LINK_NUMBER, f"{tenant.pk}:{number_key}", now):
            _lock_number(tenant, number_key, now)


def _end_ended_locks(tenant: Tenant, number_key: str, now) -> None:
    """A lock whose time is up ended by itself then: mark it so."""
    for ended in NumberLock.objects.filter(
        tenant=tenant, number=number_key, unlocked_at__isnull=True, until__lte=now
    ):
        ended.unlocked_at = ended.until
        ended.save(update_fields=["unlocked_at"])


def _lock_number(tenant: Tenant, number_key: str, now) -> None:
    _end_ended_locks(tenant, number_key, now)
    until = now + dt.timedelta(hours=tenant.number_lock_hours)
    try:
        with transaction.atomic():
            NumberLock.objects.create(
                tenant=tenant,
                number=number_key,
                locked_at=now,
                until=until,
                tries=LINK_NUMBER.limit,
            )
    except IntegrityError:
        return  # already locked by a concurrent failure
    record(tenant, "number_locked", now=now, number=number_key, until=until.isoformat())
    log.warning("self-service linking locked for a customer number (tenant=%s)", tenant.slug)


def do_unlock_number(tenant: Tenant, number: str, *, actor, now=None) -> int:
    """Staff: allow self-service linking of ``number`` again. Returns locks lifted."""
    now = now or timezone.now()
    number_key = customer_number_key(number)
    with transaction.atomic():
        _end_ended_locks(tenant, number_key, now)
        lifted = NumberLock.objects.filter(
            tenant=tenant, number=number_key, unlocked_at__isnull=True
        ).update(unlocked_at=now, unlocked_by=actor)
        ratelimit.unlock(LINK_NUMBER, f"{tenant.pk}:{number_key}")
        record(tenant, "number_unlocked", actor=actor, now=now, number=number_key)
    return lifted


def self_taken(customer: Customer) -> bool:
    return Link.objects.filter(
        customer=customer, relationship=Relationship.SELF, revoked_at__isnull=True
    ).exists()


def do_link_contract(member, customer: Customer, relationship: str, *, now=None) -> Link:
    """Link ``customer`` to ``member``, visible from the tenant's next business day.

    Members already linked to the contract are told by email. Must run inside the
    caller's transaction or opens its own. Raises SelfTaken when 本人 is already
    linked (the database's partial unique index decides under concurrency) and
    AlreadyLinked when this member already has it.
    """
    now = now or timezone.now()
    tenant = customer.tenant
    if Link.objects.filter(member=member, customer=customer, revoked_at__isnull=True).exists():
        raise AlreadyLinked()
    earlier = list(
        Link.objects.filter(customer=customer, revoked_at__isnull=True).select_related("member")
    )
    try:
        with transaction.atomic():
            link = Link.objects.create(
                tenant=tenant,
                member=member,
                customer=customer,
                relationship=relationship,
                created_at=now,
                active_from=activation_date(tenant, now),
            )
    except IntegrityError as exc:
        if relationship == Relationship.SELF and self_taken(customer):
            raise SelfTaken() from exc
        raise AlreadyLinked() from exc
    record(tenant, "link_created", member=member, now=now, link=link.pk, relationship=relationship)
    for other in earlier:
        emails.send(
            "link_added",
            other.member.email,
            {
                "tenant": tenant,
                "masked_number": customer.masked_number,
                "relationship": relationship,
            },
            language=other.member.language,
        )
    return link


def member_flow_key(member) -> str:
    """The contract check's "flow" of a signed-in member adding a contract: one per
    member, so that its per-flow limit holds across visits, pages and apps."""
    return f"member:{member.pk}"


def find_contract_to_add(member, number: str, kana: str, *, now=None) -> Customer:
    """The account's 「契約を追加」, web and apps alike: the contract whose number and
    katakana name match (``find_contract``, under the same limits as registration),
    or a ContractError; AlreadyLinked when it is in the member's account already."""
    customer = find_contract(
        member.town, number, kana, flow_key=member_flow_key(member), email=member.email, now=now
    )
    if Link.objects.filter(member=member, customer=customer, revoked_at__isnull=True).exists():
        raise AlreadyLinked()
    return customer


def do_add_contract(member, customer: Customer, relationship: str, *, now=None) -> Link:
    """A signed-in member adds another contract from the account page.

    The same link as at registration (``do_link_contract``: next business day, earlier
    members told by email, its audit row), in one transaction of its own. Raises
    SelfTaken (本人 asked while someone else is 本人) or AlreadyLinked.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if relationship == Relationship.SELF and self_taken(customer):
            raise SelfTaken()
        return do_link_contract(member, customer, relationship, now=now)


def do_revoke_link(member, link: Link, *, now=None) -> Link:
    """End ``member``'s view of a contract; the ledger (Customer, bills) is untouched.

    The row stays, marked revoked, so staff can see it existed; the same contract can be
    linked again later. Revoking a link that is already revoked changes nothing.
    Raises Link.DoesNotExist when ``link`` is not ``member``'s.
    """
    now = now or timezone.now()
    with transaction.atomic():
        link = Link.objects.select_for_update().get(pk=link.pk, member=member)
        if link.revoked_at is not None:
            return link
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        record(member.tenant, "link_revoked", member=member, now=now, link=link.pk)
    return link


def link_state(link: Link, today: dt.date) -> str:
    """``revoked``, ``waiting`` (表示開始待ち) or ``active``: what the audit log records."""
    if link.revoked_at is not None:
        return "revoked"
    return "waiting" if link.active_from > today else "active"


def _staff_link(link: Link, actor) -> Link:
    # Locked for the change; a link of another town than the actor's does not exist.
    return (
        Link.objects.select_for_update(of=("self",))
        .select_related("member", "customer", "tenant")
        .get(pk=link.pk, tenant_id=actor.tenant_id)
    )


def do_revoke_link_by_staff(link: Link, *, actor, reason: str, source: str, now=None) -> bool:
    """Staff end a member's view of a contract (取り消す), for ``reason``.

    As ``do_revoke_link`` (the row stays, marked revoked; the ledger is untouched; the
    town's cached cards are redrawn by the save), on record with the staff member, the
    reason and the state before and after, and the member is told by email (which names
    the contract masked and never the reason). Returns False, changing nothing, when the
    link was already revoked (a second click, or another member of staff first).
    """
    now = now or timezone.now()
    with transaction.atomic():
        link = _staff_link(link, actor)
        if link.revoked_at is not None:
            return False
        before = link_state(link, timezone.localdate(now))
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        record(
            link.tenant,
            "staff_revoked_link",
            actor=actor,
            member=link.member,
            source=source,
            now=now,
            link=link.pk,
            customer=link.customer_id,
            reason=reason,
            before={"state": before, "revoked_at": None},
            after={"state": "revoked", "revoked_at": now.isoformat()},
        )
        emails.send(
            "staff_revoked_link",
            link.member.email,
            {"tenant": link.tenant, "masked_number": link.customer.masked_number},
            language=link.member.language,
        )
    return True


def do_activate_link_now(link: Link, *, actor, reason: str, source: str, now=None) -> bool:
    """Staff make a waiting link (表示開始待ち) visible now (今すぐ表示する), for ``reason``.

    Its ``active_from`` becomes today and ``activated_at`` now, as the daily activation
    would have done on its day; the cards are redrawn by the save; on record with before
    and after; the member is told by email. Returns False, changing nothing, when the
    link is not waiting any more (already visible, or revoked).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        link = _staff_link(link, actor)
        if link_state(link, today) != "waiting":
            return False
        before = {"state": "waiting", "active_from": link.active_from.isoformat()}
        link.active_from = today
        link.activated_at = now
        link.save(update_fields=["active_from", "activated_at"])
        record(
            link.tenant,
            "staff_activated_link",
            actor=actor,
            member=link.member,
            source=source,
            now=now,
            link=link.pk,
            customer=link.customer_id,
            reason=reason,
            before=before,
            after={"state": "active", "active_from": today.isoformat()},
        )
        emails.send(
            "staff_activated_link",
            link.member.email,
            {"tenant": link.tenant, "masked_number": link.customer.masked_number},
            language=link.member.language,
        )
    return True


# --- Next-business-day activation -----------------------------------------------------


def do_activate_due_links(tenant: Tenant, as_of: dt.date, *, now=None) -> int:
    """Mark every link of ``tenant`` due on or before ``as_of`` as active; returns how many."""
    now = now or timezone.now()
    with scope(tenant=tenant), transaction.atomic():
        due = list(
            Link.objects.select_for_update()
            .filter(
                tenant=tenant,
                active_from__lte=as_of,
                activated_at__isnull=True,
                revoked_at__isnull=True,
            )
            .values_list("pk", "member_id")
        )
        if not due:
            return 0
        Link.objects.filter(pk__in=[pk for pk, _ in due]).update(activated_at=now)
        freshness.tenant_data_changed(tenant.pk)  # update() sends no signals
        record_many(
            tenant, "link_activated", ((member_id, {"link": pk}) for pk, member_id in due), now=now
        )
    return len(due)


def activate_all(as_of: dt.date | None = None, *, tenants=None, now=None) -> dict[str, int]:
    """Run the activation for each tenant (all active ones by default)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    tenants = list(
        tenants if tenants is not None else Tenant.objects.filter(is_active=True).order_by("pk")
    )
    # One look at the waiting links' index finds the towns with something to do; only
    # those take a transaction and a locking query (an installation of 200 towns has work
    # in a few of them on most days). The others still answer 0: the command records
    # every town it ran for.
    with scopes_disabled():
        due = set(
            Link.objects.filter(
                tenant__in=[t.pk for t in tenants],
                active_from__lte=as_of,
                activated_at__isnull=True,
                revoked_at__isnull=True,
            )
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    return {t.slug: do_activate_due_links(t, as_of, now=now) if t.pk in due else 0 for t in tenants}
