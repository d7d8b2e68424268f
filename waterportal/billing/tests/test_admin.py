from waterportal.testing import admin_sign_in, make_bill, make_operator, make_payment


def test_staff_read_bills_and_payments_but_cannot_change_them(client, customer):
    make_payment(make_bill(customer, "2026-10"))
    operator = make_operator()
    admin_sign_in(client, operator)
    bills = client.get("/admin/billing/bill/")
    assert bills.status_code == 200 and "10100001" in bills.text
    assert client.get("/admin/billing/payment/").status_code == 200
    assert client.get("/admin/billing/bill/add/").status_code == 403
