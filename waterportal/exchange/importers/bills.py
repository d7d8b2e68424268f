"""bills — 検針・料金 (key: 使用者番号 + 調定年月)."""

from waterportal.billing.models import Bill
from waterportal.contracts.models import Customer
from waterportal.exchange.importers.base import Check, Importer, Target
from waterportal.exchange.parsing import (
    Row,
    known_date,
    known_month,
    plain_customer_number,
    plain_integers,
)

UNKNOWN_CUSTOMER = (
    "この自治体の使用者台帳にない使用者番号です（先に使用者台帳を取り込んでください）。"
)
CUSTOMERS = Customer._meta.db_table


def customer_of(tenant_id: int) -> str:
    """SQL: the customer ``c`` of this tenant with the staged row ``s``'s number."""
    return f"{CUSTOMERS} AS c ON c.tenant_id = {int(tenant_id)} AND c.number = s.number"


def unknown_customer(tenant_id: int) -> Check:
    where = (
        f"NOT EXISTS (SELECT 1 FROM {CUSTOMERS} AS c "  # noqa: S608 - no input in it
        f"WHERE c.tenant_id = {int(tenant_id)} AND c.number = s.number)"
    )
    return Check(where, "使用者番号", "使用者番号", UNKNOWN_CUSTOMER)


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
    key = (
        ("number", Customer._meta.get_field("number")),
        ("billing_month", Bill._meta.get_field("billing_month")),
    )
    key_cells = ("使用者番号", "調定年月")
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

    # The columns as ``_parse_plain`` reads them.
    PLAIN_COLUMNS = (
        ("使用者番号", "調定年月", "検針日", "納期限", "メーター交換", "検針状況")
        + ("前回指針", "今回指針", "使用水量", "水道料金", "消費税額", "請求金額")
        + ("使用日数", "下水道使用料", "基本料金", "従量料金")
    )
    METER_REPLACED = {"": False, "0": False, "1": True}

    def parse(self, row: Row) -> tuple | None:
        # The rows nearly every file is made of are read in one go, which takes 0.5 s
        # less per 1,000,000 rows than reading them cell by cell; any other row, and any
        # row with a problem, is read by the rules, which give the same result for a
        # plain row (exchange/tests/test_parse_plain_rows.py).
        staged = self._parse_plain(row)
        return staged if staged is not None else self._parse(row)

    def _parse_plain(self, row: Row) -> tuple | None:
        """The staged row if every cell is written plainly (ASCII digits, spellings of
        dates and months already read) and the row has no problem; else None."""
        cells = row.cells(self.PLAIN_COLUMNS)
        number = plain_customer_number(cells[0])
        month = known_month(cells[1])
        reading_date = known_date(cells[2])
        due_date = known_date(cells[3])
        replaced = self.METER_REPLACED.get(cells[4])
        status = cells[5].strip()
        required = plain_integers(cells[6:12], required=True)
        optional = plain_integers(cells[12:], required=False)
        if (
            number is None
            or month is None
            or reading_date is None
            or due_date is None
            or replaced is None
            or len(status) > 20
            or required is None
            or optional is None
        ):
            return None
        previous, current, usage, water, tax, amount = required
        days, sewer, basic, volume = optional
        sewer = sewer or 0
        assert previous is not None and current is not None and water is not None
        if (not replaced and usage != current - previous) or amount != water + sewer:
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
        return self.staged(row, (number, month), values, (cells[0].strip(), cells[1].strip()))

    def _parse(self, row: Row) -> tuple | None:
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
        # Required cells are never None once the row is ok.
        assert previous is not None and current is not None and water is not None
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
        return self.staged(row, (number, month), values)

    def checks(self, tenant_id: int) -> list[Check]:
        return [unknown_customer(tenant_id)]

    def target(self, tenant_id: int) -> Target:
        return Target(
            source="{s} AS s JOIN " + customer_of(tenant_id),
            match={"customer_id": "c.id", "billing_month": "s.billing_month"},
            constants={"tenant_id": tenant_id},
        )
