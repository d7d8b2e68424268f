"""Production settings, checked in fresh processes: settings are read once, at import."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = secrets.token_urlsafe(45)  # 60 characters
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "EMAIL_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "ALLOW_SINGLE_HOST",
    "REDIS_URL",
)


def run(args, **variables):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "waterportal.settings", **variables}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def setup_django(**variables):
    return run(["-c", "import django; django.setup()"], **variables)


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "x" * 49, "dev-only-insecure-key-do-not-use-in-production"],
    ids=["unset", "empty", "49-chars", "development-key"],
)
def test_production_refuses_to_start_without_a_long_secret_key(secret_key):
    variables = {"DEBUG": "false", "EMAIL_URL": "smtp://127.0.0.1:25"}
    if secret_key is not None:
        variables["SECRET_KEY"] = secret_key

    result = setup_django(**variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set to a random value of 50 characters or more" in result.stderr


def test_production_refuses_to_start_without_email_url():
    result = setup_django(DEBUG="false", SECRET_KEY=PRODUCTION_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_URL must be set" in result.stderr


def test_development_starts_with_no_configuration():
    result = setup_django()
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    assert len(PRODUCTION_KEY) == 60

    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        # The model checks open the database (JSONField asks SQLite what it supports):
        # one of the test's own, so the check does not depend on var/ existing yet.
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        EMAIL_URL="smtp://127.0.0.1:25",
        ALLOWED_HOSTS="portal.example.jp",
        # SQLite and no Redis: what one small town on one machine may choose knowingly.
        ALLOW_SINGLE_HOST="true",
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in output


def test_production_check_fails_on_sqlite_without_redis(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        REDIS_URL="",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        EMAIL_URL="smtp://127.0.0.1:25",
        ALLOWED_HOSTS="portal.example.jp",
    )

    assert result.returncode != 0
    assert "ops.E001" in result.stderr and "ops.E002" in result.stderr


COOKIE_PROBE = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from waterportal.tenants.actions import do_create_tenant

call_command("migrate", verbosity=0)
do_create_tenant(slug="oumu", name="おうむ町")
plain_files = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
with override_settings(STORAGES=plain_files):
    response = Client().get("/login?tenant=oumu", secure=True, HTTP_HOST="portal.example.jp")
assert response.status_code == 200, response.status_code
for name, morsel in sorted(response.cookies.items()):
    print(name, bool(morsel["secure"]), morsel["path"], repr(morsel["domain"]))
"""


def test_production_cookies_carry_the_host_prefix(tmp_path):
    result = run(
        ["-c", COOKIE_PROBE],
        DATABASE_URL=f"sqlite:///{tmp_path / 'cookies.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        EMAIL_URL="smtp://127.0.0.1:25",
        ALLOWED_HOSTS="portal.example.jp",
    )
    assert result.returncode == 0, result.stderr
    cookies = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        assert cookies[name] == ["True", "/", "''"], (name, cookies)
    assert "sessionid" not in cookies and "csrftoken" not in cookies


def test_development_keeps_the_plain_cookie_names():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)",
        ],
    )
    assert result.stdout.split() == ["sessionid", "csrftoken"], result.stderr


PROBE_REDIRECTS = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
for path in ("/healthz", "/readyz", "/login"):
    print(path, Client().get(path, HTTP_HOST="portal.example.jp").status_code)
"""


def test_production_probes_answer_over_plain_http(tmp_path):
    """The load balancer asks without TLS: the probes answer, the pages redirect."""
    result = run(
        ["-c", PROBE_REDIRECTS],
        DATABASE_URL=f"sqlite:///{tmp_path / 'probes.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        EMAIL_URL="smtp://127.0.0.1:25",
        ALLOWED_HOSTS="portal.example.jp",
    )
    assert result.returncode == 0, result.stderr
    statuses = dict(line.split() for line in result.stdout.splitlines())
    assert statuses == {"/healthz": "200", "/readyz": "200", "/login": "301"}
