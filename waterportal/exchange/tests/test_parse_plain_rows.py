"""The bills importer reads plain rows in one go (``BillImporter._parse_plain``), and on
PostgreSQL plain lines without the csv module (``BillImporter.plain_lines``); every row
must come out exactly as the exchange-v1 rules read it (``_parse``): the same staged
values, the same problems, at the same lines."""

import io

import pytest

from waterportal.exchange.importers import IMPORTERS
from waterportal.exchange.importers.bills import BillImporter
from waterportal.exchange.importers.staging import text_line
from waterportal.exchange.parsing import Report, Row, read_rows

COLUMNS = (
    "使用者番号,調定年月,検針日,前回指針,今回指針,使用水量,使用日数,水道料金,下水道使用料,"
    "消費税額,請求金額,納期限,メーター交換,検針状況,基本料金,従量料金"
).split(",")
PLAIN_CELLS = "1001-0001,2026-04,2026-04-10,100,120,20,61,3300,2200,500,5500,2026-04-30,,,1100,2200"
PLAIN = dict(zip(COLUMNS, PLAIN_CELLS.split(","), strict=True))
# Each variant changes one or a few cells of the plain row.
VARIANTS = [
    {},
    {"使用者番号": "10010001"},
    {"使用者番号": "１００１－０００１"},
    {"使用者番号": " 1001-0001 "},
    {"使用者番号": "1001 0001"},
    {"使用者番号": "1001-000A"},
    {"使用者番号": ""},
    {"使用者番号": "1" * 30},
    {"使用者番号": "1" * 31},
    {"調定年月": "2026/04"},
    {"調定年月": "202604"},
    {"調定年月": "2026-4"},
    {"調定年月": "２０２６－０４"},
    {"調定年月": "2026-13"},
    {"調定年月": " 2026-04"},
    {"調定年月": ""},
    {"検針日": "2026/4/10"},
    {"検針日": "2026-02-30"},
    {"検針日": ""},
    {"納期限": "２０２６－０４－３０"},
    {"納期限": "30/04/2026"},
    {"前回指針": " 100", "今回指針": "120 "},
    {"前回指針": "１００"},
    {"前回指針": '"1,00"', "使用水量": "1020"},
    {"前回指針": "-5", "使用水量": "125"},
    {"前回指針": "0", "使用水量": "120"},
    {"前回指針": "007", "使用水量": "113"},
    {"前回指針": "1.5"},
    {"前回指針": ""},
    {"今回指針": "999999999", "使用水量": "999999899"},
    {"今回指針": "1000000100", "使用水量": "1000000000"},
    {"今回指針": "2147483648", "使用水量": "2147483548"},
    {"使用日数": ""},
    {"使用日数": " "},
    {"使用日数": "６１"},
    {"下水道使用料": "", "請求金額": "3300"},
    {"下水道使用料": "", "請求金額": "5500"},
    {"基本料金": "", "従量料金": ""},
    {"基本料金": "x"},
    {"消費税額": ""},
    {"メーター交換": "0"},
    {"メーター交換": "1"},
    {"メーター交換": "1", "使用水量": "5"},
    {"メーター交換": " 1"},
    {"メーター交換": "１"},
    {"メーター交換": "2"},
    {"検針状況": "認定"},
    {"検針状況": " 認定 "},
    {"検針状況": "あ" * 20},
    {"検針状況": "あ" * 21},
    {"使用水量": "21"},
    {"請求金額": "5501"},
    {"使用水量": "21", "請求金額": "5501"},
    # What a plain line must not let through as it is.
    {"使用者番号": "--"},
    {"使用者番号": "1001-0001-"},
    {"使用者番号": '"1001-0001"'},
    {"前回指針": "0000000100"},
    {"使用日数": "000"},
    {"検針状況": "認\t定"},
    {"検針状況": "認\\定"},
    {"検針状況": "\x1c認定"},
    {"検針状況": "認\x1c定"},
    {"検針状況": "認\u3000定"},
    {"検針状況": "\u3000認定"},
    {"検針状況": '"認定"'},
    {"検針状況": '"認,定"'},
]


