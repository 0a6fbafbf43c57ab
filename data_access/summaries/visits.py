"""Keeping ``procedure_visits`` and ``summary_patients`` right for the patients a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For every patient in
``summary_pending_patients`` the previous/next-visit dates of all their procedures are
recomputed with window functions (at the same clinic and anywhere; of any type and of the same
type) and compared with the stored ones; the (clinic, month) cells of rows that changed get
their ``summary_patients`` rows rebuilt: the procedures of the month counted by the first
month K from which they are first visits (the month after their previous visit's), at most
one row per procedure, so a rebuild is linear in the procedures it reads.
"""

from __future__ import annotations

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
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from data_access.periods import Period, sql_next, sql_start
from data_access.schema import procedures
from data_access.schema_summaries import (
    ALL_TYPES,
    FROM_THE_START,
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
    analyze(conn, cells)
    _rebuild_cells(conn, cells)
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


def _rebuild_cells(conn: Connection, cells: Table) -> None:
    """The ``summary_patients`` rows of the changed (clinic, month) cells, and the network rows
    of their months: one GROUP BY of ``procedure_visits`` per unit kind and type level."""
    s, v = summary_patients, procedure_visits
    touched_months = select(cells.c.month, cells.c.month_end).distinct().subquery()
    conn.execute(
        delete(s).where(
            s.c.unit_kind == "c",
            tuple_(s.c.unit, s.c.month).in_(select(cells.c.clinic_id, cells.c.month)),
        )
    )
    conn.execute(
        delete(s).where(s.c.unit_kind == "n", s.c.month.in_(select(touched_months.c.month)))
    )

    def steps(kind: str, prev: str, typed: bool) -> Select[tuple[object, ...]]:
        by_clinic = kind == "c"
        unit = v.c.clinic_id if by_clinic else literal(NETWORK_UNIT)
        procedure_type = v.c.procedure_type if typed else literal(ALL_TYPES)
        cell = cells if by_clinic else touched_months
        # The range serves an index scan for a few cells, the equality a hash join for many.
        in_cell = and_(
            v.c.performed_on >= cell.c.month,
            v.c.performed_on < cell.c.month_end,
            sql_start(v.c.performed_on, Period.MONTH) == cell.c.month,
        )
        if by_clinic:
            in_cell = and_(v.c.clinic_id == cells.c.clinic_id, in_cell)
        # A visit counts for K from the month after its previous visit's month on (from the
        # beginning if it has none); one whose previous visit is in its own month never does.
        after_previous = sql_next(sql_start(v.c[prev], Period.MONTH), Period.MONTH)
        from_k = func.coalesce(after_previous, literal(FROM_THE_START, Date))
        return (
            select(
                literal(kind), procedure_type, from_k, cell.c.month, unit, v.c.shared, func.count()
            )
            .select_from(v)
            .join(cell, in_cell)
            .where(or_(v.c[prev].is_(None), v.c[prev] < cell.c.month))
            .group_by(procedure_type, from_k, cell.c.month, unit, v.c.shared)
        )

    names = [c.name for c in s.columns]
    for kind, level in (("c", "clinic"), ("n", "network")):
        for typed in (False, True):
            prev = f"{level}_type_prev_on" if typed else f"{level}_prev_on"
            conn.execute(s.insert().from_select(names, steps(kind, prev, typed)))
