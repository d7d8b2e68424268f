"""The staging table: one import's valid rows, written as the file is read.

It is a TEMPORARY table: only the importing connection sees it, and the database drops
it when that connection ends, however it ends (a killed process, a restarted server).
So a file of any length is held by the database rather than in the importing process's
memory, and a crash leaves nothing to clean up.

PostgreSQL: one COPY streams the rows as they are parsed. SQLite: INSERTs in batches,
each in its own short transaction, so the database's write lock is never held for long
while the file is read.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from django.db import DatabaseError, connection, transaction

from waterportal.exchange.importers.base import Check, Importer
from waterportal.exchange.parsing import Report

BATCH_SIZE = 5000
# Lines of a text COPY sent to the database in one write.
TEXT_BATCH = 2000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_line(row: tuple) -> str:
    """A staged tuple as one line of a text COPY."""
    cells = []
    for value in row:
        if value is None:
            cells.append("\\N")
        elif value is True or value is False:
            cells.append("t" if value else "f")
        elif isinstance(value, str):
            cells.append(value.translate(_ESCAPES))
        elif isinstance(value, dt.date):
            cells.append(value.isoformat())
        else:
            cells.append(str(int(value)))
    return "\t".join(cells) + "\n"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _savepoint():
    """Inside a caller's transaction, a savepoint, so a failed statement does not poison
    it; outside, nothing (each statement is its own transaction)."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


class Staging:
    """``with Staging(importer, name) as staging:`` a fresh staging table for the block."""

    def __init__(self, importer: Importer, name: str):
        self.importer = importer
        self.name = name
        self.table = _qn(name)
        self.columns = importer.staging_columns()
        self.count = 0
        # PostgreSQL, for an importer that reads plain lines: the rows are sent as text,
        # the plain lines' cells as they are written (see ``Importer.plain_lines``).
        overridden = type(importer).plain_lines is not Importer.plain_lines
        self.text = connection.vendor == "postgresql" and overridden

    def __enter__(self) -> "Staging":
        columns = ", ".join(f"{_qn(name)} {sql_type}" for name, sql_type in self.columns)
        with _savepoint(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} ({columns})")
        return self

    def __exit__(self, *exc) -> None:
        try:
            with _savepoint(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        except DatabaseError:
            pass  # the connection is broken, and its temporary tables are gone with it

    def writer(self) -> AbstractContextManager[Callable[[Any], None]]:
        """``with staging.writer() as write:`` call ``write(row)`` for each staged tuple
        (or, when ``self.text``, a plain line's text); the rows are in the table once the
        block has ended."""
        if self.text:
            return self._copying_text()
        return self._copying() if connection.vendor == "postgresql" else self._inserting()

    @contextmanager
    def _copying_text(self) -> Iterator[Callable[[tuple | str], None]]:
        names = ", ".join(_qn(name) for name, _ in self.columns)
        batch: list[str] = []
        with (
            _savepoint(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy,
        ):
            append = batch.append

            def write(row: tuple | str) -> None:
                append(row if isinstance(row, str) else text_line(row))
                if len(batch) >= TEXT_BATCH:
                    copy.write("".join(batch))
                    self.count += len(batch)
                    batch.clear()

            yield write
            if batch:
                copy.write("".join(batch))
                self.count += len(batch)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")

    @contextmanager
    def _copying(self) -> Iterator[Callable[[tuple], None]]:
        names = ", ".join(_qn(name) for name, _ in self.columns)
        with _savepoint(), connection.cursor() as cursor:
            # The types of the table's columns as the database has them (Django's
            # spellings, "varchar(30)", are not names psycopg knows).
            cursor.execute(
                "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                [self.table],
            )
            types = [oid for (oid,) in cursor.fetchall()]
        with (
            _savepoint(),
            connection.cursor() as cursor,
            # Binary: psycopg then sends numbers and dates as they are in memory instead
            # of formatting each as text for the server to parse again (1.4 s less for
            # 1,000,000 bills).
            cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            write_row = copy.write_row

            def write(row: tuple) -> None:
                write_row(row)
                self.count += 1

            yield write
        with connection.cursor() as cursor:
            # Temporary tables are never analysed automatically; the checks and the
            # merge join this one with large tables.
            cursor.execute(f"ANALYZE {self.table}")

    @contextmanager
    def _inserting(self) -> Iterator[Callable[[tuple], None]]:
        names = ", ".join(_qn(name) for name, _ in self.columns)
        placeholders = ", ".join(["%s"] * len(self.columns))
        insert = f"INSERT INTO {self.table} ({names}) VALUES ({placeholders})"  # noqa: S608
        batch: list[tuple] = []

        def flush() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, batch)
            self.count += len(batch)
            batch.clear()

        def write(row: tuple) -> None:
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                flush()

        yield write
        if batch:
            flush()
        keys = ", ".join(_qn(name) for name, _ in self.importer.key)
        with connection.cursor() as cursor:
            # SQLite has no statistics on the tables and would otherwise pick plans that
            # scan the staging table once per row of another; by key it is looked up.
            cursor.execute(f"CREATE INDEX {_qn(self.name + '_key')} ON {self.table} ({keys})")

    def report_duplicates(self, report: Report) -> None:
        """Report each row whose key an earlier row of the file already has."""
        importer = self.importer
        keys = ", ".join(_qn(name) for name, _ in importer.key)
        cells = ", ".join(f"cell_{i}" for i in range(len(importer.key_cells)))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {self.table} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"  # noqa: S608
            )
            if cursor.fetchone() is None:
                return
            cursor.execute(
                f"SELECT line, first_line, {cells}, count(*) OVER () FROM ("  # noqa: S608
                f"SELECT line, {cells}, min(line) OVER (PARTITION BY {keys}) AS first_line "
                f"FROM {self.table}) AS d WHERE line > first_line ORDER BY line LIMIT %s",
                [report.limit],
            )
            rows = cursor.fetchall()
        label = importer.key_columns
        for line, first, *written, _ in rows:
            reason = f"{first}行目と同じ{label}です（1つのファイルに1行だけにしてください）。"
            report.add(line, label, "・".join(written), reason)
        report.add_unlisted(rows[0][-1] - len(rows))

    def report_checks(self, report: Report, checks: list[Check]) -> None:
        """Report each staged row that fails one of ``checks``."""
        for check in checks:
            cell = self.importer.cell_column(check.cell)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT s.line, s.{cell}, count(*) OVER () FROM {self.table} AS s "  # noqa: S608
                    f"WHERE {check.where} ORDER BY s.line LIMIT %s",
                    [report.limit],
                )
                rows = cursor.fetchall()
            for line, value, _ in rows:
                report.add(line, check.column, value, check.reason)
            if rows:
                report.add_unlisted(rows[0][-1] - len(rows))
