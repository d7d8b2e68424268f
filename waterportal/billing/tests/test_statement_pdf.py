"""The statement PDF as a screen reader and a printer take it: a tagged PDF (PDF/UA-1)
in Japanese, read in the order it is seen, on A4 within margins a home printer prints."""

import io

import pikepdf
import pytest

from waterportal.billing.statements import PAGE_MARGINS_MM
from waterportal.testing import MM, make_bill, page_texts, tagged_elements, untagged_marks

A4_POINTS = (210 * MM, 297 * MM)


@pytest.fixture
def statement(signed_in, link, customer, registered) -> bytes:
    make_bill(
        customer, "2026-10", usage=18, previous=101, days=60, water=2530, sewer=1650,
        basic_charge=1650, volume_charge=880,
    )  # fmt: skip
    return signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content


def test_it_is_a_tagged_pdf_ua_1_document_in_japanese_with_its_title(statement):
    pdf = pikepdf.open(io.BytesIO(statement))
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "ja"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    metadata = pdf.open_metadata()
    assert metadata["pdfuaid:part"] == "1"
    assert metadata["dc:title"] == "請求書（適格請求書） 2026年10月分"


def test_its_headings_are_tagged_in_order(statement):
    headings = [(e.tag, e.text) for e in tagged_elements(statement) if e.tag[:1] == "H"]
    assert headings == [
        ("H1", "請求書（適格請求書）"),
        ("H2", "ご使用の期間"),
        ("H2", "ご請求の内訳（税込）"),
        ("H2", "税率ごとの内訳"),
    ]


def test_the_figures_are_tables_whose_cells_name_their_headers(statement):
    elements = tagged_elements(statement)
    assert [e.tag for e in elements].count("Table") == 3
    headers = {e.id: e for e in elements if e.tag == "TH"}
    assert all(e.attributes.get("Scope") in ("Row", "Column") for e in headers.values())

    def read_with_headers(value: str) -> list[str]:
        """What a screen reader says with a data cell: the texts of its header cells."""
        cell = next(e for e in elements if e.tag == "TD" and e.text == value)
        return [headers[ref].text for ref in cell.attributes["Headers"]]

    assert read_with_headers("18 m³") == ["使用水量"]
    assert read_with_headers("1,650円") == ["うち基本料金"]
    assert read_with_headers("380円") == ["10%対象", "うち消費税額"]
    assert read_with_headers("4,180円") == ["合計"]
    columns = [e.text for e in headers.values() if e.attributes["Scope"] == "Column"]
    assert columns == ["税率", "対象金額（税込）", "うち消費税額"]


def test_it_is_read_in_the_order_it_is_seen(statement):
    """The key figures come in the tags' order as on the page, top to bottom and, on one
    line, left to right; a screen reader reads them in that order."""
    spoken = [e for e in tagged_elements(statement) if e.tag in ("H1", "H2", "P", "TH", "TD")]
    texts = [e.text for e in spoken]
    key = [
        "請求書（適格請求書）",
        "発行日 2026年11月2日",
        "水道 太郎 様",
        "使用者番号 1010-0001",
        "発行者 おうむ町水道事業",
        "登録番号 T1234567890123",
        "ご請求金額 4,180円（税込）",
        "納期限 2026年11月30日 お支払い 口座振替予定",
        "調定年月",
        "2026年10月分",
        "検針日",
        "2026年10月10日",
        "使用水量",
        "18 m³",
        "水道料金",
        "2,530円",
        "下水道使用料",
        "1,650円",
        "合計",
        "4,180円",
        "10%対象",
        "4,180円",
        "380円",
    ]
    at = 0
    for text in key:
        assert text in texts[at:], f"{text!r} is missing or read out of order"
        at = texts.index(text, at) + 1
    for before, after in zip(spoken, spoken[1:], strict=False):
        same_line = after.top < before.bottom and before.top < after.bottom
        assert (after.left > before.left) if same_line else (after.top > before.top), (
            f"{after.text!r} is read after {before.text!r} but drawn before it"
        )


def test_every_line_and_background_is_an_artifact_and_all_text_is_tagged(statement):
    assert untagged_marks(statement) == []


def test_it_is_one_a4_page_with_every_character_inside_printable_margins(
    signed_in, link, customer, registered
):
    customer.name = "水道" * 30 + " 太郎"
    customer.address = "おうむ町本町" + "1234567890" * 12 + "番地 水道ポータル・レジデンス" * 3
    customer.save(update_fields=["name", "address"])
    make_bill(customer, "2026-10", basic_charge=1650, volume_charge=880, meter_replaced=True)
    content = signed_in.get(f"/contracts/{link.pk}/bills/2026-10.pdf").content
    assert all(margin >= 12 for margin in PAGE_MARGINS_MM.values()), "a home printer clips it"
    (page,) = page_texts(content)
    assert page.width == pytest.approx(A4_POINTS[0], abs=0.5)
    assert page.height == pytest.approx(A4_POINTS[1], abs=0.5)
    inside = (
        PAGE_MARGINS_MM["left"] * MM - 0.5,
        PAGE_MARGINS_MM["bottom"] * MM - 0.5,
        page.width - PAGE_MARGINS_MM["right"] * MM + 0.5,
        page.height - PAGE_MARGINS_MM["top"] * MM + 0.5,
    )
    for char, left, bottom, right, top in page.boxes:
        assert left >= inside[0] and right <= inside[2], f"{char!r} beyond a side margin"
        assert bottom >= inside[1] and top <= inside[3], f"{char!r} beyond the top or bottom"
    text = "".join(box[0] for box in page.boxes)
    assert "レジデンス" in text and "メーター交換" in text, "wrapped, not cut"