def one_row(header: list[str], variant: dict) -> tuple[Row, Report]:
    """The plain row changed by ``variant``, in a file with the columns ``header``."""
    line = ",".join((PLAIN | variant)[column] for column in header)
    text = io.StringIO(",".join(header) + "\n" + line + "\n", newline="")
    report = Report(1000)
    importer = IMPORTERS["bills"]
    (row,) = read_rows(text, required=importer.required, optional=importer.optional, report=report)
    assert isinstance(row, Row)
    return row, report


def bills_importer() -> BillImporter:
    importer = IMPORTERS["bills"]
    assert isinstance(importer, BillImporter)
    return importer


def read_by_the_rules(header, variant):
    row, report = one_row(header, variant)
    return bills_importer()._parse(row), report.as_json()


def read(header, variant):
    row, report = one_row(header, variant)
    return IMPORTERS["bills"].parse(row), report.as_json()


# All sixteen columns, the same in another order, and the required ones only.
HEADERS = {"all": COLUMNS, "reversed": COLUMNS[::-1], "required": COLUMNS[:6] + COLUMNS[7:12]}
CASES = [
    pytest.param(header, variant, id=f"{name}-{i}")
    for name, header in HEADERS.items()
    for i, variant in enumerate(VARIANTS)
    if set(variant) <= set(header)
]


@pytest.mark.parametrize(("header", "variant"), CASES)
def test_a_row_is_read_as_the_rules_read_it(header, variant):
    expected = read_by_the_rules(header, variant)  # also makes its dates and month known

    assert read(header, variant) == expected


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_a_plain_row_is_read_in_one_go(header):
    read_by_the_rules(header, {})  # its dates and month are known from then on
    row, _ = one_row(header, {})

    assert bills_importer()._parse_plain(row) is not None


def as_read(line: str | None) -> list | None:
    """A text COPY line as the staging table holds it: integer cells as numbers (a plain
    line sends them as written, "007")."""
    if line is None:
        return None
    types = [sql_type for _, sql_type in bills_importer().staging_columns()]
    cells = line.removesuffix("\n").split("\t")
    return [
        int(cell) if sql_type == "integer" and cell != "\\N" else cell
        for cell, sql_type in zip(cells, types, strict=True)
    ]


def read_as_lines(header, variant, ending="\n"):
    """What the bills import stages on PostgreSQL for the row: the text COPY's line
    (None: not staged), and the problems."""
    line = ",".join((PLAIN | variant)[column] for column in header)
    text = io.StringIO(",".join(header) + ending + line + ending, newline="")
    report = Report(1000)
    importer = bills_importer()
    staged = None
    for item in read_rows(
        text,
        required=importer.required,
        optional=importer.optional,
        report=report,
        plain=importer.plain_lines,
    ):
        if isinstance(item, str):
            staged = item
        else:
            parsed = importer.parse(item)
            staged = None if parsed is None else text_line(parsed)
    return as_read(staged), report.as_json()


@pytest.mark.parametrize(("header", "variant"), CASES)
def test_a_line_is_staged_as_the_rules_read_it(header, variant):
    staged, problems = read_by_the_rules(header, variant)
    expected = None if staged is None else as_read(text_line(staged))

    assert read_as_lines(header, variant) == (expected, problems)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_a_plain_line_is_staged_without_a_row(header, ending):
    read_by_the_rules(header, {})
    line = ",".join(PLAIN[column] for column in header)
    text = io.StringIO(",".join(header) + ending + line + ending, newline="")
    importer = bills_importer()
    rows = read_rows(
        text,
        required=importer.required,
        optional=importer.optional,
        report=Report(10),
        plain=importer.plain_lines,
    )

    (item,) = rows
    assert isinstance(item, str)
    assert item.startswith("2\t10010001\t2026-04-01\t1001-0001\t2026-04\t2026-04-10\t")


