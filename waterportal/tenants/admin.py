from django.contrib import admin

from waterportal.tenants.models import ClosedDay, Tenant


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 1


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "phone", "is_active")
    search_fields = ("slug", "name")
    inlines = [ClosedDayInline]
