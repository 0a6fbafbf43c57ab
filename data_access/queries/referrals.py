"""Referral sources: counts by clinic and source, the trend, and conversion to a first
procedure.

Data-access layer. Referrals follow the region and clinic filters only; a referral has no
procedure type (data contract). A referral converts when the same patient has a procedure
(of any type, on any later date) at the same clinic on or after the referral date. Counts come
from ``summary_referrals``, conversion from the histograms of days to the first procedure in
``summary_referral_conversion`` (recomputed whenever the patient's procedures change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_access.filters import Filters, Grain, Scope
from data_access.queries._ranges import cover, cover_buckets
from data_access.queries._sql import as_timestamps, read_frame
from data_access.queries._summary import plan, summed
from data_access.queries.naive import referrals as naive
from data_access.schema_summaries import (
    NOT_CONVERTED,
    summary_referral_conversion,
    summary_referrals,
)
from data_access.statistics import grouped_quantiles

R = summary_referrals.c


CONVERSION_COLUMNS = ["clinic_id", "referrals", "converted", "median_days_to_first"]


def referrals_by_clinic_and_source(
    *, conn: Connection, filters: Filters, scope: Scope
) -> pd.DataFrame:
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.referrals_by_clinic_and_source(conn=conn, filters=filters, scope=scope)
    rows = summed(
        summary_referrals,
        cover(filters.start, filters.end),
        selection,
        keys=[R.source],
        measures=["referrals"],
        per_clinic=True,
        typed=False,
        nonzero="referrals",
        order_by=["clinic_id", "source"],
    )
    return read_frame(conn, rows, ["clinic_id", "source", "referrals"])


def referral_trend(
    *, conn: Connection, filters: Filters, scope: Scope, grain: Grain
) -> pd.DataFrame:
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.referral_trend(conn=conn, filters=filters, scope=scope, grain=grain)
    rows = summed(
        summary_referrals,
        cover_buckets(filters.start, filters.end, grain),
        selection,
        keys=[R.source],
        measures=["referrals"],
        typed=False,
        bucket=grain,
        nonzero="referrals",
        order_by=["period", "source"],
    )
    return as_timestamps(read_frame(conn, rows, ["period", "source", "referrals"]), "period")


def referral_conversion(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per clinic: referrals in range, how many led to a first procedure, and the median days
    from referral to that first procedure (NaN when none converted)."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.referral_conversion(conn=conn, filters=filters, scope=scope)
    days = summary_referral_conversion.c.days_to_first
    statement = summed(
        summary_referral_conversion,
        cover(filters.start, filters.end),
        selection,
        keys=[days],
        measures=["referrals"],
        per_clinic=True,
        typed=False,
    )
    # A histogram of days to the first procedure per clinic: thousands of rows at a year of
    # the network, fetched at once (iterating the result fetched them one driver call each)
    # and summed and split into medians with numpy (a median per clinic in Python took
    # 15 ms).
    fetched = [row for row in conn.execute(statement).all() if row[2]]
    if not fetched:
        return pd.DataFrame(columns=CONVERSION_COLUMNS)
    clinic, waited, n = (np.array(column) for column in zip(*fetched, strict=True))
    codes, clinic_ids = pd.factorize(clinic, sort=True)
    waited, n = waited.astype(np.int64), n.astype(np.int64)
    converted = waited != NOT_CONVERTED
    size = len(clinic_ids)

    def per_clinic(rows: np.ndarray) -> np.ndarray:
        return np.bincount(codes[rows], weights=n[rows], minlength=size).astype(np.int64)

    return pd.DataFrame(
        {
            "clinic_id": clinic_ids,
            "referrals": per_clinic(np.ones(len(codes), dtype=bool)),
            "converted": per_clinic(converted),
            "median_days_to_first": grouped_quantiles(
                codes[converted], waited[converted], n[converted], 0.5, size=size
            ),
        },
        columns=CONVERSION_COLUMNS,
    )
