import os

import pytest
from django.db import connection

from waterportal.testing import Importer


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
