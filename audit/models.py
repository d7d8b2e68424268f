from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AuditEvent(models.Model):
    """One thing staff should be able to see later: a lock, a staff action, an import.

    ``data`` holds ids and counts only, never passwords, codes or full names.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    # The client's address, where a request caused it (a login, a look at a bill).
    source = models.GenericIPAddressField("接続元", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
