from django.contrib import admin

from waterportal.exchange.models import ImportRun
from waterportal.exchange.notifications import notification_state
from waterportal.lib.admin import ReadOnlyAdmin


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """Runs are written by the importer only. The history is a record of what changed the
    town's data, kept for staff to look back on; and a bill's import_run is not checked
    by the database (billing 0003): deleting a run that is still importing would leave
    its new bills pointing at nothing."""

    list_display = (
        "started_at",
        "tenant",
        "kind",
        "status",
        "filename",
        "added",
        "changed",
        "unchanged",
        "rejected",
        "source",
        "started_by",
        "new_bill_emails",
    )
    list_filter = ("tenant", "kind", "status", "source")
    readonly_fields = [f.name for f in ImportRun._meta.fields] + ["new_bill_emails"]

    @admin.display(description="新着メール")
    def new_bill_emails(self, run: ImportRun) -> str:
        # A run whose emails were never queued (the queue or the workers away for
        # longer than the sweep waits) is otherwise only in the log: staff see it here.
        return notification_state(run) or "—"
