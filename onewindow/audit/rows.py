"""Set-based row writing for the batch paths (``audit.record_many``, ``cases.bulk``):
many rows of one model in one statement, in the caller's transaction, without building a
model instance per row.

The rows are tuples of values already adapted for the database (what a field's
``get_db_prep_save`` gives; constants adapted once per batch by the caller). SQLite: a
multi-row ``INSERT ... VALUES (...), (...)`` per chunk of parameters. PostgreSQL:
``INSERT ... SELECT * FROM unnest(%s::type[], ...)`` -- one parameter per column, so
psycopg (which parses every placeholder of a statement in Python) and the server each do
one statement's work, not one per row.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction

LIMIT = 30_000  # parameters per multi-row INSERT on SQLite (below its limit)


def _plain_json(value: Any) -> Any:
    """A JSON value for a ``jsonb[]`` element: the text of an adapted JSON value."""
    obj = getattr(value, "obj", value)  # psycopg's Jsonb wrapper holds the object
    return None if obj is None else json.dumps(obj)


@contextlib.contextmanager
def bulk_cursor() -> Iterator[Any]:
    """A cursor for the batch statements, in the caller's transaction. On PostgreSQL a
    psycopg cursor with server-side binding in the binary format: the parameters (arrays
    of hundreds of values) travel apart from the statement instead of being quoted into
    its text by Django's client-side-binding cursor (a quarter of a batch's time went into
    that quoting and the server's parsing of the literals). Elsewhere Django's cursor."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    raw = _Binary(psycopg.Cursor(connection.connection))
    # Django's own wrapper around it: execute wrappers, query logging, error translation
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        yield cursor


_PLACEHOLDER = re.compile(r"(?<!%)%s")


class _Binary:
    """A psycopg cursor that executes with parameters and results in PostgreSQL's binary
    format (no quoting of each array element in Python)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        # psycopg: ``%b`` asks for the binary format (``%s`` lets it choose text for lists)
        return self._cursor.execute(_PLACEHOLDER.sub("%b", sql), params, binary=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)


def insert_rows(model: Any, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (tuples in the order of the field ``names``) into ``model``'s table.
    Returns the number of rows. Must run inside the caller's transaction."""
    if not rows:
        return 0
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows must run inside transaction.atomic")
    qn = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    columns = ", ".join(qn(f.column) for f in fields)
    table = qn(meta.db_table)
    with bulk_cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [str(f.db_type(connection)) for f in fields]
            arrays = [list(c) for c in zip(*rows, strict=True)]
            for i, kind in enumerate(types):
                if kind in ("jsonb", "json"):
                    arrays[i] = [_plain_json(v) for v in arrays[i]]
            unnest = ", ".join(f"%s::{kind}[]" for kind in types)
            # quoted identifiers and the fields' own column types only; values are parameters
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({unnest})"  # noqa: S608
            cursor.execute(sql, arrays)
            return len(rows)
        values = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per = max(1, min(connection.features.max_query_params or LIMIT, LIMIT) // len(fields))
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(  # noqa: S608
                [values] * len(chunk)
            )
            cursor.execute(sql, [v for row in chunk for v in row])
    return len(rows)
