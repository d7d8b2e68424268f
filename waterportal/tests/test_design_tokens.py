"""The stylesheet's colours and sizes come from the Digital Agency's design tokens.

static/css/tokens.css holds the variables taken from the design system's package (named
with its version and licence); portal.css gives them the portal's roles. Text has 4.5:1
with every background of the stylesheet it may be drawn on (WCAG 1.4.3).
"""

import re

import pytest

from waterportal.testing.css import (
    CSS,
    TOKENS,
    contrast,
    declared,
    normal,
    resolved,
    variables,
)

TEXT_CONTRAST = 4.5


def test_tokens_css_names_the_package_its_version_and_its_licence():
    header = TOKENS[: TOKENS.index(":root")]
    assert "@digital-go-jp/design-tokens" in header
    assert re.search(r"version \d+\.\d+\.\d+", header)
    assert "MIT License" in header and "Copyright (c) 2023 デジタル庁" in header


def test_every_variable_the_stylesheet_uses_is_declared():
    names = variables()
    used = set(re.findall(r"var\((--[\w-]+)\)", CSS))
    assert used - names.keys() == set()


def test_the_tokens_file_holds_only_the_design_systems_variables():
    declared_names = re.findall(r"(--[\w-]+)\s*:", TOKENS)
    prefixes = ("--color-", "--font-", "--line-height-", "--border-radius-", "--elevation-")
    assert declared_names and all(n.startswith(prefixes) for n in declared_names)


def test_the_headings_take_the_design_systems_type_scale():
    rules = dict(re.findall(r"^(h[123]) \{ font-size: (var\(--font-size-\d+\))", CSS, re.M))
    assert set(rules) == {"h1", "h2", "h3"}


WHITE = "#ffffff"
TEXT_COLOURS = sorted(
    {normal(c) for _, v in declared("color") for c in re.findall(r"#[0-9a-fA-F]{3,6}\b", v)}
)
LIGHT_BACKGROUNDS = sorted(
    {
        normal(c)
        for prop in ("background", "background-color")
        for _, v in declared(prop)
        for c in re.findall(r"#[0-9a-fA-F]{3,6}\b", v)
        if contrast(c, WHITE) < 1.5
    }
)


def test_there_are_text_colours_and_backgrounds_to_check():
    assert len(TEXT_COLOURS) >= 5 and len(LIGHT_BACKGROUNDS) >= 5


def test_the_check_would_fail_on_grey_text_on_the_grey_page():
    """The check can fail: the design system's lighter grey (#767676) on the page."""
    assert contrast("#767676", resolved("var(--page-bg)")) < TEXT_CONTRAST


@pytest.mark.parametrize("colour", [c for c in TEXT_COLOURS if c != WHITE])
def test_dark_text_reads_on_every_light_background(colour):
    worst = min(LIGHT_BACKGROUNDS, key=lambda bg: contrast(colour, bg))
    ratio = contrast(colour, worst)
    assert ratio >= TEXT_CONTRAST, f"{colour} is {ratio:.2f}:1 on {worst}"


@pytest.mark.parametrize("role", ["--key", "--header-bg", "--error", "--color-primitive-red-1000"])
def test_white_text_reads_on_the_dark_backgrounds(role):
    assert contrast(WHITE, resolved(f"var({role})")) >= TEXT_CONTRAST
