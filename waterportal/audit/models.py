from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AuditEvent(models.Model):
    """One thing staff should be able to see later: a lock, a staff action, an import.

    ``data`` holds ids and counts only, never passwords, codes or full names.

    Append-only: the portal inserts rows and never updates or deletes one, so the
    database user it runs as may be denied UPDATE, DELETE and TRUNCATE on this table
    (README). Hence no foreign key here makes the database (or Django's deletion
    collector) touch the log: deleting a town or an account leaves its rows as they
    are (``DO_NOTHING``, and no database constraint that would refuse the delete). A
    row with no town is the operator's own (its admin logins, its authenticator) and
    is on no town's log.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="自治体",
    )
    created_at = models.DateTimeField("日時", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="操作者",
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="会員",
    )
    data = models.JSONField("内容", default=dict, blank=True)
    # The client's address, where a request caused it (a login, a look at a bill).
    source = models.GenericIPAddressField("接続元", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-created_at"]
        # The console's log: one town's rows, newest first.
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_event_tenant_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class Look(models.Model):
    """One look at a member's personal data: a bill, a statement, a history.

    Kept apart from ``AuditEvent``: a look is written on every such page, so its table
    has one index besides its key, and no foreign-key checks in the database. Append-only
    as the log: deleting a town or an account leaves its looks as they are
    (``DO_NOTHING``), so this table too may be denied UPDATE and DELETE. After a leak, the looks of a period are what count the people whose
    data was seen (個人情報保護法 第68条).
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    created_at = models.DateTimeField("日時")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="会員",
    )
    action = models.CharField("閲覧したもの", max_length=30)
    # The contract (contracts.Customer) by id: audit sits below contracts.
    customer_id = models.BigIntegerField("使用者ID", null=True, blank=True)
    month = models.CharField("請求月", max_length=7, blank=True)
    source = models.GenericIPAddressField("接続元", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "閲覧記録"
        verbose_name_plural = "閲覧記録"
        indexes = [models.Index(fields=["tenant", "created_at"], name="audit_look_tenant_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
