"""The member's cards are drawn once and kept until the town's data changes.

The suite runs with the cards cache on (``waterportal.testing.fixtures``), as production does with Redis; these
tests check each way the cards can change: an import, a link removed, a new day, a
setting of the town, another language. None of them may show what was there before.
"""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.billing.models import Bill
from waterportal.contracts.models import Customer, Link
from waterportal.tenants import freshness
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    Importer,
    bill_row,
    choose_language,
    csv_bytes,
    customer_row,
    make_bill,
    make_link,
    make_payment,
    sign_in,
    text_of,
)


def bill_queries(response_and_queries) -> list[str]:
    _, queries = response_and_queries
    return [q["sql"] for q in queries.captured_queries if "billing_bill" in q["sql"]]


def home(portal):
    with CaptureQueriesContext(connection) as queries:
        response = portal.get("/")
    assert response.status_code == 200
    return response, queries


def test_a_second_view_reuses_the_cards_without_reading_the_bills(signed_in, link, customer):
    make_bill(customer, "2026-10", water=2530, sewer=1650)
    first = home(signed_in)
    again = home(signed_in)
    assert "4,180円" in text_of(first[0])
    assert bill_queries(first), "the first view reads the bills"
    assert bill_queries(again) == [], "the second view draws nothing again"
    assert text_of(again[0]) == text_of(first[0])


def test_an_import_with_a_corrected_bill_shows_at_once(signed_in, member, tenant, tmp_path):
    importer = Importer(tmp_path)
    assert importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row())).status == (
        "succeeded"
    )
    customer = Customer.objects.get(tenant=tenant, number="10010001")
    Link.objects.create(
        tenant=tenant,
        member=member,
        customer=customer,
        relationship="本人",
        created_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        active_from=dt.date(2026, 10, 2),
    )
    row = bill_row(month="2026-10", reading_date="2026-10-10", due="2026-11-30")
    assert importer(tenant, "bills", csv_bytes(BILLS, row)).status == "succeeded"
    assert "5,500円" in text_of(signed_in.get("/"))

    corrected = bill_row(
        month="2026-10", reading_date="2026-10-10", due="2026-11-30", water=3520, sewer=2310
    )
    run = importer(tenant, "bills", csv_bytes(BILLS, corrected))
    assert (run.status, run.changed) == ("succeeded", 1)
    text = text_of(signed_in.get("/"))
    assert "5,830円" in text and "5,500円" not in text


def test_a_removed_link_leaves_the_home_at_once(signed_in, link, customer):
    make_bill(customer, "2026-10", water=2530, sewer=1650)
    assert "••••0001" in text_of(signed_in.get("/"))
    link.revoked_at = link.created_at
    link.save()
    text = text_of(signed_in.get("/"))
    assert "••••0001" not in text and "登録されているご契約はありません" in text


def test_a_pending_contract_appears_on_its_day(portal, member, customer, clock):
    make_link(member, customer, active_from=dt.date(2026, 11, 3))
    make_bill(customer, "2026-10", water=2530, sewer=1650)
    clock.move_to(dt.datetime(2026, 11, 2, 14, 57, tzinfo=dt.UTC))  # 23:57 in Japan
    sign_in(portal, member)
    assert "準備中" in text_of(portal.get("/"))
    clock.move_to(dt.datetime(2026, 11, 2, 15, 1, tzinfo=dt.UTC))  # 0:01 on the 3rd
    text = text_of(portal.get("/"))
    assert "準備中" not in text and "4,180円" in text


def test_the_towns_new_phone_number_reaches_the_cards(signed_in, link, customer, tenant):
    make_bill(customer, "2026-08", water=2530, sewer=1650)
    bill = Bill.objects.get()
    make_payment(bill, result="振替不能", paid_on=None)
    assert "0120-000-111" in text_of(signed_in.get("/"))
    tenant.phone = "0120-333-444"
    tenant.save()
    text = text_of(signed_in.get("/"))
    # The footer shows it anyway; the card's "whom to call" must not keep the old one.
    assert "0120-333-444" in text and "0120-000-111" not in text


def test_english_cards_are_not_served_in_japanese(signed_in, link, customer):
    make_bill(customer, "2026-10", water=2530, sewer=1650)
    assert "4,180円" in text_of(signed_in.get("/"))
    choose_language(signed_in.client, "en")
    text = text_of(signed_in.get("/"))
    assert "¥4,180" in text and "4,180円" not in text


def test_a_change_committed_after_a_page_read_the_old_data_is_not_kept(
    tenant, django_capture_on_commit_callbacks
):
    # A page takes the version, then reads the data. If a transaction writing new data
    # was open meanwhile, the page may have read the old rows under the version that the
    # write had already changed at once; the change made on commit retires that one too.
    with django_capture_on_commit_callbacks(execute=True):
        freshness.tenant_data_changed(tenant.pk)
        taken_during_the_write = freshness.cards_version(tenant.pk)
    assert freshness.cards_version(tenant.pk) != taken_during_the_write


def test_each_town_has_its_own_version(tenant, other_tenant):
    before = freshness.cards_version(other_tenant.pk)
    freshness.tenant_data_changed(tenant.pk)
    assert freshness.cards_version(other_tenant.pk) == before
