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
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in output
