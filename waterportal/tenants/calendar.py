"""The tenant's business calendar: the one place that knows which days are open.

Closed: Saturdays, Sundays, Japan's national holidays (substitute and citizens'
holidays included, from the ``holidays`` package), the municipal year-end closure
12/29–1/3, and the tenant's own closed days.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from waterportal.tenants.models import Tenant

TOKYO = ZoneInfo("Asia/Tokyo")

# How far ahead next_business_day reads the tenant's closed days in one query.
_CLOSED_DAYS_WINDOW = dt.timedelta(days=60)


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> holidays.HolidayBase:
    # expand=False: the cached object must stay one year's list, never grow on lookup.
    return holidays.country_holidays("JP", years=year, expand=False)


def is_national_holiday(day: dt.date) -> bool:
    return day in _national_holidays(day.year)


def is_year_end_closure(tenant: Tenant, day: dt.date) -> bool:
    span = tenant.year_end_closure_span
    if span is None:
        return False
    start, end = span
    here = (day.month, day.day)
    if start <= end:
        return start <= here <= end
    return here >= start or here <= end  # across the new year, as 12/29–1/3


def is_business_day(tenant: Tenant, day: dt.date, closed: set[dt.date] | None = None) -> bool:
    """Whether ``tenant``'s office is open on ``day``.

    ``closed`` may hold the tenant's closed days around ``day`` (read once by a caller
    that checks many days); without it the database is asked.
    """
    if day.weekday() >= 5 or is_national_holiday(day) or is_year_end_closure(tenant, day):
        return False
    if closed is None:
        return not tenant.closed_days.filter(date=day).exists()
    return day not in closed


def _closed_days(tenant: Tenant, after: dt.date, until: dt.date) -> set[dt.date]:
    return set(
        tenant.closed_days.filter(date__gt=after, date__lte=until).values_list("date", flat=True)
    )


def next_business_day(tenant: Tenant, day: dt.date) -> dt.date:
    """The first business day strictly after ``day``."""
    window_end = day + _CLOSED_DAYS_WINDOW
    closed = _closed_days(tenant, day, window_end)
    candidate = day + dt.timedelta(days=1)
    while not is_business_day(tenant, candidate, closed):
        candidate += dt.timedelta(days=1)
        if candidate > window_end:
            # A closure longer than the window: read the next stretch too.
            closed |= _closed_days(tenant, window_end, window_end + _CLOSED_DAYS_WINDOW)
            window_end += _CLOSED_DAYS_WINDOW
    return candidate


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Japan at ``moment``; ``moment`` must be aware.

    A naive datetime would be read in the server's own zone (UTC on most hosts) and
    give the wrong day for anything done between midnight and 9:00 in Japan.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("local_date needs an aware datetime, got a naive one.")
    return moment.astimezone(TOKYO).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TOKYO)


def activation_date(tenant: Tenant, moment: dt.datetime) -> dt.date:
    """The day from which something done at ``moment`` becomes visible: the next business
    day after the date in Japan at ``moment`` (which must be aware)."""
    return next_business_day(tenant, local_date(moment))
