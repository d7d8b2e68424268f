"""Fixtures of the account-page tests: a member of oumu, signed in, on a fixed clock."""

import pytest
import time_machine

from waterportal.accounts.tests.test_account_page import EMAIL, WEDNESDAY, sign_in
from waterportal.testing import make_member


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(tenant):
    return make_member(tenant, email=EMAIL)


@pytest.fixture
def signed_in(portal, member, clock):
    sign_in(portal)
    return portal
