"""A member's contracts and bills on the app: the web's figures, files and rules."""

import datetime as dt

import pytest

from waterportal.audit.models import Look
from waterportal.testing import (
    JIRO,
    make_bill,
    make_customer,
    make_link,
    make_member,
    make_payment,
)
from waterportal.testing.api import App, problem

# Every operation on one contract, with the link's id to fill in.
ON_A_CONTRACT = [
    "/contracts/{id}/bills",
    "/contracts/{id}/bills.csv",
    "/contracts/{id}/bills/latest",
    "/contracts/{id}/bills/2026-10",
    "/contracts/{id}/bills/2026-10/statement.pdf",
]


@pytest.fixture(autouse=True)
def bills(customer):
    august = make_bill(customer, "2026-08", usage=18, water=3100)
    october = make_bill(customer, "2026-10", usage=24, days=61, water=3700, basic_charge=1500)
    make_payment(august, paid_on=dt.date(2026, 9, 30))
    return august, october


@pytest.fixture
def kita_app(other_app, other_tenant) -> App:
    """きた市's member, signed in on きた市's app."""
    make_member(other_tenant, email=JIRO.email, name=JIRO.name)
    other_app.sign_in(JIRO.email)
    return other_app


def test_contracts_are_the_home_cards_with_the_latest_bill(signed_in_app, link):
    response = signed_in_app.get("/contracts")
    assert response.status_code == 200
    (card,) = response.json()["contracts"]
    assert card["id"] == link.pk
    assert card["number"] == "••••0001"
    assert card["state"] == "active"
    latest = card["latest"]
    assert latest["month"] == "2026-10"
    assert latest["amount"] == 5900 and latest["usage_m3"] == 24
    assert latest["payment"]["state"] == "scheduled"
    assert latest["payment"]["label"] == "口座振替予定"
    previous = latest["comparisons"][0]
    assert (previous["label"], previous["month"]) == ("前回", "2026-08")
    assert previous["usage_diff_m3"] == 6 and previous["amount_diff"] == 600


def test_a_waiting_contract_says_from_when_and_shows_no_bill(signed_in_app, tenant, member, clock):
    waiting = make_link(
        member, make_customer(tenant, number="10100002"), active_from=dt.date(2026, 11, 26)
    )
    make_bill(waiting.customer, "2026-10")
    cards = signed_in_app.get("/contracts").json()["contracts"]
    card = next(c for c in cards if c["id"] == waiting.pk)
    assert card["state"] == "waiting"
    assert card["active_from"] == "2026-11-26"
    assert card["latest"] is None


def test_an_ended_contract_is_marked_and_keeps_its_records(signed_in_app, customer, link):
    customer.status = "中止"
    customer.save(update_fields=["status"])
    (card,) = signed_in_app.get("/contracts").json()["contracts"]
    assert card["state"] == "ended"
    assert card["latest"]["month"] == "2026-10"


def test_history_lists_every_period_newest_first(signed_in_app, link):
    response = signed_in_app.get(f"/contracts/{link.pk}/bills")
    assert response.status_code == 200
    body = response.json()
    assert [row["month"] for row in body["bills"]] == ["2026-10", "2026-08"]
    august = body["bills"][1]
    assert august["payment"]["state"] == "debited"
    assert august["payment"]["paid_on"] == "2026-09-30"
    assert august["daily_average_m3"] == "0.3"


def test_one_period_has_reading_usage_charges_and_payment(signed_in_app, link):
    response = signed_in_app.get(f"/contracts/{link.pk}/bills/2026-10")
    assert response.status_code == 200
    bill = response.json()
    assert bill["reading_date"] == "2026-10-10"
    assert (bill["previous_reading"], bill["current_reading"], bill["usage_m3"]) == (100, 124, 24)
    assert bill["charges"] == {
        "water_charge": 3700,
        "basic_charge": 1500,
        "volume_charge": None,
        "sewer_charge": 2200,
        "tax": 536,
        "amount": 5900,
    }
    assert bill["due_date"] == "2026-11-30"
    assert bill["payment_method"] == "口座振替"
    assert "引き落とす予定" in bill["payment"]["message"]
    assert bill["newer_month"] is None


def test_latest_is_the_newest_period(signed_in_app, link):
    assert signed_in_app.get(f"/contracts/{link.pk}/bills/latest").json()["month"] == "2026-10"
    older = signed_in_app.get(f"/contracts/{link.pk}/bills/2026-08").json()
    assert older["newer_month"] == "2026-10"


def test_no_bill_yet_or_a_month_without_one_is_404_in_japanese(signed_in_app, tenant, member, link):
    empty = make_link(member, make_customer(tenant, number="10100003"))
    response = signed_in_app.get(f"/contracts/{empty.pk}/bills/latest")
    assert response.status_code == 404
    assert "まだ表示できる検針結果がありません" in problem(response)["detail"]
    response = signed_in_app.get(f"/contracts/{link.pk}/bills/2026-09")
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"
    assert signed_in_app.get(f"/contracts/{link.pk}/bills/2026-09/statement.pdf").status_code == 404


def test_a_malformed_month_is_422(signed_in_app, link):
    response = signed_in_app.get(f"/contracts/{link.pk}/bills/2026-13")
    assert response.status_code == 422
    assert problem(response)["code"] == "invalid_request"


