from django.db import connections, router, transaction
from django.utils import timezone

from audit.models import AuditEvent, Look


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


def do_record_look(
    tenant, member, what: str, *, source: str, customer_id=None, month: str = "", now=None
) -> Look:
    """A member (or staff) looked at personal data: a bill, a statement, a history.

    After a leak, the town must count the people whose data was seen (個人情報保護法
    第68条), so every look is on record: who, when, from where and at what (ids and the
    billing month, never the figures or names shown).

    Written on every such page, so on PostgreSQL it commits without waiting for the
    disk (``synchronous_commit = off`` for this one transaction): a crash of the
    database server may lose the looks of its last fraction of a second (three times
    ``wal_writer_delay``, 0.6 s by default), never make the log inconsistent. Waiting
    cost the home page a third of its speed (bench/README.md).
    """
    look = Look(
        tenant=tenant,
        member=member,
        action=what,
        customer_id=customer_id,
        month=month,
        source=source or None,
        created_at=now or timezone.now(),
    )
    connection = connections[router.db_for_write(Look)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        look.save(force_insert=True)  # inside a caller's transaction: its commit decides
        return look
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        look.save(force_insert=True)
    return look
