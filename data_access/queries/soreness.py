"""Soreness at the injection site after a procedure: the contract's "Soreness" figure and the
distributions the follow-up panel draws.

Data-access layer. Soreness scores are integers 0–10, so the summaries hold histograms (score
-> count, one column per score) by clinic, period and type, and the quartiles are computed
exactly from them: ``summary_procedures.first_soreness_<score>`` is the contract's sample
(each procedure's first follow-up 0–14 days after it), ``summary_followup_soreness`` every
follow-up by bucket of days after. The base-table versions are in
:mod:`data_access.queries.naive.soreness`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from data_access.filters import Filters, Scope
from data_access.queries._ranges import cover
from data_access.queries._summary import plan, summed
from data_access.queries.naive import soreness as naive
from data_access.queries.naive.soreness import (
    DAYS_AFTER_BUCKETS,
    DISTRIBUTION_COLUMNS,
    distribution,
    first_followups,
    sample_histogram,
)
from data_access.schema import SCORES
from data_access.schema_summaries import (
    FIRST_SORENESS,
    FOLLOWUP_SORENESS,
    summary_followup_soreness,
    summary_procedures,
)

__all__ = [
    "DAYS_AFTER_BUCKETS",
    "DISTRIBUTION_COLUMNS",
    "distribution",
    "first_followups",
    "sample_histogram",
    "soreness_by_clinic",
    "soreness_by_days_after",
    "soreness_histogram",
]

EVERY = summary_followup_soreness.c


def soreness_histogram(*, conn: Connection, filters: Filters, scope: Scope) -> dict[int, int]:
    """Score -> number of procedures, over the contract's soreness sample for the filters."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.soreness_histogram(conn=conn, filters=filters, scope=scope)
    statement = summed(
        summary_procedures, cover(filters.start, filters.end), selection, measures=FIRST_SORENESS
    )
    return by_score(conn.execute(statement).one())


def soreness_by_clinic(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per clinic: the distribution of soreness over the contract's soreness sample."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.soreness_by_clinic(conn=conn, filters=filters, scope=scope)
    statement = summed(
        summary_procedures,
        cover(filters.start, filters.end),
        selection,
        measures=FIRST_SORENESS,
        per_clinic=True,
    )
    return distributions(conn.execute(statement).all(), ["clinic_id"])


def soreness_by_days_after(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per procedure type and bucket of days after the procedure (0–1, 2–3, 4–7, 8–14): the
    distribution of soreness over every follow-up in that bucket (a procedure followed up on
    day 1 and day 7 counts in both buckets)."""
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.soreness_by_days_after(conn=conn, filters=filters, scope=scope)
    statement = summed(
        summary_followup_soreness,
        cover(filters.start, filters.end),
        selection,
        keys=[EVERY.procedure_type],
        measures=[name for bucket in FOLLOWUP_SORENESS for name in bucket],
        by_type=True,
    )
    width = len(SCORES)
    rows = [
        (kind, label, *counts[index * width : (index + 1) * width])
        for kind, *counts in conn.execute(statement)
        for index, (label, _, _) in enumerate(DAYS_AFTER_BUCKETS)
    ]
    return distributions(rows, ["procedure_type", "days_after"])


def by_score(counts: Iterable[int | None]) -> dict[int, int]:
    """A histogram row (the count of each score, in score order; ``None`` where nothing was
    summed) -> score -> count, scores with a count only."""
    return {score: int(n) for score, n in zip(SCORES, counts, strict=True) if n}


def distributions(rows: Sequence[Sequence[Any]], keys: list[str]) -> pd.DataFrame:
    """Rows (keys..., count of each score) -> one distribution row per key combination with
    any count, sorted by the keys (what :func:`summarise` does with a frame, in plain Python:
    a per-clinic histogram takes a millisecond instead of a pandas group-by's tens)."""
    width = len(keys)
    histograms = {tuple(row[:width]): by_score(row[width:]) for row in rows}
    records = [
        {**dict(zip(keys, key, strict=True)), **distribution(counts)}
        for key, counts in sorted(histograms.items())
        if counts
    ]
    return pd.DataFrame(records, columns=[*keys, *DISTRIBUTION_COLUMNS])
