"""What every importer shares: the staged row, the checks made in the database, and the
set-based write (see ``staging`` and ``merge``)."""

from dataclasses import dataclass, field
from typing import ClassVar

from django.db import connection, models

from waterportal.exchange.parsing import PlainLineReader, Row


@dataclass(frozen=True)
class Check:
    """A problem found in the database for staged rows ``s`` matching ``where`` (SQL).

    Each such row is reported at its line, under ``column``, quoting the cell ``cell``
    (one of the importer's ``key_cells``) as written in the file.
    """

    where: str
    column: str
    cell: str
    reason: str


@dataclass(frozen=True)
class Target:
    """How staged rows ``s`` become rows of the importer's model.

    ``source`` is the FROM clause giving each staged row its database key: ``match``
    maps each column of a unique key of the model's table to an SQL expression over
    ``source``. Matching on a unique key alone keeps every lookup an index lookup, even
    when the table's statistics are stale after a large import. ``constants`` are
    columns set to one value on every new row (the tenant).

    ``fresh``, if given, is an SQL condition over the staging table ``{s}`` that is
    true only when no staged row can have its row in the table yet (for bills: the
    town has no bill of any month in the file), cheap to answer from an index. Then the
    rows are inserted without first joining them with the table (``merge.insert_fresh``).
    """

    source: str
    match: dict[str, str]
    constants: dict[str, int] = field(default_factory=dict)
    fresh: str | None = None


class Importer:
    """One file kind. Subclasses name the columns and fields, implement ``parse`` (one
    row, no database) and say how staged rows are checked and written (``checks``,
    ``target``).

    A parsed row is staged as the tuple ``(line, *key, *key cells as written, *values)``,
    ``values`` being the model's ``fields`` in order.
    """

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]]
    key_columns: ClassVar[str]  # how the key is named in problems
    # The key in the file: staging column name and the model field its values fit.
    key: ClassVar[tuple[tuple[str, models.Field], ...]]
    key_cells: ClassVar[tuple[str, ...]]  # the file's columns quoted for the key
    fields: ClassVar[tuple[str, ...]]
    # Rows of models with an ``import_run`` field remember the run that last wrote them.
    tracks_run: ClassVar[bool] = False

    def parse(self, row: Row) -> tuple | None:
        raise NotImplementedError

    def plain_lines(self, index: dict[str, int], width: int) -> PlainLineReader | None:
        """A reader of the lines written plainly, which stages them as text (PostgreSQL's
        text COPY, see ``staging``) without a ``Row``; None: every row is parsed."""
        return None

    def checks(self, tenant_id: int) -> list[Check]:
        """Problems only the database can tell (a number not in the ledger, …).

        Together they must find exactly the staged rows that the ``target``'s source
        cannot give a database key: the import runs them only when the source leaves
        some staged row out (``merge.probe``)."""
        return []

    def target(self, tenant_id: int) -> Target:
        raise NotImplementedError

    def staged(
        self, row: Row, key: tuple, values: tuple, written: tuple[str, ...] | None = None
    ) -> tuple:
        """The staged tuple; ``written``: the key cells as written, when the caller has
        them already (else read from ``row``)."""
        cells = tuple(map(row.raw, self.key_cells)) if written is None else written
        return (row.line, *key, *cells, *values)

    def staging_columns(self) -> list[tuple[str, str]]:
        """(name, SQL type) of the staging table's columns, in the staged tuple's order."""
        fields = [concrete_field(self.model, name) for name in self.fields]
        return [
            ("line", "integer"),
            *((name, str(model_field.db_type(connection))) for name, model_field in self.key),
            *((f"cell_{i}", "text") for i in range(len(self.key_cells))),
            *((str(f.column), str(f.db_type(connection))) for f in fields),
        ]

    def cell_column(self, cell: str) -> str:
        """The staging column holding the file's column ``cell`` as written."""
        return f"cell_{self.key_cells.index(cell)}"


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field
