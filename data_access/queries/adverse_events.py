"""Adverse events of the selected procedures, with the procedure counts they are rates of.

Data-access layer. An event belongs to its procedure's clinic and date of exposure (data
contract): every filter selects procedures, and events follow them. Event-level rows carry
free-text descriptions only when the caller's scope allows row-level detail.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, literal, select

from data_access.filters import Filters, Grain, Scope
from data_access.queries._sql import (
    as_timestamps,
    period_start,
    procedure_conditions,
    read_frame,
    scoped_clinic_ids,
)
from data_access.schema import adverse_events, clinics, procedures

EVENT_COLUMNS = [
    "event_id",
    "onset_on",
    "performed_on",
    "clinic_id",
    "clinic_name",
    "procedure_type",
    "event_type",
    "severity",
    "serious",
    "outcome",
    "description",
]


def events_by_type_and_severity(
    *, conn: Connection, filters: Filters, scope: Scope
) -> pd.DataFrame:
    """Event counts per event type and severity."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    statement = (
        select(adverse_events.c.event_type, adverse_events.c.severity, func.count())
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .where(*procedure_conditions(clinic_ids, filters))
        .group_by(adverse_events.c.event_type, adverse_events.c.severity)
        .order_by(adverse_events.c.event_type, adverse_events.c.severity)
    )
    return read_frame(conn, statement, ["event_type", "severity", "events"])


def rates_by_procedure_type(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type: procedures in the selection and the events among them."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    selected = procedure_conditions(clinic_ids, filters)
    volume = read_frame(
        conn,
        select(procedures.c.procedure_type, func.count())
        .where(*selected)
        .group_by(procedures.c.procedure_type),
        ["procedure_type", "procedures"],
    )
    events = read_frame(
        conn,
        select(procedures.c.procedure_type, func.count())
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .where(*selected)
        .group_by(procedures.c.procedure_type),
        ["procedure_type", "events"],
    )
    frame = volume.merge(events, on="procedure_type", how="left")
    frame["events"] = frame["events"].fillna(0).astype("int64")
    return frame.sort_values("procedure_type", ignore_index=True)


def event_series(*, conn: Connection, filters: Filters, scope: Scope, grain: Grain) -> pd.DataFrame:
    """Per period of the procedure's date: procedures and adverse events among them (the
    input of a p-chart). Periods without procedures are absent."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    selected = procedure_conditions(clinic_ids, filters)
    period = period_start(procedures.c.performed_on, grain).label("period")
    volume = read_frame(
        conn,
        select(period, func.count()).where(*selected).group_by(period),
        ["period", "procedures"],
    )
    events = read_frame(
        conn,
        select(period, func.count())
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .where(*selected)
        .group_by(period),
        ["period", "events"],
    )
    volume, events = as_timestamps(volume, "period"), as_timestamps(events, "period")
    frame = volume.merge(events, on="period", how="left")
    frame["events"] = frame["events"].fillna(0).astype("int64")
    return frame.sort_values("period", ignore_index=True)


def event_rows(
    *,
    conn: Connection,
    filters: Filters,
    scope: Scope,
    serious_only: bool = False,
    limit: int | None = 5000,
) -> pd.DataFrame:
    """Individual events of the selection, newest first. Descriptions are blanked unless the
    scope allows row-level detail; patient keys are never returned."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    description = (
        adverse_events.c.description if scope.row_detail else literal(None).label("description")
    )
    statement = (
        select(
            adverse_events.c.event_id,
            adverse_events.c.onset_on,
            procedures.c.performed_on,
            procedures.c.clinic_id,
            clinics.c.name,
            procedures.c.procedure_type,
            adverse_events.c.event_type,
            adverse_events.c.severity,
            adverse_events.c.serious,
            adverse_events.c.outcome,
            description,
        )
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .join(clinics, clinics.c.clinic_id == procedures.c.clinic_id)
        .where(*procedure_conditions(clinic_ids, filters))
        .order_by(adverse_events.c.onset_on.desc(), adverse_events.c.event_id)
    )
    if serious_only:
        statement = statement.where(adverse_events.c.serious.is_(True))
    if limit is not None:
        statement = statement.limit(limit)
    frame = read_frame(conn, statement, EVENT_COLUMNS)
    frame["serious"] = frame["serious"].astype(bool)
    return frame
