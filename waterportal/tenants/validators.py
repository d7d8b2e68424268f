"""Checks of what a town's 管理者 types or uploads in the town's settings."""

import io
import re

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

INVOICE_NUMBER = re.compile(r"T(\d{13})")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG 2.1 AA for normal text (1.4.3): the header's and the buttons' white text.
MIN_CONTRAST = 4.5
LOGO_MAX_BYTES = 300 * 1024
# A sample 検針票 is a photo or scan of a whole slip: more bytes and pixels than a logo,
# still small enough for an old phone on a slow line.
SLIP_MAX_BYTES = 1024 * 1024
SLIP_MAX_PIXELS = (3000, 3000)
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def corporate_check_digit(twelve: str) -> int:
    """The check digit of a 法人番号 (its first digit) from the other twelve: the
    National Tax Agency's rule, 9 − (Σ digit × weight mod 9), weights 1, 2, 1, 2… from
    the right."""
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(twelve)))
    return 9 - total % 9


def invoice_number_problem(value: str) -> str:
    """What is wrong with a 登録番号 (``T`` and 13 digits), or "" when it is right.

    A corporation's 登録番号 is T + its 法人番号, whose first digit checks the other
    twelve. The National Tax Agency publishes no such rule for the numbers it gives
    individuals and unincorporated associations (T + 13 digits, "not overlapping any
    法人番号"), so a number could not be refused on the check digit in general. Here,
    though, the number is always the issuer's of a water bill: a municipality or its
    water enterprise, a 地方公共団体, which always has a 法人番号 and so a registration
    number T + 法人番号. The check digit therefore certainly applies, and a mistyped
    digit (nine in ten of them) is caught before it is printed on every statement.
    """
    match = INVOICE_NUMBER.fullmatch(value)
    if match is None:
        return "登録番号は「T」と13桁の数字で入力してください（例: T9234567890123）。"
    digits = match.group(1)
    if int(digits[0]) != corporate_check_digit(digits[1:]):
        return (
            "登録番号の数字に誤りがあります（先頭の確認用の数字が合いません）。"
            "登録通知書または国税庁の公表サイトで確かめて入力してください。"
        )
    return ""


def validate_invoice_number(value: str) -> None:
    """The model's check, so that the admin refuses what the settings page refuses."""
    problem = invoice_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invoice_number")


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """WCAG 2.1's contrast ratio of white text on ``colour`` (#RRGGBB), 1 to 21."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)
    return 1.05 / (luminance + 0.05)


# A header logo needs no more; a small file of many pixels costs every resident's phone
# the memory to decode it.
LOGO_MAX_PIXELS = (2000, 2000)


def logo_type(content: bytes) -> str:
    """The content type of a PNG or JPEG image, read from the bytes themselves (never the
    file's name or the type the browser sent); "" when it is anything else, or broken."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return ""
    return LOGO_TYPES.get(kind or "", "")


def logo_too_large(content: bytes, limit: tuple[int, int] = LOGO_MAX_PIXELS) -> bool:
    """More pixels a side than ``limit`` (an image ``logo_type`` accepted)."""
    with Image.open(io.BytesIO(content)) as image:
        width, height = image.size
    return width > limit[0] or height > limit[1]
