from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "tenant", "action", "actor", "member")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
