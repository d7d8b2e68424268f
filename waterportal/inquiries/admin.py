from django.contrib import admin

from waterportal.inquiries.models import Inquiry
from waterportal.lib.admin import ReadOnlyAdmin


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    """The operator sees each town's inquiries by number and state; the towns' staff
    answer them in their console. The messages' texts are not shown here."""

    list_display = ("reference", "tenant", "kind", "status", "created_at", "closed_at")
    list_filter = ("tenant", "status", "kind")
    search_fields = ("reference",)
    fields = ("tenant", "reference", "kind", "status", "created_at", "answered_at", "closed_at")
    readonly_fields = fields
