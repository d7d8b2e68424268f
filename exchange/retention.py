"""How long an import's report keeps the cell values it quotes.

A report line quotes the offending cell (``12行目 使用者名カナ「山田」: カナで入力して
ください``), so the reports of the customer ledger hold residents' names and addresses.
That helps staff fix the file on the day; months later it is only personal data kept for
no one. After ``REPORT_VALUES_KEPT`` the values are blanked; the line, column and reason
stay, and so do the run's counts, file name and SHA-256.
"""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from exchange.models import ImportRun

REPORT_VALUES_KEPT = timedelta(days=90)


def do_forget_report_values(*, now=None) -> int:
    """Blank the quoted values of every report older than ``REPORT_VALUES_KEPT``, once;
    returns how many runs were changed. Across tenants: it goes by age only."""
    now = now or timezone.now()
    changed = 0
    with scopes_disabled():
        runs = ImportRun.objects.filter(
            finished_at__lt=now - REPORT_VALUES_KEPT,
            report_values_forgotten_at__isnull=True,
            rejected__gt=0,
        ).order_by("pk")
        for run in runs.iterator(chunk_size=100):
            run.report = [problem | {"value": ""} for problem in run.report]
            run.report_values_forgotten_at = now
            run.save(update_fields=["report", "report_values_forgotten_at"])
            changed += 1
    return changed
