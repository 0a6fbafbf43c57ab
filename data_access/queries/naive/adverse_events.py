"""Adverse events of the selected procedures, with the procedure counts they are rates of.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). An event belongs to its procedure's clinic and date of
exposure (data contract): every filter selects procedures, and events follow them. Event-level
rows carry free-text descriptions only when the caller's scope allows row-level detail.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from data_access.filters import Filters, Grain, Scope
from data_access.queries._sql import (
    as_timestamps,
    period_start,
    procedure_conditions,
    read_frame,
    scoped_clinic_ids,
)
from data_access.schema import adverse_events, procedures

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
