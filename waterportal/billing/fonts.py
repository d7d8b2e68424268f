"""The Japanese TrueType font embedded in statement PDFs.

A PDF viewer has no Japanese font of its own to fall back on reliably, so the statement
embeds one (subset to the characters used). reportlab embeds TrueType outlines only,
which rules out the OpenType/CFF Noto CJK fonts; IPAex Gothic is TrueType and made for
Japanese official documents. It comes from the ``japanize-matplotlib`` package, found
without importing that package (which would import matplotlib), so that installing the
project's dependencies is all a machine needs. A system copy of IPAex Gothic (Debian's
``fonts-ipaexfont-gothic``), found through fontconfig, serves when the package is absent.
"""

import importlib.util
import shutil
import subprocess
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "IPAexGothic"
_PACKAGE = "japanize_matplotlib"
_PACKAGE_FILE = ("fonts", "ipaexg.ttf")


class FontMissing(RuntimeError):
    pass


def _packaged_font() -> Path | None:
    spec = importlib.util.find_spec(_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder).joinpath(*_PACKAGE_FILE)
        if path.is_file():
            return path
    return None


def _system_font() -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [fc_match, "--format=%{family}\n%{file}", "IPAexGothic:fontformat=TrueType"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    family, _, file = result.stdout.partition("\n")
    # fc-match always answers with something; only IPAex Gothic itself will do.
    if "IPAex" not in family or not file.endswith(".ttf"):
        return None
    return Path(file)


def font_path() -> Path:
    path = _packaged_font() or _system_font()
    if path is None:
        raise FontMissing(
            "No Japanese TrueType font for statements: install the project's dependencies "
            "(japanize-matplotlib) or Debian's fonts-ipaexfont-gothic."
        )
    return path


@cache
def japanese_font() -> str:
    """Register the font with reportlab once per process and return its name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    return FONT_NAME
