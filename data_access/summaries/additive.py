"""Recomputing the cells of the additive summary tables that a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For a set of clinic days
(``days``: clinic_id, day), every family's rows of those clinic days are rebuilt from the base
tables; then the weeks, months and years holding those days are rebuilt from the day (or
month) rows, the all-types ``*`` rows from the typed ones, and the region and network rows
from the clinic rows. The new rows are built in a TEMPORARY staging table (no index, no WAL):
each rollup reads the stage's new rows plus the stored rows of the cells that are not being
recomputed, and the summary table is written once per family at the end (one DELETE of the
old cells, one INSERT). The same set-based statements serve a three-day import and a backfill
of years; on a first load the stored side is empty and every rollup reads the stage alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Select,
    String,
    Table,
    and_,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

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
#: and of each summary table are refreshed, and nested loops are off (see
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
        _refresh_family(conn, family, _Cells(cells, regions), large=count > ANALYZE_ABOVE_DAYS)
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


class _Cells:
    """The clinic cells being recomputed (grain, clinic_id, period_start, period_end) and the
    region cells (grain, region, period_start) of months and years."""

    def __init__(self, clinic: Table, region: Table) -> None:
        self.clinic = clinic
        self.region = region

    def recomputed(self, rows: Table) -> ColumnElement[bool]:
        """Whether a clinic row of ``rows`` belongs to a cell being recomputed."""
        c = self.clinic.alias("recomputed").c  # the rollups join ``clinic`` itself too
        return exists().where(
            c.grain == rows.c.grain,
            c.clinic_id == rows.c.unit,
            c.period_start == rows.c.period_start,
        )


def _names(family: Family) -> list[str]:
    return [*KEY, *family.dims, *family.measures]


def _refresh_family(conn: Connection, family: Family, cells: _Cells, *, large: bool) -> None:
    table = family.table
    names = _names(family)
    stage = create_temp(
        conn,
        "summary_work_stage",
        *(Column(name, table.c[name].type, nullable=False) for name in names),
    )

    def add(rows: Select[tuple[object, ...]]) -> None:
        conn.execute(stage.insert().from_select(names, rows))

    day_rows = family.day_rows.subquery()
    clinic_id, day, *rest = day_rows.c
    # The stage is never analysed: PostgreSQL estimates an unanalysed table's rows from its
    # size, which is what the rollups' plans need (an ANALYZE per step cost more than it saved).
    add(select(literal(Period.DAY.value), literal(CLINIC), day, clinic_id, *rest))
    for period in (Period.WEEK, Period.MONTH):
        add(_rollup(family, stage, cells, period))
    if family.typed:  # a year's ``*`` rows come from its months'
        add(_all_types(family, stage, Period.MONTH))
    add(_rollup(family, stage, cells, Period.YEAR))
    if family.rolled_up:
        add(_by_region(family, stage, cells))
        add(_network(family, stage, cells))
    _delete_recomputed(conn, family, cells)
    conn.execute(table.insert().from_select(names, select(*(stage.c[n] for n in names))))
    if large:
        analyze(conn, table)
    drop(conn, stage)


def _rollup(
    family: Family, stage: Table, cells: _Cells, period: Period
) -> Select[tuple[object, ...]]:
    """Clinic rows of ``period`` for its cells, summed from the finer grain's rows, new and
    kept (a year's ``*`` rows come from its months' ``*`` rows)."""
    parent = cells.clinic
    source = SOURCE_GRAIN[period].value

    def part(rows: Table, kept: bool) -> Select[tuple[object, ...]]:
        where = [parent.c.grain == period.value, rows.c.grain == source, rows.c.unit_kind == CLINIC]
        if kept:
            where.append(~cells.recomputed(rows))
        return (
            select(
                parent.c.period_start.label("period_start"),
                rows.c.unit.label("unit"),
                *(rows.c[name] for name in (*family.dims, *family.measures)),
            )
            .join_from(
                parent,
                rows,
                and_(
                    rows.c.unit == parent.c.clinic_id,
                    # The range serves an index scan for a few cells, the equality a hash join
                    # for many.
                    rows.c.period_start >= parent.c.period_start,
                    rows.c.period_start < parent.c.period_end,
                    sql_start(rows.c.period_start, period) == parent.c.period_start,
                ),
            )
            .where(*where)
        )

    both = union_all(part(stage, False), part(family.table, True)).subquery()
    dims = [both.c[name] for name in family.dims]
    return select(
        literal(period.value),
        literal(CLINIC),
        both.c.period_start,
        both.c.unit,
        *dims,
        *(func.sum(both.c[name]) for name in family.measures),
    ).group_by(both.c.period_start, both.c.unit, *dims)


def _all_types(family: Family, stage: Table, period: Period) -> Select[tuple[object, ...]]:
    """The ``*`` rows of the staged clinic rows of ``period``: typed rows summed over types
    (every typed row of a recomputed month is in the stage)."""
    others = [stage.c[name] for name in family.dims[1:]]
    return (
        select(
            stage.c.grain,
            stage.c.unit_kind,
            stage.c.period_start,
            stage.c.unit,
            literal(ALL_TYPES),
            *others,
            *(func.sum(stage.c[name]) for name in family.measures),
        )
        .where(
            stage.c.grain == period.value,
            stage.c.unit_kind == CLINIC,
            stage.c.procedure_type != ALL_TYPES,
        )
        .group_by(stage.c.grain, stage.c.unit_kind, stage.c.period_start, stage.c.unit, *others)
    )


def _by_region(family: Family, stage: Table, cells: _Cells) -> Select[tuple[object, ...]]:
    """Region rows of the touched region cells, and every row of a region whose clinics
    changed (``summary_pending_regions``), from the clinic rows new and kept."""
    moved = select(summary_pending_regions.c.region)
    touched = select(cells.region.c.grain, cells.region.c.region, cells.region.c.period_start)

    def part(rows: Table, kept: bool) -> Select[tuple[object, ...]]:
        where = [
            rows.c.unit_kind == CLINIC,
            rows.c.grain.in_(REGION_GRAINS),
            or_(
                tuple_(rows.c.grain, clinics.c.region, rows.c.period_start).in_(touched),
                clinics.c.region.in_(moved),
            ),
        ]
        if kept:
            where.append(~cells.recomputed(rows))
        return (
            select(
                rows.c.grain.label("grain"),
                rows.c.period_start.label("period_start"),
                clinics.c.region.label("region"),
                *(rows.c[name] for name in (*family.dims, *family.measures)),
            )
            .join_from(rows, clinics, clinics.c.clinic_id == rows.c.unit)
            .where(*where)
        )

    both = union_all(part(stage, False), part(family.table, True)).subquery()
    dims = [both.c[name] for name in family.dims]
    return select(
        both.c.grain,
        literal(REGION),
        both.c.period_start,
        both.c.region,
        *dims,
        *(func.sum(both.c[name]) for name in family.measures),
    ).group_by(both.c.grain, both.c.period_start, both.c.region, *dims)


def _network(family: Family, stage: Table, cells: _Cells) -> Select[tuple[object, ...]]:
    """Network rows of the touched periods, from the clinic rows new and kept."""
    periods = select(cells.clinic.c.grain, cells.clinic.c.period_start).distinct()

    def part(rows: Table, kept: bool) -> Select[tuple[object, ...]]:
        where = [rows.c.unit_kind == CLINIC]
        if kept:
            where += [
                tuple_(rows.c.grain, rows.c.period_start).in_(periods),
                ~cells.recomputed(rows),
            ]
        return select(
            rows.c.grain.label("grain"),
            rows.c.period_start.label("period_start"),
            *(rows.c[name] for name in (*family.dims, *family.measures)),
        ).where(*where)

    both = union_all(part(stage, False), part(family.table, True)).subquery()
    dims = [both.c[name] for name in family.dims]
    return select(
        both.c.grain,
        literal(NETWORK),
        both.c.period_start,
        literal(NETWORK_UNIT),
        *dims,
        *(func.sum(both.c[name]) for name in family.measures),
    ).group_by(both.c.grain, both.c.period_start, *dims)


def _delete_recomputed(conn: Connection, family: Family, cells: _Cells) -> None:
    """The stored rows the stage replaces: clinic rows of the cells, and (for rolled-up
    families) region rows of the region cells and moved regions, network rows of the periods."""
    table = family.table
    clinic = cells.clinic
    conn.execute(
        delete(table).where(
            table.c.unit_kind == CLINIC,
            tuple_(table.c.grain, table.c.unit, table.c.period_start).in_(
                select(clinic.c.grain, clinic.c.clinic_id, clinic.c.period_start)
            ),
        )
    )
    if not family.rolled_up:
        return
    region = cells.region
    conn.execute(
        delete(table).where(
            table.c.unit_kind == REGION,
            tuple_(table.c.grain, table.c.unit, table.c.period_start).in_(
                select(region.c.grain, region.c.region, region.c.period_start)
            )
            | table.c.unit.in_(select(summary_pending_regions.c.region)),
        )
    )
    conn.execute(
        delete(table).where(
            table.c.unit_kind == NETWORK,
            tuple_(table.c.grain, table.c.period_start).in_(
                select(clinic.c.grain, clinic.c.period_start).distinct()
            ),
        )
    )
