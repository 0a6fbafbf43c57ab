"""Keeping ``procedure_visits`` and ``summary_patients`` right for the patients a write touched.

Data-access layer (internal to :mod:`data_access.summaries`). For every patient in
``summary_pending_patients`` the previous/next-visit dates of all their procedures are
recomputed with window functions (at the same clinic and anywhere; of any type and of the same
type) and replace the stored ones. ``summary_patients`` is kept by difference: each
``procedure_visits`` row counts once in the row of its month for the first month K from
which it is a first visit (the month after its previous visit's), per unit kind and type
level, so the steps the patients' stored rows counted are taken away and those of their
recomputed rows added. The work is linear in the touched patients' procedures, whatever the
size of the months they fall in (rebuilding a network month re-read every procedure of it).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Select,
    Table,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
from data_access.summaries.work import create_temp, drop

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


def refresh_visits(conn: Connection) -> None:
    # Work tables without keys: they are only ever read whole.
    work, stored = (
        create_temp(
            conn, name, *(Column(c.name, c.type, nullable=c.nullable) for c in procedure_visits.c)
        )
        for name in ("summary_work_visits", "summary_work_visits_stored")
    )
    names = [c.name for c in procedure_visits.columns]
    conn.execute(work.insert().from_select(names, _windows()))
    pending = procedure_visits.c.patient_id.in_(select(summary_pending_patients.c.patient_id))
    # Read once: the four unit kinds and type levels each read them again.
    conn.execute(stored.insert().from_select(names, select(procedure_visits).where(pending)))
    steps = create_temp(
        conn,
        "summary_work_patient_steps",
        *(Column(c.name, c.type, nullable=False) for c in summary_patients.columns),
    )
    step_names = [c.name for c in steps.columns]
    conn.execute(steps.insert().from_select(step_names, _steps(stored, -1)))
    conn.execute(steps.insert().from_select(step_names, _steps(work, 1)))
    conn.execute(delete(procedure_visits).where(pending))
    conn.execute(
        procedure_visits.insert().from_select(names, select(work).order_by(work.c.performed_on))
    )
    _apply_steps(conn, steps)
    drop(conn, work, stored, steps)


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


def _steps(visits: Table, sign: int) -> Select[tuple[object, ...]]:
    """``summary_patients`` rows counting ``visits`` (a table or subquery shaped like
    ``procedure_visits``), each count times ``sign``: per unit kind and type level, a visit
    counts for K from the month after its previous visit's month on (from the beginning if
    it has none); one whose previous visit is in its own month never does."""
    v = visits.c
    month = sql_start(v.performed_on, Period.MONTH)
    parts = []
    for kind, level in (("c", "clinic"), ("n", "network")):
        unit = v.clinic_id if kind == "c" else literal(NETWORK_UNIT)
        for typed in (False, True):
            prev = v[f"{level}_type_prev_on" if typed else f"{level}_prev_on"]
            procedure_type = v.procedure_type if typed else literal(ALL_TYPES)
            after_previous = sql_next(sql_start(prev, Period.MONTH), Period.MONTH)
            from_k = func.coalesce(after_previous, literal(FROM_THE_START, Date))
            parts.append(
                select(
                    literal(kind),
                    procedure_type,
                    from_k,
                    month,
                    unit,
                    v.shared,
                    literal(sign) * func.count(),
                )
                .where(or_(prev.is_(None), prev < month))
                .group_by(procedure_type, from_k, month, unit, v.shared)
            )
    return select(union_all(*parts).subquery())


def _apply_steps(conn: Connection, steps: Table) -> None:
    """Add the summed steps to ``summary_patients``; rows whose count falls to zero go (a
    rebuild from scratch has no row for a count of zero)."""
    s = summary_patients
    key = [c.name for c in s.primary_key.columns]
    total = func.sum(steps.c.first_visits)
    summed = (
        select(*(steps.c[c.name] for c in s.columns if c.name != "first_visits"), total)
        .where(true())  # SQLite parses INSERT ... SELECT ... ON CONFLICT only with a WHERE
        .group_by(*(steps.c[name] for name in key))
        .having(total != 0)
    )
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(s).from_select([c.name for c in s.columns], summed)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=key,
            set_={"first_visits": s.c.first_visits + statement.excluded.first_visits},
        )
    )
    taken = select(*(steps.c[name] for name in key)).where(steps.c.first_visits < 0)
    conn.execute(
        delete(s).where(s.c.first_visits == 0, tuple_(*(s.c[name] for name in key)).in_(taken))
    )
