"""Writing staged rows into the model's table: at most three set-based statements.

When the target can tell from an index that no staged row has its row yet (``fresh``:
a bills file of a new month), one INSERT is all (``insert_fresh``). Otherwise one join
finds how many staged rows have their row already and how many of those differ; then,
only if needed, an UPDATE of the existing rows whose values differ from the file's (its
row count is the number changed), and an INSERT of the keys not there yet (the number
added). Rows already holding the file's values are not touched, so a re-import writes nothing
and leaves ``updated_at`` as it was. The caller holds the tenant's lock, so nothing else
writes these rows in between.
"""

from typing import Any, NamedTuple

from django.db import DatabaseError, connection, models

from waterportal.exchange.importers.base import Target, concrete_field


class Probe(NamedTuple):
    """What writing the staged rows will do, from one join."""

    joined: int  # staged rows the target's source gives a database key (the rest fail a check)
    existing: int  # of those, the ones whose row is there already
    differing: int  # of those, the ones whose row holds other values


def _differs() -> str:
    return "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"


def _matched(target: Target) -> dict[str, str]:
    qn = connection.ops.quote_name
    return {qn(column): expression for column, expression in target.match.items()}


def probe(
    model: type[models.Model], staging_table: str, target: Target, fields: tuple[str, ...]
) -> Probe:
    """One join of the staged rows with the model's table: see ``Probe``."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    source = target.source.format(s=staging_table)
    columns = [qn(str(concrete_field(model, name).column)) for name in fields]
    exists = " AND ".join(f"t.{c} = {expression}" for c, expression in _matched(target).items())
    pk = qn(str(model._meta.pk.column))
    differ = " OR ".join(f"t.{column} {_differs()} s.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(t.{pk}), "  # noqa: S608 - names from the model
            f"coalesce(sum(CASE WHEN t.{pk} IS NOT NULL AND ({differ}) THEN 1 ELSE 0 END), 0) "
            f"FROM {source} LEFT JOIN {table} AS t ON {exists}"
        )
        joined, existing, differing = cursor.fetchone()
    return Probe(joined, existing, differing)


def _extra(model: type[models.Model], extra: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """The columns of ``extra`` and their values as the database takes them."""
    qn = connection.ops.quote_name
    columns = [qn(str(concrete_field(model, name).column)) for name in extra]
    values = [
        concrete_field(model, name).get_db_prep_save(value, connection)
        for name, value in extra.items()
    ]
    return columns, values


def _insert(
    model: type[models.Model],
    staging_table: str,
    target: Target,
    fields: tuple[str, ...],
    extra: dict[str, Any],
) -> tuple[str, str]:
    """The INSERT … SELECT of the staged rows (its parameters: ``_extra``'s values) and
    its ORDER BY clause."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    source = target.source.format(s=staging_table)
    columns = [qn(str(concrete_field(model, name).column)) for name in fields]
    extra_columns, _ = _extra(model, extra)
    match = _matched(target)
    inserted = [*(qn(column) for column in target.constants), *match, *columns, *extra_columns]
    values = [str(int(value)) for value in target.constants.values()]
    values += [*match.values(), *(f"s.{column}" for column in columns)]
    values += ["%s"] * len(extra_columns)
    # In key order, so that the table's indexes are filled page by page; by position,
    # as a key part may be a constant (the tenant).
    order = ", ".join(str(len(target.constants) + i) for i in range(1, len(match) + 1))
    insert = (
        f"INSERT INTO {table} ({', '.join(inserted)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} FROM {source} "
    )
    return insert, f"ORDER BY {order}"


def merge(
    model: type[models.Model],
    staging_table: str,
    target: Target,
    fields: tuple[str, ...],
    extra: dict[str, Any],
    probed: Probe | None = None,
) -> tuple[int, int]:
    """Write the staged rows; return (added, changed).

    ``extra`` maps more fields (``updated_at``, ``import_run``) to one value set on every
    row written. ``probed``: the ``probe`` of these rows, if the caller made it.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    source = target.source.format(s=staging_table)
    columns = [qn(str(concrete_field(model, name).column)) for name in fields]
    extra_columns, extra_values = _extra(model, extra)
    match = _matched(target)
    differs = _differs()

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
    insert, order = _insert(model, staging_table, target, fields, extra)
    exists = " AND ".join(f"t.{column} = {expression}" for column, expression in match.items())
    # The probe's join says what there is to do: the UPDATE runs only if some rows
    # differ, the INSERT only if some are new, and without looking for each row if none
    # is there (the caller holds the tenant's lock; a row written meanwhile by anything
    # else would fail the unique key, and the whole import with it).
    joined, existing, differing = probed or probe(model, staging_table, target, fields)
    with connection.cursor() as cursor:
        changed_count = added_count = 0
        if differing:
            cursor.execute(update, extra_values)
            changed_count = cursor.rowcount
        if existing == 0:
            cursor.execute(f"{insert} {order}", extra_values)
            added_count = cursor.rowcount
        elif existing < joined:
            cursor.execute(
                f"{insert} WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {exists}) "  # noqa: S608
                f"{order}",
                extra_values,
            )
            added_count = cursor.rowcount
    return added_count, changed_count


def fresh(staging_table: str, target: Target) -> bool:
    """Whether the target's ``fresh`` condition holds: no staged row has its row yet."""
    if target.fresh is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {target.fresh.format(s=staging_table)}")  # noqa: S608
        (answer,) = cursor.fetchone()
    return bool(answer)


def insert_fresh(
    model: type[models.Model],
    staging_table: str,
    target: Target,
    fields: tuple[str, ...],
    extra: dict[str, Any],
) -> int:
    """Insert every staged row the target's source gives a key, when ``fresh`` said none
    is there yet: the probe's join is not needed. Return how many were inserted, which
    is the probe's ``joined``: fewer than were staged means some row fails a check, and
    the caller rolls this back."""
    insert, order = _insert(model, staging_table, target, fields, extra)
    _, extra_values = _extra(model, extra)
    with connection.cursor() as cursor:
        cursor.execute(f"{insert} {order}", extra_values)
        return cursor.rowcount


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
