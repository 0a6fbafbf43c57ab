"""Clinics and the per-clinic figures the map and the rankings share (base tables).

Reference implementation over the base tables (:mod:`data_access.queries.naive`).
:func:`clinic_figures` computes a clinic's volume, patients, open days, follow-ups and adverse
events for a selection.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, func, select

from data_access.filters import Filters, Scope
from data_access.queries._sql import (
    procedure_conditions,
    read_frame,
    scoped_clinic_ids,
    within_followup_window,
)
from data_access.schema import adverse_events, clinics, followups, procedures

CLINIC_COLUMNS = [
    "clinic_id",
    "name",
    "region",
    "city",
    "state",
    "latitude",
    "longitude",
    "ruca_code",
    "opened_on",
]


def clinic_directory(*, conn: Connection, scope: Scope) -> pd.DataFrame:
    """Every clinic the scope allows, with its attributes, ordered by region then name."""
    clinic_ids = scoped_clinic_ids(conn, filters=Filters(start=date.min, end=date.max), scope=scope)
    statement = select(*(clinics.c[name] for name in CLINIC_COLUMNS)).order_by(
        clinics.c.region, clinics.c.name, clinics.c.clinic_id
    )
    if clinic_ids is not None:
        statement = statement.where(clinics.c.clinic_id.in_(clinic_ids))
    return read_frame(conn, statement, CLINIC_COLUMNS)


def clinic_figures(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per clinic selected by region/clinic filters and scope (clinics without any
    procedure in range included, with zeros): procedures, patients, open days (days with at
    least one procedure), procedures followed up within 0–14 days, and adverse events."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    selected = procedure_conditions(clinic_ids, filters)

    volume = (
        select(
            procedures.c.clinic_id,
            func.count().label("procedures"),
            func.count(procedures.c.patient_id.distinct()).label("patients"),
            func.count(procedures.c.performed_on.distinct()).label("open_days"),
        )
        .where(*selected)
        .group_by(procedures.c.clinic_id)
    )
    followed = (
        select(
            procedures.c.clinic_id,
            func.count(procedures.c.procedure_id.distinct()).label("followed_up"),
        )
        .join_from(procedures, followups, followups.c.procedure_id == procedures.c.procedure_id)
        .where(*selected, within_followup_window())
        .group_by(procedures.c.clinic_id)
    )
    events = (
        select(procedures.c.clinic_id, func.count().label("adverse_events"))
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .where(*selected)
        .group_by(procedures.c.clinic_id)
    )
    frames = [
        read_frame(conn, volume, ["clinic_id", "procedures", "patients", "open_days"]),
        read_frame(conn, followed, ["clinic_id", "followed_up"]),
        read_frame(conn, events, ["clinic_id", "adverse_events"]),
    ]
    directory = clinic_directory(conn=conn, scope=scope)
    if clinic_ids is not None:
        directory = directory[directory["clinic_id"].isin(clinic_ids)]
    result = directory.reset_index(drop=True)
    for frame in frames:
        result = result.merge(frame, on="clinic_id", how="left")
    counts = ["procedures", "patients", "open_days", "followed_up", "adverse_events"]
    result[counts] = result[counts].fillna(0).astype("int64")
    return result