def test_the_pdf_and_the_csv_are_the_webs_files(signed_in_app, signed_in, link):
    for api_path, web_path in (
        (
            f"/contracts/{link.pk}/bills/2026-10/statement.pdf",
            f"/contracts/{link.pk}/bills/2026-10.pdf",
        ),
        (f"/contracts/{link.pk}/bills.csv", f"/contracts/{link.pk}/history.csv"),
    ):
        from_app, from_web = signed_in_app.get(api_path), signed_in.get(web_path)
        assert from_app.status_code == 200
        assert from_app["Content-Type"] == from_web["Content-Type"]
        assert from_app["Content-Disposition"] == from_web["Content-Disposition"]
        if api_path.endswith(".csv"):
            assert from_app.content == from_web.content
    pdf = signed_in_app.get(f"/contracts/{link.pk}/bills/2026-10/statement.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "path,action,month",
    [
        ("/contracts", "viewed_home", ""),
        ("/contracts/{id}/bills", "viewed_history", ""),
        ("/contracts/{id}/bills.csv", "downloaded_history_csv", ""),
        ("/contracts/{id}/bills/latest", "viewed_bill", "2026-10"),
        ("/contracts/{id}/bills/2026-08", "viewed_bill", "2026-08"),
        ("/contracts/{id}/bills/2026-10/statement.pdf", "downloaded_statement", "2026-10"),
    ],
)
def test_each_read_is_a_look_on_record(signed_in_app, member, link, path, action, month):
    response = signed_in_app.get(path.format(id=link.pk), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    (look,) = Look.objects.filter(action=action)
    assert look.member == member and look.source == "203.0.113.7"
    assert look.month == month
    assert look.customer_id == (None if path == "/contracts" else link.customer_id)


# --- Who may read which contract ------------------------------------------------------


@pytest.mark.parametrize("path", ON_A_CONTRACT)
def test_another_members_contract_in_the_same_town_is_404(signed_in_app, tenant, link, path):
    stranger = make_member(tenant, email="stranger@example.jp")
    theirs = make_link(stranger, make_customer(tenant, number="99990001"))
    make_bill(theirs.customer, "2026-10")
    response = signed_in_app.get(path.format(id=theirs.pk))
    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"
    assert not Look.objects.exclude(action="viewed_home").exists()


@pytest.mark.parametrize("path", ON_A_CONTRACT)
def test_a_contract_not_active_yet_is_404(signed_in_app, tenant, member, path):
    waiting = make_link(
        member, make_customer(tenant, number="10100002"), active_from=dt.date(2026, 11, 26)
    )
    make_bill(waiting.customer, "2026-10")
    response = signed_in_app.get(path.format(id=waiting.pk))
    assert response.status_code == 404
    assert "表示できるご契約ではありません" in problem(response)["detail"]


@pytest.mark.parametrize("path", ON_A_CONTRACT)
def test_a_revoked_contract_is_404(signed_in_app, link, path):
    link.revoked_at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    link.save(update_fields=["revoked_at"])
    assert signed_in_app.get(path.format(id=link.pk)).status_code == 404


@pytest.mark.parametrize("path", ["/contracts", *ON_A_CONTRACT])
def test_another_towns_member_on_this_towns_path_is_401(kita_app, tenant, link, path):
    kita_app.tenant = tenant  # きた市's token, on おうむ町's address
    response = kita_app.get(path.format(id=link.pk))
    assert response.status_code == 401
    assert problem(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/contracts", *ON_A_CONTRACT])
def test_this_members_token_on_another_towns_path_is_401(signed_in_app, other_tenant, link, path):
    signed_in_app.tenant = other_tenant
    assert signed_in_app.get(path.format(id=link.pk)).status_code == 401


@pytest.mark.parametrize("path", ["/contracts", *ON_A_CONTRACT])
def test_without_a_token_it_is_401(app, link, path):
    assert app.get(path.format(id=link.pk)).status_code == 401


def test_another_towns_member_sees_only_their_own_contracts(kita_app, other_tenant, link):
    assert kita_app.get("/contracts").json() == {"contracts": []}
    assert kita_app.get(f"/contracts/{link.pk}/bills").status_code == 404


# --- Caching: revalidated lists, never-stored files -----------------------------------


@pytest.mark.parametrize("path", ["/contracts", "/contracts/{id}/bills"])
def test_a_list_has_an_etag_and_answers_304_while_unchanged(signed_in_app, customer, link, path):
    path = path.format(id=link.pk)
    first = signed_in_app.get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"].replace(" ", "") in (
        "private,no-cache",
        "no-cache,private",
    )
    again = signed_in_app.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    make_bill(customer, "2026-12")  # a new bill: the list changed
    changed = signed_in_app.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    "path",
    [
        "/contracts/{id}/bills.csv",
        "/contracts/{id}/bills/2026-10/statement.pdf",
        "/contracts/{id}/bills/2026-10",
        "/contracts/{id}/bills/latest",
    ],
)
def test_files_and_bills_are_never_stored(signed_in_app, link, path):
    response = signed_in_app.get(path.format(id=link.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
