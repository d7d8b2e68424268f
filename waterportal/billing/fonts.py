"""The Japanese TrueType font embedded in statement PDFs.

A PDF viewer has no Japanese font of its own to fall back on reliably, so the statement
embeds one (subset to the characters used, with the map back to Unicode that copying
and screen readers read). IPAex Gothic is made for Japanese official documents, and
version 004.01 has the 令和 era sign. It is committed beside this module (``fonts/``)
with the IPA Font License Agreement v1.0, which allows redistributing it unchanged with
the agreement: no package or system font is needed, and every machine draws the same
statement.
"""

from pathlib import Path

FONT_NAME = "IPAexGothic"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
FONT_URL = FONT_FILE.as_uri()

# The style sheet that gives a document the font, for every text in it.
FONT_CSS = (
    f'@font-face {{ font-family: "{FONT_NAME}"; src: url("{FONT_URL}"); }}\n'
    f'html {{ font-family: "{FONT_NAME}"; }}'
)
