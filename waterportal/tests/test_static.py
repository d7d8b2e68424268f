"""Every static file a template links to exists (a missing one is a 404 on every page)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LINKED = sorted(
    {
        name
        for template in TEMPLATES.rglob("*.html")
        for name in re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", template.read_text())
    }
)


def test_the_pages_link_an_icon_a_style_and_the_script():
    assert {"favicon.svg", "css/portal.css", "js/once.js"} <= set(LINKED)


@pytest.mark.parametrize("name", LINKED)
def test_a_linked_static_file_exists(name):
    assert finders.find(name), f"{name} is linked from a template but does not exist"


def test_contact_blocks_are_upright_and_badges_are_read_at_the_text_size():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css").read_text()
    assert re.search(r"^address \{ font-style: normal; \}", css, re.M), "address is italic"
    badge = re.search(r"^\.badge \{([^}]*)\}", css, re.M)
    assert badge and "font-size: 1rem;" in badge.group(1)
