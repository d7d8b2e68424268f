"""What a page, a file or a command says, as the resident or the operator reads it."""

import re
from typing import Protocol

import pypdfium2 as pdfium

from waterportal.staff.town_actions import SETTINGS_FIELDS

# How seed_demo shows the pair of 使用者番号 and カナ氏名 to register with.
DEMO_PAIR = re.compile(r"使用者番号 (\d{4}-\d{4}) / カナ氏名 (.+)$", re.MULTILINE)


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


def demo_pair(output: str) -> tuple[str, str]:
    """The 使用者番号 and カナ氏名 that seed_demo printed for trying registration."""
    found = DEMO_PAIR.search(output)
    assert found, f"seed_demo printed no demo pair:\n{output}"
    return found.group(1), found.group(2)


def settings_form_of(tenant, **changes) -> dict:
    """The console's town settings form (``/staff/settings``) as the page shows it for
    ``tenant``, with ``changes`` typed in (a checkbox left out is unticked)."""
    boxes = ("has_sewer", "year_end_closure")
    data: dict = {f: getattr(tenant, f) for f in SETTINGS_FIELDS if f not in boxes}
    data |= {box: "on" for box in boxes if getattr(tenant, box)}
    data |= changes
    return {k: v for k, v in data.items() if v is not None}
