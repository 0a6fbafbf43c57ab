"""Clinics and the per-clinic figures the map and the rankings share.

Data-access layer. :func:`clinic_figures` is the one place that computes a clinic's volume,
patients, open days, follow-ups and adverse events for a selection, so the map, the volume
ranking, the follow-up completion chart and the adverse-event rates always agree. Counts are
sums of clinic summary rows, open days come from the day-type masks of
``summary_open_days``, patients from :mod:`data_access.queries.patients`.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Integer, bindparam, func, select

from data_access.filters import Filters, Scope
from data_access.queries._ranges import cover
from data_access.queries._sql import read_frame, scoped_clinic_ids
from data_access.queries._summary import plan, summed
from data_access.queries.naive import clinics as naive
from data_access.queries.naive.clinics import CLINIC_COLUMNS, clinic_directory
from data_access.queries.patients import distinct_patients
from data_access.schema import clinics, import_log, procedures
from data_access.schema_summaries import summary_open_days, summary_procedures
from data_access.summaries.families import TYPE_BITS

CLINIC_COUNTS = ["procedures", "patients", "open_days", "followed_up", "adverse_events"]
#: Open days on which any of the wanted types was performed (the bits of ``TYPE_BITS``): a
#: constant with a named parameter, so that :func:`summed` reuses its statement.
OPEN_FOR_WANTED_TYPES = (
    summary_open_days.c.type_mask.op("&")(bindparam("wanted_types", type_=Integer)) != 0
)


def clinic_figures(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per clinic selected by region/clinic filters and scope (clinics without any
    procedure in range included, with zeros): procedures, patients, open days (days with at
    least one procedure), procedures followed up within 0–14 days, and adverse events."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.clinic_figures(conn=conn, filters=filters, scope=scope)
    parts = cover(filters.start, filters.end)
    counts = summed(
        summary_procedures,
        parts,
        selection,
        measures=["procedures", "followed_up", "adverse_events"],
        per_clinic=True,
    )
    wanted = (
        sum(TYPE_BITS[t] for t in selection.types) if selection.types else sum(TYPE_BITS.values())
    )
    open_days = summed(
        summary_open_days,
        parts,
        selection,
        measures=["days"],
        per_clinic=True,
        typed=False,
        rolled_up=False,
        where=[OPEN_FOR_WANTED_TYPES],
        params={"wanted_types": wanted},
    )
    patients = distinct_patients(conn, selection, filters.start, filters.end, per_clinic=True)
    frames = [
        read_frame(conn, counts, ["clinic_id", "procedures", "followed_up", "adverse_events"]),
        read_frame(conn, open_days, ["clinic_id", "open_days"]),
        pd.DataFrame(list(patients.items()), columns=["clinic_id", "patients"]),
    ]
    directory = clinic_directory(conn=conn, scope=scope)
    if selection.clinic_ids is not None:
        directory = directory[directory["clinic_id"].isin(selection.clinic_ids)]
    result = directory.reset_index(drop=True)
    for frame in frames:
        result = result.merge(frame, on="clinic_id", how="left")
    result = result[[*CLINIC_COLUMNS, *CLINIC_COUNTS]]
    result[CLINIC_COUNTS] = result[CLINIC_COUNTS].fillna(0).astype("int64")
    return result


def _procedure_date_bound(conn: Connection, scope: Scope, *, newest: bool) -> date | None:
    clinic_ids = scoped_clinic_ids(conn, filters=Filters(start=date.min, end=date.max), scope=scope)
    bound = func.max if newest else func.min
    statement = select(bound(procedures.c.performed_on))
    if clinic_ids is not None:
        statement = statement.where(procedures.c.clinic_id.in_(clinic_ids))
    value: date | None = conn.execute(statement).scalar_one_or_none()
    return value


def latest_procedure_date(*, conn: Connection, scope: Scope) -> date | None:
    """The newest procedure date the scope can see: how fresh the data is."""
    return _procedure_date_bound(conn, scope, newest=True)


def earliest_procedure_date(*, conn: Connection, scope: Scope) -> date | None:
    """The oldest procedure date the scope can see (the start of "all time")."""
    return _procedure_date_bound(conn, scope, newest=False)


def latest_import() -> tuple[ColumnElement[int | None], ColumnElement[datetime | None]]:
    """The latest import's id and time as scalar subqueries (``NULL`` before any), for a
    statement that reads the data version alongside something else."""
    latest = select(import_log.c.import_id, import_log.c.imported_at).order_by(
        import_log.c.import_id.desc()
    )
    return (
        latest.with_only_columns(import_log.c.import_id).limit(1).scalar_subquery(),
        latest.with_only_columns(import_log.c.imported_at).limit(1).scalar_subquery(),
    )


def version_of(import_id: int | None, imported_at: datetime | None) -> str:
    """The data version of the import with this id and time: ``"<id>@<time>"``, ``"0"``
    before any import."""
    if import_id is None or imported_at is None:
        return "0"
    return f"{import_id}@{imported_at.isoformat()}"


def data_version(*, conn: Connection) -> str:
    """The latest import as ``"<id>@<time>"`` (``"0"`` before any): result caches are keyed
    by it. The time makes it name one import of one database: two databases sharing a Redis
    cache (a test and a production deployment, a database dropped and created again) reach
    the same import id with different data, and a bare id served one's figures to the other."""
    import_id, imported_at = latest_import()
    row = conn.execute(select(import_id.label("id"), imported_at.label("at"))).one()
    return version_of(row.id, row.at)


def has_data(*, conn: Connection) -> bool:
    return conn.execute(select(clinics.c.clinic_id).limit(1)).first() is not None


__all__ = [
    "CLINIC_COLUMNS",
    "clinic_directory",
    "clinic_figures",
    "data_version",
    "earliest_procedure_date",
    "has_data",
    "latest_procedure_date",
]
