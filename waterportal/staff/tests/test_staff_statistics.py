"""Statistics: the town's counts per day and per month (Tokyo's days), as charts, tables
and CSV files, for every role, never another town's, in a constant number of queries."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.accounts.actions import do_record_login_failure, do_withdraw_member
from waterportal.accounts.codes import issue_code
from waterportal.accounts.models import CodePurpose, User, VerificationCode
from waterportal.audit.actions import record
from waterportal.contracts.models import NumberLock
from waterportal.staff import statistics as stats
from waterportal.testing import make_customer, make_link, make_member, sign_in

TOKYO = ZoneInfo("Asia/Tokyo")
# The clock stands at WEDNESDAY: 2026-11-25 10:00 in Tokyo.
TODAY = dt.date(2026, 11, 25)


def tokyo(year: int, month: int, day: int, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


def joined(tenant, email, when) -> User:
    member = make_member(tenant, email=email)
    User.members.filter(pk=member.pk).update(date_joined=when)
    member.refresh_from_db()
    return member


def lock(tenant, number, when) -> NumberLock:
    return NumberLock.objects.create(
        tenant=tenant, number=number, locked_at=when, until=when + dt.timedelta(hours=24)
    )


def town_activity(tenant):
    """The same story in any town: registrations, a withdrawal, failed logins, links, locks.

    - 11/23 23:59 and 11/24 00:00 (Tokyo): one registration each, either side of midnight;
    - 10/10: one registration (the month before, outside the 31 days);
    - 11/24 09:00: the one of 11/23 withdraws;
    - 11/24 23:59 and 11/25 00:00: a failed login each; 11/25 00:00 a code lock;
    - the one of 10/10 has a link active from 11/20, and one revoked on 11/24 12:00;
    - 11/24 23:59: a number lock; 2026-05-01: another (months only).
    """
    late = joined(tenant, "late@example.jp", tokyo(2026, 11, 23, 23, 59))
    joined(tenant, "early@example.jp", tokyo(2026, 11, 24, 0, 0))
    october = joined(tenant, "october@example.jp", tokyo(2026, 10, 10, 12, 0))
    do_withdraw_member(late, now=tokyo(2026, 11, 24, 9, 0))
    do_record_login_failure(
        tenant, "early@example.jp", source="192.0.2.1", now=tokyo(2026, 11, 24, 23, 59)
    )
    do_record_login_failure(
        tenant, "nobody@example.jp", source="192.0.2.1", now=tokyo(2026, 11, 25, 0, 0)
    )
    record(tenant, "code_locked", now=tokyo(2026, 11, 25, 0, 0), purpose="reset")
    make_link(october, make_customer(tenant, number="20200001"), active_from=dt.date(2026, 11, 20))
    revoked = make_link(
        october, make_customer(tenant, number="20200002"), active_from=dt.date(2026, 11, 1)
    )
    revoked.revoked_at = tokyo(2026, 11, 24, 12, 0)
    revoked.save(update_fields=["revoked_at"])
    lock(tenant, "20200003", tokyo(2026, 11, 24, 23, 59))
    lock(tenant, "20200004", tokyo(2026, 5, 1, 8, 0))


def by_day(figures, slug) -> dict[dt.date, int]:
    return {b.first: v for b, v in zip(figures.buckets, figures.values[slug], strict=True)}


@pytest.fixture
def activity(tenant, other_tenant, clock):
    town_activity(tenant)
    town_activity(other_tenant)
    # And one more of きた市 on a day of its own, that おうむ町 must never see.
    joined(other_tenant, "kita@example.jp", tokyo(2026, 11, 22, 8, 0))


def test_the_days_are_the_last_31_of_tokyo_and_the_months_the_last_12():
    days = stats.buckets(stats.Period.DAY, TODAY)
    assert len(days) == 31 and days[0].first == dt.date(2026, 10, 26) and days[-1].first == TODAY
    assert days[-1].begins == tokyo(2026, 11, 25) and days[-1].ends == tokyo(2026, 11, 26)
    months = stats.buckets(stats.Period.MONTH, TODAY)
    assert [m.first for m in (months[0], months[-1])] == [
        dt.date(2025, 12, 1),
        dt.date(2026, 11, 1),
    ]
    assert months[-1].last == TODAY and months[-2].last == dt.date(2026, 10, 31)
    assert months[1].ends == tokyo(2026, 2, 1) and len(months) == 12


def test_each_day_counts_what_happened_that_day_in_tokyo(tenant, activity):
    day = stats.figures(tenant, stats.Period.DAY)
    registrations = by_day(day, "registrations")
    assert registrations[dt.date(2026, 11, 23)] == 1  # 23:59
    assert registrations[dt.date(2026, 11, 24)] == 1  # 00:00
    assert sum(registrations.values()) == 2  # 10/10 is before the 31 days
    assert by_day(day, "withdrawals")[dt.date(2026, 11, 24)] == 1
    failures = by_day(day, "login_failures")
    assert failures[dt.date(2026, 11, 24)] == 1 and failures[TODAY] == 1
    assert sum(by_day(day, "code_locks").values()) == 1 and by_day(day, "code_locks")[TODAY] == 1
    assert by_day(day, "number_locks")[dt.date(2026, 11, 24)] == 1
    assert sum(by_day(day, "number_locks").values()) == 1


def test_members_and_links_are_counted_at_the_end_of_each_day(tenant, activity):
    day = stats.figures(tenant, stats.Period.DAY)
    members = by_day(day, "members")
    assert members[dt.date(2026, 10, 26)] == 1  # the one of 10/10
    assert members[dt.date(2026, 11, 23)] == 2  # and the one who joined at 23:59
    assert members[dt.date(2026, 11, 24)] == 2  # one more at 00:00, one withdrew
    assert members[TODAY] == 2
    links = by_day(day, "links")
    assert links[dt.date(2026, 10, 31)] == 0
    assert links[dt.date(2026, 11, 1)] == 1  # the one revoked later
    assert links[dt.date(2026, 11, 20)] == 2
    assert links[dt.date(2026, 11, 23)] == 2
    assert links[dt.date(2026, 11, 24)] == 1  # revoked at noon
    assert links[TODAY] == 1


def test_each_month_counts_the_towns_month(tenant, activity):
    month = stats.figures(tenant, stats.Period.MONTH)
    november, october, may = dt.date(2026, 11, 1), dt.date(2026, 10, 1), dt.date(2026, 5, 1)
    assert by_day(month, "registrations")[november] == 2
    assert by_day(month, "registrations")[october] == 1
    assert by_day(month, "withdrawals")[november] == 1
    assert by_day(month, "members")[october] == 1 and by_day(month, "members")[november] == 2
    assert by_day(month, "links")[october] == 0 and by_day(month, "links")[november] == 1
    assert by_day(month, "login_failures")[november] == 2
    assert by_day(month, "number_locks")[may] == 1 and by_day(month, "number_locks")[november] == 1


def test_a_registration_at_midnight_on_the_first_falls_in_the_new_month(tenant, clock):
    joined(tenant, "oct31@example.jp", tokyo(2026, 10, 31, 23, 59, 59))
    joined(tenant, "nov1@example.jp", tokyo(2026, 11, 1, 0, 0))
    month = stats.figures(tenant, stats.Period.MONTH)
    assert by_day(month, "registrations")[dt.date(2026, 10, 1)] == 1
    assert by_day(month, "registrations")[dt.date(2026, 11, 1)] == 1


def test_another_towns_figures_never_count(tenant, other_tenant, activity):
    ours = stats.figures(tenant, stats.Period.DAY)
    assert by_day(ours, "registrations")[dt.date(2026, 11, 22)] == 0
    assert by_day(ours, "members")[TODAY] == 2
    kita = stats.figures(other_tenant, stats.Period.DAY)
    assert by_day(kita, "registrations")[dt.date(2026, 11, 22)] == 1
    assert by_day(kita, "members")[TODAY] == 3


def test_only_the_last_days_wrong_codes_can_be_counted(tenant, other_tenant, clock, member):
    row, _ = issue_code(tenant, CodePurpose.RESET, member.email)
    VerificationCode.objects.filter(pk=row.pk).update(attempts=3)
    kita_row, _ = issue_code(other_tenant, CodePurpose.RESET, member.email)
    VerificationCode.objects.filter(pk=kita_row.pk).update(attempts=4)
    assert stats.figures(tenant, stats.Period.DAY).recent_wrong_codes == 3
    clock.shift(dt.timedelta(hours=25))
    assert stats.figures(tenant, stats.Period.DAY).recent_wrong_codes == 0


def test_a_failed_login_through_the_login_page_counts(portal, tenant, member, clock):
    page = portal.post("/login", {"email": member.email, "password": "wrong-password-1A"})
    assert page.status_code == 200
    assert by_day(stats.figures(tenant, stats.Period.DAY), "login_failures")[TODAY] == 1


# --- The page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "clerk", "viewer"])
def test_every_role_sees_the_statistics_page_by_day_and_by_month(console_as, activity, role):
    console = console_as(role)
    assert '<a class="btn-link" href="/staff/statistics">統計</a>' in console.get("/staff/").text
    page = console.get("/staff/statistics")
    assert page.status_code == 200
    assert "会員数（日別）" in page.text and 'aria-current="page">日別' in page.text
    assert "2026年11月24日（火）" in page.text  # a table's row
    assert page.text.count("<svg") == len(stats.SERIES)
    month = console.get("/staff/statistics", {"period": "month"})
    assert month.status_code == 200
    assert "登録（月別）" in month.text and "2026年5月" in month.text


def test_each_chart_is_labelled_for_screen_readers_and_its_figures_are_in_a_table(
    console, activity
):
    page = console.get("/staff/statistics").text
    assert 'role="img" aria-label="登録（日別）のグラフ。' in page
    assert (
        "<title>登録（日別）のグラフ。2026年10月26日（月）から2026年11月25日（水）までの31日分。"
        "最新は0人、最も多いのは2026年11月23日（月）の1人。すべての数値は下の表にあります。</title>"
    ) in page
    assert '<caption class="sr-only">登録（日別、新しい順）</caption>' in page
    assert '<th scope="row">2026年11月23日（月）</th><td>1人</td>' in page


def test_the_page_says_what_the_code_figures_count(console, tenant, member, activity):
    row, _ = issue_code(tenant, CodePurpose.RESET, member.email)
    VerificationCode.objects.filter(pk=row.pk).update(attempts=2)
    page = console.get("/staff/statistics").text
    assert "24時間に100回まちがえ" in page and "1日で消去される" in page
    assert "直近24時間に発行された確認コードへのまちがった入力：2回" in page


def test_another_period_is_refused_with_a_message_and_days_shown(console, activity):
    page = console.get("/staff/statistics", {"period": "week"})
    assert page.status_code == 200
    assert "期間は「日別」か「月別」を選んでください" in page.text and "登録（日別）" in page.text


def test_the_page_costs_the_same_few_queries_for_a_small_or_a_busy_town(
    console, tenant, clock, django_assert_max_num_queries
):
    console.get("/staff/statistics")  # the session's first queries out of the way
    with CaptureQueriesContext(connection) as quiet:
        console.get("/staff/statistics")
    for n in range(30):
        member = joined(tenant, f"m{n}@example.jp", tokyo(2026, 11, 1 + n % 25, 10))
        do_record_login_failure(tenant, member.email, source="192.0.2.9")
        make_link(member, make_customer(tenant, number=f"3030{n:04d}"), active_from=TODAY)
        lock(tenant, f"4040{n:04d}", tokyo(2026, 11, 1 + n % 25, 11))
    with CaptureQueriesContext(connection) as busy:
        console.get("/staff/statistics", {"period": "month"})
    assert len(busy) == len(quiet)
    with django_assert_max_num_queries(12):
        console.get("/staff/statistics")


# --- CSV ----------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_a_series_csv_by_day_has_a_date_and_a_count_per_day(console, activity):
    response = console.get("/staff/statistics/registrations.csv", {"period": "day"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "statistics-registrations-day-20261125.csv" in response["Content-Disposition"]
    assert b"\r\n" in response.content
    rows = rows_of(response)
    assert rows[0] == ["日付", "件数"] and len(rows) == 32
    assert rows[1] == ["2026/10/26", "0"]
    assert (
        ["2026/11/23", "1"] in rows and ["2026/11/24", "1"] in rows and rows[-1][0] == "2026/11/25"
    )


def test_a_series_csv_by_month_has_a_month_and_a_count_per_month(console, activity):
    rows = rows_of(console.get("/staff/statistics/members.csv", {"period": "month"}))
    assert rows[0] == ["月", "件数"] and len(rows) == 13
    assert rows[1] == ["2025年12月", "0"]
    assert rows[-2:] == [["2026年10月", "1"], ["2026年11月", "2"]]


def test_the_csv_of_all_series_puts_them_side_by_side(console, activity):
    rows = rows_of(console.get("/staff/statistics.csv", {"period": "day"}))
    assert rows[0] == [
        "日付",
        "登録（人）",
        "退会（人）",
        "会員数（人）",
        "有効な紐付け（件）",
        "確認コードの一時停止（件）",
        "ログインの失敗（回）",
        "使用者番号のロック（件）",
    ]
    assert ["2026/11/24", "1", "1", "2", "1", "0", "1", "1"] in rows
    assert rows[-1] == ["2026/11/25", "0", "0", "2", "1", "1", "1", "0"]


@pytest.mark.parametrize("role", ["manager", "clerk", "viewer"])
def test_every_role_downloads_every_csv(console_as, activity, role):
    console = console_as(role)
    for period in ("day", "month"):
        for series in stats.SERIES:
            response = console.get(f"/staff/statistics/{series.slug}.csv", {"period": period})
            assert response.status_code == 200 and rows_of(response)[0][1] == "件数"
        assert console.get("/staff/statistics.csv", {"period": period}).status_code == 200


def test_an_unknown_series_is_not_found_and_an_unknown_period_explained(console):
    assert console.get("/staff/statistics/passwords.csv").status_code == 404
    refused = console.get("/staff/statistics/registrations.csv", {"period": "year"})
    assert refused.status_code == 400 and "CSVの期間は「日別」か「月別」です" in refused.text
    assert console.get("/staff/statistics.csv", {"period": "year"}).status_code == 400


def test_another_towns_console_counts_its_own_town_only(other_console, activity):
    rows = rows_of(other_console.get("/staff/statistics/registrations.csv"))
    assert ["2026/11/22", "1"] in rows


# --- Who may not see it ---------------------------------------------------------------

PAGES = ["/staff/statistics", "/staff/statistics.csv", "/staff/statistics/members.csv"]


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_out_visitor_is_sent_to_the_staff_login(portal, url):
    response = portal.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login")


@pytest.mark.parametrize("url", PAGES)
def test_a_resident_is_sent_to_the_staff_login(portal, member, clock, url):
    sign_in(portal, member)
    response = portal.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login")
