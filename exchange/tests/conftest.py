import pytest

from exchange.tests.helpers import Importer


@pytest.fixture
def importer(tmp_path):
    return Importer(tmp_path)
