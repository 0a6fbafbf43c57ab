"""Adverse events of the selected procedures, with the procedure counts they are rates of.

Data-access layer. An event belongs to its procedure's clinic and date of exposure (data
contract): every filter selects procedures, and events follow them. Counts are sums of
``summary_events`` and ``summary_procedures`` rows; event-level rows come from the base tables
and carry free-text descriptions only when the caller's scope allows row-level detail.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, literal, select

from data_access.filters import Filters, Grain, Scope
from data_access.queries._ranges import cover, cover_buckets
from data_access.queries._sql import (
    as_timestamps,
    procedure_conditions,
    read_frame,
    scoped_clinic_ids,
)
from data_access.queries._summary import plan, summed
from data_access.queries.naive import adverse_events as naive
from data_access.queries.naive.adverse_events import EVENT_COLUMNS
from data_access.schema import adverse_events, clinics, procedures
from data_access.schema_summaries import summary_events, summary_procedures

__all__ = [
    "EVENT_COLUMNS",
    "event_rows",
    "event_series",
    "events_by_type_and_severity",
    "rates_by_procedure_type",
]


def events_by_type_and_severity(
    *, conn: Connection, filters: Filters, scope: Scope
) -> pd.DataFrame:
    """Event counts per event type and severity."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.events_by_type_and_severity(conn=conn, filters=filters, scope=scope)
    rows = summed(
        summary_events,
        cover(filters.start, filters.end),
        selection,
        keys=[summary_events.c.event_type, summary_events.c.severity],
        measures=["events"],
        nonzero="events",
        order_by=["event_type", "severity"],
    )
    return read_frame(conn, rows, ["event_type", "severity", "events"])


def rates_by_procedure_type(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type: procedures in the selection and the events among them."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.rates_by_procedure_type(conn=conn, filters=filters, scope=scope)
    rows = summed(
        summary_procedures,
        cover(filters.start, filters.end),
        selection,
        keys=[summary_procedures.c.procedure_type],
        measures=["procedures", "adverse_events"],
        by_type=True,
        nonzero="procedures",
        order_by=["procedure_type"],
    )
    frame = read_frame(conn, rows, ["procedure_type", "procedures", "events"])
    frame["events"] = frame["events"].astype("int64")
    return frame


def event_series(*, conn: Connection, filters: Filters, scope: Scope, grain: Grain) -> pd.DataFrame:
    """Per period of the procedure's date: procedures and adverse events among them (the
    input of a p-chart). Periods without procedures are absent."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.event_series(conn=conn, filters=filters, scope=scope, grain=grain)
    rows = summed(
        summary_procedures,
        cover_buckets(filters.start, filters.end, grain),
        selection,
        measures=["procedures", "adverse_events"],
        bucket=grain,
        nonzero="procedures",
        order_by=["period"],
    )
    frame = as_timestamps(read_frame(conn, rows, ["period", "procedures", "events"]), "period")
    frame["events"] = frame["events"].astype("int64")
    return frame


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
    # Events are a hundred times fewer than procedures: the procedure ids of the wanted
    # events drive the join (by primary key), whatever the planner's statistics say. Left
    # to itself, SQLite without ANALYZE walked every procedure of the range (150 ms for
    # three years of the demo instead of 1 ms).
    wanted = select(adverse_events.c.procedure_id)
    if serious_only:
        wanted = wanted.where(adverse_events.c.serious.is_(True))
        statement = statement.where(adverse_events.c.serious.is_(True))
    statement = statement.where(procedures.c.procedure_id.in_(wanted))
    if limit is not None:
        statement = statement.limit(limit)
    frame = read_frame(conn, statement, EVENT_COLUMNS)
    frame["serious"] = frame["serious"].astype(bool)
    return frame
