"""How figures read in Japanese on the page, in the CSV and in the statement PDF.

One place so that 3,456円 or 2026年11月25日 look the same everywhere.
"""

import datetime as dt
from decimal import Decimal

WEEKDAYS = "月火水木金土日"
MINUS = "\u2212"  # the minus sign, wider and clearer than a hyphen next to digits


def yen(amount: int | None) -> str:
    """3456 → "3,456円"; a negative amount (a refund) keeps its sign."""
    if amount is None:
        return ""
    sign = MINUS if amount < 0 else ""
    return f"{sign}{abs(amount):,}円"


def signed_yen(amount: int) -> str:
    """A difference: +420円, −420円, ±0円."""
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
    """2026年11月25日, or 2026年11月25日（水） with ``weekday``."""
    if day is None:
        return ""
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{WEEKDAYS[day.weekday()]}）" if weekday else text


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def month(first_day: dt.date) -> str:
    """A billing month (調定年月): 2026年11月."""
    return f"{first_day.year}年{first_day.month}月"


def month_slug(first_day: dt.date) -> str:
    """The billing month as it appears in addresses: 2026-11."""
    return f"{first_day.year:04d}-{first_day.month:02d}"
