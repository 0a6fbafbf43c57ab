"""Referral sources: counts by clinic and source, the trend, and conversion to a first
procedure.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). Referrals follow the region and clinic filters only; a
referral has no procedure type (data contract). A referral converts when the same patient has a
procedure (of any type, on any later date) at the same clinic on or after the referral date.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import ColumnElement, Connection, func, select

from data_access.filters import Filters, Grain, Scope
from data_access.queries._sql import (
    as_timestamps,
    days_between,
    period_start,
    read_frame,
    scoped_clinic_ids,
)
from data_access.schema import procedures, referrals
from data_access.statistics import quantiles_from_counts


def _referral_conditions(
    conn: Connection, filters: Filters, scope: Scope
) -> list[ColumnElement[bool]]:
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    conditions: list[ColumnElement[bool]] = [
        referrals.c.referred_on.between(filters.start, filters.end)
    ]
    if clinic_ids is not None:
        conditions.append(referrals.c.clinic_id.in_(clinic_ids))
    return conditions


def referrals_by_clinic_and_source(
    *, conn: Connection, filters: Filters, scope: Scope
) -> pd.DataFrame:
    statement = (
        select(referrals.c.clinic_id, referrals.c.source, func.count())
        .where(*_referral_conditions(conn, filters, scope))
        .group_by(referrals.c.clinic_id, referrals.c.source)
        .order_by(referrals.c.clinic_id, referrals.c.source)
    )
    return read_frame(conn, statement, ["clinic_id", "source", "referrals"])


def referral_trend(
    *, conn: Connection, filters: Filters, scope: Scope, grain: Grain
) -> pd.DataFrame:
    period = period_start(referrals.c.referred_on, grain).label("period")
    statement = (
        select(period, referrals.c.source, func.count())
        .where(*_referral_conditions(conn, filters, scope))
        .group_by(period, referrals.c.source)
        .order_by(period, referrals.c.source)
    )
    return as_timestamps(read_frame(conn, statement, ["period", "source", "referrals"]), "period")


def referral_conversion(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per clinic: referrals in range, how many led to a first procedure, and the median days
    from referral to that first procedure (NaN when none converted)."""
    first_procedure = (
        select(
            referrals.c.referral_id,
            referrals.c.clinic_id,
            referrals.c.referred_on,
            func.min(procedures.c.performed_on).label("first_on"),
        )
        .join_from(
            referrals,
            procedures,
            (procedures.c.patient_id == referrals.c.patient_id)
            & (procedures.c.clinic_id == referrals.c.clinic_id)
            & (procedures.c.performed_on >= referrals.c.referred_on),
            isouter=True,
        )
        .where(*_referral_conditions(conn, filters, scope))
        .group_by(referrals.c.referral_id, referrals.c.clinic_id, referrals.c.referred_on)
        .subquery("first_procedure")
    )
    days = days_between(first_procedure.c.referred_on, first_procedure.c.first_on).label("days")
    statement = select(first_procedure.c.clinic_id, days, func.count()).group_by(
        first_procedure.c.clinic_id, days
    )
    histogram = read_frame(conn, statement, ["clinic_id", "days", "n"])
    rows = []
    for clinic_id, group in histogram.groupby("clinic_id", sort=True):
        converted = group.dropna(subset=["days"])
        counts = dict(zip(converted["days"].astype(int), converted["n"].astype(int), strict=True))
        (median,) = quantiles_from_counts(counts, (0.5,)) if counts else (math.nan,)
        rows.append(
            {
                "clinic_id": clinic_id,
                "referrals": int(group["n"].sum()),
                "converted": int(converted["n"].sum()),
                "median_days_to_first": median,
            }
        )
    return pd.DataFrame(
        rows, columns=["clinic_id", "referrals", "converted", "median_days_to_first"]
    )
