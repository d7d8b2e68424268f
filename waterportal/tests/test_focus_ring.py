"""The focus ring can be seen on every background it is drawn on (WCAG 1.4.11: 3:1).

It has two colours, a black outline around a yellow band (the Digital Agency's design
system): on a light background the black one shows, on the dark header the yellow one.
The colours are read from the stylesheet itself, its ``:root`` variables resolved, so a
new background or a changed ring colour is checked as soon as it is written.
"""

import re
from pathlib import Path

import pytest

from waterportal.tenants.validators import MIN_CONTRAST

STATIC_CSS = Path(__file__).resolve().parents[2] / "static" / "css"
CSS = (STATIC_CSS / "portal.css").read_text()
# The design system's tokens, which portal.css's variables name (loaded before it).
TOKENS = (STATIC_CSS / "tokens.css").read_text()
NON_TEXT_CONTRAST = 3.0
HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def rules(css: str) -> list[tuple[str, str]]:
    """``(selector, declarations)`` of every rule, media queries opened up."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    return [(s.strip(), d) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def variables() -> dict[str, str]:
    """The ``:root`` variables of tokens.css, then portal.css (which may replace one)."""
    names: dict[str, str] = {}
    for css in (TOKENS, CSS):
        root = [d for s, d in rules(css) if s == ":root"]
        assert root, "a stylesheet declares no :root variables"
        names |= dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root[0]))
    return names


def resolved(value: str) -> str:
    """``value`` with every ``var(--name)`` replaced by its colour, through the variables
    that name other variables (``--focus-ring: var(--color-primitive-yellow-300)``)."""
    names = variables()
    pattern = re.compile(r"var\((--[\w-]+)\)")
    for _ in range(10):
        value, count = pattern.subn(lambda m: names[m.group(1)].strip(), value)
        if not count:
            return value
    raise AssertionError(f"variables that name each other in a loop: {value}")


def declared(prop: str) -> list[tuple[str, str]]:
    """``(selector, value)`` of every declaration of ``prop``, variables resolved."""
    found = []
    for selector, body in rules(CSS):
        for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
            if name == prop:
                found.append((selector, resolved(value)))
    return found


def normal(colour: str) -> str:
    """``#fff`` and ``#FFFFFF`` alike as ``#ffffff``."""
    digits = colour.lstrip("#").lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def luminance(colour: str) -> float:
    digits = normal(colour)[1:]
    linear = []
    for i in (0, 2, 4):
        c = int(digits[i : i + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_colours() -> set[str]:
    """The colours of every focus style: its outline and the band drawn by its shadow."""
    colours = set()
    for selector, body in rules(CSS):
        if ":focus" in selector:
            colours |= {normal(c) for c in HEX.findall(resolved(body))}
    return colours


BACKGROUNDS = sorted(
    {
        normal(colour)
        for prop in ("background", "background-color")
        for _, value in declared(prop)
        for colour in HEX.findall(value)
    }
)


def test_every_focus_style_uses_the_two_ring_colours():
    ring = {normal(resolved("var(--focus-outline)")), normal(resolved("var(--focus-ring)"))}
    assert focus_colours() == ring
    # The orange of old (#f1a208) was 2.1:1 on white: it must not come back.
    assert "#f1a208" not in focus_colours()


def test_the_two_ring_colours_stand_apart_from_each_other():
    assert contrast(resolved("var(--focus-outline)"), resolved("var(--focus-ring)")) >= 3


def test_the_stylesheet_declares_the_page_backgrounds_it_is_checked_against():
    # The page, the cards and fields, the header: without them the check below says little.
    names = variables()
    pages = {
        normal(resolved(names[n]).strip()) for n in ("--page-bg", "--surface-bg", "--header-bg")
    }
    assert pages <= set(BACKGROUNDS)
    assert len(BACKGROUNDS) >= 8


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_the_focus_ring_shows_on_every_background(background):
    best = max(contrast(colour, background) for colour in focus_colours())
    assert best >= NON_TEXT_CONTRAST, f"the focus ring is {best:.2f}:1 on {background}"


def test_the_focus_ring_shows_on_any_colour_a_town_may_choose_for_its_header():
    # A town's colour (the header, the buttons) is accepted when white text on it has
    # 4.5:1: the lightest colour it may be has the luminance 1.05 / 4.5 - 0.05.
    lightest = 1.05 / MIN_CONTRAST - 0.05
    ring = resolved("var(--focus-ring)")
    assert (luminance(ring) + 0.05) / (lightest + 0.05) >= NON_TEXT_CONTRAST


def test_the_old_orange_ring_would_have_failed():
    """The check can fail: the ring of before, on the white page."""
    assert contrast("#f1a208", "#ffffff") < NON_TEXT_CONTRAST
