from django.contrib import admin

from waterportal.audit import words
from waterportal.audit.models import AuditEvent, Look
from waterportal.lib.admin import ReadOnlyAdmin


class ActionFilter(admin.SimpleListFilter):
    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(words.ACTIONS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read only: the log is what staff look back on, so no one may write or erase it
    from here, the operator included (the actions write it, in the transaction of what
    they record). Shown in the same Japanese words as the town's console
    (``audit.words``); rows with no town are the operator's own."""

    list_display = ("created_at", "town", "actor_words", "action_words", "member_words", "source")
    list_filter = ("tenant", ActionFilter)
    list_select_related = ("tenant", "actor", "member")
    fields = (*list_display, "details")
    readonly_fields = fields

    def _entry(self, event: AuditEvent) -> words.Entry:
        # One entry per row, from the accounts the list already joined; the detail
        # page reads the others the data names.
        cached = getattr(event, "_words", None)
        if cached is None:
            accounts = {a.pk: a for a in (event.actor, event.member) if a is not None}
            cached = event._words = words.describe(event, accounts)  # type: ignore[attr-defined]
        return cached

    @admin.display(description="自治体", ordering="tenant")
    def town(self, event: AuditEvent) -> str:
        return event.tenant.name if event.tenant is not None else "（運用者）"

    @admin.display(description="操作者")
    def actor_words(self, event: AuditEvent) -> str:
        entry = self._entry(event)
        return f"{entry.actor}（{entry.actor_email}）" if entry.actor_email else entry.actor

    @admin.display(description="操作", ordering="action")
    def action_words(self, event: AuditEvent) -> str:
        return self._entry(event).action

    @admin.display(description="会員")
    def member_words(self, event: AuditEvent) -> str:
        entry = self._entry(event)
        return f"{entry.member} {entry.member_email}".strip()

    @admin.display(description="内容")
    def details(self, event: AuditEvent) -> str:
        return words.describe_all([event])[0].details_text


@admin.register(Look)
class LookAdmin(ReadOnlyAdmin):
    """Who looked at which member's bills, statements and histories, and from where."""

    list_display = ("created_at", "tenant", "action", "member", "customer_id", "month", "source")
    list_filter = ("tenant", "action")
    readonly_fields = [f.name for f in Look._meta.fields]
