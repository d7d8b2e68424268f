"""The billing tests run on the clock, which stands still on Monday 2 November 2026
(``MONDAY``), 10:00 in Tokyo."""

import datetime as dt

import pytest
import time_machine

from waterportal.testing import MONDAY


@pytest.fixture
def clock_start() -> dt.datetime:
    return MONDAY


@pytest.fixture(autouse=True)
def _on_the_clock(clock: time_machine.Traveller) -> None:
    """Every billing test runs on the ``clock``."""


@pytest.fixture
def registered(tenant):
    """おうむ町 registered as an issuer of qualified invoices, under its business's name."""
    tenant.business_name = "おうむ町水道事業"
    tenant.invoice_registration_number = "T1234567890123"
    tenant.save(update_fields=["business_name", "invoice_registration_number"])
    return tenant
