"""Benchmark: importing a bills file of 1,000,000 rows for 500,000 customers.

    .venv/bin/python bench/import/run.py
    DATABASE_URL=postgres://user@host:5432/postgres .venv/bin/python bench/import/run.py

Writes the ledger and the bills file under ``bench/out/`` (kept for the next run), then
on PostgreSQL: creates a scratch database on the server of ``DATABASE_URL`` (default:
127.0.0.1:5432 as postgres; the database it names is never touched), migrates it,
imports the ledger and lets it settle (``settle``), then the bills with ``manage.py
import_data`` as a process of its own, measuring its wall time and peak resident memory,
watching which statements the database runs meanwhile, and twice more into an emptied
table (the figure is the median of the three); imports the same file again
(known by its SHA-256 as the last import's: not read), and again with ``--again`` (read
in full, every row found unchanged); times a plain ``COPY`` of the same file into a bare table with
the same columns, and, as the floor no import can go below, a ``COPY`` of the rows the
import wrote, already parsed, into tables with billing_bill's keys, indexes and foreign
key, and the file loaded by PostgreSQL alone with no checks (``SQL_LOAD``); prints the
figures and drops the scratch database. Then the same
imports on SQLite (a file under ``bench/out/``, deleted at the end).

Not a test: it prints figures and exits 0 unless something broke.
"""

import argparse
import csv
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
TENANT = "bench"
MONTHS = ("2026-09", "2026-10")
# Targets from issue 16: the import against floor (c), the table it has to fill; the
# same file again against the first import.
TARGET_FLOOR_RATIO = 2.0
TARGET_AGAIN_RATIO = 0.5
TARGET_RSS_MB = 300

CUSTOMER_COLUMNS = ["使用者番号", "使用者名カナ", "使用者名", "給水場所", "口径", "検針周期", "支払方法", "状態"]  # fmt: skip
BILL_COLUMNS = [
    "使用者番号", "調定年月", "検針日", "前回指針", "今回指針", "使用水量", "使用日数",
    "水道料金", "下水道使用料", "消費税額", "請求金額", "納期限", "メーター交換", "検針状況",
    "基本料金", "従量料金",
]  # fmt: skip
# The bare table of the COPY comparison: the file's columns, typed as the file allows
# (使用者番号 and 調定年月 are written 1001-0001 and 2026-09, so they stay text).
BARE_TYPES = ["text", "text", "date"] + ["integer"] * 8 + ["date", "integer", "text"] + ["integer"] * 2  # fmt: skip
KANA = [("山田 太郎", "ヤマダ タロウ"), ("佐藤 花子", "サトウ ハナコ"), ("鈴木 健一", "ｽｽﾞｷ ｹﾝｲﾁ"), ("高橋 京子", "タカハシ キョウコ")]  # fmt: skip


def number(i: int) -> str:
    return f"{1000 + i // 10000:04d}-{i % 10000:04d}"


