"""Shared test fixtures: two municipalities with people in each.

oumu (おうむ町) is the demo town; kita (きた市) is the other tenant every page is checked
against: whatever belongs to one must be invisible and unusable from the other.
"""

import pytest
from django.core.cache import caches
from django_scopes import scopes_disabled

from waterportal.lib import outage
from waterportal.tenants.actions import do_create_tenant


@pytest.fixture(autouse=True)
def _unscoped_test_code():
    # Test set-up reads and writes across tenants freely; requests made through the test
    # client are still scoped by TenantMiddleware, which is what the tests check.
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = tmp_path / "mailbox"
    settings.PASSWORD_HASHERS = ["waterportal.accounts.tests.hashers.FastArgon2PasswordHasher"]
    # Every test runs with the member's cards cached, as production does with Redis, so
    # any test that changes data and then looks at the home page also checks that the
    # change reached the cards. Nothing cached survives from one test to the next.
    settings.CACHES = settings.CACHES | {
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-fragments",
        }
    }
    for alias in settings.CACHES:
        caches[alias].clear()
    outage.forget()


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


class Portal:
    """A resident's browser on one municipality's portal.

    Each request runs the mail queued with ``transaction.on_commit`` (the test's own
    transaction never commits), so ``outbox`` shows what the resident would receive.
    """

    def __init__(self, client, tenant, capture):
        self.client, self.tenant, self._capture = client, tenant, capture

    def url(self, path: str) -> str:
        return path

    def get(self, path, data=None, **kw):
        with self._capture(execute=True):
            return self.client.get(path, data, **kw)

    def post(self, path, data=None, **kw):
        with self._capture(execute=True):
            return self.client.post(path, data or {}, **kw)

    def open_tenant(self):
        return self.get(f"/login?tenant={self.tenant.slug}")


@pytest.fixture
def portal(client, tenant, django_capture_on_commit_callbacks):
    p = Portal(client, tenant, django_capture_on_commit_callbacks)
    p.open_tenant()
    return p


@pytest.fixture
def other_portal(tenant, other_tenant, django_capture_on_commit_callbacks):
    from django.test import Client

    p = Portal(Client(), other_tenant, django_capture_on_commit_callbacks)
    p.open_tenant()
    return p


def mails_to(address: str):
    from django.core import mail

    return [m for m in mail.outbox if address in m.to]


def code_from_mail(address: str) -> str:
    import re

    body = mails_to(address)[-1].body
    found = re.search(r"認証コード: (\d{6})", body)
    assert found, f"no code in the mail to {address}"
    return found.group(1)
