"""Fast bulk inserts into SQLite for the demo loader: driver-ready values, multi-row INSERTs.

Data-access layer (demo data, internal). SQLite evaluates a CHECK constraint's ``IN (...)``
list by building a small temporary index each time a statement runs, so inserting one row
per statement spends most of its time there; a statement of a few hundred rows pays it once.
Dates and datetimes are spelled the way SQLAlchemy stores them on SQLite (checked against the
type's own bind processor, which is used instead should the two ever disagree).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from data_access.demo.batch import iso_text

#: SQLite's historical bound-parameter limit, used when the driver cannot tell the real one.
DEFAULT_VARIABLE_LIMIT = 999
ROWS_PER_STATEMENT = 500


def sqlite_column(values: np.ndarray, column_type: TypeEngine[Any], dialect: Dialect) -> list[Any]:
    """Values as the SQLite driver should receive them for a column of ``column_type``."""
    if not np.issubdtype(values.dtype, np.datetime64):
        return list(values.tolist())
    if values.dtype == np.dtype("datetime64[D]"):
        spelled: list[Any] = iso_text(values, "D").tolist()
    else:
        spelled = iso_text(values, "us", separator=" ").tolist()
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    present = np.flatnonzero(~np.isnat(values))
    if processor is not None and present.size:
        first = int(present[0])
        if processor(values[first].item()) != spelled[first]:
            return [processor(v) for v in values.tolist()]
    return spelled


def _variable_limit(conn: Connection) -> int:
    driver: Any = conn.connection.driver_connection
    try:
        import sqlite3

        return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, ImportError):
        return DEFAULT_VARIABLE_LIMIT


def insert_sqlite_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``names`` order) with multi-row INSERT statements."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    # Identifiers come from the schema and are quoted; every value is a bound parameter.
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "  # noqa: S608
    one = "(" + ", ".join("?" * len(names)) + ")"
    per_statement = max(1, min(ROWS_PER_STATEMENT, _variable_limit(conn) // len(names)))
    whole = len(rows) - len(rows) % per_statement
    if whole:
        flat = list(itertools.chain.from_iterable(rows[:whole]))
        width = per_statement * len(names)
        groups = [tuple(flat[i : i + width]) for i in range(0, len(flat), width)]
        conn.exec_driver_sql(head + ", ".join([one] * per_statement), groups)
    if whole < len(rows):
        conn.exec_driver_sql(head + one, list(rows[whole:]))
