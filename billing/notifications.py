"""New-bill emails: after a bills import, one email per member, whatever the number of
their contracts that got a new or corrected bill.

The email carries a link to the portal and nothing else: no amounts, no names, no
customer numbers, so a mailbox read over a shoulder gives nothing away.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import User
from billing.models import Bill
from contracts.models import Link
from exchange.models import ImportRun
from waterportal.lib import emails


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
    """Queue the emails for one import; safe to call twice (sends once). Returns count."""
    now = now or timezone.now()
    with scopes_disabled():
        run = ImportRun.objects.select_related("tenant").get(pk=run_id)
    with scope(tenant=run.tenant):
        claimed = ImportRun.objects.filter(pk=run.pk, notified_at__isnull=True).update(
            notified_at=now
        )
        if not claimed:
            return 0
        addresses = recipients(run, timezone.localdate(now)).iterator(chunk_size=2000)
        return emails.send_many("new_bill", addresses, run.tenant)
