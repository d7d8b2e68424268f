from django.db import models
from django_scopes import ScopedManager


class Bill(models.Model):
    """One meter reading and its charges (exchange-v1 ``bills``; key: customer + month).

    Bills are written a million at a time by the importer, so the table carries only the
    indexes and database constraints that earn their cost (measured in bench/import):

    - ``customer`` is the one foreign key the database enforces: a bill never outlives
      its customer, whatever deletes what concurrently. Its index is the unique
      (customer, month) key, whose first column it is.
    - ``tenant`` is always the customer's tenant (the importer joins the customers of the
      importing tenant), and the customer's own foreign key to the tenant is enforced, so
      the database check would only repeat that one, at a row-level trigger and a row
      lock per bill. Django still applies ``on_delete``. Its index is the
      (tenant, month) one.
    - ``import_run`` is the same run on every row an import writes: the run doing the
      writing, which the importer updates in the same transaction. Django applies
      ``SET_NULL``. Only deleting a run in the admin while it is still importing could
      leave its bills with the id of a run that is gone; nothing but that run's new-bill
      emails looks bills up by run. Its index stays: it finds a run's bills for those
      emails and for ``SET_NULL``.
    """

    # db_constraint=False, db_index=False: see the class docstring.
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    customer = models.ForeignKey(
        "contracts.Customer", on_delete=models.CASCADE, related_name="bills", db_index=False
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
        db_constraint=False,  # see the class docstring
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

    # Not checked by the database, as for Bill.tenant: always the bill's tenant (the
    # importer joins the bills of the importing tenant), and the bill's own foreign key,
    # which is enforced, leads to it. Its index stays: no other index starts with it.
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
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
