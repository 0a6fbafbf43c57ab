"""Adverse events and procedures per clinic and period: the input of every control chart.

Data-access layer. One query gives the counts behind the network's, each region's and each
clinic's chart, so they always agree (:func:`data_access.queries.adverse_events.event_series`
is the same figure for a single selection). An event belongs to its procedure's clinic and
period (data contract); periods in which a clinic performed nothing are absent. Read from the
clinic rows of ``summary_procedures``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from data_access.filters import Filters, Grain, Scope
from data_access.queries._ranges import cover_buckets
from data_access.queries._sql import as_timestamps, read_frame
from data_access.queries._summary import plan, summed
from data_access.queries.naive import event_trends as naive
from data_access.queries.naive.event_trends import SERIES_COLUMNS
from data_access.schema_summaries import summary_procedures


def event_series_by_clinic(
    *, conn: Connection, filters: Filters, scope: Scope, grain: Grain
) -> pd.DataFrame:
    """Per clinic and period of the procedure's date (first day of the week or month):
    procedures and the adverse events among them, ordered by clinic then period."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.event_series_by_clinic(conn=conn, filters=filters, scope=scope, grain=grain)
    rows = summed(
        summary_procedures,
        cover_buckets(filters.start, filters.end, grain),
        selection,
        measures=["procedures", "adverse_events"],
        per_clinic=True,
        bucket=grain,
        nonzero="procedures",
        order_by=["clinic_id", "period"],
    )
    frame = as_timestamps(read_frame(conn, rows, SERIES_COLUMNS), "period")
    frame["procedures"] = frame["procedures"].astype("int64")
    frame["events"] = frame["events"].astype("int64")
    return frame


__all__ = ["SERIES_COLUMNS", "event_series_by_clinic"]
