from django.utils import timezone

from audit.models import AuditEvent


def record(
    tenant, action: str, *, actor=None, member=None, now=None, source=None, **data
) -> AuditEvent:
    """Write one audit row; call inside the transaction of the action it records.

    ``source`` is the client's IP address when a request caused it.
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