def write_files(customers: int) -> tuple[Path, Path]:
    """The ledger and a bills file of ``customers`` × 2 months, made once and kept."""
    OUT.mkdir(parents=True, exist_ok=True)
    ledger = OUT / f"customers-{customers}.csv"
    bills = OUT / f"bills-{customers * len(MONTHS)}.csv"
    if ledger.exists() and bills.exists():
        return ledger, bills
    rng = random.Random(20261125)  # noqa: S311 - reproducible fiction
    print(f"writing {ledger.name} and {bills.name} …", flush=True)
    with ledger.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CUSTOMER_COLUMNS)
        for i in range(customers):
            name, kana = KANA[i % len(KANA)]
            address = f"おうむ町本町{i % 9 + 1}丁目{i % 30 + 1}-{i % 20 + 1}"
            payment = "口座振替" if i % 3 else "納付書"
            writer.writerow([number(i), kana, name, address, 20, 2, payment, "使用中"])
    readings = [rng.randint(50, 3000) for _ in range(customers)]
    with bills.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(BILL_COLUMNS)
        for month in MONTHS:
            for i in range(customers):
                usage = rng.randint(5, 60)
                previous, readings[i] = readings[i], readings[i] + usage
                basic = 1650
                water = basic + usage * 176
                sewer = 880 + usage * 121
                amount = water + sewer
                status = "認定" if i % 50 == 0 else ""
                writer.writerow(
                    [number(i), month, f"{month}-{10 + i % 15:02d}", previous, readings[i], usage]
                    + [61, water, sewer, amount * 10 // 110, amount, f"{month}-28", "", status]
                    + [basic, water - basic]
                )
    return ledger, bills


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed_import(
    env: dict[str, str], kind: str, path: Path, *options: str
) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, summary line) of one ``import_data`` process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_data", kind, str(path), "--tenant", TENANT, *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    peak = PeakMemory(process.pid)
    peak.start()
    output = process.stdout.read().decode()
    peak.stopping.set()
    peak.join()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"import_data {kind} failed:\n{output}")
    # Not the child's ru_maxrss where /proc has its own: that counts the resident set the
    # child had between fork and exec, i.e. this process's (bench/scale's, with Django and
    # its measurements, 220-280 MB, was taken for the import's on 2026-12-07).
    rss_kb = peak.kb or usage.ru_maxrss
    return seconds, rss_kb / 1024, output.strip().splitlines()[-1]


class PeakMemory(threading.Thread):
    """The peak resident set (``VmHWM``) of the process ``pid`` after its exec, read from
    /proc every 50 ms until it ends (the last reading is its peak: VmHWM only grows)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.kb = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.05):
            try:
                lines = self.status.read_text().splitlines()
            except OSError:
                return
            for line in lines:
                if line.startswith("VmHWM:"):
                    self.kb = max(self.kb, int(line.split()[1]))


class StatementWatch(threading.Thread):
    """Samples pg_stat_activity of one database: which statements ran, and how long."""

    def __init__(self, conninfo: str):
        super().__init__(daemon=True)
        self.conninfo = conninfo
        self.seen: dict = {}  # query_start -> [first words, last seen]
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as db:
            while not self.stopping.is_set():
                rows = db.execute(
                    "SELECT query_start, query, now() FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state = 'active'"
                ).fetchall()
                for start, query, now in rows:
                    self.seen.setdefault(start, [" ".join(query.split()[:3]), now])[1] = now
                time.sleep(0.05)

    def report(self, longer_than: float = 0.3) -> list[str]:
        self.stopping.set()
        self.join()
        lines = []
        for start, (words, last) in sorted(self.seen.items()):
            seconds = (last - start).total_seconds()
            if seconds >= longer_than:
                lines.append(f"      {seconds:6.1f} s  {words[:60]}")
        return lines


def bare_copy_seconds(conninfo: str, path: Path, times: int = 3) -> float:
    """Median time of COPY of the file, streamed from here, into a bare typed table."""
    columns = ", ".join(
        f'"{name}" {sql_type}' for name, sql_type in zip(BILL_COLUMNS, BARE_TYPES, strict=True)
    )
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f"CREATE TABLE bare_bills ({columns})")
        statement = "COPY bare_bills FROM STDIN (FORMAT csv, HEADER true)"
        seconds = timed_copies(db, "bare_bills", path, statement, times)
        db.execute("DROP TABLE bare_bills")
    return seconds


# What no import can go below: the rows an import wrote, already parsed and given their
# customer's id, copied straight into a table shaped like billing_bill: with only the
# keys any design keeps (the primary key and the unique (customer, month)), with every
# index billing_bill has, and with those and the customer foreign key: billing_bill as
# it is.
PRIMARY_AND_UNIQUE = (
    "ALTER TABLE keyed_bills ADD PRIMARY KEY (id)",
    "ALTER TABLE keyed_bills ADD UNIQUE (customer_id, billing_month)",
)
CUSTOMER_FOREIGN_KEY = (
    "ALTER TABLE keyed_bills ADD FOREIGN KEY (customer_id) REFERENCES contracts_customer (id) "
    "DEFERRABLE INITIALLY DEFERRED",
)
KEYED_VARIANTS = (
    ("its primary key and unique key", "", PRIMARY_AND_UNIQUE),
    ("every index of billing_bill", "INCLUDING INDEXES", ()),
    ("every index and the customer foreign key", "INCLUDING INDEXES", CUSTOMER_FOREIGN_KEY),
)


def median_seconds(
    db: psycopg.Connection, table: str, load: Callable[[], object], times: int
) -> float:
    """Median time of ``load()``, ``table`` emptied and a checkpoint made before each,
    so no run pays for the previous one's."""
    results = []
    for _ in range(times):
        db.execute(f"TRUNCATE {table}")
        db.execute("CHECKPOINT")
        started = time.perf_counter()
        load()
        results.append(time.perf_counter() - started)
    return statistics.median(results)


