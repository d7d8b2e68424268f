from django.contrib import admin

from audit.models import AuditEvent
from waterportal.lib.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read only: the log is what staff look back on, so no one may write or erase it
    from here (the actions write it, in the transaction of what they record)."""

    list_display = ("created_at", "tenant", "action", "actor", "member", "source")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
