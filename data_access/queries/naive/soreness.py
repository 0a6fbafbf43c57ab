"""Soreness at the injection site after a procedure: the contract's "Soreness" figure and the
distributions the follow-up panel draws.

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). Soreness scores are integers 0–10, so SQL returns
histograms (score -> count) and the quartiles are computed exactly from them: portable across
SQLite and PostgreSQL, and nothing larger than eleven rows per group leaves the database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, and_, case, func, select

from data_access.filters import Filters, Scope
from data_access.queries._sql import (
    FOLLOWUP_WINDOW_DAYS,
    followup_days_after,
    procedure_conditions,
    read_frame,
    scoped_clinic_ids,
    within_followup_window,
)
from data_access.schema import followups, procedures
from data_access.statistics import quantiles_from_counts

#: Buckets of days after the procedure for the soreness-over-time view (inclusive bounds).
DAYS_AFTER_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0–1", 0, 1),
    ("2–3", 2, 3),
    ("4–7", 4, 7),
    ("8–14", 8, 14),
)
DISTRIBUTION_COLUMNS = ["followups", "minimum", "q1", "median", "q3", "maximum", "mean"]


def first_followups(clinic_ids: Sequence[str] | None, filters: Filters) -> Select[Any]:
    """Each selected procedure's earliest follow-up 0–14 days after it (ties on the date: the
    smallest ``followup_id``), one row per procedure: the contract's soreness sample."""
    rank = (
        func.row_number()
        .over(
            partition_by=followups.c.procedure_id,
            order_by=(followups.c.followup_on, followups.c.followup_id),
        )
        .label("rank")
    )
    ranked = (
        select(
            procedures.c.procedure_id,
            procedures.c.clinic_id,
            procedures.c.procedure_type,
            followups.c.soreness,
            rank,
        )
        .join_from(procedures, followups, followups.c.procedure_id == procedures.c.procedure_id)
        .where(*procedure_conditions(clinic_ids, filters), within_followup_window())
        .subquery("ranked")
    )
    return select(ranked).where(ranked.c.rank == 1)


def distribution(counts: Mapping[int, int]) -> dict[str, float]:
    """Summary of a soreness histogram: count, min, quartiles, max and mean (NaN if empty)."""
    total = sum(counts.values())
    if total == 0:
        return {name: (0 if name == "followups" else math.nan) for name in DISTRIBUTION_COLUMNS}
    q1, median, q3 = quantiles_from_counts(counts, (0.25, 0.5, 0.75))
    present = [value for value, n in counts.items() if n]
    return {
        "followups": total,
        "minimum": float(min(present)),
        "q1": q1,
        "median": median,
        "q3": q3,
        "maximum": float(max(present)),
        "mean": sum(value * n for value, n in counts.items()) / total,
    }


def summarise(histogram: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Turn rows (keys..., soreness, n) into one distribution row per key combination."""
    rows = []
    for key, group in histogram.groupby(keys, sort=True) if len(histogram) else []:
        counts = dict(zip(group["soreness"].astype(int), group["n"].astype(int), strict=True))
        key_values = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key_values, strict=True)), **distribution(counts)})
    return pd.DataFrame(rows, columns=[*keys, *DISTRIBUTION_COLUMNS])


def sample_histogram(
    conn: Connection, clinic_ids: Sequence[str] | None, filters: Filters
) -> dict[int, int]:
    """Score -> number of procedures over the contract's soreness sample."""
    sample = first_followups(clinic_ids, filters).subquery()
    rows = conn.execute(select(sample.c.soreness, func.count()).group_by(sample.c.soreness))
    return {int(score): int(n) for score, n in rows}


def soreness_histogram(*, conn: Connection, filters: Filters, scope: Scope) -> dict[int, int]:
    """Score -> number of procedures, over the contract's soreness sample for the filters."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    return sample_histogram(conn, clinic_ids, filters)


def soreness_by_clinic(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per clinic: the distribution of soreness over the contract's soreness sample."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    sample = first_followups(clinic_ids, filters).subquery()
    statement = select(sample.c.clinic_id, sample.c.soreness, func.count().label("n")).group_by(
        sample.c.clinic_id, sample.c.soreness
    )
    histogram = read_frame(conn, statement, ["clinic_id", "soreness", "n"])
    return summarise(histogram, ["clinic_id"])


def soreness_by_days_after(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type and bucket of days after the procedure (0–1, 2–3, 4–7, 8–14): the
    distribution of soreness over every follow-up in that bucket (a procedure followed up on
    day 1 and day 7 counts in both buckets)."""
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    days_after = followup_days_after()
    bucket = case(
        *((days_after.between(low, high), label) for label, low, high in DAYS_AFTER_BUCKETS)
    ).label("days_after")
    statement = (
        select(procedures.c.procedure_type, bucket, followups.c.soreness, func.count().label("n"))
        .join_from(procedures, followups, followups.c.procedure_id == procedures.c.procedure_id)
        .where(
            *procedure_conditions(clinic_ids, filters),
            and_(days_after >= 0, days_after <= FOLLOWUP_WINDOW_DAYS),
        )
        .group_by(procedures.c.procedure_type, bucket, followups.c.soreness)
    )
    histogram = read_frame(conn, statement, ["procedure_type", "days_after", "soreness", "n"])
    return summarise(histogram, ["procedure_type", "days_after"])
