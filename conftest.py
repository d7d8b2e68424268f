"""Shared test fixtures: two municipalities with people in each.

oumu (おうむ町) is the demo town; kita (きた市) is the other tenant every page is checked
against: whatever belongs to one must be invisible and unusable from the other.
"""

import pytest
from django_scopes import scopes_disabled

from tenants.actions import do_create_tenant


@pytest.fixture(autouse=True)
def _unscoped_test_code():
    # Test set-up reads and writes across tenants freely; requests made through the test
    # client are still scoped by TenantMiddleware, which is what the tests check.
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _dev_mailbox_in_tmp(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = tmp_path / "mailbox"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def tenant(db):
    return do_create_tenant(
        slug="oumu",
        name="おうむ町",
        department="建設水道課",
        section="水道係",
        phone="0120-000-111",
        opening_hours="平日 8:30〜17:15",
    )


@pytest.fixture
def other_tenant(db):
    return do_create_tenant(
        slug="kita", name="きた市", department="水道局", section="お客様係", phone="0120-999-222"
    )
