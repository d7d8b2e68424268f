from django.contrib import admin

from billing.models import Bill, Payment


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bills and payments come from the billing system's files: staff read, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ["customer", "billing_month", "usage_m3", "amount", "due_date", "tenant"]
    list_filter = ["tenant", "billing_month"]
    search_fields = ["customer__number"]
    list_select_related = ["customer", "tenant"]
    date_hierarchy = "billing_month"


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["bill", "result", "method", "paid_on", "amount", "tenant"]
    list_filter = ["tenant", "result", "method"]
    search_fields = ["bill__customer__number"]
    list_select_related = ["bill", "tenant"]
