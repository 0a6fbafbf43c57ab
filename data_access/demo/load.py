"""``load_demo``: bulk-insert a demo batch into the empty ClinicOps tables.

Data-access layer (demo data). Fills the stored-only columns the contract leaves implicit
(``performed_on``/``followup_on``/``onset_on`` beside the optional clock times, and the
clinic's time zone from its state), then inserts in chunks: psycopg 3 ``COPY`` on PostgreSQL;
multi-row ``INSERT`` statements on SQLite (one row per statement would rebuild the CHECK
constraints' ``IN`` lists for every row); SQLAlchemy Core ``executemany`` elsewhere. Values are
always bound parameters. The rows go in without the summary triggers, every cell is queued at
the end and the summaries are refreshed in the same transaction (or later, if the caller
asks), and an ``import_log`` row makes a new data version, so no cached result outlives the
load. The caller owns the transaction; nothing commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, insert, literal, select

from data_access.contract import CLINICS, FILES_BY_NAME, STATE_TIMEZONES, FileSpec, Kind
from data_access.demo.batch import DemoBatch
from data_access.demo.sqlite_rows import insert_sqlite_rows, sqlite_column
from data_access.schema import CONTRACT_TABLES, import_log
from data_access.summaries import refresh_summaries, triggers_suspended

CHUNK_ROWS = 25_000
#: The stored clinic-local date of each contract datetime column.
LOCAL_DATE_COLUMNS = {
    "performed_at": "performed_on",
    "followup_at": "followup_on",
    "onset_at": "onset_on",
}


class DemoTablesNotEmpty(RuntimeError):
    """The demo is loaded only into empty tables (its ids would collide with real data)."""


def stored_columns(spec: FileSpec, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The table's columns, derived ones included, as numpy arrays: ``datetime64[D]`` dates,
    ``datetime64[us]`` datetimes (NaT where absent: a datetime at midnight is a date alone),
    booleans, and object arrays with ``None`` for absent values."""
    columns: dict[str, np.ndarray] = {}
    for column in spec.columns:
        series = frame[column.name]
        if column.kind is Kind.DATETIME:
            moments = series.to_numpy(dtype="datetime64[us]")
            days = moments.astype("datetime64[D]")
            columns[LOCAL_DATE_COLUMNS[column.name]] = days
            columns[column.name] = np.where(days == moments, np.datetime64("NaT", "us"), moments)
        elif column.kind is Kind.DATE:
            columns[column.name] = series.to_numpy(dtype="datetime64[D]")
        elif column.kind is Kind.BOOLEAN:
            # Absent means false (the contract's default); the column is NOT NULL.
            columns[column.name] = series.fillna(False).to_numpy(dtype=bool)
        else:
            columns[column.name] = series.to_numpy(dtype=object, na_value=None)
    if spec is CLINICS:
        zones = [STATE_TIMEZONES[state] for state in columns["state"]]
        columns["timezone"] = np.array(zones, dtype=object)
    return columns


def _copy_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_table(
    conn: Connection,
    table: Table,
    columns: dict[str, np.ndarray],
    progress: Callable[[int], None] | None,
    chunk_rows: int,
) -> int:
    names = list(columns)
    total = len(columns[names[0]])
    backend = conn.dialect.name
    for start in range(0, total, chunk_rows):
        stop = min(start + chunk_rows, total)
        # Python objects for one chunk at a time: a whole table of them would take hundreds of MB.
        if backend == "sqlite":
            values = [
                sqlite_column(columns[n][start:stop], table.c[n].type, conn.dialect) for n in names
            ]
        else:
            values = [columns[n][start:stop].tolist() for n in names]
        rows = list(zip(*values, strict=True))
        if backend == "sqlite":
            insert_sqlite_rows(conn, table, names, rows)
        elif backend == "postgresql" and conn.dialect.driver == "psycopg":
            _copy_rows(conn, table, names, rows)
        else:
            conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        if progress is not None:
            progress(stop - start)
    return total


def load_demo(
    *,
    conn: Connection,
    batch: DemoBatch,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    summarise: bool = True,
) -> dict[str, int]:
    """Insert ``batch`` into the (empty) contract tables on ``conn``; returns the rows inserted
    per table. ``progress(n)`` is called after each chunk with the rows that chunk inserted
    (they sum to the batch's total rows). Raises ``DemoTablesNotEmpty`` if any table has rows.

    ``summarise=False`` leaves the summary refresh to a later ``refresh_summaries`` (the first
    start serves at once and summarises in the background); until then the triggers' pending
    cells make every query read the base tables, so no figure is ever wrong meanwhile."""
    for name, table in CONTRACT_TABLES.items():
        if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None:
            raise DemoTablesNotEmpty(f"the {name} table already has rows; demo data not loaded")
    inserted: dict[str, int] = {}
    with triggers_suspended(conn):  # the tables were empty: every cell is queued at the end
        for name, frame in batch.frames().items():
            columns = stored_columns(FILES_BY_NAME[name], frame)
            table = CONTRACT_TABLES[name]
            inserted[name] = _insert_table(conn, table, columns, progress, chunk_rows)
    if summarise:
        refresh_summaries(conn)  # triggers queued every clinic day and patient just inserted
    # A new data version, as an import makes: results cached before the load (a shared
    # Redis cache outlives a database reset) are never served for the new data.
    conn.execute(
        insert(import_log).values(
            imported_at=datetime.now(UTC).replace(tzinfo=None),
            source="demo data (load_demo)",
            rows_inserted=sum(inserted.values()),
            rows_updated=0,
            rows_rejected=0,
        )
    )
    return inserted
