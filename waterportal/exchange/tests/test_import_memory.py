"""Memory stays flat however long the file: rows go to the database as they are read."""

import tracemalloc

from waterportal.exchange.actions import do_import_file
from waterportal.testing import BILLS, CUSTOMERS, bill_row, csv_bytes, customer_row

CUSTOMER_COUNT = 12_000


def _bills_file(tmp_path, months: int):
    path = tmp_path / f"bills-{months}.csv"
    rows = (
        bill_row(f"{i:08d}", f"2026-{month:02d}")
        for month in range(1, months + 1)
        for i in range(CUSTOMER_COUNT)
    )
    path.write_bytes(csv_bytes(BILLS, *rows))
    return path


def _peak_while_importing(tenant, path) -> int:
    tracemalloc.start()
    try:
        run = do_import_file(tenant, "bills", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.status == "succeeded", run.report
    return peak


def test_the_peak_memory_of_an_import_does_not_grow_with_the_file(tenant, tmp_path):
    ledger = csv_bytes(CUSTOMERS, *(customer_row(f"{i:08d}") for i in range(CUSTOMER_COUNT)))
    (tmp_path / "customers.csv").write_bytes(ledger)
    assert do_import_file(tenant, "customers", tmp_path / "customers.csv").added == CUSTOMER_COUNT
    short, long = _bills_file(tmp_path, 1), _bills_file(tmp_path, 6)

    short_peak = _peak_while_importing(tenant, short)
    long_peak = _peak_while_importing(tenant, long)

    # Six times the rows (72,000, 6 MB) for at most 2 MB more; holding the rows would
    # take about 1 KB each.
    assert long_peak < short_peak + 2 * 1024 * 1024, (short_peak, long_peak)
    assert long_peak < 16 * 1024 * 1024
