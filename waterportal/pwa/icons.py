"""The town's app icons, drawn on request from its logo and colour (nothing is stored).

Android asks for 192 and 512 px icons and a *maskable* one, which it may cut to a circle
or a rounded square: its picture keeps to the middle 80 % (the "safe zone"). iOS takes a
180 px ``apple-touch-icon`` and shows transparency as black, so every icon is opaque.

The background is the town's accent colour, the one its header shows the logo on; a
town without a logo gets the portal's water drop (``static/favicon.svg``) in white.
"""

import hashlib
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from waterportal.tenants.models import Tenant

# Raise when the drawing below changes: every town's icons get new addresses.
DRAWING = "1"
# Drawn this many times larger, then reduced: smooth edges without an anti-aliasing pass.
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Icon:
    size: int
    maskable: bool = False

    @property
    def picture_share(self) -> float:
        """How much of the square's side the logo or the drop may take."""
        return 0.56 if self.maskable else 0.76


# The names in the icons' addresses.
ICONS = {
    "192": Icon(192),
    "512": Icon(512),
    "maskable-512": Icon(512, maskable=True),
    "apple-touch-icon": Icon(180),
}


def icon_key(tenant: Tenant) -> str:
    """What the icons of ``tenant`` are drawn from, hashed: part of their addresses, so a
    new logo or colour gives new addresses and the old ones may be cached for a year."""
    source = f"{DRAWING}|{tenant.logo_hash}|{tenant.accent_colour.lower()}"
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def draw_icon(icon: Icon, accent: str, logo: bytes | None) -> bytes:
    """The icon as PNG bytes: ``logo`` (PNG or JPEG bytes, checked on upload) or the
    water drop, centred on ``accent``."""
    image = Image.new("RGB", (icon.size, icon.size), accent)
    box = round(icon.size * icon.picture_share)
    if logo:
        picture = Image.open(io.BytesIO(logo)).convert("RGBA")
        picture.thumbnail((box, box), Image.Resampling.LANCZOS)
    else:
        picture = _drop(box)
    offset = ((icon.size - picture.width) // 2, (icon.size - picture.height) // 2)
    image.paste(picture, offset, picture)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _drop(box: int) -> Image.Image:
    """A white water drop filling a ``box``-pixel square: a circle and the point above it,
    as in the favicon (a 22-unit circle under a point, in a 32-unit square)."""
    side = box * SUPERSAMPLE
    drop = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    pen = ImageDraw.Draw(drop)
    radius = side * 11 / 32
    cx, cy = side / 2, side * 21 / 32
    pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill="white")
    # The point, its sides tangent to the circle.
    top = side * 2 / 32
    sin = radius / (cy - top)
    cos = math.sqrt(1 - sin * sin)
    touch_x, touch_y = radius * cos, cy - radius * sin
    pen.polygon([(cx, top), (cx - touch_x, touch_y), (cx + touch_x, touch_y)], fill="white")
    return drop.resize((box, box), Image.Resampling.LANCZOS)
