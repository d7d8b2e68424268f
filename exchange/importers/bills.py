"""bills — 検針・料金 (key: 使用者番号 + 調定年月)."""

from billing.models import Bill
from contracts.models import Customer
from exchange.importers.base import Importer, Plan, Record
from exchange.parsing import Row

UNKNOWN_CUSTOMER = (
    "この自治体の使用者台帳にない使用者番号です（先に使用者台帳を取り込んでください）。"
)


class BillImporter(Importer):
    kind = "bills"
    model = Bill
    required = (
        "使用者番号",
        "調定年月",
        "検針日",
        "前回指針",
        "今回指針",
        "使用水量",
        "水道料金",
        "消費税額",
        "請求金額",
        "納期限",
    )
    optional = ("使用日数", "下水道使用料", "メーター交換", "検針状況", "基本料金", "従量料金")
    key_columns = "使用者番号・調定年月"
    unique_fields = ["customer", "billing_month"]
    tracks_run = True
    fields = (
        "reading_date",
        "previous_reading",
        "current_reading",
        "usage_m3",
        "days",
        "water_charge",
        "sewer_charge",
        "tax",
        "amount",
        "due_date",
        "meter_replaced",
        "reading_status",
        "basic_charge",
        "volume_charge",
    )

    def parse(self, row: Row) -> Record | None:
        number = row.customer_number()
        month = row.month("調定年月", required=True)
        reading_date = row.date("検針日", required=True)
        previous = row.integer("前回指針", required=True)
        current = row.integer("今回指針", required=True)
        usage = row.integer("使用水量", required=True)
        days = row.integer("使用日数")
        water = row.integer("水道料金", required=True)
        sewer = row.integer("下水道使用料") or 0
        tax = row.integer("消費税額", required=True)
        amount = row.integer("請求金額", required=True)
        due_date = row.date("納期限", required=True)
        replaced = row.choice("メーター交換", ["0", "1"], default="0") == "1"
        status = row.text("検針状況", max_length=20)
        basic = row.integer("基本料金")
        volume = row.integer("従量料金")
        if not row.ok:
            return None
        if not replaced and usage != current - previous:
            row.problem(
                "使用水量",
                f"使用水量が 今回指針 − 前回指針（{current - previous}）と一致しません"
                "（メーター交換のときは メーター交換 を 1 にしてください）。",
            )
        if amount != water + sewer:
            row.problem(
                "請求金額", f"請求金額が 水道料金 + 下水道使用料（{water + sewer}）と一致しません。"
            )
        if not row.ok:
            return None
        values = (
            reading_date,
            previous,
            current,
            usage,
            days,
            water,
            sewer,
            tax,
            amount,
            due_date,
            replaced,
            status,
            basic,
            volume,
        )
        return Record(
            row.line, (number, month), values, (row.raw("使用者番号"), row.raw("調定年月"))
        )

    def plan(self, tenant, records: dict[tuple, Record], report) -> Plan:
        customers = dict(Customer.objects.filter(tenant=tenant).values_list("number", "id"))
        months = {month for _, month in records}
        existing = {
            (customer_id, month): tuple(values)
            for customer_id, month, *values in Bill.objects.filter(
                tenant=tenant, billing_month__in=months
            ).values_list("customer_id", "billing_month", *self.fields)
        }
        rows = []
        for (number, month), record in records.items():
            customer_id = customers.get(number)
            if customer_id is None:
                report.add(record.line, "使用者番号", record.raw_key[0], UNKNOWN_CUSTOMER)
                continue
            key_fields = {
                "tenant_id": tenant.pk,
                "customer_id": customer_id,
                "billing_month": month,
            }
            rows.append(((customer_id, month), record, key_fields))
        return self.diff(rows, existing)
