from django.contrib import admin

from waterportal.lib.admin import ReadOnlyAdmin
from waterportal.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The towns' notices, for the operator to look at. Read only: staff write, publish
    and withdraw them in their console, each on the audit log with its history."""

    list_display = ("title", "tenant", "category", "important", "audience", "status", "starts_at")
    list_filter = ("tenant", "status", "important", "audience")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Notice._meta.fields]
