"""payments — 収納 (key: 使用者番号 + 調定年月)."""

from billing.models import Bill, Payment
from contracts.models import Customer
from exchange.importers.base import Importer, Plan, Record
from exchange.importers.bills import UNKNOWN_CUSTOMER
from exchange.parsing import Row

METHODS = ["口座振替", "窓口", "コンビニ", "スマホ決済"]


class PaymentImporter(Importer):
    kind = "payments"
    model = Payment
    required = ("使用者番号", "調定年月", "収納方法", "結果")
    optional = ("収納日", "収納金額")
    key_columns = "使用者番号・調定年月"
    unique_fields = ["bill"]
    fields = ("paid_on", "amount", "method", "result")

    def parse(self, row: Row) -> Record | None:
        number = row.customer_number()
        month = row.month("調定年月", required=True)
        paid_on = row.date("収納日")
        amount = row.integer("収納金額")
        method = row.choice("収納方法", METHODS)
        result = row.choice("結果", Payment.Result.values)
        if not row.ok:
            return None
        values = (paid_on, amount, method, result)
        return Record(
            row.line, (number, month), values, (row.raw("使用者番号"), row.raw("調定年月"))
        )

    def plan(self, tenant, records: dict[tuple, Record], report) -> Plan:
        # Only the months in the file: a ledger's whole history need not be loaded.
        months = {month for _, month in records}
        numbers = set(Customer.objects.filter(tenant=tenant).values_list("number", flat=True))
        bills = {
            (number, month): bill_id
            for bill_id, number, month in Bill.objects.filter(
                tenant=tenant, billing_month__in=months
            ).values_list("id", "customer__number", "billing_month")
        }
        existing = {
            bill_id: tuple(values)
            for bill_id, *values in Payment.objects.filter(
                tenant=tenant, bill__billing_month__in=months
            ).values_list("bill_id", *self.fields)
        }
        rows = []
        for key, record in records.items():
            bill_id = bills.get(key)
            if key[0] not in numbers:
                report.add(record.line, "使用者番号", record.raw_key[0], UNKNOWN_CUSTOMER)
            elif bill_id is None:
                reason = "この使用者番号・調定年月の請求がありません（先に検針・料金を取り込んでください）。"
                report.add(record.line, "調定年月", record.raw_key[1], reason)
            else:
                rows.append((bill_id, record, {"tenant_id": tenant.pk, "bill_id": bill_id}))
        return self.diff(rows, existing)
