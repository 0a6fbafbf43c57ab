"""Immediate relief: pain before the procedure against pain before the patient leaves.

Data-access layer. A clinically meaningful improvement is a fall of at least 2 points or of
at least 30% on the 0–10 scale (Farrar et al., Pain 2001; IMMPACT), counted in integer
arithmetic so that 30% of 7 is not subject to rounding. ``summary_procedures`` holds, per
clinic, period and type, the procedures with both scores, the sums of the scores and the
improved count; the means are the sums over the count.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from data_access.filters import Filters, Scope
from data_access.queries._ranges import cover
from data_access.queries._sql import read_frame
from data_access.queries._summary import plan, summed
from data_access.queries.naive import relief as naive
from data_access.schema_summaries import summary_procedures


def immediate_relief(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type, over procedures with both pain scores: how many, mean pain before
    and after, and how many improved meaningfully."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.immediate_relief(conn=conn, filters=filters, scope=scope)
    rows = summed(
        summary_procedures,
        cover(filters.start, filters.end),
        selection,
        keys=[summary_procedures.c.procedure_type],
        measures=["pain_scored", "pain_before_sum", "pain_after_sum", "pain_improved"],
        by_type=True,
        nonzero="pain_scored",
        order_by=["procedure_type"],
    )
    sums = read_frame(conn, rows, ["procedure_type", "scored", "before", "after", "improved"])
    frame = pd.DataFrame(
        {
            "procedure_type": sums["procedure_type"],
            "scored": sums["scored"].astype("int64") if len(sums) else sums["scored"],
            "mean_before": (sums["before"] / sums["scored"]).astype("float64"),
            "mean_after": (sums["after"] / sums["scored"]).astype("float64"),
            "improved": sums["improved"].astype("int64"),
        }
    )
    return frame
