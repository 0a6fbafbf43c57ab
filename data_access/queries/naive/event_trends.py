"""Adverse events and procedures per clinic and period: the input of every control chart.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). One query gives the counts behind the network's, each
region's and each clinic's chart, so they always agree
(:func:`data_access.queries.adverse_events.event_series` is the same figure for a single
selection). An event belongs to its procedure's clinic and period (data contract); periods in
which a clinic performed nothing are absent.
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

SERIES_COLUMNS = ["clinic_id", "period", "procedures", "events"]


def event_series_by_clinic(
    *, conn: Connection, filters: Filters, scope: Scope, grain: Grain
) -> pd.DataFrame:
    """Per clinic and period of the procedure's date (first day of the week or month):
    procedures and the adverse events among them, ordered by clinic then period."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    selected = procedure_conditions(clinic_ids, filters)
    period = period_start(procedures.c.performed_on, grain).label("period")
    volume = read_frame(
        conn,
        select(procedures.c.clinic_id, period, func.count())
        .where(*selected)
        .group_by(procedures.c.clinic_id, period),
        ["clinic_id", "period", "procedures"],
    )
    events = read_frame(
        conn,
        select(procedures.c.clinic_id, period, func.count())
        .join_from(
            procedures, adverse_events, adverse_events.c.procedure_id == procedures.c.procedure_id
        )
        .where(*selected)
        .group_by(procedures.c.clinic_id, period),
        ["clinic_id", "period", "events"],
    )
    volume, events = as_timestamps(volume, "period"), as_timestamps(events, "period")
    frame = volume.merge(events, on=["clinic_id", "period"], how="left")
    frame["procedures"] = frame["procedures"].astype("int64")
    frame["events"] = frame["events"].fillna(0).astype("int64")
    return frame.sort_values(["clinic_id", "period"], ignore_index=True)[SERIES_COLUMNS]


__all__ = ["SERIES_COLUMNS", "event_series_by_clinic"]
