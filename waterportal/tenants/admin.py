from django.contrib import admin

from waterportal.tenants import versions
from waterportal.tenants.models import ClosedDay, Tenant
from waterportal.tenants.texts import DEFAULT_PRIVACY, DEFAULT_TERMS


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 1


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "phone", "is_active", "published_at")
    # Publishing is the town's 管理者's (one audited action in the console), not the
    # operator's: a town added here starts unpublished.
    readonly_fields = ("published_at",)
    # The operator's fields; the rest (logo, colour, sewer, calendar, password rule) is
    # the town's own, on its settings page, starting from the defaults.
    fields = (
        "slug",
        "name",
        "business_name",
        "department",
        "section",
        "phone",
        "opening_hours",
        "terms_text",
        "privacy_text",
        "invoice_registration_number",
        "number_lock_hours",
        "is_active",
        "published_at",
    )
    search_fields = ("slug", "name")
    inlines = [ClosedDayInline]

    def get_changeform_initial_data(self, request):
        """A town added here starts with the default 利用規約 and 個人情報の取り扱い, as one
        made by ``create_tenant`` does (they name the town: filled in on save)."""
        return super().get_changeform_initial_data(request) | {
            "terms_text": DEFAULT_TERMS,
            "privacy_text": DEFAULT_PRIVACY,
        }

    def save_model(self, request, obj, form, change):
        if not change:
            obj.terms_text = (obj.terms_text or DEFAULT_TERMS).replace("{name}", obj.name)
            obj.privacy_text = (obj.privacy_text or DEFAULT_PRIVACY).replace("{name}", obj.name)
        super().save_model(request, obj, form, change)
        if not change:
            versions.start_versions(obj, now=obj.created_at)

    def get_readonly_fields(self, request, obj=None):
        """Once a town exists, its texts change only by publishing a new version in its
        console (管理者 → 規約の版), which asks every member to accept it."""
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "terms_text", "privacy_text") if obj is not None else fields
