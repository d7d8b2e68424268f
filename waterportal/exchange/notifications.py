"""New-bill emails: after a bills import, one email per member, whatever the number of
their contracts that got a new or corrected bill.

The email carries a link to the portal and nothing else: no amounts, no names, no
customer numbers, so a mailbox read over a shoulder gives nothing away.

Nothing is lost: the import's ``ImportRun`` says whether the emails were written. Its
``notified_at`` stays empty until the emails' rows are written into the outbox, in the
same transaction (``exchange.actions.do_notify_new_bills``); from there the outbox
delivers them (``waterportal.emails``). The import does that work after its COMMIT; if
its process dies in between, ``missed_runs`` finds the run and the schedule writes them
then (``exchange.tasks.sweep_missed_notifications``).
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from waterportal.accounts.models import User
from waterportal.billing.models import Bill
from waterportal.contracts.models import Link
from waterportal.exchange.models import ImportRun
from waterportal.outbox import store

# The import queues its emails itself, right after its COMMIT; the sweep leaves it this
# long to do so before taking the run for missed (it would only find it claimed).
SWEEP_AFTER = timedelta(minutes=5)
# An import's emails go out within this time of its end or not at all: after an outage
# of the queue or the workers (a long weekend, say), residents are not told about bills
# they have long been able to see, possibly since replaced by the next import.
SEND_WITHIN = timedelta(days=3)


def recipients(run: ImportRun, today):
    """``(id, address)`` of the members with an active link to a contract this run billed
    anew, who have not turned the new-bill emails off."""
    billed = Bill.objects.filter(import_run=run, customer_id=OuterRef("customer_id"))
    links = Link.objects.filter(
        member_id=OuterRef("pk"),
        revoked_at__isnull=True,
        active_from__lte=today,
    ).filter(Exists(billed))
    return (
        User.members.filter(tenant_id=run.tenant_id, is_active=True, notify_new_bill=True)
        .filter(Exists(links))
        .order_by("pk")
        .values_list("pk", "email", "language")
    )


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
        # What the outbox says was delivered, not what was merely written or queued.
        local = timezone.localtime(run.notified_at)
        found = store.counts(new_bill_batch(run))
        return (
            f"送信済み {found.sent}件・送信待ち {found.queued}件・送信できず {found.failed}件"
            f"（{local:%Y-%m-%d %H:%M} から）"
        )
    if run.finished_at is not None and run.finished_at >= now - SEND_WITHIN:
        return "送信待ち"
    return f"送信されません（取り込みから{SEND_WITHIN.days}日を過ぎました）"


def new_bill_batch(run: ImportRun) -> str:
    """The outbox's name for the new-bill emails of ``run`` (their counts per state)."""
    return f"new_bill:{run.pk}"
