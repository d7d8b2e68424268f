"""The same file as the town's last import of its kind is not read again.

Billing systems send a file again (a retried transfer, a job run twice, staff unsure
whether an upload went through); reading a million rows only to find each unchanged took
about half as long as the first import. The rows of the last succeeded import of a kind
are in, and only imports of that kind write them, so the file's SHA-256 says it all. A
different file of the kind in between, or ``--again``, makes the file be read in full.
"""

import datetime as dt

import pytest
import time_machine

from waterportal.audit.models import AuditEvent
from waterportal.billing.models import Bill
from waterportal.contracts.models import Customer
from waterportal.exchange.models import ImportRun
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    bill_row,
    csv_bytes,
    customer_row,
    text_of,
)

LEDGER = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002"))
APRIL_0002 = bill_row("1001-0002", "2026-04")
APRIL = csv_bytes(BILLS, bill_row("1001-0001", "2026-04"), APRIL_0002)


@pytest.fixture
def ledger(tenant, importer):
    return importer(tenant, "customers", LEDGER)


def test_the_same_file_again_ends_at_once_with_every_row_unchanged(tenant, importer, ledger):
    with time_machine.travel("2026-05-01 09:00 +0900", tick=False):
        first = importer(tenant, "bills", APRIL)
    with time_machine.travel("2026-05-02 09:00 +0900", tick=False):
        again = importer(tenant, "bills", APRIL)

    assert again.pk != first.pk
    assert (again.status, again.added, again.changed, again.unchanged) == ("succeeded", 0, 0, 2)
    assert again.same_as == first
    assert again.finished_at is not None and again.sha256 == first.sha256
    # Nothing was written: the bills still name the run that wrote them.
    assert set(Bill.objects.values_list("import_run", flat=True)) == {first.pk}
    assert {b.updated_at.date() for b in Bill.objects.all()} == {dt.date(2026, 5, 1)}
    event = AuditEvent.objects.filter(action="import").latest("pk")
    assert event.data["run_id"] == again.pk and event.data["same_as"] == first.pk


def test_a_third_time_names_the_run_that_read_it(tenant, importer, ledger):
    first = importer(tenant, "bills", APRIL)
    importer(tenant, "bills", APRIL)

    third = importer(tenant, "bills", APRIL)

    assert third.same_as == first
    assert third.unchanged == 2


def test_after_a_different_file_of_the_kind_the_same_file_is_read_and_puts_its_rows_back(
    tenant, importer, ledger
):
    importer(tenant, "customers", LEDGER)  # the ledger as the first file has it
    moved = csv_bytes(
        CUSTOMERS, customer_row("1001-0001", address="おうむ町本町9-9"), customer_row("1001-0002")
    )
    importer(tenant, "customers", moved)

    back = importer(tenant, "customers", LEDGER)

    assert back.same_as is None
    assert (back.added, back.changed, back.unchanged) == (0, 1, 1)
    assert Customer.objects.get(number="10010001").address != "おうむ町本町9-9"


def test_an_import_of_another_kind_in_between_does_not_make_the_file_be_read(
    tenant, importer, ledger
):
    first = importer(tenant, "bills", APRIL)
    importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0003")))

    again = importer(tenant, "bills", APRIL)

    assert again.same_as == first


def test_a_rejected_file_in_between_changes_nothing_so_the_file_is_still_not_read(
    tenant, importer, ledger
):
    first = importer(tenant, "bills", APRIL)
    bad = importer(tenant, "bills", csv_bytes(BILLS, bill_row("9999-9999", "2026-04")))
    assert bad.status == ImportRun.Status.REJECTED

    assert importer(tenant, "bills", APRIL).same_as == first


def test_a_file_that_was_rejected_is_checked_again_in_full(tenant, importer):
    # No ledger yet: the bills are refused, then accepted once the customers exist.
    refused = importer(tenant, "bills", APRIL)
    assert refused.status == ImportRun.Status.REJECTED
    importer(tenant, "customers", LEDGER)

    run = importer(tenant, "bills", APRIL)

    assert (run.status, run.added, run.same_as) == ("succeeded", 2, None)


def test_another_town_sending_the_same_file_has_it_read(tenant, other_tenant, importer, ledger):
    importer(tenant, "customers", LEDGER)

    run = importer(other_tenant, "customers", LEDGER)

    assert (run.added, run.same_as) == (2, None)
    assert Customer.objects.filter(tenant=other_tenant).count() == 2


def test_again_reads_every_row_and_applies_what_the_importer_now_reads(tenant, importer, ledger):
    """As after a fix to an importer: the stored rows differ from what the file now gives."""
    importer(tenant, "bills", APRIL)
    Bill.objects.filter(customer__number="10010001").update(usage_m3=99)

    kept = importer(tenant, "bills", APRIL)
    assert Bill.objects.get(customer__number="10010001").usage_m3 == 99  # not read
    again = importer(tenant, "bills", APRIL, again=True)

    assert (again.changed, again.unchanged, again.same_as) == (1, 1, None)
    assert kept.same_as is not None
    assert Bill.objects.get(customer__number="10010001").usage_m3 == 20


def test_the_console_says_the_file_was_the_same_and_links_the_run_that_read_it(
    tenant, importer, ledger, console
):
    first = importer(tenant, "bills", APRIL)
    again = importer(tenant, "bills", APRIL)

    response = console.get(f"/staff/imports/{again.pk}")

    page = text_of(response)
    assert f"前回の取り込み（ #{first.pk} ）と同じ内容のファイルです" in page
    assert "読み直していません" in page and "変更なし 2件" in page
    assert f'href="/staff/imports/{first.pk}"' in response.content.decode()


def test_a_different_file_after_it_by_either_order_makes_the_file_be_read(tenant, importer, ledger):
    """The second file ran on a machine whose clock was behind: it finished "before" the
    first by the clocks, after it by the runs' order, and its rows are the ones in."""
    corrected = csv_bytes(BILLS, bill_row("1001-0001", "2026-04", current=118), APRIL_0002)
    with time_machine.travel("2026-05-02 09:00 +0900", tick=False):
        importer(tenant, "bills", APRIL)
    with time_machine.travel("2026-05-01 09:00 +0900", tick=False):
        importer(tenant, "bills", corrected)
    assert Bill.objects.get(customer__number="10010001").usage_m3 == 18

    with time_machine.travel("2026-05-03 09:00 +0900", tick=False):
        back = importer(tenant, "bills", APRIL)

    assert (back.same_as, back.changed, back.unchanged) == (None, 1, 1)
    assert Bill.objects.get(customer__number="10010001").usage_m3 == 20
