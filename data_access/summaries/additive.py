"""Recomputing the cells of the additive summary tables that a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For a set of clinic days
(``days``: clinic_id, day), every family's rows of those clinic days are deleted and rebuilt
from the base tables; then the weeks, months and years holding those days are rebuilt from the
day (or month) rows, the all-types ``*`` rows from the typed ones, and the region rows from
the clinic rows. Each step is one set-based DELETE and one INSERT ... SELECT ... GROUP BY per
table, the same statements for a three-day import and for a backfill of years.

Network rows are kept by difference: the clinic rows a refresh removes and writes are noted
(with their signs) and their sums added to the network rows of the same period and key,
which are deleted once they count nothing. Re-summing every clinic's rows of each touched
period instead re-read the whole summary table on every import (every batch touches every
period of a network), which grew with the database. This holds because every row of a
rolled-up family counts something (a procedure, follow-up, event or referral) and every
measure is a non-negative count or sum: a network row whose measures are all zero has no
clinic row left. A migration that changes network rows must empty the table, as 0005 did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Delete,
    Insert,
    Select,
    String,
    Table,
    and_,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from data_access.periods import Period, sql_next, sql_start
from data_access.schema import clinics
from data_access.schema_summaries import ALL_TYPES, NETWORK_UNIT, summary_pending_regions
from data_access.summaries.families import Family
from data_access.summaries.work import SOURCE_GRAIN, analyze, cells_table, create_temp, drop

CLINIC, REGION, NETWORK = "c", "r", "n"
KEY = ("grain", "unit_kind", "period_start", "unit")
#: Region rows exist for months and years only: a region's days and weeks are read from its
#: clinics' rows (a few dozen clinics over a ragged edge of days), which saves the largest
#: and least used region rows.
REGION_GRAINS = (Period.MONTH.value, Period.YEAR.value)
#: Grains with ``*`` (all types) rows; days and weeks are summed from their typed rows when
#: read (the ragged edges of a range are short; ``*`` rows there would cost more than they save).
ALL_TYPE_GRAINS = (Period.MONTH, Period.YEAR)


#: Above this many clinic days a refresh is "large": the planner statistics of the base tables
#: and of each summary table's new day rows are refreshed, and nested loops are off (see
#: ``refresh_summaries``): the rollups join thousands of cells with rows the planner would
#: otherwise believe absent (a nested loop over a "tiny" table that is not took minutes).
ANALYZE_ABOVE_DAYS = 2000


def refresh_families(conn: Connection, families: Sequence[Family], days: Table) -> None:
    """Rebuild every row of ``families`` that depends on the clinic days in ``days``."""
    cells = _cells(conn, days)
    count = conn.execute(select(func.count()).select_from(days)).scalar_one()
    regions = create_temp(
        conn,
        "summary_work_region_cells",
        Column("grain", String(1), primary_key=True),
        Column("region", String(100), primary_key=True),
        Column("period_start", Date, primary_key=True),
    )
    conn.execute(
        regions.insert().from_select(
            ["grain", "region", "period_start"],
            select(cells.c.grain, clinics.c.region, cells.c.period_start)
            .join(clinics, clinics.c.clinic_id == cells.c.clinic_id)
            .where(cells.c.grain.in_(REGION_GRAINS))
            .distinct(),
        )
    )
    analyze(conn, regions)
    for family in families:
        changes = _changes_table(conn, family) if family.rolled_up else None
        _refresh_clinic_rows(conn, family, cells, changes, analyze_after=count > ANALYZE_ABOVE_DAYS)
        if changes is not None:
            _refresh_regions(conn, family, regions)
            _apply_network_changes(conn, family, changes)
            drop(conn, changes)
    drop(conn, cells, regions)


def _cells(conn: Connection, days: Table) -> Table:
    cells = cells_table(conn, "summary_work_cells")
    for period in (Period.DAY, Period.WEEK, Period.MONTH, Period.YEAR):
        start = sql_start(days.c.day, period)
        conn.execute(
            cells.insert().from_select(
                ["grain", "clinic_id", "period_start", "period_end"],
                select(
                    literal(period.value), days.c.clinic_id, start, sql_next(start, period)
                ).distinct(),
            )
        )
    analyze(conn, cells)
    return cells


def _names(family: Family) -> list[str]:
    return [*KEY, *family.dims, *family.measures]


def _refresh_clinic_rows(
    conn: Connection, family: Family, cells: Table, changes: Table | None, *, analyze_after: bool
) -> None:
    """Rebuild the clinic rows of the cells; with ``changes``, note the rows removed and
    written there (for the network rows)."""
    table = family.table
    in_cells = and_(
        table.c.unit_kind == CLINIC,
        tuple_(table.c.grain, table.c.unit, table.c.period_start).in_(
            select(cells.c.grain, cells.c.clinic_id, cells.c.period_start)
        ),
    )
    # PostgreSQL notes the rows as it writes them (RETURNING); SQLite reads them back.
    noting = changes if conn.dialect.name == "postgresql" else None
    if changes is not None and noting is None:
        _note(conn, family, changes, select(table).where(in_cells).subquery(), -1)
    _execute_noting(conn, delete(table).where(in_cells), family, noting, -1)
    rows = family.day_rows.subquery()
    clinic_id, day, *rest = rows.c
    day_rows = select(literal(Period.DAY.value), literal(CLINIC), day, clinic_id, *rest)
    _execute_noting(conn, table.insert().from_select(_names(family), day_rows), family, noting, 1)
    if analyze_after:
        analyze(conn, table, columns=[c.name for c in table.primary_key.columns])
    for period in (Period.WEEK, Period.MONTH, Period.YEAR):
        rollup = table.insert().from_select(_names(family), _rollup(family, cells, period))
        _execute_noting(conn, rollup, family, noting, 1)
        if family.typed and period is Period.MONTH:  # a year's come from its months'
            all_types = table.insert().from_select(
                _names(family), _all_types(family, cells, period)
            )
            _execute_noting(conn, all_types, family, noting, 1)
    if changes is not None and noting is None:
        _note(conn, family, changes, select(table).where(in_cells).subquery(), 1)


def _changes_table(conn: Connection, family: Family) -> Table:
    """Signed clinic rows removed and written by a refresh, without their clinic."""
    table = family.table
    return create_temp(
        conn,
        "summary_work_network_changes",
        Column("grain", String(1), nullable=False),
        Column("period_start", Date, nullable=False),
        *(Column(name, table.c[name].type, nullable=False) for name in family.dims),
        *(Column(name, table.c[name].type, nullable=False) for name in family.measures),
    )


def _note(conn: Connection, family: Family, changes: Table, rows: Any, sign: int) -> None:
    """Add ``rows`` (clinic rows of ``family.table``: a subquery or CTE) to ``changes``."""
    measures = [rows.c[name] if sign > 0 else -rows.c[name] for name in family.measures]
    noted = select(rows.c.grain, rows.c.period_start, *(rows.c[n] for n in family.dims), *measures)
    conn.execute(changes.insert().from_select([c.name for c in changes.columns], noted))


def _execute_noting(
    conn: Connection, statement: Insert | Delete, family: Family, changes: Table | None, sign: int
) -> None:
    """Run ``statement`` (on clinic rows); with ``changes``, note the rows it wrote or removed
    in the same statement (PostgreSQL: ``WITH noted AS (... RETURNING ...) INSERT ...``)."""
    if changes is None:
        conn.execute(statement)
        return
    table = family.table
    returned = [table.c[name] for name in ("grain", "period_start", *family.dims)]
    noted = statement.returning(*returned, *(table.c[n] for n in family.measures)).cte("noted")
    _note(conn, family, changes, noted, sign)


def _apply_network_changes(conn: Connection, family: Family, changes: Table) -> None:
    """Add the noted changes to the network rows; drop the rows that count nothing any more."""
    table = family.table
    dims = [changes.c[name] for name in family.dims]
    sums = [func.sum(changes.c[name]) for name in family.measures]
    summed = (
        select(
            changes.c.grain,
            literal(NETWORK),
            changes.c.period_start,
            literal(NETWORK_UNIT),
            *dims,
            *sums,
        )
        .where(true())  # SQLite parses INSERT ... SELECT ... ON CONFLICT only with a WHERE
        .group_by(changes.c.grain, changes.c.period_start, *dims)
        .having(or_(*(total != 0 for total in sums)))
    )
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).from_select(_names(family), summed)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={name: table.c[name] + statement.excluded[name] for name in family.measures},
        )
    )
    lowered: list[ColumnElement[bool]] = [changes.c[name] < 0 for name in family.measures]
    conn.execute(
        delete(table).where(
            table.c.unit_kind == NETWORK,
            table.c.unit == NETWORK_UNIT,
            *(table.c[name] == 0 for name in family.measures),
            tuple_(table.c.grain, table.c.period_start, *(table.c[n] for n in family.dims)).in_(
                select(changes.c.grain, changes.c.period_start, *dims).where(or_(*lowered))
            ),
        )
    )


def _rollup(family: Family, cells: Table, period: Period) -> Select[tuple[object, ...]]:
    """Clinic rows of ``period`` for the cells, summed from the finer grain's rows (a year's
    ``*`` rows come from its months' ``*`` rows)."""
    table = family.table
    dims = [table.c[name] for name in family.dims]
    return (
        select(
            literal(period.value),
            literal(CLINIC),
            cells.c.period_start,
            table.c.unit,
            *dims,
            *(func.sum(table.c[name]) for name in family.measures),
        )
        .join_from(
            cells,
            table,
            and_(
                table.c.unit == cells.c.clinic_id,
                # The range serves an index scan for a few cells, the equality a hash join for
                # many.
                table.c.period_start >= cells.c.period_start,
                table.c.period_start < cells.c.period_end,
                sql_start(table.c.period_start, period) == cells.c.period_start,
            ),
        )
        .where(
            cells.c.grain == period.value,
            table.c.grain == SOURCE_GRAIN[period].value,
            table.c.unit_kind == CLINIC,
        )
        .group_by(cells.c.period_start, table.c.unit, *dims)
    )


