"""payments — 収納 (key: 使用者番号 + 調定年月)."""

from waterportal.billing.models import Bill, Payment
from waterportal.contracts.models import Customer
from waterportal.exchange.importers.base import Check, Importer, Target
from waterportal.exchange.importers.bills import CUSTOMERS, customer_of, unknown_customer
from waterportal.exchange.parsing import Row

METHODS = ["口座振替", "窓口", "コンビニ", "スマホ決済"]
NO_BILL = "この使用者番号・調定年月の請求がありません（先に検針・料金を取り込んでください）。"
BILLS = Bill._meta.db_table


def bill_of(tenant_id: int) -> str:
    """SQL: the customer ``c`` and bill ``b`` of the staged row ``s``."""
    return (
        customer_of(tenant_id)
        + f" JOIN {BILLS} AS b ON b.customer_id = c.id AND b.billing_month = s.billing_month"
    )


class PaymentImporter(Importer):
    kind = "payments"
    model = Payment
    required = ("使用者番号", "調定年月", "収納方法", "結果")
    optional = ("収納日", "収納金額")
    key_columns = "使用者番号・調定年月"
    key = (
        ("number", Customer._meta.get_field("number")),
        ("billing_month", Bill._meta.get_field("billing_month")),
    )
    key_cells = ("使用者番号", "調定年月")
    fields = ("paid_on", "amount", "method", "result")

    def parse(self, row: Row) -> tuple | None:
        number = row.customer_number()
        month = row.month("調定年月", required=True)
        paid_on = row.date("収納日")
        amount = row.integer("収納金額")
        method = row.choice("収納方法", METHODS)
        result = row.choice("結果", Payment.Result.values)
        if not row.ok:
            return None
        values = (paid_on, amount, method, result)
        return self.staged(row, (number, month), values)

    def checks(self, tenant_id: int) -> list[Check]:
        known = f"EXISTS (SELECT 1 FROM {CUSTOMERS} AS c WHERE c.tenant_id = {int(tenant_id)} AND c.number = s.number)"  # noqa: S608
        billed = f"EXISTS (SELECT 1 FROM {CUSTOMERS} AS c JOIN {BILLS} AS b ON b.customer_id = c.id WHERE c.tenant_id = {int(tenant_id)} AND c.number = s.number AND b.billing_month = s.billing_month)"  # noqa: S608
        return [
            unknown_customer(tenant_id),
            Check(f"{known} AND NOT {billed}", "調定年月", "調定年月", NO_BILL),
        ]

    def target(self, tenant_id: int) -> Target:
        return Target(
            source="{s} AS s JOIN " + bill_of(tenant_id),
            match={"bill_id": "b.id"},
            constants={"tenant_id": tenant_id},
        )
