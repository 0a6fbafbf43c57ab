"""Procedure volumes: the trend stacked by procedure type, and the mix by clinic.

Data-access layer. "Procedure volume" is the contract's: procedures whose clinic-local date
lies in the range (inclusive). Read from ``summary_procedures`` (months and weeks for the
trend's buckets, days for the ragged ends); :mod:`data_access.queries.naive.volumes` is the
same figure from the base table, used while a write awaits summarising.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from data_access.filters import Filters, Grain, Scope
from data_access.queries._ranges import cover, cover_buckets
from data_access.queries._sql import as_timestamps, read_frame
from data_access.queries._summary import plan, summed
from data_access.queries.naive import volumes as naive
from data_access.schema_summaries import summary_procedures

S = summary_procedures.c


def volume_trend(*, conn: Connection, filters: Filters, scope: Scope, grain: Grain) -> pd.DataFrame:
    """Procedures per period (first day of the day / week / month) and procedure type."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.volume_trend(conn=conn, filters=filters, scope=scope, grain=grain)
    rows = summed(
        summary_procedures,
        cover_buckets(filters.start, filters.end, grain),
        selection,
        keys=[S.procedure_type],
        measures=["procedures"],
        bucket=grain,
        by_type=True,
        nonzero="procedures",
        order_by=["period", "procedure_type"],
    )
    frame = read_frame(conn, rows, ["period", "procedure_type", "procedures"])
    return as_timestamps(frame, "period")


def volume_by_clinic_and_type(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Procedures per clinic and procedure type (clinics with none are absent)."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.volume_by_clinic_and_type(conn=conn, filters=filters, scope=scope)
    rows = summed(
        summary_procedures,
        cover(filters.start, filters.end),
        selection,
        keys=[S.procedure_type],
        measures=["procedures"],
        per_clinic=True,
        by_type=True,
        nonzero="procedures",
        order_by=["clinic_id", "procedure_type"],
    )
    return read_frame(conn, rows, ["clinic_id", "procedure_type", "procedures"])
