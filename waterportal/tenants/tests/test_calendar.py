import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from waterportal.tenants.calendar import (
    activation_date,
    is_business_day,
    local_date,
    next_business_day,
)
from waterportal.tenants.models import ClosedDay

D = dt.date
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (D(2026, 11, 27), True),  # Friday
        (D(2026, 11, 28), False),  # Saturday
        (D(2026, 11, 29), False),  # Sunday
        (D(2026, 11, 30), True),  # Monday
    ],
)
def test_saturdays_and_sundays_are_closed(tenant, day, open_):
    assert is_business_day(tenant, day) is open_


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 11, 3),  # 文化の日
        D(2026, 11, 23),  # 勤労感謝の日
        D(2026, 5, 6),  # 振替休日 (5/3 憲法記念日 fell on a Sunday)
        D(2025, 11, 24),  # 振替休日 (11/23 勤労感謝の日 fell on a Sunday)
        D(2026, 9, 22),  # 国民の休日, between 敬老の日 and 秋分の日
    ],
)
def test_national_substitute_and_citizens_holidays_are_closed(tenant, day):
    assert day.weekday() < 5
    assert not is_business_day(tenant, day)


@pytest.mark.parametrize(
    "day",
    [D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2)],
)
def test_year_end_closure_from_december_29_to_january_3_is_closed(tenant, day):
    assert not is_business_day(tenant, day)


def test_december_28_and_january_4_are_open(tenant):
    assert is_business_day(tenant, D(2026, 12, 28))
    assert is_business_day(tenant, D(2027, 1, 4))


def test_next_business_day_after_december_28_is_january_4(tenant):
    assert next_business_day(tenant, D(2026, 12, 28)) == D(2027, 1, 4)


def test_next_business_day_skips_golden_week_and_its_substitute_holiday(tenant):
    # 5/2 Sat, 5/3 Sun 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日.
    assert next_business_day(tenant, D(2026, 5, 1)) == D(2026, 5, 7)


def test_next_business_day_skips_the_september_holidays(tenant):
    # 9/19 Sat – 9/23 秋分の日 with 9/22 国民の休日 in between.
    assert next_business_day(tenant, D(2026, 9, 18)) == D(2026, 9, 24)


def test_next_business_day_is_strictly_after_the_given_day(tenant):
    assert next_business_day(tenant, D(2026, 11, 26)) == D(2026, 11, 27)


def test_a_tenants_closed_day_closes_only_that_tenant(tenant, other_tenant):
    ClosedDay.objects.create(tenant=tenant, date=D(2026, 11, 27), reason="庁舎点検")

    assert not is_business_day(tenant, D(2026, 11, 27))
    assert is_business_day(other_tenant, D(2026, 11, 27))
    assert next_business_day(tenant, D(2026, 11, 26)) == D(2026, 11, 30)
    assert next_business_day(other_tenant, D(2026, 11, 26)) == D(2026, 11, 27)


def test_closed_days_beyond_the_first_lookup_window_are_still_skipped(tenant):
    start = D(2026, 6, 1)
    ClosedDay.objects.bulk_create(
        ClosedDay(tenant=tenant, date=start + dt.timedelta(days=n)) for n in range(1, 101)
    )
    expected = start + dt.timedelta(days=101)
    while expected.weekday() >= 5:
        expected += dt.timedelta(days=1)

    assert next_business_day(tenant, start) == expected


def test_activation_late_in_the_evening_in_tokyo_is_the_next_day(tenant):
    moment = dt.datetime(2026, 11, 25, 23, 59, tzinfo=TOKYO)
    assert activation_date(tenant, moment) == D(2026, 11, 26)


def test_activation_after_midnight_in_tokyo_counts_from_the_japanese_date(tenant):
    moment = dt.datetime(2026, 11, 25, 15, 30, tzinfo=dt.UTC)  # 2026-11-26 00:30 JST
    assert local_date(moment) == D(2026, 11, 26)
    assert activation_date(tenant, moment) == D(2026, 11, 27)


def test_activation_on_friday_evening_is_monday(tenant):
    moment = dt.datetime(2026, 11, 27, 18, 0, tzinfo=TOKYO)
    assert activation_date(tenant, moment) == D(2026, 11, 30)


def test_activation_from_now_uses_the_japanese_date(tenant):
    with time_machine.travel(dt.datetime(2026, 12, 28, 16, 0, tzinfo=dt.UTC), tick=False):
        # 2026-12-29 01:00 JST: already in the year-end closure.
        assert activation_date(tenant, timezone.now()) == D(2027, 1, 4)


def test_activation_date_refuses_a_naive_datetime(tenant):
    with pytest.raises(ValueError, match="aware"):
        activation_date(tenant, dt.datetime(2026, 11, 25, 23, 59))
