"""What every importer shares: parsed records, the plan of writes, and the bulk upsert."""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from exchange.importers.upsert import upsert
from exchange.parsing import Row


@dataclass(slots=True)
class Record:
    """A valid row: its key in the file, its field values (in ``Importer.fields`` order),
    and the key cells as written, to quote back in problems found later."""

    line: int
    key: tuple
    values: tuple
    raw_key: tuple[str, ...]


@dataclass
class Plan:
    """The writes an import will make: rows to insert, rows to overwrite (values by field
    name, keys included), and how many rows already hold exactly the file's values."""

    added: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    unchanged: int = 0


class Importer:
    """One file kind. Subclasses name the columns and fields and implement ``parse``
    (one row, no database) and ``plan`` (all rows against the database)."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]]
    key_columns: ClassVar[str]  # how the key is named in problems
    unique_fields: ClassVar[list[str]]
    fields: ClassVar[tuple[str, ...]]
    # Rows of models with an ``import_run`` field remember the run that last wrote them.
    tracks_run: ClassVar[bool] = False

    def parse(self, row: Row) -> Record | None:
        raise NotImplementedError

    def plan(self, tenant, records: dict[tuple, Record], report) -> Plan:
        raise NotImplementedError

    def diff(self, rows: list[tuple[Any, Record, dict]], existing: dict[Any, tuple]) -> Plan:
        """Compare each ``(db_key, record, key_fields)`` with the stored values by key."""
        plan = Plan()
        for db_key, record, key_fields in rows:
            old = existing.get(db_key)
            if old == record.values:
                plan.unchanged += 1
                continue
            row = key_fields | dict(zip(self.fields, record.values, strict=True))
            (plan.added if old is None else plan.changed).append(row)
        return plan

    def write(self, plan: Plan, run_id: int | None = None) -> None:
        """Insert the new rows and overwrite the changed ones."""
        rows = plan.added + plan.changed
        update_fields = list(self.fields)
        if self.tracks_run:
            for row in rows:
                row["import_run_id"] = run_id
            update_fields.append("import_run")
        upsert(self.model, rows, unique_fields=self.unique_fields, update_fields=update_fields)
