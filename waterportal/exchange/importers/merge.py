"""Writing staged rows into the model's table: two set-based statements.

First an UPDATE of the existing rows whose values differ from the file's (its row count
is the number changed), then an INSERT of the keys not there yet (the number added).
Rows already holding the file's values are not touched, so a re-import writes nothing
and leaves ``updated_at`` as it was. The caller holds the tenant's lock, so nothing else
writes these rows in between.
"""

from typing import Any

from django.db import DatabaseError, connection, models

from waterportal.exchange.importers.base import Target, concrete_field


def merge(
    model: type[models.Model],
    staging_table: str,
    target: Target,
    fields: tuple[str, ...],
    extra: dict[str, Any],
) -> tuple[int, int]:
    """Write the staged rows; return (added, changed).

    ``extra`` maps more fields (``updated_at``, ``import_run``) to one value set on every
    row written.
    """
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    source = target.source.format(s=staging_table)
    columns = [qn(str(concrete_field(model, name).column)) for name in fields]
    extra_columns = [qn(str(concrete_field(model, name).column)) for name in extra]
    extra_values = [
        concrete_field(model, name).get_db_prep_save(value, connection)
        for name, value in extra.items()
    ]
    match = {qn(column): expression for column, expression in target.match.items()}
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"

    selected = [f"{expression} AS {column}" for column, expression in match.items()]
    selected += [f"s.{column} AS {column}" for column in columns]
    sets = [f"{column} = src.{column}" for column in columns]
    sets += [f"{column} = %s" for column in extra_columns]
    same_key = " AND ".join(f"t.{column} = src.{column}" for column in match)
    changed = " OR ".join(f"t.{column} {differs} src.{column}" for column in columns)
    update = (
        f"UPDATE {table} AS t SET {', '.join(sets)} "  # noqa: S608 - names from the model
        f"FROM (SELECT {', '.join(selected)} FROM {source}) AS src "
        f"WHERE {same_key} AND ({changed})"
    )

    inserted = [*(qn(column) for column in target.constants), *match, *columns, *extra_columns]
    values = [str(int(value)) for value in target.constants.values()]
    values += [*match.values(), *(f"s.{column}" for column in columns)]
    values += ["%s"] * len(extra_columns)
    exists = " AND ".join(f"t.{column} = {expression}" for column, expression in match.items())
    insert = (
        f"INSERT INTO {table} ({', '.join(inserted)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} FROM {source} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {exists}) "
        # In key order, so that the table's indexes are filled page by page; by position,
        # as a key part may be a constant (the tenant).
        f"ORDER BY {', '.join(str(len(target.constants) + i) for i in range(1, len(match) + 1))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(update, extra_values)
        changed_count = cursor.rowcount
        cursor.execute(insert, extra_values)
        added_count = cursor.rowcount
    return added_count, changed_count


# After writing this many rows, the table's statistics are refreshed at once rather than
# when autovacuum gets to it: the next import (bills right after customers) is planned
# with the table's real size.
ANALYZE_AFTER = 10_000


def analyze(model: type[models.Model]) -> None:
    """Refresh the planner statistics of ``model``'s table (PostgreSQL; outside a
    transaction, e.g. from ``transaction.on_commit``). Best effort."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    except DatabaseError:
        pass
