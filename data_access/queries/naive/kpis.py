"""The headline figures of a selection (the KPI cards and ``clinicops summary``).

Data-access layer; reference implementation over the base tables
(:mod:`data_access.queries.naive`). Definitions are the data contract's "Derived figures";
every panel that shows one of these numbers gets it from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from data_access.filters import Filters, Scope
from data_access.queries._sql import (
    procedure_conditions,
    scoped_clinic_ids,
    within_followup_window,
)
from data_access.queries.naive.soreness import sample_histogram
from data_access.schema import adverse_events, followups, procedures, referrals
from data_access.statistics import quantiles_from_counts


@dataclass(frozen=True)
class KpiTotals:
    """Headline figures; ``None`` where a figure is undefined (no procedures / follow-ups)."""

    procedures: int
    patients: int
    adverse_events: int
    ae_rate_per_1000: float | None
    followup_rate: float | None
    median_soreness: float | None
    referrals: int
    referrals_by_source: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``clinicops summary --format json`` (keys fixed by the issue)."""
        return {
            "procedures": self.procedures,
            "patients": self.patients,
            "adverse_events": self.adverse_events,
            "ae_rate_per_1000": self.ae_rate_per_1000,
            "followup_rate": self.followup_rate,
            "median_soreness": self.median_soreness,
            "referrals": self.referrals,
            "referrals_by_source": dict(self.referrals_by_source),
        }


def kpi_totals(*, conn: Connection, filters: Filters, scope: Scope) -> KpiTotals:
    clinic_ids = scoped_clinic_ids(conn, filters=filters, scope=scope)
    selected = procedure_conditions(clinic_ids, filters)

    procedure_count, patient_count = conn.execute(
        select(func.count(), func.count(procedures.c.patient_id.distinct())).where(*selected)
    ).one()
    event_count = conn.execute(
        select(func.count())
        .select_from(adverse_events)
        .join(procedures, procedures.c.procedure_id == adverse_events.c.procedure_id)
        .where(*selected)
    ).scalar_one()
    followed_up = conn.execute(
        select(func.count(procedures.c.procedure_id.distinct()))
        .select_from(procedures)
        .join(followups, followups.c.procedure_id == procedures.c.procedure_id)
        .where(*selected, within_followup_window())
    ).scalar_one()
    (median,) = quantiles_from_counts(sample_histogram(conn, clinic_ids, filters), (0.5,))
    by_source = referrals_by_source_totals(conn=conn, filters=filters, clinic_ids=clinic_ids)

    return KpiTotals(
        procedures=int(procedure_count),
        patients=int(patient_count),
        adverse_events=int(event_count),
        ae_rate_per_1000=(1000 * event_count / procedure_count) if procedure_count else None,
        followup_rate=(followed_up / procedure_count) if procedure_count else None,
        median_soreness=None if math.isnan(median) else float(median),
        referrals=sum(by_source.values()),
        referrals_by_source=by_source,
    )


def referrals_by_source_totals(
    *, conn: Connection, filters: Filters, clinic_ids: list[str] | None
) -> dict[str, int]:
    """Referrals dated in the range, counted by source (region and clinic filters only: a
    referral has no procedure type)."""
    statement = (
        select(referrals.c.source, func.count())
        .where(referrals.c.referred_on.between(filters.start, filters.end))
        .group_by(referrals.c.source)
        .order_by(referrals.c.source)
    )
    if clinic_ids is not None:
        statement = statement.where(referrals.c.clinic_id.in_(clinic_ids))
    return {str(source): int(n) for source, n in conn.execute(statement)}
