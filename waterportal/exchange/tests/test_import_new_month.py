"""A bills file of a month the town has no bill of yet, as nearly every monthly file is:
its rows are inserted without first being joined with the bills already there, and it
must give exactly what the general path gives (counts, rows, a rejection that writes
nothing)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.billing.models import Bill
from waterportal.exchange.models import ImportRun
from waterportal.testing import BILLS, CUSTOMERS, bill_row, csv_bytes, customer_row

APRIL = dt.date(2026, 4, 1)
MAY = dt.date(2026, 5, 1)


@pytest.fixture
def april(tenant, importer, ledger):
    run = importer(tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001"), bill_row("1001-0002")))
    assert run.status == ImportRun.Status.SUCCEEDED, run.report
    return run


def _bills_joined(queries) -> list[str]:
    """The statements that joined the staged rows with the bills already there."""
    return [q["sql"] for q in queries.captured_queries if 'JOIN "billing_bill"' in q["sql"]]


def test_a_new_month_is_added_beside_the_months_already_there_without_touching_them(
    tenant, importer, april
):
    before = {bill.pk: bill.updated_at for bill in Bill.objects.all()}
    may = csv_bytes(
        BILLS,
        bill_row("1001-0001", "2026-05", previous=120, current=131),
        bill_row("1001-0002", "2026-05", previous=120, current=125),
    )

    with CaptureQueriesContext(connection) as queries:
        run = importer(tenant, "bills", may)

    assert (run.status, run.added, run.changed, run.unchanged) == ("succeeded", 2, 0, 0)
    assert _bills_joined(queries) == []
    assert {bill.pk: bill.updated_at for bill in Bill.objects.filter(billing_month=APRIL)} == before
    written = Bill.objects.filter(billing_month=MAY).order_by("customer__number")
    assert [(b.usage_m3, b.import_run_id) for b in written] == [(11, run.pk), (5, run.pk)]


def test_another_towns_bills_of_the_month_do_not_matter(tenant, other_tenant, importer, ledger):
    importer(other_tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0001")))
    importer(other_tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001")))

    with CaptureQueriesContext(connection) as queries:
        run = importer(tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001")))

    assert (run.status, run.added) == ("succeeded", 1)
    assert _bills_joined(queries) == []
    assert Bill.objects.filter(billing_month=APRIL).count() == 2


def test_a_file_with_a_month_already_there_is_compared_row_by_row(tenant, importer, april):
    data = csv_bytes(
        BILLS,
        bill_row("1001-0001", current=118),  # April, corrected
        bill_row("1001-0002"),  # April, as it was
        bill_row("1001-0001", "2026-05", previous=118, current=130),
    )

    with CaptureQueriesContext(connection) as queries:
        run = importer(tenant, "bills", data)

    assert (run.status, run.added, run.changed, run.unchanged) == ("succeeded", 1, 1, 1)
    assert _bills_joined(queries) != []
    assert Bill.objects.count() == 3


def test_an_unknown_number_in_a_new_month_rejects_the_file_and_writes_none_of_it(
    tenant, importer, april
):
    data = csv_bytes(
        BILLS,
        bill_row("1001-0001", "2026-05", previous=120, current=130),
        bill_row("9009-0009", "2026-05", previous=120, current=130),
        bill_row("1001-0002", "2026-05", previous=120, current=130),
    )

    run = importer(tenant, "bills", data)

    assert run.status == ImportRun.Status.REJECTED
    assert [(p["line"], p["column"], p["value"]) for p in run.report] == [
        (3, "使用者番号", "9009-0009")
    ]
    assert "使用者台帳にない使用者番号です" in run.report[0]["reason"]
    stored = ImportRun.objects.get(pk=run.pk)
    assert (stored.status, stored.added, stored.rejected) == ("rejected", 0, 1)
    assert not Bill.objects.filter(billing_month=MAY).exists()
    assert Bill.objects.filter(billing_month=APRIL).count() == 2

    # The same rows without the unknown number then go in whole.
    fixed = csv_bytes(
        BILLS,
        bill_row("1001-0001", "2026-05", previous=120, current=130),
        bill_row("1001-0002", "2026-05", previous=120, current=130),
    )
    assert importer(tenant, "bills", fixed).added == 2
