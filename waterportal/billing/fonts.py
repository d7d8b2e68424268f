"""The Japanese TrueType font embedded in statement PDFs.

A PDF viewer has no Japanese font of its own to fall back on reliably, so the statement
embeds one (subset to the characters used). reportlab embeds TrueType outlines only,
which rules out the OpenType/CFF Noto CJK fonts; IPAex Gothic is TrueType and made for
Japanese official documents, and version 004.01 has the 令和 era sign. It is committed
beside this module (``fonts/``) with the IPA Font License Agreement v1.0, which allows
redistributing it unchanged with the agreement: no package or system font is needed.
"""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "IPAexGothic"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"


@cache
def japanese_font() -> str:
    """Register the font with reportlab once per process and return its name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME
