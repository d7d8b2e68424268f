"""bills — 検針・料金 (key: 使用者番号 + 調定年月)."""

import re
from collections.abc import Callable

from waterportal.billing.models import Bill
from waterportal.contracts.models import Customer
from waterportal.exchange.importers.base import Check, Importer, Target
from waterportal.exchange.parsing import (
    PlainLineReader,
    Row,
    known_date,
    known_month,
    plain_customer_number,
    plain_integers,
)

# How ``plain_lines`` finds each cell of a plain line: no quotes, no spaces around a
# value, ASCII digits; a 検針状況 of at most 20 characters with none a text COPY would
# have to escape. Anything else is read by the rules.
_PLAIN_CELLS = {
    "使用者番号": "([0-9-]+)",
    "調定年月": "([0-9/-]+)",
    "検針日": "([0-9/-]+)",
    "納期限": "([0-9/-]+)",
    "メーター交換": "([01]?)",
    "検針状況": r'((?:[^\s,"\\\x00](?:[^\t\r\n,"\\\x00]{0,18}[^\s,"\\\x00])?)?)',
}
_PLAIN_REQUIRED = "([0-9]{1,9})"
_PLAIN_OPTIONAL = "([0-9]{0,9})"
_PLAIN_OTHER = '[^,"\r\n]*'  # a column the importer does not read
_NULL = "\\N"

UNKNOWN_CUSTOMER = (
    "この自治体の使用者台帳にない使用者番号です（先に使用者台帳を取り込んでください）。"
)
CUSTOMERS = Customer._meta.db_table
BILLS = Bill._meta.db_table


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

    def plain_lines(self, index: dict[str, int], width: int) -> PlainLineReader:
        """For a file whose header puts the known columns at ``index``, of ``width``
        columns: the reader of its plain lines (see ``parsing.PlainLines``).

        One regular expression checks a line's shape and cuts its cells, which go to the
        staging table as they are written (PostgreSQL converts them, on its own core);
        only the dates and the month are looked up (known spellings, already checked by
        the rules) and the two sums computed. A line that does not match, or fails a
        check, is read by the rules, which give the same row
        (exchange/tests/test_parse_plain_rows.py)."""
        position = {i: name for name, i in index.items()}
        cells = []
        for i in range(width):
            name = position.get(i)
            if name is None:
                cells.append(_PLAIN_OTHER)
            else:
                required = name in self.required
                pattern = _PLAIN_REQUIRED if required else _PLAIN_OPTIONAL
                cells.append(_PLAIN_CELLS.get(name, pattern))
        absent = [name for name in self.PLAIN_COLUMNS if name not in index]
        # An absent (optional) column is an empty group at the end: read as "".
        pattern = ",".join(cells) + "(?:\r\n|\r|\n)?" + "()" * len(absent)
        groups = sorted(index, key=index.__getitem__) + absent
        order = [groups.index(name) + 1 for name in self.PLAIN_COLUMNS]
        match = re.compile(pattern).fullmatch
        months: dict[str, str] = {}
        dates: dict[str, str] = {}
        # Whether the keys so far ascend by (month, number) or by (number, month), the
        # orders billing systems write: then no two are the same, and the staging table
        # need not be searched for duplicates.
        staged = 0
        by_month = by_number = True
        last_month = last_digits = ""

        def date_text(cell: str, texts: dict[str, str], known: Callable) -> str | None:
            value = known(cell)
            if value is None:
                return None
            texts[cell] = text = value.isoformat()
            return text

        def seen(digits: str, month_text: str) -> None:
            # Keys in ascending order (by month then number, or by number then month)
            # cannot repeat, so the duplicate search can be skipped.
            nonlocal staged, by_month, by_number, last_month, last_digits
            staged += 1
            if by_month and not (
                month_text > last_month or (month_text == last_month and digits > last_digits)
            ):
                by_month = False
            if by_number and not (
                digits > last_digits or (digits == last_digits and month_text > last_month)
            ):
                by_number = False
            last_month, last_digits = month_text, digits

        def read(line: str, number: int) -> str | None:
            found = match(line)
            if found is None:
                return None
            (
                written,
                month,
                reading_date,
                due_date,
                replaced,
                status,
                previous,
                current,
                usage,
                water,
                tax,
                amount,
                days,
                sewer,
                basic,
                volume,
            ) = found.group(*order)
            digits = written.replace("-", "")
            if not digits or len(digits) > 30:
                return None
            month_text = months.get(month) or date_text(month, months, known_month)
            reading_text = dates.get(reading_date) or date_text(reading_date, dates, known_date)
            due_text = dates.get(due_date) or date_text(due_date, dates, known_date)
            if month_text is None or reading_text is None or due_text is None:
                return None
            if replaced != "1" and int(usage) != int(current) - int(previous):
                return None
            if int(amount) != int(water) + (int(sewer) if sewer else 0):
                return None
            seen(digits, month_text)
            return (
                "\t".join(
                    (
                        str(number),
                        digits,
                        month_text,
                        written,
                        month,
                        reading_text,
                        previous,
                        current,
                        usage,
                        days or _NULL,
                        water,
                        sewer or "0",
                        tax,
                        amount,
                        due_text,
                        "t" if replaced == "1" else "f",
                        status,
                        basic or _NULL,
                        volume or _NULL,
                    )
                )
                + "\n"
            )

        def also(row: tuple) -> None:
            # A row staged by the rules: its key is in the same sequence.
            seen(row[1], row[2].isoformat())

        def distinct() -> int:
            return staged if by_month or by_number else 0

        return PlainLineReader(read, also, distinct)

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
            # A new month, as nearly every bills file is: the town has no bill of any
            # of the file's months (its few months, each looked up on the (tenant,
            # month) index), so no staged row has its bill yet.
            fresh=(
                "NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT billing_month FROM {s}) AS m "  # noqa: S608 - no input in it
                f"WHERE EXISTS (SELECT 1 FROM {BILLS} AS t WHERE t.tenant_id = {int(tenant_id)} "
                "AND t.billing_month = m.billing_month))"
            ),
        )
