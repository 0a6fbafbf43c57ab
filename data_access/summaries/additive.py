"""Recomputing the cells of the additive summary tables that a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For a set of clinic days
(``days``: clinic_id, day), every family's rows of those clinic days are deleted and rebuilt
from the base tables; then the weeks, months and years holding those days are rebuilt from the
day (or month) rows, and the all-types ``*`` rows from the typed ones. Region and network rows
move by the difference between the clinic rows of those cells after and before (rows that
reach zero are dropped), so a refresh reads only the cells it recomputes. Each step is one
set-based statement per table, the same statements for a three-day import and for a backfill
of years.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Column,
    Connection,
    Select,
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
    for family in families:
        delta = _rollup_delta(conn, family, cells) if family.rolled_up else None
        _refresh_clinic_rows(conn, family, cells, analyze_after=count > ANALYZE_ABOVE_DAYS)
        if delta is not None:
            _add_clinic_sums(conn, family, cells, delta, sign=1)
            _apply_delta(conn, family, delta)
            _rebuild_moved_regions(conn, family)
            drop(conn, delta)
    drop(conn, cells)


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
    conn: Connection, family: Family, cells: Table, *, analyze_after: bool
) -> None:
    table = family.table
    conn.execute(
        delete(table).where(
            table.c.unit_kind == CLINIC,
            tuple_(table.c.grain, table.c.unit, table.c.period_start).in_(
                select(cells.c.grain, cells.c.clinic_id, cells.c.period_start)
            ),
        )
    )
    rows = family.day_rows.subquery()
    clinic_id, day, *rest = rows.c
    conn.execute(
        table.insert().from_select(
            _names(family),
            select(literal(Period.DAY.value), literal(CLINIC), day, clinic_id, *rest),
        )
    )
    if analyze_after:
        analyze(conn, table)
    for period in (Period.WEEK, Period.MONTH, Period.YEAR):
        conn.execute(table.insert().from_select(_names(family), _rollup(family, cells, period)))
        if family.typed and period is Period.MONTH:  # a year's come from its months'
            conn.execute(
                table.insert().from_select(_names(family), _all_types(family, cells, period))
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


def _rollup_delta(conn: Connection, family: Family, cells: Table) -> Table:
    """A work table of region and network changes, started with minus the clinic rows of the
    cells as they are before the refresh (:func:`_add_clinic_sums` adds them back after it).

    Region and network rows are then moved by the difference instead of summed again from
    every clinic's rows of the touched periods: a batch of five years for twenty clinics
    would otherwise re-read the other 180 clinics' rows too, and each batch of a backfill
    would take longer than the one before."""
    table = family.table
    delta = create_temp(
        conn,
        f"summary_work_delta_{table.name}",
        *(Column(name, table.c[name].type, nullable=False) for name in _names(family)),
    )
    _add_clinic_sums(conn, family, cells, delta, sign=-1)
    return delta


def _add_clinic_sums(
    conn: Connection, family: Family, cells: Table, delta: Table, *, sign: int
) -> None:
    """``sign`` times the clinic rows of ``cells``, summed per network and per region row (a
    region whose clinics moved is rebuilt whole instead, see :func:`_rebuild_moved_regions`)."""
    table = family.table
    dims = [table.c[name] for name in family.dims]
    sums = [sign * func.sum(table.c[name]) for name in family.measures]
    in_cells = and_(
        table.c.grain == cells.c.grain,
        table.c.unit == cells.c.clinic_id,
        table.c.period_start == cells.c.period_start,
        table.c.unit_kind == CLINIC,
    )
    network = (
        select(table.c.grain, literal(NETWORK), table.c.period_start, literal(NETWORK_UNIT))
        .add_columns(*dims, *sums)
        .join_from(cells, table, in_cells)
        .group_by(table.c.grain, table.c.period_start, *dims)
    )
    by_region = (
        select(table.c.grain, literal(REGION), table.c.period_start, clinics.c.region)
        .add_columns(*dims, *sums)
        .join_from(cells, table, in_cells)
        .join(clinics, clinics.c.clinic_id == cells.c.clinic_id)
        .where(
            cells.c.grain.in_(REGION_GRAINS),
            clinics.c.region.not_in(select(summary_pending_regions.c.region)),
        )
        .group_by(table.c.grain, table.c.period_start, clinics.c.region, *dims)
    )
    for rows in (network, by_region):
        conn.execute(delta.insert().from_select(_names(family), rows))


def _apply_delta(conn: Connection, family: Family, delta: Table) -> None:
    """Add the summed changes to the region and network rows; drop the rows left at zero (a
    recomputation from scratch has no row where nothing was counted)."""
    table = family.table
    key = [*KEY, *family.dims]
    changes = (
        select(*(delta.c[name] for name in key))
        .add_columns(*(func.sum(delta.c[name]) for name in family.measures))
        .where(true())  # SQLite parses INSERT ... SELECT ... ON CONFLICT only with a WHERE
        .group_by(*(delta.c[name] for name in key))
        .having(or_(*(func.sum(delta.c[name]) != 0 for name in family.measures)))
    )
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).from_select(_names(family), changes)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={name: table.c[name] + statement.excluded[name] for name in family.measures},
        )
    )
    emptied = and_(*(table.c[name] == 0 for name in family.measures))
    conn.execute(
        delete(table).where(
            table.c.unit_kind.in_((REGION, NETWORK)),
            emptied,
            tuple_(table.c.grain, table.c.unit_kind, table.c.unit, table.c.period_start).in_(
                select(delta.c.grain, delta.c.unit_kind, delta.c.unit, delta.c.period_start)
            ),
        )
    )


def _rebuild_moved_regions(conn: Connection, family: Family) -> None:
    """Every row of a region whose set of clinics changed (``summary_pending_regions``),
    summed again from its clinics' rows."""
    table = family.table
    moved = select(summary_pending_regions.c.region)
    conn.execute(delete(table).where(table.c.unit_kind == REGION, table.c.unit.in_(moved)))
    dims = [table.c[name] for name in family.dims]
    by_region = (
        select(table.c.grain, literal(REGION), table.c.period_start, clinics.c.region)
        .add_columns(*dims, *(func.sum(table.c[name]) for name in family.measures))
        .join_from(table, clinics, clinics.c.clinic_id == table.c.unit)
        .where(
            table.c.unit_kind == CLINIC,
            table.c.grain.in_(REGION_GRAINS),
            clinics.c.region.in_(moved),
        )
        .group_by(table.c.grain, table.c.period_start, clinics.c.region, *dims)
    )
    conn.execute(table.insert().from_select(_names(family), by_region))
