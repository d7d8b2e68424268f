"""The bills importer reads plain rows in one go (``BillImporter._parse_plain``); every
row must come out exactly as the exchange-v1 rules read it (``_parse``): the same staged
values, the same problems."""

import io

import pytest

from waterportal.exchange.importers import IMPORTERS
from waterportal.exchange.importers.bills import BillImporter
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
]


def one_row(header: list[str], variant: dict) -> tuple[Row, Report]:
    """The plain row changed by ``variant``, in a file with the columns ``header``."""
    line = ",".join((PLAIN | variant)[column] for column in header)
    text = io.StringIO(",".join(header) + "\n" + line + "\n", newline="")
    report = Report(1000)
    importer = IMPORTERS["bills"]
    (row,) = read_rows(text, required=importer.required, optional=importer.optional, report=report)
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