def copy_in(db: psycopg.Connection, statement: str, source: Path) -> None:
    """Run ``statement`` (a COPY … FROM STDIN) fed with the file ``source``."""
    with db.cursor() as cursor, cursor.copy(statement) as copy, source.open("rb") as data:
        while chunk := data.read(1 << 20):
            copy.write(chunk)


def timed_copies(
    db: psycopg.Connection, table: str, source: Path, statement: str, times: int
) -> float:
    """Median time of ``statement`` fed with ``source`` (see ``median_seconds``)."""
    return median_seconds(db, table, lambda: copy_in(db, statement, source), times)


def floor_copy_seconds(conninfo: str, times: int = 3) -> list[tuple[str, float]]:
    """Median COPY times of the imported bills, as binary rows, into keyed tables (each
    COPY its own transaction, so a deferred foreign key is checked within its time)."""
    rows = OUT / f"floor-{os.getpid()}.bin"
    columns = (
        "customer_id, billing_month, reading_date, previous_reading, current_reading, "
        "usage_m3, days, water_charge, sewer_charge, tax, amount, due_date, meter_replaced, "
        "reading_status, basic_charge, volume_charge, updated_at, tenant_id, import_run_id"
    )
    results = []
    try:
        with psycopg.connect(conninfo, autocommit=True) as db:
            with db.cursor() as cursor, rows.open("wb") as out:
                select = f"SELECT {columns} FROM billing_bill ORDER BY customer_id, billing_month"
                with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as copy:
                    for chunk in copy:
                        out.write(chunk)
            for label, including, statements in KEYED_VARIANTS:
                db.execute(
                    "CREATE TABLE keyed_bills (LIKE billing_bill INCLUDING DEFAULTS "
                    f"INCLUDING IDENTITY INCLUDING CONSTRAINTS {including})"
                )
                for ddl in statements:
                    db.execute(ddl)
                statement = f"COPY keyed_bills ({columns}) FROM STDIN (FORMAT binary)"
                results.append((label, timed_copies(db, "keyed_bills", rows, statement, times)))
                db.execute("DROP TABLE keyed_bills")
    finally:
        rows.unlink(missing_ok=True)
    return results


# The other way to load: PostgreSQL reads the file itself (COPY into a temporary table
# of text columns), then one INSERT … SELECT casts each cell and finds each customer,
# into a table with only the primary and unique keys. No check of any rule of
# exchange-v1, no foreign key, no other index: what is left if validation moved to SQL
# and the rest were given up.
SQL_LOAD = """
INSERT INTO keyed_bills (customer_id, billing_month, reading_date, previous_reading,
    current_reading, usage_m3, days, water_charge, sewer_charge, tax, amount, due_date,
    meter_replaced, reading_status, basic_charge, volume_charge, updated_at, tenant_id)
SELECT c.id, (r.c2 || '-01')::date, r.c3::date, r.c4::int, r.c5::int, r.c6::int,
    r.c7::int, r.c8::int, r.c9::int, r.c10::int, r.c11::int, r.c12::date,
    coalesce(r.c13, '') <> '', coalesce(r.c14, ''), r.c15::int, r.c16::int, now(),
    c.tenant_id
FROM raw_bills r
JOIN contracts_customer c ON c.tenant_id = %s AND c.number = replace(r.c1, '-', '')
ORDER BY 1, 2
"""


