"""The server-drawn SVG charts."""

import datetime as dt
import re

from waterportal.billing import formatting
from waterportal.billing.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, bar_chart


def chart(values, **kw):
    bars = [Bar(dt.date(2026, 10 - 2 * i, 1), v) for i, v in enumerate(values)]
    return str(bar_chart(bars, title=kw.get("title", "使用水量"), unit_text=formatting.m3))


def test_bars_are_proportional_to_their_values_and_the_largest_fills_the_track():
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', chart([10, 20, 5]))]
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert widths == [round(track / 2), track, round(track / 4)]


def test_each_bar_has_its_month_and_value_written_out():
    svg = chart([18, 21])
    assert ">2026年10月</text>" in svg and ">18 m³</text>" in svg
    assert ">2026年8月</text>" in svg and ">21 m³</text>" in svg


def test_it_is_one_image_for_screen_readers_with_a_summary():
    svg = chart([18, 21, 12])
    assert svg.count('role="img"') == 1
    found = re.search(r'aria-label="([^"]+)"', svg)
    assert found
    label = found.group(1)
    assert label == (
        "使用水量のグラフ。2026年6月から2026年10月までの3回分。最新は18 m³、"
        "最も多いのは2026年8月の21 m³。すべての数値は下の表にあります。"
    )


def test_zero_and_negative_values_draw_no_bar_and_all_zero_does_not_divide_by_zero():
    widths = re.findall(r'<rect [^>]*width="(-?\d+)"', chart([0, 0, -5]))
    assert widths == ["0", "0", "0"]


def test_text_is_escaped():
    svg = chart([1], title='<script>"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_no_bars_no_chart():
    assert chart([]) == ""
