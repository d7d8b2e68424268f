import datetime as dt

import pytest
import time_machine

from waterportal.testing import STRONG_PASSWORD, make_customer, make_link, make_member

# Monday 2 November 2026, 10:00 in Japan.
NOW = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(tenant):
    return make_member(tenant, email="hanako@example.jp")


@pytest.fixture
def customer(tenant):
    return make_customer(tenant, number="10100001", payment_method="口座振替", name="水道 太郎")


@pytest.fixture
def link(member, customer):
    return make_link(member, customer)


@pytest.fixture
def signed_in(portal, member):
    """The member's browser, signed in."""
    response = portal.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    return portal


def sign_in(portal, member):
    response = portal.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    assert response.status_code == 302, "login failed"
    return portal
