"""Immediate relief: pain before the procedure against pain before the patient leaves.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). A clinically meaningful improvement is a fall of at least 2
points or of at least 30% on the 0–10 scale (Farrar et al., Pain 2001; IMMPACT), counted in
integer arithmetic so that 30% of 7 is not subject to rounding.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, case, func, or_, select

from data_access.filters import Filters, Scope
from data_access.queries._sql import procedure_conditions, read_frame, scoped_clinic_ids
from data_access.schema import procedures


def immediate_relief(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type, over procedures with both pain scores: how many, mean pain before
    and after, and how many improved meaningfully."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    before, after = procedures.c.pain_before, procedures.c.pain_after
    drop = before - after
    meaningful = case((or_(drop >= 2, (before > 0) & (10 * drop >= 3 * before)), 1), else_=0)
    statement = (
        select(
            procedures.c.procedure_type,
            func.count().label("scored"),
            func.avg(before).label("mean_before"),
            func.avg(after).label("mean_after"),
            func.sum(meaningful).label("improved"),
        )
        .where(*procedure_conditions(clinic_ids, filters), before.is_not(None), after.is_not(None))
        .group_by(procedures.c.procedure_type)
        .order_by(procedures.c.procedure_type)
    )
    frame = read_frame(
        conn, statement, ["procedure_type", "scored", "mean_before", "mean_after", "improved"]
    )
    frame["mean_before"] = frame["mean_before"].astype("float64")
    frame["mean_after"] = frame["mean_after"].astype("float64")
    frame["improved"] = frame["improved"].astype("int64")
    return frame
