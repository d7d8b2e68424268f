"""What a page or a file says, as the resident reads it."""

import re
from typing import Protocol

import pypdfium2 as pdfium


class Response(Protocol):
    @property
    def content(self) -> bytes: ...


def text_of(response: Response) -> str:
    """The page as a reader sees it: tags dropped, white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text_and_ink(content: bytes) -> tuple[str, float]:
    """The PDF's text and the share of non-white pixels of page 1 rendered at 72 dpi."""
    document = pdfium.PdfDocument(content)
    assert len(document) == 1
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:200])
    return text, dark / (image.width * image.height)
