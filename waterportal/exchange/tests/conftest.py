import os

import pytest
from django.db import connection

from waterportal.testing import CUSTOMERS, Importer, csv_bytes, customer_row


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "pg_restart: restarts the local PostgreSQL server; runs only with PG_RESTART_TESTS=1 "
        "and DATABASE_URL on PostgreSQL",
    )


def pytest_collection_modifyitems(config, items):
    opted_in = os.environ.get("PG_RESTART_TESTS") == "1"
    for item in items:
        if "pg_restart" in item.keywords and not (opted_in and _on_postgresql()):
            item.add_marker(
                pytest.mark.skip(reason="restarts PostgreSQL: set PG_RESTART_TESTS=1 (CI only)")
            )


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def importer(tmp_path):
    return Importer(tmp_path)


@pytest.fixture
def ledger(tenant, importer):
    """おうむ町's ledger of two customers, 1001-0001 and 1001-0002 (a module may have its
    own)."""
    importer(
        tenant,
        "customers",
        csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002")),
    )
