"""Fast inserts of many model instances for the load-test generator (COPY on PostgreSQL,
executemany on SQLite), with primary keys assigned up front so child rows can point at them.

Only for `getelec demo --scale`: no signals, no save() hooks, no per-field validation — the
generator builds complete, consistent instances itself. Values are adapted the way Django's own
fields adapt them (dates, aware datetimes, decimals, JSON), so the rows read back identically.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.db import connections, models

Converter = Callable[[Any], Any]


class Row(SimpleNamespace):
    """One row to insert: attributes named like the model's `attname`s (company_id, ...).

    Much cheaper than a model instance (200,000 applications make a million rows)."""


@cache
def _defaults(model: type[models.Model]) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in _columns(model) if not f.primary_key}


def row(model: type[models.Model], **values: Any) -> Row:
    """A Row with the model's field defaults, overridden by `values` (attnames)."""
    unknown = set(values) - set(_defaults(model))
    if unknown:
        raise TypeError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    return Row(id=None, **{**_defaults(model), **values})


def _converter(field: models.Field, connection: Any) -> Converter:
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "JSONField":
        encoder = field.encoder  # type: ignore[attr-defined]
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if connection.vendor == "postgresql":
        return lambda v: v  # psycopg adapts date, aware datetime, Decimal, bool itself
    if internal == "DateTimeField":
        return ops.adapt_datetimefield_value
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal == "DecimalField":
        return lambda v: None if v is None else str(v)
    return lambda v: v


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def reserve_ids(model: type[models.Model], count: int, using: str = "default") -> list[int]:
    """`count` fresh primary keys for `model` (call inside the inserting transaction)."""
    connection = connections[using]
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The transaction holds SQLite's write lock (IMMEDIATE): nobody else inserts now.
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"bulk generator: unsupported database {connection.vendor}")


def insert(model: type[models.Model], objs: Sequence[Row], using: str = "default") -> None:
    """INSERT every row (primary keys already set)."""
    if not objs:
        return
    connection = connections[using]
    fields = _columns(model)
    attnames = [f.attname for f in fields]
    convert = [_converter(f, connection) for f in fields]
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            ) as copy:
                for obj in objs:
                    values = obj.__dict__
                    copy.write_row([c(values[a]) for c, a in zip(convert, attnames, strict=True)])
            return
        placeholders = ", ".join(["%s"] * len(fields))
        rows = [
            [c(obj.__dict__[a]) for c, a in zip(convert, attnames, strict=True)] for obj in objs
        ]
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",
            rows,
        )
