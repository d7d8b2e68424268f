"""Small exchange-v1 files for tests, written as bytes the way a billing system would."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection

from waterportal.exchange import runs
from waterportal.exchange.actions import do_import_file
from waterportal.exchange.models import ImportRun

CUSTOMERS = "使用者番号,使用者名カナ,使用者名,給水場所,口径,検針周期,支払方法,状態"
BILLS = (
    "使用者番号,調定年月,検針日,前回指針,今回指針,使用水量,使用日数,"
    "水道料金,下水道使用料,消費税額,請求金額,納期限"
)
PAYMENTS = "使用者番号,調定年月,収納日,収納金額,収納方法,結果"


def csv_bytes(header: str, *rows: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join([header, *rows, ""]).encode(encoding)


def customer_row(number="1001-0001", kana="ヤマダ タロウ", name="山田 太郎", **over) -> str:
    cells = {
        "address": "おうむ町本町1-1",
        "diameter": "20",
        "cycle": "2",
        "payment": "口座振替",
        "status": "使用中",
    } | over
    return ",".join([number, kana, name, *cells.values()])


def bill_row(number="1001-0001", month="2026-04", *, previous=100, current=120, **over) -> str:
    usage = over.pop("usage", current - previous)
    water = over.pop("water", 3300)
    sewer = over.pop("sewer", 2200)
    cells = {
        "reading_date": "2026-04-10",
        "days": "61",
        "water": str(water),
        "sewer": str(sewer),
        "tax": str((water + sewer) * 10 // 110),
        "amount": str(over.pop("amount", water + sewer)),
        "due": "2026-04-30",
    } | over
    return ",".join(
        [number, month, cells["reading_date"], str(previous), str(current), str(usage)]
        + [cells[k] for k in ("days", "water", "sewer", "tax", "amount", "due")]
    )


def payment_row(number="1001-0001", month="2026-04", **over) -> str:
    cells = {"paid_on": "2026-04-30", "amount": "5500", "method": "口座振替", "result": "済"} | over
    return ",".join([number, month, *cells.values()])


class Importer:
    """``importer(tenant, kind, data)`` writes ``data`` to a file and imports it."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.count = 0

    def __call__(self, tenant, kind: str, data: bytes, **kwargs) -> ImportRun:
        self.count += 1
        path = self.tmp_path / f"{kind}-{self.count}.csv"
        path.write_bytes(data)
        return do_import_file(tenant, kind, path, **kwargs)


def reasons(run: ImportRun) -> list[str]:
    return [p["reason"] for p in run.report]


@contextmanager
def another_import(tenant, started_at, **fields) -> Iterator[ImportRun]:
    """A run as an import at work leaves it: "running", recorded with this (live)
    process, and on PostgreSQL with the tenant's import lock held by another connection."""
    host, pid = runs.this_process()
    fields = {"kind": "bills", "source": "command"} | fields
    run = ImportRun.objects.create(
        tenant=tenant, started_at=started_at, status="running", host=host, pid=pid, **fields
    )
    if connection.vendor != "postgresql":
        yield run
        return
    with psycopg.connect(**conninfo(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [runs.LOCK_SPACE, tenant.pk])
        yield run


def conninfo(dbname: str | None = None) -> dict:
    """psycopg.connect() arguments for the PostgreSQL server the tests use."""
    db = connection.settings_dict
    info = {
        "dbname": dbname or db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"],
    }
    return {k: v for k, v in info.items() if v}
