"""Temporary work tables of a summary refresh, and the cells a refresh recomputes.

Data-access layer (internal to :mod:`data_access.summaries`). Work tables are TEMPORARY (per
connection, never seen by other sessions) and dropped at the end of each refresh; PostgreSQL
gets ``ANALYZE`` on them so that the joins against the base tables get sensible plans whether
a refresh covers three days or five years.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Date, MetaData, String, Table, text

from data_access.periods import Period

#: Work tables already defined, by name and columns. SQLAlchemy keys its cache of compiled
#: statements by the identity of the tables in them: a new ``Table`` object per refresh made
#: every statement of every refresh compile afresh (about 40 % of the CPU of a small import).
_DEFINED: dict[tuple[str, tuple[tuple[str, str, bool, bool], ...]], Table] = {}


def create_temp(conn: Connection, name: str, *columns: Column[object]) -> Table:
    """The (empty) temporary table ``name`` of ``columns``, created on ``conn``; the same
    ``Table`` object for the same definition every time, so that statements over it are
    compiled once per process."""
    key = (name, tuple((c.name, repr(c.type), c.primary_key, bool(c.nullable)) for c in columns))
    table = _DEFINED.get(key)
    if table is None:
        table = _DEFINED.setdefault(key, Table(name, MetaData(), *columns, prefixes=["TEMPORARY"]))
    table.drop(conn, checkfirst=True)
    table.create(conn)
    return table


def analyze(conn: Connection, *tables: Table, columns: Sequence[str] = ()) -> None:
    """Fresh planner statistics for work tables (PostgreSQL never auto-analyses them), or for
    the ``columns`` of large tables that the refresh joins on: statistics of every column of
    a wide summary table cost seconds per import, and only the keys steer the plans (such a
    partial ANALYZE leaves autovacuum's own full one due, see ``pgstat_report_analyze``)."""
    if conn.dialect.name == "postgresql":
        listed = f" ({', '.join(columns)})" if columns else ""
        for table in tables:
            conn.execute(text(f"ANALYZE {table.name}{listed}"))


def drop(conn: Connection, *tables: Table) -> None:
    for table in tables:
        table.drop(conn, checkfirst=True)


def cells_table(conn: Connection, name: str) -> Table:
    """Rows (grain, clinic_id, period_start, period_end): one per clinic cell to recompute,
    ``period_end`` exclusive."""
    return create_temp(
        conn,
        name,
        # Keyed, so that a join that reads the summary table first looks each row's cell up
        # (SQLite picked that order and scanned every cell per row: minutes on a backfill).
        Column("grain", String(1), primary_key=True),
        Column("clinic_id", String(64), primary_key=True),
        Column("period_start", Date, primary_key=True),
        Column("period_end", Date, nullable=False),
    )


#: Rollup order: each coarser grain is summed from ``SOURCE_GRAIN`` rows.
SOURCE_GRAIN = {Period.WEEK: Period.DAY, Period.MONTH: Period.DAY, Period.YEAR: Period.MONTH}
