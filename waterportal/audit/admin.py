from django.contrib import admin

from waterportal.audit.models import AuditEvent, Look
from waterportal.lib.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read only: the log is what staff look back on, so no one may write or erase it
    from here (the actions write it, in the transaction of what they record)."""

    list_display = ("created_at", "tenant", "action", "actor", "member", "source")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(Look)
class LookAdmin(ReadOnlyAdmin):
    """Who looked at which member's bills, statements and histories, and from where."""

    list_display = ("created_at", "tenant", "action", "member", "customer_id", "month", "source")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in Look._meta.fields]
