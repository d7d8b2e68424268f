"""Writing an import's rows: insert new keys, overwrite existing ones, in bulk.

SQLite (development, tests) goes through the ORM's ``bulk_create(update_conflicts=True)``.
On PostgreSQL the rows are streamed with COPY into a temporary staging table and merged
with one ``INSERT … SELECT … ON CONFLICT DO UPDATE``: the ORM spends most of an import's
time compiling its batched INSERTs, and COPY skips that entirely.
"""

from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 1000
STAGING_TABLE = "exchange_staging"


def upsert(
    model: type[models.Model],
    rows: list[dict],
    *,
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    """Insert ``rows`` (values by field name or attname) into ``model``'s table; a row
    whose ``unique_fields`` already exist overwrites that row's ``update_fields``.

    The model's ``updated_at`` is set to now on every row written.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_upsert(model, rows, unique_fields=unique_fields, update_fields=update_fields)
        return
    model.objects.bulk_create(
        [model(**row) for row in rows],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=[*update_fields, "updated_at"],
    )


def _copy_upsert(model, rows, *, unique_fields, update_fields) -> None:
    meta = model._meta
    qn = connection.ops.quote_name
    names = [*rows[0], "updated_at"]
    columns = ", ".join(qn(meta.get_field(name).column) for name in names)
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique_fields)
    updates = ", ".join(
        f"{qn(c)} = EXCLUDED.{qn(c)}"
        for c in (meta.get_field(name).column for name in [*update_fields, "updated_at"])
    )
    table, staging = qn(meta.db_table), qn(STAGING_TABLE)
    now = timezone.now()
    with connection.cursor() as cursor:
        # Dropped explicitly, not only ON COMMIT: several imports may share one
        # transaction (seed_demo), and each needs a fresh staging table.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*row.values(), now])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {staging}")