def _all_types(family: Family, cells: Table, period: Period) -> Select[tuple[object, ...]]:
    """A month's ``*`` rows: its typed rows summed over the procedure types."""
    table = family.table
    others = [table.c[name] for name in family.dims[1:]]
    return (
        select(
            table.c.grain,
            table.c.unit_kind,
            table.c.period_start,
            table.c.unit,
            literal(ALL_TYPES),
            *others,
            *(func.sum(table.c[name]) for name in family.measures),
        )
        .join_from(
            cells,
            table,
            and_(
                table.c.grain == cells.c.grain,
                table.c.unit == cells.c.clinic_id,
                table.c.period_start == cells.c.period_start,
            ),
        )
        .where(
            cells.c.grain == period.value,
            table.c.unit_kind == CLINIC,
            table.c.procedure_type != ALL_TYPES,
        )
        .group_by(table.c.grain, table.c.unit_kind, table.c.period_start, table.c.unit, *others)
    )


def _refresh_regions(conn: Connection, family: Family, regions: Table) -> None:
    """Region rows of the touched periods, from the clinic rows; every row of a region whose
    clinics changed (``summary_pending_regions``)."""
    table = family.table
    dims = [table.c[name] for name in family.dims]
    sums = [func.sum(table.c[name]) for name in family.measures]
    moved = select(summary_pending_regions.c.region)
    conn.execute(
        delete(table).where(
            table.c.unit_kind == REGION,
            tuple_(table.c.grain, table.c.unit, table.c.period_start).in_(
                select(regions.c.grain, regions.c.region, regions.c.period_start)
            )
            | table.c.unit.in_(moved),
        )
    )
    by_region = (
        select(table.c.grain, literal(REGION), table.c.period_start, clinics.c.region, *dims, *sums)
        .join_from(table, clinics, clinics.c.clinic_id == table.c.unit)
        .where(table.c.unit_kind == CLINIC, table.c.grain.in_(REGION_GRAINS))
        .group_by(table.c.grain, table.c.period_start, clinics.c.region, *dims)
    )
    touched = tuple_(table.c.grain, clinics.c.region, table.c.period_start).in_(
        select(regions.c.grain, regions.c.region, regions.c.period_start)
    )
    conn.execute(
        table.insert().from_select(
            _names(family), by_region.where(touched | clinics.c.region.in_(moved))
        )
    )
