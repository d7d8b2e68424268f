"""The member's pages run the same number of queries however long the history and
however many contracts: 24 or 240 periods, 1 or 5 contracts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waterportal.accounts.models import User
from waterportal.testing import (
    Portal,
    make_customer,
    make_history,
    make_link,
    make_member,
    make_payment,
    sign_in,
)


@pytest.fixture
def account(tenant, django_capture_on_commit_callbacks):
    """``account(contracts, periods)``: a signed-in browser of a new member whose
    ``contracts`` contracts each have ``periods`` bi-monthly bills, the latest paid."""
    made: list[User] = []

    def build(contracts: int, periods: int):
        n = len(made)
        member = make_member(tenant, email=f"member{n}@example.jp")
        links = []
        for c in range(contracts):
            customer = make_customer(tenant, number=f"7{n:03d}{c:04d}", payment_method="口座振替")
            links.append(make_link(member, customer))
            bills = make_history(customer, periods=periods)
            make_payment(bills[-1])
        browser = Portal(Client(), tenant, django_capture_on_commit_callbacks)
        browser.open_tenant()
        sign_in(browser, member)
        made.append(member)
        return browser, links

    return build


def count_queries(browser, path: str) -> int:
    browser.get(path)  # warm-up: first-request work (e.g. the tenant cookie) is not counted
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_home_page_runs_the_same_queries_for_24_or_240_periods_and_1_or_5_contracts(account):
    counts = {
        (contracts, periods): count_queries(account(contracts, periods)[0], "/")
        for contracts, periods in [(1, 24), (1, 240), (5, 24), (5, 240)]
    }
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize(
    "page",
    ["/contracts/{id}/history", "/contracts/{id}/bills/2026-10", "/contracts/{id}/history.csv"],
)
def test_history_pages_run_the_same_queries_for_24_or_240_periods_and_1_or_5_contracts(
    account, page
):
    counts = {}
    for contracts, periods in [(1, 24), (1, 240), (5, 24), (5, 240)]:
        browser, links = account(contracts, periods)
        counts[(contracts, periods)] = count_queries(browser, page.format(id=links[-1].pk))
    assert len(set(counts.values())) == 1, counts


def test_the_home_page_stays_within_a_small_budget(account):
    """Session, member, tenant, then links and bills: a regression shows here first."""
    browser, _ = account(5, 24)
    assert count_queries(browser, "/") <= 8