def test_plain_lines_keep_the_line_numbers_and_problems_of_the_rules():
    """Plain lines among lines the csv module must read (a quoted cell over two lines, a
    blank line, a wrong cell, a short row, a column the import does not read)."""
    header = [*COLUMNS, "備考"]
    plain = ",".join(PLAIN[column] for column in COLUMNS)
    lines = [
        ",".join(header),
        plain + ",",
        plain.replace("1001-0001", "1001-0002") + ',"二行\nの備考"',
        "",
        plain.replace("1001-0001", "1001-0003").replace(",20,", ",21,") + ",x",
        "1001-0004,2026-04",
        plain.replace("1001-0001", "1001-0005") + ",備考",
        plain.replace("1001-0001", "１００１－０００６") + ",",
        plain.replace("1001-0001", "1001-0007").replace(",,,", ",,認\x00定,") + ",",
    ]
    importer = bills_importer()
    read_by_the_rules(COLUMNS, {})

    def staged(plain_lines):
        report = Report(1000)
        text = io.StringIO("\r\n".join(lines) + "\r\n", newline="")
        out = []
        for item in read_rows(
            text,
            required=importer.required,
            optional=importer.optional,
            report=report,
            plain=plain_lines,
        ):
            if isinstance(item, str):
                out.append(item)
            elif (parsed := importer.parse(item)) is not None:
                out.append(text_line(parsed))
        return out, report.as_json()

    by_lines, by_rules = staged(importer.plain_lines), staged(None)

    assert by_lines == by_rules
    assert [line.split("\t")[0] for line in by_lines[0]] == ["2", "3", "8", "9"]
    assert [problem["line"] for problem in by_lines[1]] == [6, 7, 10]


@pytest.mark.parametrize(
    ("keys", "distinct"),
    [
        ([("1001-0001", "2026-04"), ("1001-0002", "2026-04"), ("1001-0001", "2026-05")], True),
        ([("1001-0001", "2026-04"), ("1001-0001", "2026-05"), ("1001-0002", "2026-04")], True),
        ([("1001-0001", "2026-04"), ("1001-0002", "2026-04"), ("1001-0001", "2026-04")], False),
        ([("1001-0001", "2026-04"), ("1001-0001", "2026-05"), ("1001-0001", "2026-04")], False),
        ([("1001-0002", "2026-04"), ("1001-0001", "2026-04")], False),
        ([("1001-0001", "2026-04"), ("10010001", "2026-04")], False),
    ],
)
def test_plain_lines_tell_their_keys_all_differ_only_when_they_ascend(keys, distinct):
    """The import skips the search for duplicate keys only on this answer."""
    for month in ("2026-04", "2026-05"):
        read_by_the_rules(COLUMNS, {"調定年月": month})
    reader = bills_importer().plain_lines({column: i for i, column in enumerate(COLUMNS)}, 16)
    for line, (number, month) in enumerate(keys, start=2):
        cells = PLAIN | {"使用者番号": number, "調定年月": month}
        assert reader.read(",".join(cells[column] for column in COLUMNS) + "\r\n", line)

    assert reader.distinct() == (len(keys) if distinct else 0)


@pytest.mark.parametrize(
    ("keys", "distinct"),
    [
        (
            [("1001-0001", "2026-04"), ("１００１－０００２", "2026-04"), ("1001-0003", "2026-04")],
            True,
        ),
        (
            [("1001-0001", "2026-04"), ("１００１－０００１", "2026-04"), ("1001-0003", "2026-04")],
            False,
        ),
        ([("１００１－０００２", "2026-04"), ("1001-0001", "2026-04")], False),
    ],
)
def test_rows_read_by_the_rules_count_in_the_order_of_the_keys(keys, distinct):
    read_by_the_rules(COLUMNS, {})
    importer = bills_importer()
    reader = importer.plain_lines({column: i for i, column in enumerate(COLUMNS)}, 16)
    for line, (number, month) in enumerate(keys, start=2):
        cells = PLAIN | {"使用者番号": number, "調定年月": month}
        text = ",".join(cells[column] for column in COLUMNS) + "\r\n"
        if reader.read(text, line) is None:
            row, _ = one_row(COLUMNS, {"使用者番号": number, "調定年月": month})
            staged = importer.parse(row)
            assert staged is not None
            reader.also(staged)

    assert reader.distinct() == (len(keys) if distinct else 0)
