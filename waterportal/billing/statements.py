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

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from waterportal.billing import formatting
from waterportal.billing.fonts import japanese_font
from waterportal.billing.models import Bill
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


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4
        ),
        "big": ParagraphStyle("big", parent=base, fontSize=14, leading=20),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
    }


def _table(rows: list[list], widths: list[float], font: str, *, header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), font, 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3f8")),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ]
    table.setStyle(TableStyle(style))
    return table


def issuer_name(tenant: Tenant) -> str:
    return tenant.business_name or tenant.name


def statement_pdf(
    bill: Bill, customer: Customer, tenant, state: PaymentState, issued: dt.date
) -> bytes:
    """The statement of ``bill`` as a one-page A4 PDF with the Japanese font embedded."""
    font = japanese_font()
    s = _styles(font)
    registration = tenant.invoice_registration_number
    title = "請求書（適格請求書）" if registration else "請求書"
    recipient = customer.name or customer.name_kana
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {formatting.month(bill.billing_month)}分",
        author=issuer_name(tenant),
        subject="水道料金・下水道使用料",
    )
    wide = doc.width
    story: list = [
        Paragraph(f"発行日 {formatting.date(issued)}", s["right"]),
        Paragraph(title, s["title"]),
        Paragraph(f"{_esc(recipient)} 様", s["big"]),
        Paragraph(f"使用者番号 {customer.masked_number}", s["base"]),
    ]
    if customer.address:
        story.append(Paragraph(f"給水場所 {_esc(customer.address)}", s["base"]))
    story += [Spacer(1, 4 * mm), Paragraph(f"発行者 {_esc(issuer_name(tenant))}", s["base"])]
    story.append(
        Paragraph(f"登録番号 {registration}", s["base"])
        if registration
        else Paragraph("登録番号 未登録（この書類は適格請求書ではありません）", s["base"])
    )
    for line in tenant.contact_lines:
        story.append(Paragraph(_esc(line), s["small"]))

    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"ご請求金額 {formatting.yen(bill.amount)}（税込）", s["big"]),
        Paragraph(
            f"納期限 {formatting.date(bill.due_date)}　お支払い {_esc(state.label)}", s["base"]
        ),
        Paragraph("ご使用の期間", s["heading"]),
    ]
    period = [
        ["調定年月", f"{formatting.month(bill.billing_month)}分"],
        ["検針日", formatting.date(bill.reading_date)],
        ["前回指針", f"{bill.previous_reading:,}"],
        ["今回指針", f"{bill.current_reading:,}"],
        ["使用水量", formatting.m3(bill.usage_m3)],
    ]
    if bill.days:
        period.append(["使用日数", f"{bill.days}日"])
    if bill.meter_replaced:
        period.append(["メーター交換", "あり（指針の差と使用水量は一致しません）"])
    story.append(_table(period, [wide * 0.35, wide * 0.45], font))

    story.append(Paragraph("ご請求の内訳（税込）", s["heading"]))
    charges = [["水道料金", formatting.yen(bill.water_charge)]]
    if bill.basic_charge is not None:
        charges.append(["　うち基本料金", formatting.yen(bill.basic_charge)])
    if bill.volume_charge is not None:
        charges.append(["　うち従量料金", formatting.yen(bill.volume_charge)])
    # A town without sewers charges none: no line of 0 円 (a charge that is there is shown).
    with_sewer = tenant.has_sewer or bool(bill.sewer_charge)
    if with_sewer:
        charges.append(["下水道使用料", formatting.yen(bill.sewer_charge)])
    charges.append(["合計", formatting.yen(bill.amount)])
    story.append(_table(charges, [wide * 0.35, wide * 0.45], font))

    charged = "水道料金・下水道使用料" if with_sewer else "水道料金"
    story.append(Paragraph("税率ごとの内訳", s["heading"]))
    story.append(
        _table(
            [
                ["税率", "対象金額（税込）", "うち消費税額"],
                [f"{TAX_RATE_PERCENT}%対象", formatting.yen(bill.amount), formatting.yen(bill.tax)],
            ],
            [wide * 0.25, wide * 0.35, wide * 0.3],
            font,
            header=True,
        )
    )
    story += [
        Spacer(1, 3 * mm),
        Paragraph(
            f"{charged}はすべて標準税率（10%）の対象です。軽減税率（8%）の対象はありません。",
            s["small"],
        ),
        Paragraph(
            "この書類は水道ポータルで発行したものです。料金システムの記録と異なる場合は、料金システムの記録が優先します。",
            s["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    """reportlab's Paragraph reads a small markup language: escape what comes from data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
