from django.contrib import admin

from waterportal.billing.models import Bill, Payment
from waterportal.lib.admin import ReadOnlyAdmin


# Bills and payments come from the billing system's files: staff read, never edit.
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
