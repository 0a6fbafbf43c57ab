"""Procedure volumes: the trend stacked by procedure type, and the mix by clinic.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). "Procedure volume" is the contract's: procedures whose
clinic-local date lies in the range (inclusive).
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
from data_access.schema import procedures


def volume_trend(*, conn: Connection, filters: Filters, scope: Scope, grain: Grain) -> pd.DataFrame:
    """Procedures per period (first day of the day / week / month) and procedure type."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    period = period_start(procedures.c.performed_on, grain).label("period")
    statement = (
        select(period, procedures.c.procedure_type, func.count().label("procedures"))
        .where(*procedure_conditions(clinic_ids, filters))
        .group_by(period, procedures.c.procedure_type)
        .order_by(period, procedures.c.procedure_type)
    )
    frame = read_frame(conn, statement, ["period", "procedure_type", "procedures"])
    return as_timestamps(frame, "period")


def volume_by_clinic_and_type(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Procedures per clinic and procedure type (clinics with none are absent)."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    statement = (
        select(procedures.c.clinic_id, procedures.c.procedure_type, func.count())
        .where(*procedure_conditions(clinic_ids, filters))
        .group_by(procedures.c.clinic_id, procedures.c.procedure_type)
        .order_by(procedures.c.clinic_id, procedures.c.procedure_type)
    )
    return read_frame(conn, statement, ["clinic_id", "procedure_type", "procedures"])
