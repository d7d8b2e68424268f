"""What still holds bills together now that the database checks only their customer
(``Bill`` explains why): Django's ``on_delete`` for the tenant and the import run, the
database for the customer."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from waterportal.billing.models import Bill, Payment
from waterportal.exchange.models import ImportRun
from waterportal.tenants.models import Tenant
from waterportal.testing import make_bill, make_customer, make_payment


def test_deleting_a_tenant_deletes_its_bills_and_payments(tenant, other_tenant, customer):
    make_payment(make_bill(customer, "2026-08"))
    kept = make_bill(make_customer(other_tenant, number="20200002"), "2026-08")

    Tenant.objects.filter(pk=tenant.pk).delete()

    assert list(Bill.objects.all()) == [kept]
    assert not Payment.objects.exists()


def test_deleting_an_import_run_keeps_its_bills_without_it(tenant, customer):
    run = ImportRun.objects.create(
        tenant=tenant, kind="bills", source="command", started_at=timezone.now()
    )
    bill = make_bill(customer, "2026-08", import_run=run)

    run.delete()

    bill.refresh_from_db()
    assert bill.import_run_id is None


def test_a_bill_of_a_customer_that_is_gone_is_refused(customer):
    bill = make_bill(customer, "2026-08")

    # In a savepoint, so that the bad row is gone again when the test ends.
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(customer_id=customer.pk + 1000)
        connection.check_constraints(table_names=[Bill._meta.db_table])
