import os
import re
import subprocess
import sys

import pytest
from celery import shared_task
from django.test import Client
from prometheus_client import REGISTRY

from waterportal.accounts.models import User
from waterportal.testing import CUSTOMERS, csv_bytes, customer_row
from waterportal.testing.browser import sign_in
from waterportal.testing.exchange_files import Importer
from waterportal.testing.factories import make_customer
from waterportal.testing.personas import TARO
from waterportal.testing.steps import full_registration

TOKEN = "metrics-token-for-the-tests-0123456789"


# Every scrape reads the outbox's backlog from the database.
pytestmark = pytest.mark.django_db


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def scraper(settings, db):
    settings.METRICS_TOKEN = TOKEN
    return Client(headers={"Authorization": f"Bearer {TOKEN}"})


def scrape(client: Client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


# --- Access -------------------------------------------------------------------------------


def test_without_token_or_networks_production_answers_404(settings):
    settings.DEBUG = False
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    assert Client().get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "authorization", ["", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_a_wrong_or_missing_token_is_404(settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": authorization} if authorization else {}

    assert Client(headers=headers).get("/metrics").status_code == 404


def test_the_token_opens_the_metrics(scraper):
    assert "waterportal_http_requests_total" in scrape(scraper)


def test_an_allowed_network_opens_the_metrics(settings, db):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]

    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.21.3.4").get("/metrics").status_code == 404


def test_behind_the_proxy_the_network_is_the_clients(settings, db):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.20.0.1")

    outside = proxy.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    inside = proxy.get("/metrics", HTTP_X_FORWARDED_FOR="10.20.5.5")

    assert outside.status_code == 404
    assert inside.status_code == 200


# --- What is counted ------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status_with_their_time(scraper, tenant):
    labels = {"view": "accounts:login", "method": "GET", "status": "200"}
    before = value("waterportal_http_requests_total", **labels)
    timed = value("waterportal_http_request_duration_seconds_count", view="accounts:login")

    Client().get(f"/login?tenant={tenant.slug}")

    assert value("waterportal_http_requests_total", **labels) == before + 1
    assert value("waterportal_http_request_duration_seconds_count", view="accounts:login") == (
        timed + 1
    )
    assert 'view="accounts:login"' in scrape(scraper)


@pytest.mark.django_db
def test_an_unknown_path_is_not_a_label(scraper):
    Client().get("/no-such-page/12345")

    text = scrape(scraper)
    # In no label's value; the digits may well be part of a sample's value (a timestamp).
    labels = re.findall(r'="([^"]*)"', text)
    assert "no-such-page" not in text
    assert not [label for label in labels if "12345" in label]


@pytest.mark.django_db
def test_logins_are_counted_per_town(portal, member, other_tenant, clock):
    labels = {"town": portal.tenant.slug, "method": "password"}
    before = value("waterportal_logins_total", **labels)
    other = value("waterportal_logins_total", town=other_tenant.slug, method="password")

    sign_in(portal, member)

    assert value("waterportal_logins_total", **labels) == before + 1
    assert value("waterportal_logins_total", town=other_tenant.slug, method="password") == other


@pytest.mark.django_db
def test_registrations_are_counted_per_town(portal, clock):
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    before = value("waterportal_registrations_total", town=portal.tenant.slug)

    full_registration(portal)  # each request runs what it left for after its commit

    assert User.objects.filter(email=TARO.email).exists()
    assert value("waterportal_registrations_total", town=portal.tenant.slug) == before + 1


@pytest.mark.django_db
def test_imports_are_counted_by_result_with_rows_per_second(tenant, tmp_path):
    do_import = Importer(tmp_path)
    succeeded = value("waterportal_imports_total", kind="customers", result="succeeded")
    rejected = value("waterportal_imports_total", kind="customers", result="rejected")
    speeds = value("waterportal_import_rows_per_second_count", kind="customers")

    do_import(tenant, "customers", csv_bytes(CUSTOMERS, customer_row(), customer_row("1001-0002")))
    do_import(tenant, "customers", b"\x00\x01 not a csv file")

    assert value("waterportal_imports_total", kind="customers", result="succeeded") == succeeded + 1
    assert value("waterportal_imports_total", kind="customers", result="rejected") == rejected + 1
    assert value("waterportal_import_rows_per_second_count", kind="customers") == speeds + 1


@shared_task
def _fails():
    raise ValueError("no")


@shared_task
def _succeeds():
    return None


def test_celery_task_results_are_counted():
    ok = value("waterportal_celery_tasks_total", task=_succeeds.name, result="success")
    failed = value("waterportal_celery_tasks_total", task=_fails.name, result="failure")

    _succeeds.delay()
    # As a worker runs it: the error is the task's result, not raised here.
    _fails.apply(throw=False)

    assert value("waterportal_celery_tasks_total", task=_succeeds.name, result="success") == ok + 1
    assert value("waterportal_celery_tasks_total", task=_fails.name, result="failure") == failed + 1


def test_the_outbox_gauges_count_what_waits_and_for_how_long(scraper, clock):
    import datetime as dt

    from waterportal.outbox import store
    from waterportal.outbox.models import OutboxEmail

    assert "waterportal_outbox_unsent 0.0" in scrape(scraper)
    for n in range(3):
        store.add(kind=OutboxEmail.Kind.RENDERED, to=f"r{n}@example.jp", subject="s", text="t")
        clock.shift(dt.timedelta(seconds=45))

    text = scrape(scraper)

    assert "waterportal_outbox_unsent 3.0" in text
    assert "waterportal_outbox_oldest_unsent_seconds 135.0" in text


COUNT_A_LOGIN = """
import django
django.setup()
from waterportal.lib import metrics
metrics.LOGINS.labels(town="oumu", method="password").inc()
"""

SCRAPE = """
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(METRICS_TOKEN="t", ALLOWED_HOSTS=["testserver"]):
    print(Client(headers={"Authorization": "Bearer t"}).get("/metrics").content.decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """As gunicorn's workers: each process counts in files, the scrape adds them up."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")}
    env |= {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "waterportal.settings",
    }

    def python(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    python(COUNT_A_LOGIN)
    python(COUNT_A_LOGIN)
    text = python(SCRAPE)

    assert 'waterportal_logins_total{method="password",town="oumu"} 2.0' in text
