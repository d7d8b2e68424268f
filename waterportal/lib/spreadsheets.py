"""Cells of the CSV files the portal hands out, safe to open in a spreadsheet."""

import unicodedata

# What a spreadsheet reads as the start of a formula (OWASP's CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> str:
    """The cell as text; one that would begin a formula gets a leading ``'``. Full-width
    signs count (``＝`` is ``=`` once a spreadsheet folds it), and so do leading spaces."""
    text = "" if value is None else str(value)
    start = unicodedata.normalize("NFKC", text.lstrip(" \u3000")[:1])
    return f"'{text}" if start.startswith(FORMULA_STARTS) else text
