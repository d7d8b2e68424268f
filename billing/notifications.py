"""New-bill emails: after a bills import, one email per member, whatever the number of
their contracts that got a new or corrected bill.

The email carries a link to the portal and nothing else: no amounts, no names, no
customer numbers, so a mailbox read over a shoulder gives nothing away.

Nothing is lost: the import's ``ImportRun`` is the outbox. Its ``notified_at`` stays
empty until the emails are queued, in the same transaction (``do_notify_new_bills``).
The import queues that work after its COMMIT; if its process dies in between, or the
broker fails, ``missed_runs`` finds the run and the schedule queues it again
(``billing.tasks.sweep_missed_notifications``).
"""

import logging
from contextlib import closing
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import User
from billing.models import Bill
from contracts.models import Link
from exchange.models import ImportRun
from waterportal.lib import emails

log = logging.getLogger(__name__)

# The import queues its emails itself, right after its COMMIT; the sweep leaves it this
# long to do so before taking the run for missed (it would only find it claimed).
SWEEP_AFTER = timedelta(minutes=5)
# An import's emails go out within this time of its end or not at all: after an outage
# of the queue or the workers (a long weekend, say), residents are not told about bills
# they have long been able to see, possibly since replaced by the next import.
SEND_WITHIN = timedelta(days=3)


def recipients(run: ImportRun, today):
    """Addresses of members with an active link to a contract this run billed anew."""
    billed = Bill.objects.filter(import_run=run, customer_id=OuterRef("customer_id"))
    links = Link.objects.filter(
        member_id=OuterRef("pk"),
        revoked_at__isnull=True,
        active_from__lte=today,
    ).filter(Exists(billed))
    return (
        User.objects.filter(tenant_id=run.tenant_id, is_active=True, notify_new_bill=True)
        .filter(Exists(links))
        .order_by("pk")
        .values_list("email", flat=True)
    )


def do_notify_new_bills(run_id: int, *, now=None) -> int:
    """Queue the emails for one import, once; returns how many (0 when they are queued
    already, being queued by another process, or too late: see ``SEND_WITHIN``).

    Raises if the broker fails; the run is then left to the sweep, to be queued again.
    """
    now = now or timezone.now()
    with scopes_disabled():
        tenant = ImportRun.objects.select_related("tenant").get(pk=run_id).tenant
    with scope(tenant=tenant), transaction.atomic():
        # The claim (notified_at) commits with the queueing or not at all: if the broker
        # fails or the process dies halfway, the run is unclaimed again and the sweep
        # queues its emails again, all of them. The members queued before the failure
        # then get the email twice: at least once, never lost. While one process queues,
        # the row stays locked and another (a sweep, the import's own task) skips it
        # rather than waiting. On SQLite, which lets one writer in at a time, it waits
        # for the first to commit and finds the run claimed (or gives up after the busy
        # timeout, and the run is still claimed by the first or left to the sweep).
        run = (
            ImportRun.objects.select_for_update(skip_locked=True)
            .filter(pk=run_id, notified_at__isnull=True)
            .first()
        )
        if run is None:
            return 0
        if run.finished_at is None or run.finished_at < now - SEND_WITHIN:
            log.warning(
                "import run %s ended too long ago: its new-bill emails are not sent", run.pk
            )
            return 0
        run.notified_at = now
        run.save(update_fields=["notified_at"])
        # Closed before the transaction ends, however it ends: on PostgreSQL this is a
        # server-side cursor, and closing it after a rollback would fail in whatever
        # transaction the connection is in by then.
        addresses = recipients(run, timezone.localdate(now)).iterator(chunk_size=2000)
        with closing(addresses):
            return emails.send_many("new_bill", addresses, tenant)


def missed_runs(now):
    """The bills imports (of the current scope's tenant) whose emails should have been
    queued by now and were not, within ``SEND_WITHIN``."""
    return (
        ImportRun.objects.filter(
            kind=ImportRun.Kind.BILLS,
            status=ImportRun.Status.SUCCEEDED,
            notified_at__isnull=True,
            finished_at__gt=now - SEND_WITHIN,
            finished_at__lte=now - SWEEP_AFTER,
        )
        .filter(Q(added__gt=0) | Q(changed__gt=0))
        .order_by("finished_at")
    )


def notification_state(run: ImportRun, now=None) -> str:
    """What became of a run's new-bill emails, in words for staff ("" when it has none)."""
    now = now or timezone.now()
    if run.kind != ImportRun.Kind.BILLS or run.status != ImportRun.Status.SUCCEEDED:
        return ""
    if not (run.added or run.changed):
        return ""
    if run.notified_at is not None:
        local = timezone.localtime(run.notified_at)
        return f"送信済み（{local:%Y-%m-%d %H:%M}）"
    if run.finished_at is not None and run.finished_at >= now - SEND_WITHIN:
        return "送信待ち"
    return f"送信されません（取り込みから{SEND_WITHIN.days}日を過ぎました）"
