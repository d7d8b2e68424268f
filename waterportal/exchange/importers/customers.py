"""customers — 使用者台帳 (key: 使用者番号)."""

from waterportal.contracts.models import Customer
from waterportal.exchange.importers.base import Importer, Target
from waterportal.exchange.parsing import Row
from waterportal.lib.kana import kana_key


class CustomerImporter(Importer):
    kind = "customers"
    model = Customer
    required = ("使用者番号", "使用者名カナ")
    optional = ("使用者名", "給水場所", "口径", "検針周期", "支払方法", "状態")
    key_columns = "使用者番号"
    key = (("number", Customer._meta.get_field("number")),)
    key_cells = ("使用者番号",)
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

    def parse(self, row: Row) -> tuple | None:
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
        assert cycle is not None  # the choice has a default
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
        return self.staged(row, (number,), values)

    def target(self, tenant_id: int) -> Target:
        return Target(
            source="{s} AS s", match={"tenant_id": str(int(tenant_id)), "number": "s.number"}
        )
