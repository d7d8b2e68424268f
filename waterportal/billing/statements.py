"""Files a member downloads: the history as CSV and a bill as a statement PDF.

The PDF is laid out to serve as a qualified invoice (適格請求書): the issuer and its
registration number, the recipient, the period, the charges per tax rate, the tax per
rate and the date issued. Water and sewer charges are both at the standard rate (10%),
and the exchange files give amounts tax included, so the amount per rate is 請求金額 and
the tax per rate is 消費税額 as the billing system computed it (never recomputed here).
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.template.loader import render_to_string

from waterportal.billing import formatting
from waterportal.billing.models import Bill
from waterportal.billing.pdf import tagged_pdf
from waterportal.billing.texts import PaymentState, reading_status
from waterportal.contracts.models import Customer
from waterportal.lib.spreadsheets import spreadsheet_safe
from waterportal.tenants.models import Tenant

TAX_RATE_PERCENT = 10

# --- CSV

CSV_HEADER = [
    "調定年月",
    "検針日",
    "前回指針",
    "今回指針",
    "使用水量(m3)",
    "使用日数",
    "水道料金(円)",
    "下水道使用料(円)",
    "うち消費税額(円)",
    "請求金額(円)",
    "納期限",
    "お支払い",
    "検針状況",
    "メーター交換",
]


# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection);
# tab and carriage return can start one too after the spreadsheet trims the cell.
def _slash_date(day: dt.date | None) -> str:
    return day.strftime("%Y/%m/%d") if day else ""


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV that Excel in Japan opens as it is: UTF-8 with BOM (so that it reads
    Japanese), CRLF line ends, every cell checked (``spreadsheet_safe``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for cells in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def history_csv(rows: Iterable[tuple[Bill, PaymentState]]) -> bytes:
    """The member's history of one contract, one row per bill (``spreadsheet_csv``)."""
    return spreadsheet_csv(CSV_HEADER, (_history_cells(bill, state) for bill, state in rows))


def _history_cells(bill: Bill, state: PaymentState) -> list[object]:
    return [
        formatting.month(bill.billing_month),
        _slash_date(bill.reading_date),
        bill.previous_reading,
        bill.current_reading,
        bill.usage_m3,
        bill.days if bill.days is not None else "",
        bill.water_charge,
        bill.sewer_charge,
        bill.tax,
        bill.amount,
        _slash_date(bill.due_date),
        state.label,
        reading_status(bill.reading_status) if bill.reading_status else "",
        "あり" if bill.meter_replaced else "",
    ]


def content_disposition(kind: str, ascii_name: str, japanese_name: str) -> str:
    """An ASCII ``filename`` for old clients and the Japanese name as RFC 5987 ``filename*``."""
    assert ascii_name.isascii() and '"' not in ascii_name and "\\" not in ascii_name
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(japanese_name, safe='')}"


def last_digits(customer: Customer) -> str:
    return "".join(c for c in customer.number[-4:] if c.isdigit())


# --- PDF

# The page's margins in millimetres: a home printer prints from about 5 mm of the edge,
# so nothing comes nearer than 12 mm on any side.
PAGE_MARGINS_MM = {"top": 16, "right": 18, "bottom": 16, "left": 18}


def issuer_name(tenant: Tenant) -> str:
    return tenant.business_name or tenant.name


def statement_pdf(
    bill: Bill, customer: Customer, tenant, state: PaymentState, issued: dt.date
) -> bytes:
    """The statement of ``bill``: a one-page A4 tagged PDF (PDF/UA-1) in Japanese with
    its font embedded. It is the member's own paper, so the 使用者番号 is printed in full,
    as on the meter-reading slip (pages others may glimpse show it masked)."""
    registration = tenant.invoice_registration_number
    title = "請求書（適格請求書）" if registration else "請求書"
    month = formatting.month(bill.billing_month)
    # A town without sewers charges none: no line of 0 円 (a charge that is there is shown).
    with_sewer = tenant.has_sewer or bool(bill.sewer_charge)
    period = [
        ("調定年月", f"{month}分"),
        ("検針日", formatting.date(bill.reading_date)),
        ("前回指針", f"{bill.previous_reading:,}"),
        ("今回指針", f"{bill.current_reading:,}"),
        ("使用水量", formatting.m3(bill.usage_m3)),
    ]
    if bill.days:
        period.append(("使用日数", f"{bill.days}日"))
    if bill.meter_replaced:
        period.append(("メーター交換", "あり（指針の差と使用水量は一致しません）"))
    charges = [("水道料金", formatting.yen(bill.water_charge), False)]
    if bill.basic_charge is not None:
        charges.append(("うち基本料金", formatting.yen(bill.basic_charge), True))
    if bill.volume_charge is not None:
        charges.append(("うち従量料金", formatting.yen(bill.volume_charge), True))
    if with_sewer:
        charges.append(("下水道使用料", formatting.yen(bill.sewer_charge), False))
    charges.append(("合計", formatting.yen(bill.amount), False))
    html = render_to_string(
        "billing/statement.html",
        {
            "document_title": f"{title} {month}分",
            "title": title,
            "margins": PAGE_MARGINS_MM,
            "issued": formatting.date(issued),
            "recipient": customer.name or customer.name_kana,
            "customer_number": customer.printed_number,
            "address": customer.address,
            "issuer": issuer_name(tenant),
            "registration": registration,
            "contact_lines": tenant.contact_lines,
            "amount": formatting.yen(bill.amount),
            "tax": formatting.yen(bill.tax),
            "tax_rate": TAX_RATE_PERCENT,
            "due": formatting.date(bill.due_date),
            "payment": state.label,
            "charged": "水道料金・下水道使用料" if with_sewer else "水道料金",
            "period": period,
            "charges": charges,
        },
    )
    return tagged_pdf(html)
