"""Keeping ``procedure_visits`` and ``summary_patients`` right for the patients a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For every patient in
``summary_pending_patients`` the previous/next-visit dates of all their procedures are
recomputed with window functions (at the same clinic and anywhere; of any type and of the same
type) and compared with the stored ones; the (clinic, month) cells of rows that changed get
their ``summary_patients`` rows rebuilt: a histogram of the months of the previous visits,
turned into the cumulative counts ``first_visits(M, K)`` for every month K from the first
month with data (``d0``) to M. If older data arrives (a new first month), every cell is
rebuilt from the new ``d0``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    Table,
    and_,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from data_access.periods import Period, next_start, sql_next, sql_start, start_of
from data_access.schema import procedures
from data_access.schema_summaries import (
    ALL_TYPES,
    NETWORK_UNIT,
    procedure_visits,
    summary_patients,
    summary_pending_patients,
)
from data_access.summaries.work import analyze, create_temp, drop

#: (column of procedure_visits, window partition beyond the patient, LAG or LEAD)
_LINKS = {
    "clinic_prev_on": (("clinic_id",), func.lag),
    "clinic_next_on": (("clinic_id",), func.lead),
    "clinic_type_prev_on": (("clinic_id", "procedure_type"), func.lag),
    "clinic_type_next_on": (("clinic_id", "procedure_type"), func.lead),
    "network_prev_on": ((), func.lag),
    "network_next_on": ((), func.lead),
    "network_type_prev_on": (("procedure_type",), func.lag),
    "network_type_next_on": (("procedure_type",), func.lead),
}
#: Columns whose change alters ``summary_patients``.
_COUNTED = (
    "clinic_id",
    "performed_on",
    "procedure_type",
    "shared",
    "clinic_prev_on",
    "clinic_type_prev_on",
    "network_prev_on",
    "network_type_prev_on",
)


def refresh_visits(conn: Connection) -> None:
    columns = (
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in procedure_visits.columns
    )
    work = create_temp(conn, "summary_work_visits", *columns)
    conn.execute(work.insert().from_select([c.name for c in work.columns], _windows()))
    analyze(conn, work)
    cells = create_temp(
        conn,
        "summary_work_patient_cells",
        Column("clinic_id", String(64), nullable=False),
        Column("month", Date, nullable=False),
        Column("month_end", Date, nullable=False),
    )
    conn.execute(cells.insert().from_select(["clinic_id", "month", "month_end"], _changed(work)))
    pending = select(summary_pending_patients.c.patient_id)
    conn.execute(delete(procedure_visits).where(procedure_visits.c.patient_id.in_(pending)))
    conn.execute(
        procedure_visits.insert().from_select(
            [c.name for c in work.columns], select(work).order_by(work.c.performed_on)
        )
    )
    d0 = _first_month(conn, cells)
    analyze(conn, cells)
    if d0 is not None:
        _rebuild_cells(conn, cells, d0)
    drop(conn, work, cells)


def _windows() -> Select[tuple[object, ...]]:
    p = procedures.c
    order = (p.performed_on, p.procedure_id)
    links = [
        kind(p.performed_on).over(
            partition_by=(p.patient_id, *(p[name] for name in partition)), order_by=order
        )
        for partition, kind in _LINKS.values()
    ]
    shared = func.min(p.clinic_id).over(partition_by=p.patient_id) != func.max(p.clinic_id).over(
        partition_by=p.patient_id
    )
    return select(
        p.procedure_id, p.patient_id, p.clinic_id, p.performed_on, p.procedure_type, shared, *links
    ).where(p.patient_id.in_(select(summary_pending_patients.c.patient_id)))


def _changed(work: Table) -> Select[tuple[object, ...]]:
    """(clinic, month, next month) of every stored or recomputed row that differs."""
    old, new = procedure_visits, work

    def differs(a: Table, b: Table) -> ColumnElement[bool]:
        return or_(b.c.procedure_id.is_(None), *(a.c[n].is_distinct_from(b.c[n]) for n in _COUNTED))

    def cells_of(table: Table) -> Select[tuple[object, ...]]:
        month = sql_start(table.c.performed_on, Period.MONTH)
        return select(table.c.clinic_id, month.label("month"), sql_next(month, Period.MONTH))

    gone = (
        cells_of(old)
        .outerjoin(new, new.c.procedure_id == old.c.procedure_id)
        .where(
            old.c.patient_id.in_(select(summary_pending_patients.c.patient_id)),
            differs(old, new),
        )
    )
    added = (
        cells_of(new)
        .outerjoin(old, old.c.procedure_id == new.c.procedure_id)
        .where(differs(new, old))
    )
    return select(union_all(gone, added).subquery()).distinct()


def _first_month(conn: Connection, cells: Table) -> date | None:
    """``d0``, the first K of every cell: the month of the earliest procedure. When it moved
    (older data arrived, or the oldest moved later) every cell is queued for a rebuild, so the
    table is always what a rebuild from scratch would give."""
    first_day = conn.execute(select(func.min(procedures.c.performed_on))).scalar_one_or_none()
    if first_day is None:
        conn.execute(delete(summary_patients))
        return None
    first = start_of(_as_date(first_day), Period.MONTH)
    stored = conn.execute(
        select(func.min(summary_patients.c.k_month)).where(
            summary_patients.c.unit_kind == "n", summary_patients.c.procedure_type == ALL_TYPES
        )
    ).scalar_one_or_none()
    if stored is not None and _as_date(stored) == first:
        return first
    conn.execute(delete(summary_patients))
    conn.execute(delete(cells))
    month = sql_start(procedure_visits.c.performed_on, Period.MONTH)
    conn.execute(
        cells.insert().from_select(
            ["clinic_id", "month", "month_end"],
            select(procedure_visits.c.clinic_id, month, sql_next(month, Period.MONTH)).distinct(),
        )
    )
    return first


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _months(conn: Connection, d0: date) -> Table:
    last_day = conn.execute(select(func.max(procedures.c.performed_on))).scalar_one()
    months = create_temp(
        conn, "summary_work_months", Column("month", Date, primary_key=True, nullable=False)
    )
    values, month, last = [], d0, start_of(_as_date(last_day), Period.MONTH)
    while month <= last:
        values.append({"month": month})
        month = next_start(month, Period.MONTH)
    conn.execute(months.insert(), values)
    analyze(conn, months)
    return months


def _rebuild_cells(conn: Connection, cells: Table, d0: date) -> None:
    s = summary_patients
    network_months = select(cells.c.month).distinct()
    conn.execute(
        delete(s).where(
            s.c.unit_kind == "c",
            tuple_(s.c.unit, s.c.month).in_(select(cells.c.clinic_id, cells.c.month)),
        )
    )
    conn.execute(delete(s).where(s.c.unit_kind == "n", s.c.month.in_(network_months)))
    hist = create_temp(
        conn,
        "summary_work_patient_histogram",
        Column("unit_kind", String(1), nullable=False),
        Column("unit", String(100), nullable=False),
        Column("procedure_type", String(32), nullable=False),
        Column("month", Date, nullable=False),
        Column("shared", Boolean(create_constraint=False), nullable=False),
        Column("prev_month", Date),
        Column("n", Integer, nullable=False),
    )
    v = procedure_visits
    # The range serves an index scan for a few cells, the equality a hash join for many.
    month_of = sql_start(v.c.performed_on, Period.MONTH)
    in_cell = and_(
        v.c.clinic_id == cells.c.clinic_id,
        v.c.performed_on >= cells.c.month,
        v.c.performed_on < cells.c.month_end,
        month_of == cells.c.month,
    )
    touched_months = select(cells.c.month, cells.c.month_end).distinct().subquery()
    in_month = and_(
        v.c.performed_on >= touched_months.c.month,
        v.c.performed_on < touched_months.c.month_end,
        month_of == touched_months.c.month,
    )

    def histogram(kind: str, prev: str, typed: bool) -> Select[tuple[object, ...]]:
        unit = v.c.clinic_id if kind == "c" else literal(NETWORK_UNIT)
        procedure_type = v.c.procedure_type if typed else literal(ALL_TYPES)
        month = sql_start(v.c.performed_on, Period.MONTH)
        prev_month = sql_start(v.c[prev], Period.MONTH)
        joined = (
            select(literal(kind), unit, procedure_type, month, v.c.shared, prev_month, func.count())
            .select_from(v)
            .join(cells if kind == "c" else touched_months, in_cell if kind == "c" else in_month)
        )
        return joined.group_by(unit, procedure_type, month, v.c.shared, prev_month)

    names = [c.name for c in hist.columns]
    for kind, level in (("c", "clinic"), ("n", "network")):
        for typed in (False, True):
            prev = f"{level}_type_prev_on" if typed else f"{level}_prev_on"
            conn.execute(hist.insert().from_select(names, histogram(kind, prev, typed)))
    analyze(conn, hist)
    # first_visits(M, K) for K = d0 .. M: a previous visit in month P counts from K = P + 1
    # month on, a first-ever visit from d0 on. Each histogram row becomes a step at its first
    # K, and a running sum over K (a window) turns the steps into the counts, without joining
    # every histogram row with every K.
    months = _months(conn, d0)
    k = months.c.month
    group = [hist.c.unit_kind, hist.c.procedure_type, hist.c.month, hist.c.unit, hist.c.shared]
    from_k = func.coalesce(sql_next(hist.c.prev_month, Period.MONTH), literal(d0, Date))
    steps = (
        select(*group, from_k.label("k_month"), func.sum(hist.c.n).label("n"))
        .group_by(*group, from_k)
        .subquery("steps")
    )
    groups = select(*group).distinct().subquery("groups")
    grid = (
        select(*groups.c, k.label("k_month"))
        .join_from(groups, months, k <= groups.c.month)
        .subquery("grid")
    )
    keys = ["unit_kind", "procedure_type", "month", "unit", "shared"]
    running = (
        func.sum(func.coalesce(steps.c.n, 0))
        .over(partition_by=[grid.c[n] for n in keys], order_by=grid.c.k_month)
        .label("first_visits")
    )
    cumulative = (
        select(*(grid.c[n] for n in keys), grid.c.k_month, running)
        .select_from(grid)
        .outerjoin(
            steps,
            and_(*(steps.c[n] == grid.c[n] for n in [*keys, "k_month"])),
        )
        .subquery("cumulative")
    )
    conn.execute(
        s.insert().from_select(
            [c.name for c in s.columns],
            select(
                cumulative.c.unit_kind,
                cumulative.c.procedure_type,
                cumulative.c.k_month,
                cumulative.c.month,
                cumulative.c.unit,
                cumulative.c.shared,
                cumulative.c.first_visits,
            )
            .where(cumulative.c.first_visits > 0)
            # In key order: the primary key's index then grows at its right edge.
            .order_by(*(cumulative.c[c.name] for c in s.primary_key.columns)),
        )
    )
    drop(conn, hist, months)
