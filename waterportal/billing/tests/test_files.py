"""The history CSV and the statement PDF."""

import csv
import datetime as dt
import io

import pytest

from waterportal.lib.spreadsheets import spreadsheet_safe
from waterportal.testing import embedded_fonts, make_bill, make_payment, pdf_text_and_ink

# --- CSV


def test_the_csv_is_utf8_with_bom_japanese_headers_and_crlf(signed_in, link, customer):
    make_bill(customer, "2026-08", usage=21, water=2750, sewer=1850)
    bill = make_bill(customer, "2026-10", usage=18, previous=101, days=60, water=2530, sewer=1650)
    make_payment(bill, paid_on=dt.date(2026, 11, 30))
    response = signed_in.get(f"/contracts/{link.pk}/history.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == 3 and body.replace(b"\r\n", b"").count(b"\n") == 0
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:5] == ["調定年月", "検針日", "前回指針", "今回指針", "使用水量(m3)"]
    assert rows[1] == [
        "2026年10月", "2026/10/10", "101", "119", "18", "60", "2530", "1650", "380", "4180",
        "2026/11/30", "口座振替済", "", "",
    ]  # fmt: skip
    assert rows[2][0] == "2026年8月" and rows[2][9] == "4600"


def test_cells_that_would_run_as_formulas_are_escaped(signed_in, link, customer):
    make_bill(customer, "2026-10", reading_status="=HYPERLINK(1)", water=-300, sewer=-200)
    rows = list(
        csv.reader(
            io.StringIO(
                signed_in.get(f"/contracts/{link.pk}/history.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][12] == "'=HYPERLINK(1)"
    assert rows[1][6] == "'-300" and rows[1][9] == "'-500"


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+81", "-5", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＠SUM(A1)", " =1", "　－5"],
)
def test_spreadsheet_safe_prefixes_formula_starts(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["2026年10月", "0120-000-111", "18", "", None])
def test_spreadsheet_safe_leaves_other_cells(value):
    assert spreadsheet_safe(value) == ("" if value is None else value)


def test_the_csv_filename_is_ascii_with_a_japanese_alternative(signed_in, link, customer):
    make_bill(customer, "2026-10")
    disposition = signed_in.get(f"/contracts/{link.pk}/history.csv")["Content-Disposition"]
    assert disposition == (
        'attachment; filename="water-history-0001.csv"; '
        "filename*=UTF-8''%E6%B0%B4%E9%81%93%E4%BD%BF%E7%94%A8%E5%B1%A5%E6%AD%B4_0001.csv"
    )


# --- PDF


def test_the_statement_is_a_qualified_invoice_with_japanese_text(
    signed_in, link, customer, registered
):
    make_bill(
        customer, "2026-10", usage=18, previous=101, days=60, water=2530, sewer=1650,
        basic_charge=1650, volume_charge=880,
    )  # fmt: skip
    response = signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'inline; filename="statement-2026-10-0001.pdf"; '
    )
    text, ink = pdf_text_and_ink(response.content)
    assert ink > 0.01, "the rendered page is (nearly) blank"
    flat = " ".join(text.split())
    for expected in [
        "請求書（適格請求書）",
        "発行日 2026年11月2日",
        # The six items of a qualified invoice: the recipient, the issuer and its
        # registration number, the dates, what was charged, and per tax rate the amount
        # with its rate and the tax.
        "水道 太郎 様",
        "発行者 おうむ町水道事業",
        "登録番号 T1234567890123",
        "調定年月 2026年10月分",
        "検針日 2026年10月10日",
        "使用日数 60日",
        "水道料金 2,530円",
        "うち基本料金 1,650円",
        "うち従量料金 880円",
        "下水道使用料 1,650円",
        "10%対象 4,180円 380円",
        "前回指針 101",
        "今回指針 119",
        "使用水量 18 m³",
        "納期限 2026年11月30日",
    ]:
        assert expected in flat, expected


def test_the_statement_shows_its_owner_the_whole_customer_number(signed_in, link, customer):
    """The member's own paper: the number as on the slip. The pages keep it masked."""
    make_bill(customer, "2026-10")
    text, _ = pdf_text_and_ink(signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content)
    assert "使用者番号 1010-0001" in text and "••••" not in text
    page = signed_in.get(f"/contracts/{link.pk}/bills/2026-10").content.decode()
    assert "••••0001" in page and "1010-0001" not in page and "10100001" not in page


def test_the_statement_embeds_its_font_with_the_map_back_to_text(
    signed_in, link, customer, registered
):
    make_bill(customer, "2026-10")
    content = signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content
    fonts = embedded_fonts(content)
    assert fonts, "no font in the PDF"
    for name, (program, to_unicode) in fonts.items():
        assert "IPAexGothic" in name and program == "FontFile2", name  # TrueType, embedded
        assert to_unicode, f"{name} has no ToUnicode map: copied text would be garbage"


def test_without_a_registration_number_it_does_not_claim_to_be_a_qualified_invoice(
    signed_in, link, customer
):
    make_bill(customer, "2026-10")
    text, _ = pdf_text_and_ink(signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content)
    assert "適格請求書）" not in text and "発行者 おうむ町" in text
    assert "登録番号 未登録" in text


def test_the_recipient_is_the_kana_name_when_no_name_is_kept(signed_in, link, customer, registered):
    customer.name = ""
    customer.save(update_fields=["name"])
    make_bill(customer, "2026-10")
    text, _ = pdf_text_and_ink(signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content)
    assert "スイドウ タロウ 様" in text


def test_text_from_the_billing_system_is_printed_as_written(signed_in, link, customer):
    customer.address = "本町1-2 <b>コーポ&amp;</b>"
    customer.save(update_fields=["address"])
    make_bill(customer, "2026-10")
    text, _ = pdf_text_and_ink(signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content)
    assert "給水場所 本町1-2 <b>コーポ&amp;</b>" in " ".join(text.split())
