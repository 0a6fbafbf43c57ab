"""The headline figures of a selection (the KPI cards and ``clinicops summary``).

Data-access layer. Definitions are the data contract's "Derived figures"; every panel that
shows one of these numbers gets it from here. Counts and the soreness histogram are sums of
summary rows over the range's parts, distinct patients come from
:mod:`data_access.queries.patients`; while a write awaits summarising the same figures come
from the base tables (:mod:`data_access.queries.naive.kpis`).
"""

from __future__ import annotations

import math

from sqlalchemy import Connection

from data_access.filters import Filters, Scope
from data_access.queries._ranges import cover
from data_access.queries._summary import plan, summed
from data_access.queries.naive import kpis as naive
from data_access.queries.naive.kpis import KpiTotals, referrals_by_source_totals
from data_access.queries.patients import distinct_patients
from data_access.queries.soreness import by_score
from data_access.schema_summaries import FIRST_SORENESS, summary_procedures, summary_referrals
from data_access.statistics import quantiles_from_counts

__all__ = ["KpiTotals", "kpi_totals", "referrals_by_source_totals"]


def kpi_totals(*, conn: Connection, filters: Filters, scope: Scope) -> KpiTotals:
    selection = plan(conn, filters, scope)
    if selection is None:
        return naive.kpi_totals(conn=conn, filters=filters, scope=scope)
    parts = cover(filters.start, filters.end)
    counts = summed(
        summary_procedures,
        parts,
        selection,
        measures=["procedures", "followed_up", "adverse_events", *FIRST_SORENESS],
    )
    row = conn.execute(counts).one()
    procedure_count, followed_up, event_count = (int(v or 0) for v in row[:3])
    (median,) = quantiles_from_counts(by_score(row[3:]), (0.5,))
    sources = summed(
        summary_referrals,
        parts,
        selection,
        keys=[summary_referrals.c.source],
        measures=["referrals"],
        typed=False,
    )
    by_source = {str(source): int(n) for source, n in sorted(conn.execute(sources)) if n}
    patients = distinct_patients(conn, selection, filters.start, filters.end, per_clinic=False)
    return KpiTotals(
        procedures=procedure_count,
        patients=patients.get("", 0),
        adverse_events=event_count,
        ae_rate_per_1000=(1000 * event_count / procedure_count) if procedure_count else None,
        followup_rate=(followed_up / procedure_count) if procedure_count else None,
        median_soreness=None if math.isnan(median) else float(median),
        referrals=sum(by_source.values()),
        referrals_by_source=by_source,
    )
