"""Import reports stop quoting residents' data after 90 days (exchange.actions.do_forget_report_values)."""

import datetime as dt

import time_machine
from django.conf import settings

from waterportal.exchange.actions import REPORT_VALUES_KEPT
from waterportal.exchange.models import ImportRun
from waterportal.exchange.tasks import forget_report_values
from waterportal.testing import CUSTOMERS, Importer, csv_bytes, customer_row

T0 = dt.datetime(2026, 8, 1, 1, 0, tzinfo=dt.UTC)


def rejected_ledger(importer, tenant):
    data = csv_bytes(CUSTOMERS, customer_row(kana="山田 太郎"))  # kanji where kana belongs
    run = importer(tenant, "customers", data)
    assert run.status == ImportRun.Status.REJECTED
    return run


def test_a_report_keeps_quoting_the_cells_for_90_days_then_only_where_and_why(
    tenant, other_tenant, tmp_path
):
    importer = Importer(tmp_path)
    with time_machine.travel(T0, tick=False) as clock:
        old, elsewhere = rejected_ledger(importer, tenant), rejected_ledger(importer, other_tenant)
        clock.shift(REPORT_VALUES_KEPT - dt.timedelta(days=1))
        recent = rejected_ledger(importer, tenant)
        assert forget_report_values() == 0
        (problem,) = [p for p in old.report if p["column"] == "使用者名カナ"]
        assert problem["value"] == "山田 太郎"

        clock.shift(dt.timedelta(days=2))
        assert forget_report_values() == 2  # the old run of each town
        assert forget_report_values() == 0  # once

    for run in (old, elsewhere):
        before = run.report
        run.refresh_from_db()
        assert [p["value"] for p in run.report] == [""] * len(before)
        assert [(p["line"], p["column"], p["reason"]) for p in run.report] == [
            (p["line"], p["column"], p["reason"]) for p in before
        ]
        assert run.rejected == len(before) and run.sha256
    recent.refresh_from_db()
    assert "山田 太郎" in [p["value"] for p in recent.report]


def test_the_report_values_are_forgotten_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["forget-report-values"]
    assert entry["task"] == forget_report_values.name
    assert entry["schedule"].hour == {3}
