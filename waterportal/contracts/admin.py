from django.contrib import admin, messages

from waterportal.contracts.actions import do_unlock_number
from waterportal.contracts.models import NumberLock
from waterportal.lib.admin import ReadOnlyAdmin


@admin.register(NumberLock)
class NumberLockAdmin(ReadOnlyAdmin):
    """Where staff see and lift the lock a 使用者番号 gets after repeated wrong カナ (10 in
    a day, from anyone). It ends by itself after the town's period; the resident is told
    when, and to call the office, which can unlock it sooner here.
    Read only otherwise: a lock is made by the failures and lifted by the action, each
    written to the audit log, and a lifted lock stays as the record of who lifted it."""

    list_display = ("number", "tenant", "locked_at", "until", "unlocked_at", "unlocked_by")
    list_filter = ("tenant", ("unlocked_at", admin.EmptyFieldListFilter))
    search_fields = ("number",)
    readonly_fields = [f.name for f in NumberLock._meta.fields]
    actions = ["unlock"]

    @admin.action(description="選択した使用者番号のロックを解除する")
    def unlock(self, request, queryset):
        lifted = 0
        for lock in queryset.filter(unlocked_at__isnull=True).select_related("tenant"):
            lifted += do_unlock_number(lock.tenant, lock.number, actor=request.user)
        # The admin is Japanese only, like the rest of the staff side.
        self.message_user(request, f"{lifted}件のロックを解除しました。", messages.SUCCESS)
