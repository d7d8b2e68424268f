"""How figures read on the page, in the CSV and in the statement PDF.

One place so that 3,456円 or 2026年11月25日 look the same everywhere. In Japanese unless
the resident chose English for the pages (then ¥3,456 and 26 November 2026); the CSV and
the PDF are made with Japanese active (waterportal.billing.views), so they are always Japanese.
"""

import datetime as dt
from decimal import Decimal

from django.utils import dateformat
from django.utils.translation import get_language

WEEKDAYS = "月火水木金土日"
MINUS = "\u2212"  # the minus sign, wider and clearer than a hyphen next to digits


def english() -> bool:
    """True when the resident chose English; Japanese otherwise (and outside requests)."""
    return (get_language() or "").split("-")[0] == "en"


def yen(amount: int | None) -> str:
    """3456 → "3,456円" (English: "¥3,456"); a negative amount (a refund) keeps its sign."""
    if amount is None:
        return ""
    sign = MINUS if amount < 0 else ""
    if english():
        return f"{sign}¥{abs(amount):,}"
    return f"{sign}{abs(amount):,}円"


def signed_yen(amount: int) -> str:
    """A difference: +420円, −420円, ±0円 (English: +¥420, −¥420, ±¥0)."""
    if english():
        if amount == 0:
            return "±¥0"
        return f"{'+' if amount > 0 else MINUS}¥{abs(amount):,}"
    if amount == 0:
        return "±0円"
    return f"{'+' if amount > 0 else MINUS}{abs(amount):,}円"


def m3(volume: int | Decimal | None) -> str:
    if volume is None:
        return ""
    return f"{volume:,} m³" if isinstance(volume, int) else f"{volume} m³"


def signed_m3(volume: int) -> str:
    if volume == 0:
        return "±0 m³"
    return f"{'+' if volume > 0 else MINUS}{abs(volume):,} m³"


def date(day: dt.date | None, *, weekday: bool = False) -> str:
    """2026年11月25日, or 2026年11月25日（水） with ``weekday``.

    English: 25 November 2026, or 25 November 2026 (Wed).
    """
    if day is None:
        return ""
    if english():
        return dateformat.format(day, "j F Y (D)" if weekday else "j F Y")
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{WEEKDAYS[day.weekday()]}）" if weekday else text


def month_day(day: dt.date) -> str:
    """11月25日 (English: 25 November)."""
    if english():
        return dateformat.format(day, "j F")
    return f"{day.month}月{day.day}日"


def month(first_day: dt.date) -> str:
    """A billing month (調定年月): 2026年11月 (English: November 2026)."""
    if english():
        return dateformat.format(first_day, "F Y")
    return f"{first_day.year}年{first_day.month}月"


def short_month(first_day: dt.date) -> str:
    """A billing month where room is short (chart labels): 2026年11月 (English: Nov 2026)."""
    if english():
        return dateformat.format(first_day, "M Y")
    return month(first_day)


def month_slug(first_day: dt.date) -> str:
    """The billing month as it appears in addresses: 2026-11."""
    return f"{first_day.year:04d}-{first_day.month:02d}"
