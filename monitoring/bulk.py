"""Bulk writes to PostgreSQL: binary COPY from a DataFrame, and loading without indexes.

Both follow PostgreSQL's advice for populating a database: COPY instead of INSERT, and for very
large loads, drop indexes and foreign keys first and create them again afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
from django.db import OperationalError, connection, transaction

COPY_CHUNK_ROWS = 200_000


def copy_frame(
    table: str,
    frame: pd.DataFrame,
    *,
    columns: Sequence[str],
    constants: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write ``frame[columns]`` into ``table`` with binary COPY, plus ``constants`` (column →
    one value for every row, such as a timestamp).

    psycopg packs each row in C, several times faster than writing and parsing CSV text. Missing
    values (NaN, NA, None) become NULL: binary COPY would otherwise store a float NaN as a number.
    Column types are read from the table, so a frame of Python ints fits a bigint column.
    """
    total = len(frame)
    constants = dict(constants or {})
    names = [*columns, *constants]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        type_of = dict(cursor.fetchall())
        with cursor.cursor.copy(
            f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT binary)"
        ) as copy:
            copy.set_types([type_of[name] for name in names])
            for start in range(0, total, COPY_CHUNK_ROWS):
                chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
                values = [_python_values(chunk[name], type_of[name]) for name in columns]
                values += [[value] * len(chunk) for value in constants.values()]
                for row in zip(*values, strict=True):
                    copy.write_row(row)
                if progress is not None:
                    progress(min(start + COPY_CHUNK_ROWS, total), total)


_INTEGER_TYPES = {20, 21, 23}  # int8, int2, int4


def _python_values(column: pd.Series, type_oid: int) -> list:
    if column.dtype.kind == "f" and type_oid in _INTEGER_TYPES:
        column = column.astype("Int64")  # ids that passed through a float column
    if column.dtype.kind in "iub" and not column.hasnans:
        return column.tolist()
    return column.astype(object).where(column.notna(), None).tolist()


@contextmanager
def indexes_set_aside(table: str) -> Iterator[bool]:
    """Within a transaction: drop the table's unique and foreign-key constraints and secondary
    indexes, and create them again when the block ends without an error.

    Building an index once over millions of rows, and checking a foreign key with one join, is
    several times faster than maintaining them row by row. Only for a table the transaction holds
    locked (after a TRUNCATE, say), so that nobody sees it without its constraints; an error rolls
    the drop back with everything else. Yields whether they were set aside: PostgreSQL refuses to
    drop a foreign key while the transaction has pending checks on the referenced table (rows
    written just before), and then the load runs with them in place.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_set_aside() hoort binnen een transactie.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        try:
            with transaction.atomic():
                for name, _definition in constraints:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                for name, _definition in indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
        except OperationalError:
            yield False
            return
    yield True
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
