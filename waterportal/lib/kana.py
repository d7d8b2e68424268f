"""Normalisation of katakana names and customer numbers, as exchange-v1 defines it.

Names: NFKC (half-width ｷﾖｳｺ → キヨウコ), hiragana folded to katakana (jaconv), small kana
folded to large (Zengin-style names write キユウ for キュウ), and spaces, 「・」, 「ー」
and hyphens removed. So ｷﾖｳｺ, キョウコ and きょうこ all give キヨウコ.
"""

import re
import unicodedata

import jaconv

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
# Spaces of every width, the middle dot and every dash a resident or a billing system
# might type for 「ー」 or between name parts.
_DROP = re.compile(r"[\s・･ー\-‐‑‒–—―−ｰ－~〜～]+")
_KATAKANA_ONLY = re.compile(r"^[\u30a0-\u30ff]+$")


def kana_key(name: str) -> str:
    """The comparison key of a katakana name; equal keys mean the names match."""
    text = unicodedata.normalize("NFKC", name or "")
    text = jaconv.hira2kata(text)
    text = text.translate(_SMALL_TO_LARGE)
    return _DROP.sub("", text)


def is_kana_name(name: str) -> bool:
    """True when ``name`` is made of kana (any width, hiragana too) and separators only."""
    key = kana_key(name)
    return bool(key) and bool(_KATAKANA_ONLY.match(key))


def customer_number_key(number: str) -> str:
    """A 使用者番号 as its digits alone: full-width digits read as digits, hyphens and
    spaces ignored. Returns "" when anything else is left (the number is then invalid)."""
    text = unicodedata.normalize("NFKC", number or "")
    text = _DROP.sub("", text)
    return text if text.isascii() and text.isdigit() else ""


_DASHES = re.compile(r"[ー\-‐‑‒–—―−ｰ－]")
_SPACES = re.compile(r"\s+")


def tidy_number(number: str) -> str:
    """A 使用者番号 as typed, to show back: in ASCII digits, any dash as "-"
    (１０１０ー０００１ → 1010-0001)."""
    text = unicodedata.normalize("NFKC", number or "").strip()
    return _SPACES.sub(" ", _DASHES.sub("-", text))


def printed_number(number: str) -> str:
    """A stored 使用者番号 as the meter-reading slip prints it: 10100001 → 1010-0001."""
    return f"{number[:4]}-{number[4:]}" if len(number) == 8 and number.isdigit() else number


def tidy_kana(name: str) -> str:
    """A カナ氏名 as typed, to show back: half-width kana made full width, spaces made
    single (ｽｽﾞｷ　ｶｽﾞｺ → スズキ カズコ); hiragana stays as the resident wrote it."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name or "").strip())
