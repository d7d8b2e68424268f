import io
import re

import time_machine
from django.core.management import call_command

from waterportal.accounts.models import User
from waterportal.billing.models import Bill, Payment
from waterportal.contracts.models import Customer, Link
from waterportal.exchange.models import ImportRun
from waterportal.lib.kana import customer_number_key, kana_key
from waterportal.tenants.models import Tenant
from waterportal.testing import demo_pair


def _seed(tmp_path) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--dir", str(tmp_path / "demo"), stdout=out)
    return out.getvalue()


@time_machine.travel("2026-11-25 10:00 +0900", tick=False)
def test_seed_demo_creates_the_town_from_files_imported_through_the_importer(db, tmp_path):
    output = _seed(tmp_path)

    tenant = Tenant.objects.get(slug="oumu")
    assert (tenant.name, tenant.business_name) == ("おうむ町", "おうむ町水道事業")
    assert re.fullmatch(r"T\d{13}", tenant.invoice_registration_number)
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [
        "bills.csv",
        "customers.csv",
        "payments.csv",
    ]
    assert list(ImportRun.objects.values_list("kind", "status").order_by("pk")) == [
        ("customers", "succeeded"),
        ("bills", "succeeded"),
        ("payments", "succeeded"),
    ]
    assert Customer.objects.filter(tenant=tenant).count() == 300
    statuses = set(Customer.objects.values_list("status", flat=True))
    assert statuses == {"使用中", "休止", "中止"}
    assert set(Customer.objects.values_list("payment_method", flat=True)) == {"口座振替", "納付書"}
    months = Bill.objects.dates("billing_month", "month")
    first, last = months.first(), months.last()
    assert first is not None and last is not None
    assert (first.isoformat(), last.isoformat()) == ("2024-12-01", "2026-11-01")
    results = list(Payment.objects.values_list("result", flat=True))
    assert 0 < results.count("振替不能") < len(results) * 0.05
    assert "http://127.0.0.1:8000/login?tenant=oumu" in output
    assert "http://127.0.0.1:8000/dev/mailbox/" in output


def test_seed_demo_prints_a_pair_that_registration_will_match(db, tmp_path):
    number, kana = demo_pair(_seed(tmp_path))

    customer = Customer.objects.get(number=customer_number_key(number))
    assert customer.name_kana_key == kana_key(kana)
    assert customer.status == Customer.Status.IN_USE
    assert not customer.links.exists()
    assert customer.bills.count() >= 12


def test_seed_demo_a_second_time_changes_nothing_and_prints_a_pair_still_free(db, tmp_path):
    first = _seed(tmp_path)
    number, _ = demo_pair(first)
    counts = (Customer.objects.count(), Bill.objects.count(), ImportRun.objects.count())

    second = _seed(tmp_path)

    assert "すでにあります" in second
    assert (Customer.objects.count(), Bill.objects.count(), ImportRun.objects.count()) == counts
    assert demo_pair(second) == demo_pair(first)

    tenant = Tenant.objects.get(slug="oumu")
    member = User.objects.create_user("demo@example.jp", "x", tenant=tenant)
    customer = Customer.objects.get(number=customer_number_key(number))
    Link.objects.create(
        tenant=tenant,
        member=member,
        customer=customer,
        relationship="本人",
        created_at=customer.updated_at,
        active_from=customer.updated_at.date(),
    )
    third = _seed(tmp_path)
    assert demo_pair(third)[0] != number
