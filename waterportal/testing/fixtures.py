"""The suite's fixtures, a pytest plugin (the root conftest.py names it in pytest_plugins):
test modules ask for these by name and import nothing.

Every test runs with tenancy scopes off for its own set-up, the fast password hasher and
an empty cache. ``tenant`` and ``other_tenant`` are the two towns (``personas``),
``portal`` and ``other_portal`` a resident's browser on each; ``member`` is 水道 花子,
``customer`` and ``link`` her contract; ``clock`` stands still at ``clock_start``, and
``signed_in`` is her browser, signed in. ``console`` is the console of おうむ町 signed in
as its 管理者 (水道係 一郎); ``console_as("clerk")`` and ``console_as("viewer")`` give a
担当者's or a 閲覧者's, and ``other_console`` is きた市's 管理者. ``app`` and ``other_app`` are a phone app on the JSON
API of each town, ``signed_in_app`` the member's, signed in.

Push notifications are off unless a test asks for ``vapid`` (a key configured) or
``push_service`` (that, and a push service on loopback that the portal may post to).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django_scopes import scopes_disabled
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from waterportal.accounts.models import User
from waterportal.contracts.models import Customer, Link
from waterportal.lib import outage
from waterportal.tenants.actions import do_create_tenant
from waterportal.tenants.models import Tenant
from waterportal.testing.api import App
from waterportal.testing.browser import Portal, sign_in, staff_sign_in
from waterportal.testing.factories import make_customer, make_link, make_member, make_staff
from waterportal.testing.personas import KITA, OUMU, WEDNESDAY
from waterportal.testing.push import PushService, new_vapid_key_pem


@pytest.fixture(autouse=True)
def _unscoped_test_code() -> Iterator[None]:
    # Test set-up reads and writes across tenants freely; requests made through the test
    # client are still scoped by TenantMiddleware, which is what the tests check.
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> None:
    settings.DEV_MAILBOX_DIR = tmp_path / "mailbox"
    settings.PASSWORD_HASHERS = ["waterportal.testing.hashers.FastArgon2PasswordHasher"]
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
    # No key and no development key file: push is off, as in production without a key.
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_DEV_KEY_FILE = None


# --- Push notifications -------------------------------------------------------------------


@pytest.fixture
def vapid(settings: Settings) -> str:
    """Push on: a VAPID key configured (returned as PEM) and the operator's address."""
    key = new_vapid_key_pem()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:suido@town.oumu.example.jp"
    return key


@pytest.fixture
def push_service(
    vapid: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PushService]:
    """A push service on loopback that the portal may post to (allowed, its certificate
    trusted), with push on."""
    service = PushService(tmp_path).start()
    settings.WEBPUSH_ALLOWED_HOSTS = [*settings.WEBPUSH_ALLOWED_HOSTS, service.host]
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(service.ca_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        yield service
    finally:
        service.stop()


# --- The two towns and a browser on each -----------------------------------------------


# Both towns are open to their residents, as the 管理者 publishes a town (a new town waits
# for it: ``unpublished_tenant``).
PUBLISHED_AT = dt.datetime(2026, 4, 1, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def tenant(db: None) -> Tenant:
    """おうむ町."""
    return do_create_tenant(**OUMU.fields(), published_at=PUBLISHED_AT)


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    """きた市."""
    return do_create_tenant(**KITA.fields(), published_at=PUBLISHED_AT)


@pytest.fixture
def portal(
    client: Client,
    tenant: Tenant,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Portal:
    p = Portal(client, tenant, django_capture_on_commit_callbacks)
    p.open_tenant()
    return p


@pytest.fixture
def other_portal(
    tenant: Tenant,
    other_tenant: Tenant,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Portal:
    p = Portal(Client(), other_tenant, django_capture_on_commit_callbacks)
    p.open_tenant()
    return p


# --- A member and a contract, signed in, on a clock that stands still ----------------


@pytest.fixture
def member(tenant: Tenant) -> User:
    """水道 花子 (``HANAKO``), a member of おうむ町."""
    return make_member(tenant)


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    """The contract 1010-0001 of おうむ町, in the name of 水道 太郎, paid by direct debit."""
    return make_customer(tenant, number="10100001", payment_method="口座振替", name="水道 太郎")


@pytest.fixture
def link(member: User, customer: Customer) -> Link:
    """The member's link to ``customer``, long active."""
    return make_link(member, customer)


@pytest.fixture
def clock_start() -> dt.datetime:
    """Where ``clock`` starts. A test package or module that needs another day overrides
    this fixture."""
    return WEDNESDAY


@pytest.fixture
def clock(clock_start: dt.datetime) -> Iterator[time_machine.Traveller]:
    """Time stands still at ``clock_start`` until the test moves it (``shift``,
    ``move_to``)."""
    with time_machine.travel(clock_start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(portal: Portal, member: User, clock: time_machine.Traveller) -> Portal:
    """The member's browser, signed in."""
    sign_in(portal, member)
    return portal


# --- The phone app on the JSON API ---------------------------------------------------


@pytest.fixture
def app(tenant: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> App:
    """An app of おうむ町, not signed in."""
    return App(tenant, django_capture_on_commit_callbacks)


@pytest.fixture
def other_app(
    tenant: Tenant,
    other_tenant: Tenant,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> App:
    """An app of きた市, not signed in."""
    return App(other_tenant, django_capture_on_commit_callbacks)


@pytest.fixture
def signed_in_app(app: App, member: User, clock: time_machine.Traveller) -> App:
    """The member's app, signed in (its token in ``app.token``)."""
    app.sign_in(member.email, device_name="Pixel 8", platform="android")
    return app


# --- The staff console, signed in, by role ---------------------------------------------

STAFF_EMAILS = {
    "manager": "kanri@town.oumu.example.jp",
    "clerk": "tanto@town.oumu.example.jp",
    "viewer": "etsuran@town.oumu.example.jp",
}


@pytest.fixture
def console_as(
    tenant: Tenant,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Callable[[str], Portal]:
    """``console_as(role)``: a browser of its own signed in to おうむ町's console as a new
    member of staff with that role ("manager", "clerk" or "viewer"); ``.staff`` is the
    account's ``User``, ``.account`` its ``StaffAccount`` (``.password``, ``.code_now()``)."""

    def open_console(role: str) -> Portal:
        staff = make_staff(tenant, STAFF_EMAILS[role], role=role, name=f"職員 {role}")
        p = Portal(Client(), tenant, django_capture_on_commit_callbacks)
        p.open_tenant()
        staff_sign_in(p, staff)
        p.staff, p.account = staff.user, staff
        return p

    return open_console


@pytest.fixture
def console(tenant: Tenant, clock: time_machine.Traveller, portal: Portal) -> Portal:
    """``portal`` signed in to おうむ町's console as its 管理者 水道係 一郎 (``SUIDO``);
    ``.staff`` is the account's ``User``, ``.account`` its ``StaffAccount``."""
    staff = make_staff(tenant)
    staff_sign_in(portal, staff)
    portal.staff, portal.account = staff.user, staff
    return portal


@pytest.fixture
def other_console(
    other_tenant: Tenant,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Portal:
    """きた市's console, signed in as its 管理者."""
    staff = make_staff(other_tenant, "kanri@city.kita.example.jp")
    p = Portal(Client(), other_tenant, django_capture_on_commit_callbacks)
    p.open_tenant()
    staff_sign_in(p, staff)
    p.staff, p.account = staff.user, staff
    return p