def sql_load_seconds(conninfo: str, path: Path, times: int = 3) -> float:
    """Median time of loading the file with SQL_LOAD (the raw COPY included)."""
    cells = ", ".join(f"c{i} text" for i in range(1, len(BILL_COLUMNS) + 1))
    with psycopg.connect(conninfo, autocommit=True) as db:
        tenant = db.execute("SELECT id FROM tenants_tenant WHERE slug = %s", [TENANT]).fetchone()
        db.execute(
            "CREATE TABLE keyed_bills (LIKE billing_bill INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        for ddl in PRIMARY_AND_UNIQUE:
            db.execute(ddl)

        def load() -> None:
            with db.transaction():
                db.execute(f"CREATE TEMPORARY TABLE raw_bills ({cells}) ON COMMIT DROP")
                copy_in(db, "COPY raw_bills FROM STDIN (FORMAT csv, HEADER true)", path)
                db.execute(SQL_LOAD, [tenant[0]])

        seconds = median_seconds(db, "keyed_bills", load, times)
        db.execute("DROP TABLE keyed_bills")
    return seconds


def settle(url: str) -> None:
    """The database as a town's monthly import finds it, the ledger imported days or
    minutes before: its rows vacuumed and analysed (what autovacuum does after a large
    insert) and a checkpoint made, as before each floor's ``COPY``, so that the import
    does not pay for the ledger import's writes still going to disk."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM (ANALYZE) contracts_customer")
        db.execute("CHECKPOINT")


def empty_bills(url: str) -> None:
    """No bill left (nor a payment, which refers to one), then a checkpoint."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("TRUNCATE billing_bill CASCADE")
        db.execute("CHECKPOINT")


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}


