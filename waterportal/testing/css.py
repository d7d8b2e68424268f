"""The portal's stylesheets as the contrast tests read them: rules, ``:root`` variables
(tokens.css, then portal.css) resolved to colours, and WCAG's contrast ratio."""

import re
from pathlib import Path

STATIC_CSS = Path(__file__).resolve().parents[2] / "static" / "css"
CSS = (STATIC_CSS / "portal.css").read_text()
# The design system's tokens, which portal.css's variables name (loaded before it).
TOKENS = (STATIC_CSS / "tokens.css").read_text()
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
