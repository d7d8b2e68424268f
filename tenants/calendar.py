"""The tenant's business calendar: the one place that knows which days are open.

Closed: Saturdays, Sundays, Japan's national holidays (substitute and citizens'
holidays included, from the ``holidays`` package), the municipal year-end closure
12/29–1/3, and the tenant's own closed days.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from tenants.models import Tenant

TOKYO = ZoneInfo("Asia/Tokyo")


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=year)


def is_year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(tenant: Tenant, day: dt.date, closed: set[dt.date] | None = None) -> bool:
    if day.weekday() >= 5 or day in _national_holidays(day.year) or is_year_end_closure(day):
        return False
    if closed is None:
        closed = set(tenant.closed_days.filter(date=day).values_list("date", flat=True))
    return day not in closed


def next_business_day(tenant: Tenant, day: dt.date) -> dt.date:
    """The first business day strictly after ``day``."""
    closed = set(
        tenant.closed_days.filter(date__gt=day, date__lte=day + dt.timedelta(days=60)).values_list(
            "date", flat=True
        )
    )
    candidate = day + dt.timedelta(days=1)
    while not is_business_day(tenant, candidate, closed):
        candidate += dt.timedelta(days=1)
    return candidate


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TOKYO).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TOKYO)


def activation_date(tenant: Tenant, moment: dt.datetime) -> dt.date:
    """The day from which something done at ``moment`` becomes visible: the next business day."""
    return next_business_day(tenant, local_date(moment))
