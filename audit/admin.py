from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the log is what staff look back on, so no one may write or erase it
    from here (the actions write it, in the transaction of what they record)."""

    list_display = ("created_at", "tenant", "action", "actor", "member")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The detail page still opens for reading (view permission).
        return False

    def has_delete_permission(self, request, obj=None):
        return False
