from waterportal.testing import (
    CUSTOMERS,
    Importer,
    admin_sign_in,
    csv_bytes,
    customer_row,
    make_operator,
)


def test_the_import_history_can_be_read_but_not_deleted(client, tenant, tmp_path):
    run = Importer(tmp_path)(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))
    operator = make_operator()
    admin_sign_in(client, operator)
    page = client.get(f"/admin/exchange/importrun/{run.pk}/change/")
    assert page.status_code == 200 and run.filename in page.text
    assert client.get(f"/admin/exchange/importrun/{run.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/exchange/importrun/{run.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert type(run).objects.filter(pk=run.pk).exists()
