"""What a tagged PDF tells a screen reader, and where its text stands on the page.

pikepdf reads the structure tree (the tags and their order); pdfium, which draws and
extracts text as a viewer does, gives each piece of marked content its text and place.
"""

import io
from dataclasses import dataclass, field
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4  # PDF points in a millimetre

# Operators that paint (paths, shadings, images and forms) and that show text.
PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}
SHOWING = {"Tj", "TJ", "'", '"'}


@dataclass
class Tagged:
    """One structure element: its type (H1, P, TH, ...), the text of every piece of
    content under it in order (white space made single), its attributes (/A) and ID,
    and where its first piece of content is drawn: the top and bottom of its box and
    its left edge, in points from the page's top left (0 for an element without any)."""

    tag: str
    text: str
    attributes: dict = field(default_factory=dict)
    id: str = ""
    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0


@dataclass
class _Content:
    text: str
    top: float
    bottom: float
    left: float


def tagged_elements(content: bytes) -> list[Tagged]:
    """Every element of the structure tree, in the tree's order (the reading order)."""
    contents = _marked_contents(content)
    pdf = pikepdf.open(io.BytesIO(content))
    page_of: dict[Any, int] = {page.objgen: index for index, page in enumerate(pdf.pages)}
    elements: list[Tagged] = []

    def walk(node: Any, page: int) -> list[_Content]:
        if "/Pg" in node:
            page = page_of[node.Pg.objgen]
        kids = node.get("/K", pikepdf.Array())
        if not isinstance(kids, pikepdf.Array):
            kids = pikepdf.Array([kids])
        element = Tagged(
            tag=str(node.S)[1:],
            text="",
            attributes={str(k)[1:]: _python(v) for k, v in node.get("/A", {}).items()},
            id=str(node.get("/ID", "")),
        )
        elements.append(element)
        own: list[_Content] = []
        below: list[_Content] = []
        for kid in kids:
            if isinstance(kid, int):
                own += contents.get((page, kid), [])
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                kid_page = page_of[kid.Pg.objgen] if "/Pg" in kid else page
                own += contents.get((kid_page, int(kid.MCID)), [])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                below += walk(kid, page)
        # pdfium adds a space after a piece of text that ends before its line does.
        element.text = " ".join("".join(c.text for c in own + below).split())
        placed = own or below
        if placed:
            element.top, element.bottom = placed[0].top, placed[0].bottom
            element.left = placed[0].left
        return own + below

    root = pdf.Root.StructTreeRoot
    kids = root.K if isinstance(root.K, pikepdf.Array) else pikepdf.Array([root.K])
    for kid in kids:
        walk(kid, 0)
    return elements


def _marked_contents(content: bytes) -> dict[tuple[int, int], list[_Content]]:
    """The text of each marked-content ID of each page, with where it starts."""
    document = pdfium.PdfDocument(content)
    found: dict[tuple[int, int], list[_Content]] = {}
    for index, page in enumerate(document):
        height = page.get_height()
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw)
            if mcid < 0:
                continue
            size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (pdfium_c.FPDF_WCHAR * size)()
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
            text = bytes(buffer).decode("utf-16-le").rstrip("\x00")
            left, bottom, _right, top = obj.get_bounds()
            found.setdefault((index, mcid), []).append(
                _Content(text, height - top, height - bottom, left)
            )
    return found


def untagged_marks(content: bytes) -> list[str]:
    """What is drawn outside the tags: painting outside an Artifact, or text shown outside
    marked content with an ID. A tagged PDF has none (PDF/UA-1, 7.1)."""
    pdf = pikepdf.open(io.BytesIO(content))
    wrong = []
    for number, page in enumerate(pdf.pages, start=1):
        stack: list[str] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, op = instruction.operands, str(instruction.operator)
            if op == "BMC":
                stack.append(str(operands[0]))
            elif op == "BDC":
                has_id = isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
                stack.append("tagged" if has_id else str(operands[0]))
            elif op == "EMC":
                stack.pop()
            elif op in PAINTING and "/Artifact" not in stack and "tagged" not in stack:
                wrong.append(f"page {number}: {op} outside an artifact")
            elif op in SHOWING and "tagged" not in stack and "/Artifact" not in stack:
                wrong.append(f"page {number}: text outside the tags")
    return wrong


@dataclass
class PageText:
    """One page's size and the box of every character drawn on it (points, from the
    page's bottom left as PDF counts)."""

    width: float
    height: float
    boxes: list[tuple[str, float, float, float, float]]


def page_texts(content: bytes) -> list[PageText]:
    document = pdfium.PdfDocument(content)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        boxes = []
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if char.strip():
                boxes.append((char, *textpage.get_charbox(i)))
        pages.append(PageText(page.get_width(), page.get_height(), boxes))
    return pages


def embedded_fonts(content: bytes) -> dict[str, tuple[str, bool]]:
    """Each font the pages use, by name: the key of its embedded program (FontFile2 for
    TrueType; "" when not embedded) and whether it maps its glyphs back to Unicode."""
    pdf = pikepdf.open(io.BytesIO(content))
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descendants = font.get("/DescendantFonts")
            descriptor: Any = (descendants[0] if descendants else font).get("/FontDescriptor", {})
            program = next((str(k)[1:] for k in descriptor.keys() if k.startswith("/FontFile")), "")
            fonts[str(font.BaseFont)[1:]] = (program, "/ToUnicode" in font)
    return fonts


def _python(value):
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    if isinstance(value, pikepdf.Array):
        return [_python(v) for v in value]
    if isinstance(value, pikepdf.String):
        return str(value)
    return value
