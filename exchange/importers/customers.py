"""customers — 使用者台帳 (key: 使用者番号)."""

from contracts.models import Customer
from exchange.importers.base import Importer, Plan, Record
from exchange.parsing import Row
from waterportal.lib.kana import kana_key


class CustomerImporter(Importer):
    kind = "customers"
    model = Customer
    required = ("使用者番号", "使用者名カナ")
    optional = ("使用者名", "給水場所", "口径", "検針周期", "支払方法", "状態")
    key_columns = "使用者番号"
    unique_fields = ["tenant", "number"]
    fields = (
        "name_kana",
        "name_kana_key",
        "name",
        "address",
        "diameter_mm",
        "reading_cycle",
        "payment_method",
        "status",
    )

    def parse(self, row: Row) -> Record | None:
        number = row.customer_number()
        name_kana = row.kana_name("使用者名カナ", max_length=100)
        name = row.text("使用者名", max_length=100)
        address = row.text("給水場所", max_length=200)
        diameter = row.integer("口径", minimum=1)
        cycle = row.choice("検針周期", ["1", "2"], default="2")
        payment = row.choice("支払方法", Customer.Payment.values, default="")
        status = row.choice("状態", Customer.Status.values, default=Customer.Status.IN_USE)
        if not row.ok:
            return None
        # The key is what registration compares the resident's input with.
        values = (
            name_kana,
            kana_key(name_kana),
            name,
            address,
            diameter,
            int(cycle),
            payment,
            status,
        )
        return Record(row.line, (number,), values, (row.raw("使用者番号"),))

    def plan(self, tenant, records: dict[tuple, Record], report) -> Plan:
        existing = {
            number: tuple(values)
            for number, *values in Customer.objects.filter(tenant=tenant).values_list(
                "number", *self.fields
            )
        }
        rows = [
            (number, r, {"tenant_id": tenant.pk, "number": number})
            for (number,), r in records.items()
        ]
        return self.diff(rows, existing)
