from django.db import models
from django_scopes import ScopedManager


class Bill(models.Model):
    """One meter reading and its charges (exchange-v1 ``bills``; key: customer + month)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "contracts.Customer", on_delete=models.CASCADE, related_name="bills"
    )
    billing_month = models.DateField("調定年月", help_text="月の1日")
    reading_date = models.DateField("検針日")
    previous_reading = models.IntegerField("前回指針")
    current_reading = models.IntegerField("今回指針")
    usage_m3 = models.IntegerField("使用水量")
    days = models.IntegerField("使用日数", null=True, blank=True)
    water_charge = models.IntegerField("水道料金")
    sewer_charge = models.IntegerField("下水道使用料", default=0)
    tax = models.IntegerField("消費税額")
    amount = models.IntegerField("請求金額")
    due_date = models.DateField("納期限")
    meter_replaced = models.BooleanField("メーター交換", default=False)
    reading_status = models.CharField("検針状況", max_length=20, blank=True)
    basic_charge = models.IntegerField("基本料金", null=True, blank=True)
    volume_charge = models.IntegerField("従量料金", null=True, blank=True)
    import_run = models.ForeignKey(
        "exchange.ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bills",
        help_text="この行を最後に追加・変更した取り込み",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "検針・料金"
        verbose_name_plural = "検針・料金"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "billing_month"], name="bill_customer_month_unique"
            )
        ]
        indexes = [models.Index(fields=["tenant", "billing_month"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.billing_month:%Y-%m}"


class Payment(models.Model):
    """How a bill was paid (exchange-v1 ``payments``; key: customer + month)."""

    class Result(models.TextChoices):
        PAID = "済", "済"
        DEBIT_FAILED = "振替不能", "振替不能"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    bill = models.OneToOneField(Bill, on_delete=models.CASCADE, related_name="payment")
    paid_on = models.DateField("収納日", null=True, blank=True)
    amount = models.IntegerField("収納金額", null=True, blank=True)
    method = models.CharField("収納方法", max_length=10)
    result = models.CharField("結果", max_length=10, choices=Result.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "収納"
        verbose_name_plural = "収納"

    def __str__(self) -> str:
        return f"{self.bill_id} {self.result}"
