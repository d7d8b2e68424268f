import datetime as dt

import pytest

from waterportal.billing.models import Payment
from waterportal.exchange.models import ImportRun
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    PAYMENTS,
    bill_row,
    csv_bytes,
    customer_row,
    payment_row,
)


@pytest.fixture
def bills(tenant, importer):
    importer(
        tenant,
        "customers",
        csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002")),
    )
    importer(tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001"), bill_row("1001-0002")))


def test_payments_are_attached_to_their_bills(tenant, importer, bills):
    data = csv_bytes(
        PAYMENTS,
        payment_row("1001-0001"),
        payment_row("1001-0002", paid_on="", amount="", result="振替不能"),
    )

    run = importer(tenant, "payments", data)

    assert (run.status, run.added) == ("succeeded", 2)
    paid = Payment.objects.get(bill__customer__number="10010001")
    assert (paid.paid_on, paid.amount, paid.method, paid.result) == (
        dt.date(2026, 4, 30),
        5500,
        "口座振替",
        "済",
    )
    failed = Payment.objects.get(bill__customer__number="10010002")
    assert (failed.paid_on, failed.amount, failed.result) == (None, None, "振替不能")
    assert failed.tenant == tenant


def test_a_payment_for_a_bill_not_imported_is_rejected(tenant, importer, bills):
    data = csv_bytes(
        PAYMENTS, payment_row("1001-0001", "2026-04"), payment_row("1001-0001", "2026-06")
    )

    run = importer(tenant, "payments", data)

    assert run.status == ImportRun.Status.REJECTED
    assert [(p["line"], p["column"], p["value"]) for p in run.report] == [
        (3, "調定年月", "2026-06")
    ]
    assert "請求がありません" in run.report[0]["reason"]
    assert not Payment.objects.exists()


def test_a_payment_of_another_tenants_customer_is_rejected(tenant, other_tenant, importer, bills):
    importer(other_tenant, "customers", csv_bytes(CUSTOMERS, customer_row("3003-0003")))
    importer(other_tenant, "bills", csv_bytes(BILLS, bill_row("3003-0003")))

    run = importer(tenant, "payments", csv_bytes(PAYMENTS, payment_row("3003-0003")))

    assert [(p["column"], p["value"]) for p in run.report] == [("使用者番号", "3003-0003")]
    assert not Payment.objects.exists()


def test_method_and_result_outside_the_allowed_values_are_rejected(tenant, importer, bills):
    run = importer(
        tenant, "payments", csv_bytes(PAYMENTS, payment_row(method="現金", result="未納"))
    )

    assert {(p["column"], p["value"]) for p in run.report} == {
        ("収納方法", "現金"),
        ("結果", "未納"),
    }


def test_a_later_payments_file_corrects_a_failed_debit(tenant, importer, bills):
    importer(
        tenant,
        "payments",
        csv_bytes(PAYMENTS, payment_row(paid_on="", amount="", result="振替不能")),
    )

    run = importer(
        tenant,
        "payments",
        csv_bytes(PAYMENTS, payment_row(method="コンビニ", paid_on="2026-05-15")),
    )

    assert (run.added, run.changed, run.unchanged) == (0, 1, 0)
    payment = Payment.objects.get()
    assert (payment.result, payment.method, payment.paid_on) == (
        "済",
        "コンビニ",
        dt.date(2026, 5, 15),
    )
