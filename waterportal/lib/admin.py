"""What the Django admin may do with rows that only the portal's own code writes."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff read these rows, never add, edit or delete them: they come from the billing
    system's files or are the record of what happened (the audit log, the import
    history, the customer-number locks). The detail pages still open for reading."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
