from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waterportal.lib.kana import printed_number


def mask_number(number: str) -> str:
    """Only the last four digits of a 使用者番号, as every email shows one."""
    return "•" * max(0, len(number) - 4) + number[-4:]


class Customer(models.Model):
    """A water contract as the billing system's ledger (使用者台帳) describes it."""

    class Status(models.TextChoices):
        IN_USE = "使用中", "使用中"
        SUSPENDED = "休止", "休止"
        ENDED = "中止", "中止"

    class Payment(models.TextChoices):
        # The stored values are the ledger's words and stay Japanese; the labels are
        # what a resident reads on the bill pages, in their language.
        DEBIT = "口座振替", _("口座振替")
        SLIP = "納付書", _("納付書")

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    number = models.CharField("使用者番号", max_length=30, help_text="数字のみ")
    name_kana = models.CharField("使用者名カナ", max_length=100)
    name_kana_key = models.CharField(max_length=100, help_text="照合用に正規化したカナ")
    name = models.CharField("使用者名", max_length=100, blank=True)
    address = models.CharField("給水場所", max_length=200, blank=True)
    diameter_mm = models.PositiveIntegerField("口径", null=True, blank=True)
    reading_cycle = models.PositiveSmallIntegerField("検針周期", default=2)
    payment_method = models.CharField(
        "支払方法", max_length=10, choices=Payment.choices, blank=True
    )
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.IN_USE)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "使用者"
        verbose_name_plural = "使用者"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="customer_number_unique")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_number(self) -> str:
        """Show only the last four digits: enough to tell contracts apart."""
        return mask_number(self.number)

    @property
    def printed_number(self) -> str:
        """As the meter-reading slip prints it (1010-0001), for staff reading it aloud."""
        return printed_number(self.number)


class Relationship(models.TextChoices):
    # The stored values stay Japanese (the database, the exports and staff read them);
    # only the labels a resident reads are translated.
    SELF = "本人", _("本人")
    FAMILY = "家族", _("家族")
    AGENT = "代理人", _("代理人")
    OTHER = "その他", _("その他")


class Link(models.Model):
    """A member's right to see one contract, active from the next business day."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="links")
    relationship = models.CharField(
        "申込者と契約者の関係", max_length=10, choices=Relationship.choices
    )
    created_at = models.DateTimeField()
    active_from = models.DateField("表示開始日")
    activated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "連携"
        verbose_name_plural = "連携"
        constraints = [
            # At most one 本人 per contract, enforced by the database so that two
            # simultaneous registrations cannot both get it.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(relationship="本人", revoked_at__isnull=True),
                name="link_one_self_per_customer",
            ),
            models.UniqueConstraint(
                fields=["member", "customer"],
                condition=Q(revoked_at__isnull=True),
                name="link_member_customer_unique",
            ),
        ]
        indexes = [
            # The links waiting for the next-business-day activation: a few among every
            # link the town ever had (bench/scale).
            models.Index(
                fields=["tenant", "active_from"],
                condition=Q(activated_at__isnull=True, revoked_at__isnull=True),
                name="link_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.customer_id} ({self.relationship})"


class NumberLock(models.Model):
    """Self-service linking of a 使用者番号 locked after repeated failures.

    The lock ends by itself at ``until`` (the town's ``number_lock_hours`` after it
    began), or earlier when staff unlock it. ``unlocked_at`` is when it ended either way
    (``unlocked_by`` is empty when it ended by itself); a lock whose time is up is marked
    so when the number is locked again.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    number = models.CharField("使用者番号", max_length=30)
    locked_at = models.DateTimeField("ロック日時")
    until = models.DateTimeField("自動解除の日時")
    unlocked_at = models.DateTimeField("解除日時", null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The wrong names that made the lock, then every try of the number while it lasts
    # (each is refused with the same words, whatever name was typed).
    tries = models.PositiveIntegerField("試行回数", default=0)
    # When the town's 管理者 were sent the daily list that named this lock; empty until then.
    reported_at = models.DateTimeField("管理者へ通知した日時", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "使用者番号ロック"
        verbose_name_plural = "使用者番号ロック"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"],
                condition=Q(unlocked_at__isnull=True),
                name="numberlock_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({'解除済み' if self.unlocked_at else 'ロック中'})"

    def is_active(self, now) -> bool:
        return self.unlocked_at is None and self.until > now

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)
