import pytest
from django.test import override_settings

from waterportal.ops.checks import check_production_settings

POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}}
SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "portal.sqlite3"}}
SMTP = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
DEV_MAILBOX = {"default": {"BACKEND": "waterportal.lib.devmail.DevMailboxBackend"}}
# The check reads DATABASES' engine only; no connection is opened with these.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
PRODUCTION = {
    "DEBUG": False,
    "DATABASES": POSTGRES,
    "REDIS_URL": "redis://redis:6379/0",
    "MAILERS": SMTP,
    "ALLOW_SINGLE_HOST": False,
}


def ids(**overrides) -> list[str | None]:
    with override_settings(**(PRODUCTION | overrides)):
        return [error.id for error in check_production_settings(None)]


def test_production_with_postgresql_redis_and_smtp_passes():
    assert ids() == []


def test_it_refuses_sqlite_in_production():
    assert ids(DATABASES=SQLITE) == ["ops.E001"]


def test_it_refuses_production_without_redis():
    assert ids(REDIS_URL="") == ["ops.E002"]


def test_it_refuses_the_development_mailbox_in_production():
    assert ids(MAILERS=DEV_MAILBOX) == ["ops.E003"]


def test_it_refuses_the_console_mail_backend_in_production():
    console = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    assert ids(MAILERS=console) == ["ops.E003"]


def test_a_single_host_may_run_on_sqlite_with_inline_tasks():
    assert ids(DATABASES=SQLITE, REDIS_URL="", ALLOW_SINGLE_HOST=True) == []


def test_a_single_host_still_needs_a_real_mail_server():
    assert ids(ALLOW_SINGLE_HOST=True, DATABASES=SQLITE, MAILERS=DEV_MAILBOX) == ["ops.E003"]


def test_development_is_not_checked():
    assert ids(DEBUG=True, DATABASES=SQLITE, REDIS_URL="", MAILERS=DEV_MAILBOX) == []


def test_the_errors_are_errors_not_warnings():
    with override_settings(**(PRODUCTION | {"DATABASES": SQLITE, "REDIS_URL": ""})):
        errors = check_production_settings(None)
    assert errors and all(error.is_serious() for error in errors)
