import datetime as dt
import os
import subprocess
import sys
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer
from waterportal.exchange import runs
from waterportal.exchange.models import ImportRun
from waterportal.tenants.models import Tenant
from waterportal.testing import CUSTOMERS, another_import, csv_bytes, customer_row


def _running(tenant, started_at, **process) -> ImportRun:
    return ImportRun.objects.create(
        tenant=tenant,
        kind="bills",
        source="command",
        started_at=started_at,
        status="running",
        **process,
    )


def _pid_of_a_finished_process() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_second_import_for_the_same_tenant_is_refused_while_one_runs(tenant, importer):
    with another_import(tenant, timezone.now() - dt.timedelta(minutes=5)) as first:
        run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.REJECTED
    assert f"別の取り込み（#{first.pk}、" in run.report[0]["reason"]
    assert "終わってから、もう一度実行してください。" in run.report[0]["reason"]
    assert not Customer.objects.exists()


def test_an_import_of_another_tenant_does_not_block(tenant, other_tenant, importer):
    _running(other_tenant, timezone.now())

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.SUCCEEDED


def test_a_run_whose_process_is_gone_is_marked_failed_by_the_next_import(tenant, importer):
    """A killed import leaves its run "running"; the next one sees at once that its
    process is gone (PostgreSQL: its import lock is free; SQLite: its pid is gone)."""
    host, _ = runs.this_process()
    killed = _running(tenant, timezone.now(), host=host, pid=_pid_of_a_finished_process())

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.SUCCEEDED
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED
    assert killed.finished_at is not None
    assert "途中で止まりました" in killed.report[0]["reason"]
    assert AuditEvent.objects.filter(action="import", data__run_id=killed.pk).exists()


def test_a_run_marked_failed_while_it_read_its_file_writes_nothing(tenant, importer, monkeypatch):
    """If another import took this one for dead and failed it, this one must not write."""
    from waterportal.exchange.importers.staging import Staging

    read_all = Staging.report_duplicates

    def failed_meanwhile(self, report):
        ImportRun.objects.filter(status="running").update(status="failed")
        read_all(self, report)

    monkeypatch.setattr(Staging, "report_duplicates", failed_meanwhile)

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    assert run.status == ImportRun.Status.FAILED
    assert not Customer.objects.exists()


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


def test_the_schedule_marks_a_dead_import_failed_without_waiting_for_the_next_import(tenant):
    from waterportal.exchange.tasks import sweep_abandoned_runs

    host, _ = runs.this_process()
    killed = _running(tenant, timezone.now(), host=host, pid=_pid_of_a_finished_process())
    alive = _running(tenant, timezone.now(), host=host, pid=os.getpid())
    if connection.vendor == "postgresql":
        # There the import lock tells: free means no import is alive. Only one run can
        # hold it, so keep just the dead one for this database.
        alive.delete()

    assert sweep_abandoned_runs.delay().get() == {"oumu": 1}

    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED
    if connection.vendor != "postgresql":
        alive.refresh_from_db()
        assert alive.status == ImportRun.Status.RUNNING
