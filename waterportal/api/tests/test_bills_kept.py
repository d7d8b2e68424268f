"""A contract's history on the app is kept as the home page's cards are, until the town's
data changes, the day turns or another language is asked, and every read is still
checked and on record."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.audit.models import Look
from waterportal.contracts.models import Customer
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    Importer,
    bill_row,
    csv_bytes,
    customer_row,
    make_bill,
    make_link,
)

# Two minutes before and one after midnight in Tokyo at the end of the due date: well
# within the time anything is kept, so only the day can tell the two reads apart.
LAST_MINUTES_OF_THE_DUE_DATE = dt.datetime(2026, 11, 30, 14, 58, tzinfo=dt.UTC)
FIRST_MINUTE_AFTER = dt.datetime(2026, 11, 30, 15, 1, tzinfo=dt.UTC)


def read(app, link, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = app.get(f"/contracts/{link.pk}/bills", headers=headers)
    bills = [q["sql"] for q in queries.captured_queries if "billing_bill" in q["sql"]]
    return response, bills


@pytest.fixture(autouse=True)
def october(customer):
    return make_bill(customer, "2026-10", usage=24, water=3700)  # due 2026-11-30


def test_a_second_read_answers_the_same_without_reading_the_bills(signed_in_app, link, member):
    first, read_first = read(signed_in_app, link)
    again, read_again = read(signed_in_app, link)

    assert first.status_code == again.status_code == 200
    assert read_first, "the first read reads the bills"
    assert read_again == [], "the second read draws nothing again"
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    # Each read is checked and on record, kept or not.
    assert Look.objects.filter(member=member, action="viewed_history").count() == 2
    assert read(signed_in_app, link, **{"If-None-Match": first["ETag"]})[0].status_code == 304


def test_a_bill_corrected_by_an_import_shows_at_once(signed_in_app, tenant, member, tmp_path):
    importer = Importer(tmp_path)
    assert importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row())).status == (
        "succeeded"
    )
    imported = Customer.objects.get(tenant=tenant, number="10010001")
    link = make_link(member, imported)
    row = bill_row(month="2026-10", reading_date="2026-10-10", due="2026-11-30")
    assert importer(tenant, "bills", csv_bytes(BILLS, row)).status == "succeeded"
    assert [b["amount"] for b in read(signed_in_app, link)[0].json()["bills"]] == [5500]

    corrected = bill_row(month="2026-10", reading_date="2026-10-10", due="2026-11-30", water=3000)
    run = importer(tenant, "bills", csv_bytes(BILLS, corrected))

    assert (run.status, run.changed) == ("succeeded", 1)
    assert [b["amount"] for b in read(signed_in_app, link)[0].json()["bills"]] == [5200]


def test_the_day_after_the_due_date_the_state_is_no_longer_the_day_befores(
    signed_in_app, link, clock
):
    clock.move_to(LAST_MINUTES_OF_THE_DUE_DATE)
    before = read(signed_in_app, link)[0].json()["bills"][0]["payment"]
    clock.move_to(FIRST_MINUTE_AFTER)
    after = read(signed_in_app, link)[0].json()["bills"][0]["payment"]

    assert (before["state"], after["state"]) == ("scheduled", "checking")


def test_another_language_is_not_answered_from_japanese(signed_in_app, link):
    japanese = read(signed_in_app, link)[0].json()["bills"][0]["payment"]["label"]
    signed_in_app.client.cookies["django_language"] = "en"
    english = read(signed_in_app, link)[0].json()["bills"][0]["payment"]["label"]

    assert (japanese, english) == ("口座振替予定", "Direct debit due")


def test_a_contract_removed_after_its_history_was_kept_is_404(signed_in_app, link):
    assert read(signed_in_app, link)[0].status_code == 200
    link.revoked_at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    link.save(update_fields=["revoked_at"])

    assert read(signed_in_app, link)[0].status_code == 404


def test_nothing_is_kept_when_the_cards_are_not(signed_in_app, link, settings):
    settings.HOME_CACHE_SECONDS = 0
    assert read(signed_in_app, link)[1]
    assert read(signed_in_app, link)[1], "every read reads the bills"
