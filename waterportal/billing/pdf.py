"""HTML made into a tagged PDF (PDF/UA-1) with WeasyPrint.

A tagged PDF carries, beside what is drawn, the document's structure: headings,
paragraphs and tables with their header cells, in reading order, and the language. A
screen reader reads that structure, and a viewer reflows or copies text by it. WeasyPrint
builds it from the HTML (``pdf_variant="pdf/ua-1"``): the element order is the reading
order, borders and backgrounds are marked as artifacts, the title is shown as the
window's title and the XMP metadata names PDF/UA-1 (``pdfuaid:part``).
"""

from functools import cache
from typing import Any

import pydyf

from waterportal.billing.fonts import FONT_CSS, FONT_FILE, FONT_URL

# WeasyPrint is imported when a statement is first drawn, not with the portal: it loads
# the system's Pango at import, and a machine without it should still serve every page
# (only the PDF download then fails, with the reason in the log).


@cache
def _font_bytes() -> bytes:
    return FONT_FILE.read_bytes()


@cache
def _fetcher() -> Any:
    """Fetches the embedded font and refuses every other address: a document made from a
    member's data must never make the server read a file or call a URL. It keeps no
    state, so one serves every statement (making one loads the system's certificates)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FontOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url != FONT_URL:
                raise ValueError("a statement loads nothing but its font")
            return URLFetcherResponse(url, _font_bytes(), {"Content-Type": "font/ttf"})

    return FontOnly(fail_on_errors=True)


def tagged_pdf(html: str) -> bytes:
    """The PDF/UA-1 document of ``html``, a complete page with ``<html lang>`` and a
    ``<title>``, in the embedded Japanese font (``waterportal.billing.fonts``)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher()
    font_config = FontConfiguration()
    font = CSS(string=FONT_CSS, font_config=font_config, url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[font],
        font_config=font_config,
        pdf_variant="pdf/ua-1",
        finisher=_scope_header_cells,
    )


def _scope_header_cells(_document, pdf: pydyf.PDF) -> None:
    """Give every table header cell its Scope: Column in the table's head, Row elsewhere.

    WeasyPrint ties each data cell to its header cells (IDs and Headers) but does not
    carry HTML's ``scope`` over to the tags; screen readers that read only Scope would
    then announce no header. Every statement table follows that rule: column headers in
    ``<thead>``, a row's header as its first cell (``<th scope="row">``).
    """
    for element in pdf.objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("S") != "/TH":
            continue
        row = pdf.objects[_number(element["P"])]
        group = pdf.objects[_number(row["P"])]
        scope = "/Column" if group.get("S") == "/THead" else "/Row"
        element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope


def _number(reference: bytes) -> int:
    """The object number of an indirect reference (b"12 0 R")."""
    return int(reference.split()[0])
