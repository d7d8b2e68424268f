"""The focus ring can be seen on every background it is drawn on (WCAG 1.4.11: 3:1).

It has two colours, a black outline around a yellow band (the Digital Agency's design
system): on a light background the black one shows, on the dark header the yellow one.
The colours are read from the stylesheet itself, its ``:root`` variables resolved, so a
new background or a changed ring colour is checked as soon as it is written.
"""

import pytest

from waterportal.tenants.validators import MIN_CONTRAST
from waterportal.testing.css import (
    CSS,
    HEX,
    contrast,
    declared,
    luminance,
    normal,
    resolved,
    rules,
    variables,
)

NON_TEXT_CONTRAST = 3.0


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
