"""The billing tests: 水道 花子's contract 1010-0001, on a clock that stands still on
Monday 2 November 2026 (``MONDAY``)."""

import datetime as dt

import pytest
import time_machine

from waterportal.accounts.models import User
from waterportal.contracts.models import Customer, Link
from waterportal.tenants.models import Tenant
from waterportal.testing import MONDAY, make_customer, make_link


@pytest.fixture
def clock_start() -> dt.datetime:
    return MONDAY


@pytest.fixture(autouse=True)
def _on_the_clock(clock: time_machine.Traveller) -> None:
    """Every billing test runs on the ``clock``."""


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return make_customer(tenant, number="10100001", payment_method="口座振替", name="水道 太郎")


@pytest.fixture
def link(member: User, customer: Customer) -> Link:
    return make_link(member, customer)
