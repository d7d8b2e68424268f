"""Crash safety, with a real ``manage.py import_data`` process.

Killed at any moment (SIGKILL), or with PostgreSQL restarted under it, an import leaves
the database exactly as before it, its run never "succeeded"; the next import marks that
run failed and imports the file completely.

The importing process works on a database of the test's own (a file for SQLite, a
database created and dropped for PostgreSQL): the test database's transaction would
hide the process's writes. The moments are found from outside, by time and by watching
the database, with no switch in the importer.
"""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    bill_row,
    conninfo,
    csv_bytes,
    customer_row,
)

REPO = Path(__file__).resolve().parents[3]
CUSTOMER_COUNT = 100_000  # and two months of bills: a 200,000-row file (18 MB)
CORRECTED = 10_000  # customers with a September bill already, corrected by the file
TENANT = "crash"


def _number(i: int) -> str:
    return f"{5000 + i // 10000:04d}-{i % 10000:04d}"


def _current(i: int) -> int:
    return 110 + i % 40


class Scratch:
    """The importing process's database, and the test's view of it."""

    big: Path  # the bills file to import (``scratch`` writes it)

    def __init__(self, url: str, tmp_path: Path):
        self.url = url
        self.tmp_path = tmp_path
        env = {
            k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
        }
        self.env = env | {"DATABASE_URL": url}
        self.log = tmp_path / "import.log"

    # Per database:
    def query(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def before_import(self) -> None:
        """Get ready to watch the next import (see ``writing``)."""

    def writing(self, well_into: bool) -> bool:
        raise NotImplementedError

    def check_integrity(self) -> None:
        """Check the database's files (where that means something)."""

    def drop(self) -> None:
        pass

    def ended(self, process: subprocess.Popen) -> str:
        return f"the import ended ({process.returncode}):\n{self.log.read_text()}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start_import(self, path: Path) -> subprocess.Popen:
        log = self.log.open("wb")
        return subprocess.Popen(
            [sys.executable, "manage.py", "import_data", "bills", str(path), "--tenant", TENANT],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def fingerprint(self) -> tuple:
        """Every bill and customer as stored: equal fingerprints, equal tables."""
        digest = hashlib.sha256()
        for row in self.query("SELECT * FROM billing_bill ORDER BY id"):
            digest.update(repr(row).encode())
        customers = self.query("SELECT count(*), max(updated_at) FROM contracts_customer")[0]
        return digest.hexdigest(), customers

    def runs(self) -> list[tuple[int, str]]:
        return self.query("SELECT id, status FROM exchange_importrun ORDER BY id")

    def run_reasons(self, run_id: int) -> list[str]:
        (report,) = self.query(f"SELECT report FROM exchange_importrun WHERE id = {run_id}")[0]
        report = json.loads(report) if isinstance(report, str) else report  # SQLite: text
        return [problem["reason"] for problem in report]

    def wait_for_run(self, process: subprocess.Popen, after: int) -> int:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, self.ended(process)
            started = [pk for pk, status in self.runs() if pk > after and status == "running"]
            if started:
                return started[0]
            time.sleep(0.02)
        raise AssertionError("the import did not start")

    def wait_until_writing(self, process: subprocess.Popen, *, well_into: bool = False) -> None:
        """Until the bills are being written (``well_into``: the bulk of them)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, self.ended(process)
            if self.writing(well_into):
                return
            time.sleep(0.01)
        raise AssertionError("the import was not seen writing the bills")


class SQLiteScratch(Scratch):
    def __init__(self, tmp_path: Path):
        self.path = tmp_path / "crash.sqlite3"
        super().__init__(f"sqlite:///{self.path}", tmp_path)

    def query(self, sql: str) -> list[tuple]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            return db.execute(sql).fetchall()

    def before_import(self) -> None:
        # Start the write-ahead log empty, so that its growth shows the bills being written
        # (the staging rows go to a temporary file, not to the log).
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def writing(self, well_into: bool) -> bool:
        # The whole write makes a log of some 40 MB.
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.exists() and wal.stat().st_size > (8 if well_into else 0.5) * 1024 * 1024

    def check_integrity(self) -> None:
        assert self.query("PRAGMA integrity_check") == [("ok",)]


class PostgreSQLScratch(Scratch):
    def __init__(self, tmp_path: Path):
        self.name = f"waterportal_crash_{os.getpid()}"
        server = conninfo("postgres")
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        auth = server.get("user", "")
        if server.get("password"):
            auth += f":{server['password']}"
        url = f"postgres://{auth}@{server.get('host', '')}:{server.get('port', 5432)}/{self.name}"
        super().__init__(url, tmp_path)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(**conninfo(self.name), autocommit=True) as db:
            return db.execute(sql).fetchall()

    def writing(self, well_into: bool) -> bool:
        # The UPDATE of the corrected bills, then the INSERT of the new ones (seconds).
        active = self.query(
            "SELECT query, now() - query_start > interval '0.5 s' FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active'"
        )
        if well_into:
            return any(q.startswith('INSERT INTO "billing_bill"') and late for q, late in active)
        return any(
            q.startswith(('UPDATE "billing_bill"', 'INSERT INTO "billing_bill"')) for q, _ in active
        )

    def drop(self) -> None:
        with psycopg.connect(**conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def scratch(tmp_path):
    """A database with a 100,000-customer ledger and 10,000 September bills, and a bills
    file of 200,000 rows (September corrected, October new) at ``scratch.big``."""
    db = (
        PostgreSQLScratch(tmp_path)
        if connection.vendor == "postgresql"
        else SQLiteScratch(tmp_path)
    )
    try:
        customers = tmp_path / "customers.csv"
        customers.write_bytes(
            csv_bytes(CUSTOMERS, *(customer_row(_number(i)) for i in range(CUSTOMER_COUNT)))
        )
        before = tmp_path / "before.csv"
        before.write_bytes(
            csv_bytes(
                BILLS, *(bill_row(_number(i), "2026-09", current=105) for i in range(CORRECTED))
            )
        )
        db.big = tmp_path / "bills.csv"
        db.big.write_bytes(
            csv_bytes(
                BILLS,
                *(
                    bill_row(_number(i), month, previous=100, current=_current(i))
                    for month in ("2026-09", "2026-10")
                    for i in range(CUSTOMER_COUNT)
                ),
            )
        )
        db.manage("migrate", "-v0")
        db.manage("create_tenant", TENANT, "--name", "クラッシュ町")
        db.manage("import_data", "customers", str(customers), "--tenant", TENANT)
        db.manage("import_data", "bills", str(before), "--tenant", TENANT)
        yield db
    finally:
        db.drop()


def _kill_and_check(db: Scratch, process: subprocess.Popen, run_id: int, before: tuple) -> None:
    assert process.poll() is None, db.ended(process)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    db.check_integrity()
    assert db.fingerprint() == before, "a killed import changed the bills"
    assert dict(db.runs())[run_id] == "running", "a killed import must never be succeeded"


def test_an_import_killed_at_any_moment_changes_nothing_and_the_next_one_completes(scratch):
    db = scratch
    before = db.fingerprint()
    killed = []

    def attempt():
        db.before_import()
        last = max(pk for pk, _ in db.runs())
        process = db.start_import(db.big)
        return process, db.wait_for_run(process, last)

    # As soon as its run exists: the file is being checksummed or read.
    process, run_id = attempt()
    _kill_and_check(db, process, run_id, before)
    killed.append(run_id)

    # Half a second in: rows are being parsed and staged.
    process, run_id = attempt()
    time.sleep(0.5)
    _kill_and_check(db, process, run_id, before)
    killed.append(run_id)

    # The moment it starts writing the bills, then well into writing them.
    for well_into in (False, True):
        process, run_id = attempt()
        db.wait_until_writing(process, well_into=well_into)
        _kill_and_check(db, process, run_id, before)
        killed.append(run_id)

    # Stopped politely (SIGTERM) while writing: it rolls back and marks its run failed.
    process, run_id = attempt()
    db.wait_until_writing(process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 130, db.ended(process)
    assert "中断しました（何も変更していません）。" in db.log.read_text()
    assert db.fingerprint() == before
    assert dict(db.runs())[run_id] == "failed"

    db.before_import()
    summary = db.manage("import_data", "bills", str(db.big), "--tenant", TENANT)

    assert summary.strip().splitlines()[-1] == (
        "取り込みました bills.csv: 追加 190,000件 / 変更 10,000件 / 変更なし 0件 / エラー 0件"
    )
    statuses = dict(db.runs())
    assert [statuses[pk] for pk in killed] == ["failed"] * len(killed)
    assert "途中で止まりました" in db.run_reasons(killed[0])[0]
    september, october = db.query(
        "SELECT count(*), sum(current_reading) FROM billing_bill GROUP BY billing_month "
        "ORDER BY billing_month"
    )
    expected = sum(_current(i) for i in range(CUSTOMER_COUNT))
    assert september == october == (CUSTOMER_COUNT, expected)


def _postgresql_cluster(port: int) -> tuple[str, str]:
    """(version, name) of the local cluster listening on ``port``, from pg_lsclusters."""
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    raise AssertionError(f"no local PostgreSQL cluster on port {port}")


def _wait_for_postgresql(db: Scratch) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            db.query("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.pg_restart
def test_a_postgresql_restart_during_an_import_changes_nothing_and_the_next_one_completes(
    scratch,
):
    """Restarts the whole PostgreSQL server: opt-in (PG_RESTART_TESTS=1), for CI."""
    db = scratch
    others = db.query(
        "SELECT DISTINCT datname FROM pg_stat_activity WHERE backend_type = 'client backend' "
        f"AND datname NOT IN ('{db.name}', '{connection.settings_dict['NAME']}')"
    )
    if others:
        pytest.skip(f"other clients use this PostgreSQL server ({others}): not restarting it")
    before = db.fingerprint()
    version, name = _postgresql_cluster(int(conninfo().get("port", 5432)))
    last = max(pk for pk, _ in db.runs())
    process = db.start_import(db.big)
    run_id = db.wait_for_run(process, last)
    db.wait_until_writing(process)

    try:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"],
            check=True,
            timeout=120,
        )
        _wait_for_postgresql(db)
    finally:
        # This process's own connections did not survive the restart either.
        connections.close_all()

    assert process.wait(timeout=120) != 0
    assert db.fingerprint() == before
    assert dict(db.runs())[run_id] in ("running", "failed")
    summary = db.manage("import_data", "bills", str(db.big), "--tenant", TENANT)
    assert "追加 190,000件 / 変更 10,000件" in summary
    assert dict(db.runs())[run_id] == "failed"