def postgresql(server_url: str, ledger: Path, bills: Path, rows: int) -> None:
    parts = urlsplit(server_url)
    scratch = f"waterportal_bench_import_{os.getpid()}"
    admin = parts._replace(path="/postgres", query="").geturl()
    url = parts._replace(path=f"/{scratch}", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        version = db.execute("SHOW server_version").fetchone()[0]
        db.execute(f'CREATE DATABASE "{scratch}"')
    try:
        env = base_env(url)
        print(f"\nPostgreSQL {version} (scratch database {scratch})", flush=True)
        manage(env, "migrate", "-v0")
        manage(env, "create_tenant", TENANT, "--name", "ベンチ町")
        seconds, rss, _ = timed_import(env, "customers", ledger)
        print(f"  ledger import ({rows // len(MONTHS):,} customers): {seconds:.1f} s, {rss:.0f} MB")

        settle(url)
        watch = StatementWatch(url)
        watch.start()
        first, rss, summary = timed_import(env, "bills", bills)
        statements = watch.report()
        print(f"  bills import: {first:.1f} s, {rows / first:,.0f} rows/s, peak RSS {rss:.0f} MB")
        print(f"    {summary}")
        print("    statements of 0.3 s or more, as sampled:")
        print("\n".join(statements))
        # Twice more into an emptied table, read in full (--again: the file is the last
        # import's), which is the same work: the figure judged is the median of the
        # three, as each floor's is.
        rounds = [first]
        for _ in range(2):
            empty_bills(url)
            more, more_rss, _ = timed_import(env, "bills", bills, "--again")
            rounds.append(more)
            rss = max(rss, more_rss)
        seconds = statistics.median(rounds)
        print(
            f"  bills import, median of 3 into an empty table: {seconds:.1f} s "
            f"({', '.join(f'{r:.1f}' for r in rounds)})"
        )
        again, again_rss, again_summary = timed_import(env, "bills", bills)
        print(f"  same file again: {again:.1f} s, peak RSS {again_rss:.0f} MB\n    {again_summary}")
        watch = StatementWatch(url)
        watch.start()
        full, full_rss, full_summary = timed_import(env, "bills", bills, "--again")
        statements = watch.report()
        print(
            f"  same file again, read in full (--again): {full:.1f} s, {rows / full:,.0f} rows/s, "
            f"peak RSS {full_rss:.0f} MB\n    {full_summary}"
        )
        print("    statements of 0.3 s or more, as sampled:")
        print("\n".join(statements))
        copy = bare_copy_seconds(url, bills)
        print(f"  plain COPY of the file into a bare table (median of 3): {copy:.2f} s")
        print("  the imported rows, parsed, COPY'd straight into a table with (median of 3):")
        floors = floor_copy_seconds(url)
        for letter, (label, floor) in zip("abc", floors, strict=True):
            print(f"    ({letter}) {label}: {floor:.2f} s, {floor / copy:.1f} × the plain COPY")
        sql = sql_load_seconds(url, bills)
        print(
            "  the file read by PostgreSQL and cast in one INSERT … SELECT, no checks, into a "
            f"table with only the primary and unique keys (median of 3): {sql:.2f} s, "
            f"{sql / copy:.1f} × the plain COPY"
        )
        floor_c = floors[-1][1]
        print(
            f"  ratio import / floor (c): {seconds / floor_c:.2f} (target ≤ {TARGET_FLOOR_RATIO:g})"
        )
        print(
            f"  ratio same file again / import: {again / seconds:.2f} "
            f"(target < {TARGET_AGAIN_RATIO:g}; known by its SHA-256, not read)"
        )
        print(
            f"  ratio same file again, read in full (--again) / import: {full / seconds:.2f} "
            f"(the same target for a file read row by row: "
            f"{'met' if full / seconds < TARGET_AGAIN_RATIO else 'missed'})"
        )
        print(f"  for reference, import / plain COPY: {seconds / copy:.1f}")
        peak = max(rss, again_rss, full_rss)
        print(f"  peak RSS: {peak:.0f} MB (target < {TARGET_RSS_MB} MB)")
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def sqlite(ledger: Path, bills: Path, rows: int) -> None:
    path = OUT / f"bench-import-{os.getpid()}.sqlite3"
    env = base_env(f"sqlite:///{path}")
    print(f"\nSQLite {sqlite3.sqlite_version} ({path.relative_to(ROOT)})", flush=True)
    try:
        manage(env, "migrate", "-v0")
        manage(env, "create_tenant", TENANT, "--name", "ベンチ町")
        seconds, rss, _ = timed_import(env, "customers", ledger)
        print(f"  ledger import ({rows // len(MONTHS):,} customers): {seconds:.1f} s, {rss:.0f} MB")
        seconds, rss, summary = timed_import(env, "bills", bills)
        print(
            f"  bills import: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS {rss:.0f} MB"
        )
        print(f"    {summary}")
        again, again_rss, again_summary = timed_import(env, "bills", bills)
        print(f"  same file again: {again:.1f} s, peak RSS {again_rss:.0f} MB\n    {again_summary}")
        full, full_rss, full_summary = timed_import(env, "bills", bills, "--again")
        print(
            f"  same file again, read in full (--again): {full:.1f} s, {rows / full:,.0f} rows/s, "
            f"peak RSS {full_rss:.0f} MB\n    {full_summary}"
        )
        print(
            f"  ratio same file again / import: {again / seconds:.2f} "
            f"(target < {TARGET_AGAIN_RATIO:g}); read in full: {full / seconds:.2f}"
        )
    finally:
        for leftover in OUT.glob(f"{path.name}*"):
            leftover.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=500_000, help="default 500,000")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = DEFAULT_SERVER
    ledger, bills = write_files(args.customers)
    rows = args.customers * len(MONTHS)
    print(f"{bills.relative_to(ROOT)}: {rows:,} rows, {bills.stat().st_size / 1e6:.1f} MB")
    if not args.skip_postgresql:
        postgresql(server, ledger, bills, rows)
    if not args.skip_sqlite:
        sqlite(ledger, bills, rows)


if __name__ == "__main__":
    main()
