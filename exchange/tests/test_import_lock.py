import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from contracts.models import Customer
from exchange.models import ImportRun
from exchange.tests.helpers import CUSTOMERS, csv_bytes, customer_row
from tenants.models import Tenant


def _running(tenant, started_at) -> ImportRun:
    return ImportRun.objects.create(
        tenant=tenant, kind="bills", source="command", started_at=started_at, status="running"
    )


def test_a_second_import_for_the_same_tenant_is_refused_while_one_runs(tenant, importer):
    first = _running(tenant, timezone.now() - dt.timedelta(minutes=5))

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.REJECTED
    assert f"別の取り込み（#{first.pk}、" in run.report[0]["reason"]
    assert "終わってから、もう一度実行してください。" in run.report[0]["reason"]
    assert not Customer.objects.exists()


def test_an_import_of_another_tenant_does_not_block(tenant, other_tenant, importer):
    _running(other_tenant, timezone.now())

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.SUCCEEDED


def test_a_run_left_running_hours_ago_is_taken_as_abandoned(tenant, importer):
    abandoned = _running(tenant, timezone.now() - dt.timedelta(hours=3))

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.SUCCEEDED
    abandoned.refresh_from_db()
    assert abandoned.status == ImportRun.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_while_another_holds_the_tenant_lock(tenant, importer):
    """The write phase locks the tenant row, so two imports never write at once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock (BEGIN IMMEDIATE)")
    locked, release = threading.Event(), threading.Event()
    result = {}

    def hold_lock():
        try:
            with scopes_disabled(), transaction.atomic():
                Tenant.objects.select_for_update().get(pk=tenant.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def run_import():
        try:
            result["run"] = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(5)
    waiter = threading.Thread(target=run_import)
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive(), "the import should wait for the lock"
    release.set()
    holder.join(10)
    waiter.join(10)

    assert result["run"].status == ImportRun.Status.SUCCEEDED
    assert Customer.objects.filter(tenant=tenant).count() == 1
