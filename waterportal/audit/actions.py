import getpass

from django.utils import timezone

from waterportal.audit import looks
from waterportal.audit.models import AuditEvent
from waterportal.tenants.models import Tenant


def record(
    tenant: Tenant | None,
    action: str,
    *,
    actor=None,
    member=None,
    now=None,
    source=None,
    **data,
) -> AuditEvent:
    """Write one audit row; call inside the transaction of the action it records.

    ``source`` is the client's IP address when a request caused it. ``tenant`` is None
    only for the operator's own events (its admin logins, its authenticator), which no
    town's log shows. Every ``action`` needs its Japanese words in
    ``waterportal.audit.words.ACTIONS`` (a test reads the code for them).
    """
    return AuditEvent.objects.create(
        tenant=tenant,
        action=action,
        actor=actor,
        member=member,
        created_at=now or timezone.now(),
        source=source or None,
        data=data,
    )


def record_many(tenant: Tenant, action: str, members_and_data, *, now) -> None:
    """Write one audit row per ``(member_id, data)`` pair, in one statement: for the
    actions that touch many rows at once (the daily activation of links, say)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=tenant, action=action, member_id=member_id, created_at=now, data=data)
        for member_id, data in members_and_data
    )


def do_record_look(
    tenant: Tenant, member, what: str, *, source: str, customer_id=None, month: str = "", now=None
) -> None:
    """A member (or staff) looked at personal data: a bill, a statement, a history.

    After a leak, the town must count the people whose data was seen (個人情報保護法
    第68条), so every look is on record: who, when, from where and at what (ids and the
    billing month, never the figures or names shown). Handed to Redis and stored by
    the worker within seconds, or written at once without Redis (``waterportal.audit.looks``).
    """
    looks.record(
        (
            tenant.pk,
            member.pk if member is not None else None,
            now or timezone.now(),
            what,
            customer_id,
            month,
            source or None,
        )
    )


def command_user() -> str:
    """The operating-system user running a management command, for the audit log."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for the uid (a container's), no $USER
        return "unknown"


def do_record_command(tenant: Tenant | None, command: str, *, now=None, **arguments) -> AuditEvent:
    """A management command changed ``tenant``'s data: on its log as ``command_run``, with
    the operating-system user as the actor (``os_user``), the command's name and the
    ``arguments`` that are not personal data (ids, slugs, kinds, dates, counts)."""
    return record(
        tenant, "command_run", now=now, os_user=command_user(), command=command, **arguments
    )
