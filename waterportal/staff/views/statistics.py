"""Statistics: the town's counts per day and per month, as charts, tables and CSV.

Counts only, no personal data: every role may see them, and nothing is recorded as a
look.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from waterportal.billing import charts, formatting
from waterportal.billing.statements import content_disposition, spreadsheet_csv
from waterportal.staff import statistics as stats
from waterportal.staff.decorators import staff_page
from waterportal.tenants.calendar import TOKYO


def _period(request) -> stats.Period | None:
    try:
        return stats.Period(request.GET.get("period") or stats.Period.DAY)
    except ValueError:
        return None


def _bad_period(request) -> HttpResponse:
    return render(request, "staff/statistics_bad_period.html", status=400)


def _chart_label(period: stats.Period, first: dt.date) -> str:
    return (
        formatting.month_day(first) if period is stats.Period.DAY else formatting.short_month(first)
    )


def _table_label(period: stats.Period, first: dt.date) -> str:
    return (
        formatting.date(first, weekday=True)
        if period is stats.Period.DAY
        else formatting.month(first)
    )


def _csv_label(period: stats.Period, first: dt.date) -> str:
    return first.strftime("%Y/%m/%d") if period is stats.Period.DAY else formatting.month(first)


def _summary(figures: stats.Figures, series: stats.Series, title: str) -> str:
    """What a screen reader hears for a chart: the span, the latest, highest and total."""
    period, values = figures.period, figures.values[series.slug]
    first, last = figures.buckets[0].first, figures.buckets[-1].first
    count = f"{len(values)}日分" if period is stats.Period.DAY else f"{len(values)}か月分"
    top = max(values)
    if top == 0:
        peak = f"どの{'日' if period is stats.Period.DAY else '月'}も0{series.unit}"
    else:
        when = figures.buckets[values.index(top)].first
        peak = f"最も多いのは{_table_label(period, when)}の{top:,}{series.unit}"
    return (
        f"{title}のグラフ。{_table_label(period, first)}から{_table_label(period, last)}"
        f"までの{count}。最新は{values[-1]:,}{series.unit}、{peak}。"
        "すべての数値は下の表にあります。"
    )


def _chart(figures: stats.Figures, series: stats.Series):
    period = figures.period
    title = f"{series.title}（{period.label}）"
    bars = [
        charts.Bar(bucket.first, value)
        for bucket, value in zip(figures.buckets, figures.values[series.slug], strict=True)
    ]
    return charts.bar_chart(
        bars[::-1],
        title=title,
        unit_text=lambda value: f"{value:,}{series.unit}",
        css_class="chart-statistics",
        label_text=lambda first: _chart_label(period, first),
        summary=_summary(figures, series, title),
    )


@require_safe
@staff_page()
def statistics(request):
    """Every series for the last 31 days (``?period=day``) or 12 months (``month``)."""
    period = _period(request)
    figures = stats.figures(request.tenant, period or stats.Period.DAY)
    labels = [_table_label(figures.period, b.first) for b in figures.buckets]
    sections = [
        {
            "series": series,
            "chart": _chart(figures, series),
            "rows": [
                (label, f"{value:,}{series.unit}")
                for label, value in zip(labels, figures.values[series.slug], strict=True)
            ][::-1],
        }
        for series in stats.SERIES
    ]
    return render(
        request,
        "staff/statistics.html",
        {
            "period": figures.period,
            "bad_period": period is None,
            "periods": list(stats.Period),
            "sections": sections,
            "recent_wrong_codes": figures.recent_wrong_codes,
        },
    )


def _csv_response(period: stats.Period, header, rows, slug: str, title: str) -> HttpResponse:
    today = timezone.localdate(timezone.now(), TOKYO).strftime("%Y%m%d")
    response = HttpResponse(spreadsheet_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(
        "attachment",
        f"statistics-{slug}-{period.value}-{today}.csv",
        f"統計_{title}_{period.label}_{today}.csv",
    )
    return response


@require_safe
@staff_page()
def series_csv(request, series: str):
    """One series, oldest first: 日付 (or 月) and 件数."""
    chosen = stats.SERIES_BY_SLUG.get(series)
    if chosen is None:
        raise Http404
    period = _period(request)
    if period is None:
        return _bad_period(request)
    figures = stats.figures(request.tenant, period)
    rows = [
        (_csv_label(period, bucket.first), value)
        for bucket, value in zip(figures.buckets, figures.values[chosen.slug], strict=True)
    ]
    return _csv_response(period, [period.column, "件数"], rows, chosen.slug, chosen.title)


@require_safe
@staff_page()
def all_csv(request):
    """Every series side by side, one column each, oldest first."""
    period = _period(request)
    if period is None:
        return _bad_period(request)
    figures = stats.figures(request.tenant, period)
    header = [period.column] + [f"{series.title}（{series.unit}）" for series in stats.SERIES]
    rows = [
        [_csv_label(period, bucket.first)]
        + [figures.values[series.slug][i] for series in stats.SERIES]
        for i, bucket in enumerate(figures.buckets)
    ]
    return _csv_response(period, header, rows, "all", "すべて")
