"""Bar charts of usage and amounts as inline SVG, drawn on the server.

Why SVG from the server rather than a JavaScript chart library: the chart is part of the
HTML, so it shows with JavaScript off, on old phones and in print (and in a saved page);
no third-party script or CDN sees the resident's page or can break it; the figures are
escaped like any template value; and the page stays one request.

The bars run across, one row per period, newest first: on a 360-px phone every period
keeps a readable month label and value however many periods there are, where upright
bars would have to shrink or scroll. The table under each chart is the accessible
equivalent (the SVG is one ``role="img"`` with a summary as its label).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from waterportal.billing import formatting

# In viewBox units; the chart is drawn 320 wide and scales to its card, so on a 360-px
# phone (about 290 px of card) the 15-unit labels are still about 14 px.
WIDTH = 320
LABEL_WIDTH = 94  # "2026年11月" (English: "Nov 2026")
VALUE_WIDTH = 86  # "123,456円"
ROW_HEIGHT = 28
BAR_HEIGHT = 16
PAD_TOP = 4
FONT_SIZE = 15


@dataclass(frozen=True)
class Bar:
    month: dt.date  # the first day of a month, or a day when the chart labels days
    value: int


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit_text: Callable[[int], str],
    css_class: str = "",
    label_text: Callable[[dt.date], str] = formatting.short_month,
    summary: str | None = None,
) -> SafeString:
    """A horizontal bar chart of ``bars`` (newest first), labelled month and value.

    ``title`` names the chart for screen readers, which also get the range and the
    highest and latest values; ``unit_text`` formats a value (e.g. ``formatting.yen``).
    ``label_text`` writes a bar's label (a billing month by default; the staff console's
    statistics label days, ``11月25日``), and ``summary``, when given, replaces the
    summary of billing months written here.
    """
    if not bars:
        return SafeString("")
    top = max(max(bar.value for bar in bars), 1)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = PAD_TOP * 2 + ROW_HEIGHT * len(bars)
    rows = []
    for i, bar in enumerate(bars):
        y = PAD_TOP + i * ROW_HEIGHT
        length = max(0, round(track * bar.value / top)) if bar.value > 0 else 0
        rows.append(
            (
                y + ROW_HEIGHT / 2,
                label_text(bar.month),
                LABEL_WIDTH,
                y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                length,
                BAR_HEIGHT,
                "bar bar-latest" if i == 0 else "bar",
                LABEL_WIDTH + length + 4,
                unit_text(bar.value),
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" dominant-baseline="middle">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"></rect>'
        '<text x="{}" y="{}" dominant-baseline="middle">{}</text>',
        (
            (label_y, label, x, bar_y, length, bh, cls, value_x, label_y, value)
            for label_y, label, x, bar_y, length, bh, cls, value_x, value in rows
        ),
    )
    if summary is None:
        summary = _months_summary(bars, title, unit_text)
    return format_html(
        '<svg class="chart {}" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}"'
        ' xmlns="http://www.w3.org/2000/svg" font-size="{}" preserveAspectRatio="xMinYMin meet">'
        "<title>{}</title>{}</svg>",
        css_class,
        summary,
        WIDTH,
        height,
        WIDTH,
        height,
        FONT_SIZE,
        summary,
        body,
    )


def _months_summary(bars: Sequence[Bar], title: str, unit_text: Callable[[int], str]) -> str:
    highest = max(bars, key=lambda bar: bar.value)
    return gettext(
        "%(title)sのグラフ。%(first)sから%(last)sまでの%(count)d回分。"
        "最新は%(latest)s、最も多いのは%(highest_month)sの%(highest)s。すべての数値は下の表にあります。"
    ) % {
        "title": title,
        "first": formatting.month(bars[-1].month),
        "last": formatting.month(bars[0].month),
        "count": len(bars),
        "latest": unit_text(bars[0].value),
        "highest_month": formatting.month(highest.month),
        "highest": unit_text(highest.value),
    }


def usage_chart(bills) -> SafeString:
    return bar_chart(
        [Bar(b.billing_month, b.usage_m3) for b in bills],
        title=gettext("使用水量"),
        unit_text=formatting.m3,
        css_class="chart-usage",
    )


def amount_chart(bills) -> SafeString:
    return bar_chart(
        [Bar(b.billing_month, b.amount) for b in bills],
        title=gettext("請求金額"),
        unit_text=formatting.yen,
        css_class="chart-amount",
    )
