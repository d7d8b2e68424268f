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
