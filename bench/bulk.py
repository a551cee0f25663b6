"""Bulk writing for the generator: rows buffered per table and sent with PostgreSQL COPY.

A `Table` takes rows as dicts of attribute names, fills the model's static
defaults, encrypts the encrypted fields through the field itself (the cost is
real and counted) and, for a model with django-simple-history, writes the
matching "created" history row — django-simple-history does not see COPY, so
the generator writes what `save()` would have written.

Primary keys are given here, not by the database, so rows can point at each
other before they are sent; the sequences are moved past them at the end.
"""

from collections.abc import Iterable

from django.db import connection, models
from psycopg.types.json import Jsonb

from fss.core.fields import EncryptedField

HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


def _max_id(table: str, column: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608 - our own table names
        return cursor.fetchone()[0]


class _Columns:
    """The columns of one model's table, in order, and how to turn a value into what COPY sends."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.pk = model._meta.pk.attname
        self.defaults = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                self.defaults[f.attname] = ""
        self.encrypted = {f.attname: f for f in self.fields if isinstance(f, EncryptedField)}
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}

    def tuple_for(self, values: dict) -> tuple:
        row = []
        for name in self.attnames:
            if name in values:
                value = values[name]
            elif name in self.defaults:
                value = self.defaults[name]
            else:
                raise KeyError(f"{self.model._meta.label}: no value for {name}")
            if name in self.encrypted:
                value = self.encrypted[name].get_db_prep_value(value, connection)
            elif name in self.json:
                value = Jsonb(value)
            row.append(value)
        return tuple(row)


class Table:
    """Rows for one model (and its history table), sent to the database by `flush`."""

    def __init__(self, model: type[models.Model], *, history: bool = True):
        self.model = model
        self.cols = _Columns(model)
        self.rows: list[tuple] = []
        self.next_id = _max_id(self.cols.table, model._meta.pk.column) + 1
        self.count = 0
        self.history = None
        history_manager = getattr(model, "history", None) if history else None
        if history_manager is not None and hasattr(history_manager, "model"):
            self.history = _Columns(history_manager.model)
            self.history_rows: list[tuple] = []
            self.next_history_id = _max_id(self.history.table, "history_id") + 1
            self.history_count = 0
        self.last_history_id = None

    def add(self, values: dict, *, history_date=None, history_user_id=None) -> int:
        """Buffer one row; returns its primary key. With history, `history_date` is required."""
        pk = values.get(self.cols.pk)
        if pk is None:
            pk = self.next_id
            self.next_id += 1
            values[self.cols.pk] = pk
        self.rows.append(self.cols.tuple_for(values))
        self.count += 1
        if self.history is not None:
            history_id = self.next_history_id
            self.next_history_id += 1
            record = {name: values[name] for name in self.history.attnames if name in values}
            record.update(
                history_id=history_id,
                history_date=history_date,
                history_change_reason=None,
                history_type="+",
                history_user_id=history_user_id,
            )
            self.history_rows.append(self.history.tuple_for(record))
            self.history_count += 1
            self.last_history_id = history_id
        return pk

    def flush(self) -> None:
        _copy(self.cols, self.rows)
        self.rows = []
        if self.history is not None:
            _copy(self.history, self.history_rows)
            self.history_rows = []

    def tables(self) -> list[tuple[str, str]]:
        """(table, primary key column) pairs whose sequences `reset_sequences` moves on."""
        found = [(self.cols.table, self.model._meta.pk.column)]
        if self.history is not None:
            found.append((self.history.table, "history_id"))
        return found


class M2MHistoryTable(Table):
    """A django-simple-history many-to-many history table (`m2m_history_id`, `history_id`)."""

    def __init__(self, model: type[models.Model]):
        super().__init__(model, history=False)

    def tables(self) -> list[tuple[str, str]]:
        return [(self.cols.table, "m2m_history_id")]


def _copy(cols: _Columns, rows: list[tuple]) -> None:
    if not rows:
        return
    column_list = ", ".join(f'"{c}"' for c in cols.columns)
    raw = connection.connection  # the psycopg 3 connection under Django's wrapper
    with raw.cursor() as cursor, cursor.copy(f'COPY "{cols.table}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def reset_sequences(tables: Iterable[Table]) -> None:
    """Move each identity sequence past the ids the generator gave."""
    with connection.cursor() as cursor:
        for table in tables:
            for name, column in table.tables():
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - our own table names
                    f'GREATEST((SELECT COALESCE(MAX("{column}"), 0) FROM "{name}"), 1))',
                    [f'"{name}"', column],
                )
