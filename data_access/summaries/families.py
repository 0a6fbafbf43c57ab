"""What each additive summary table holds, and how its day rows come from the base tables.

Data-access layer (internal to :mod:`data_access.summaries`). A :class:`Family` names a
summary table's key columns (``dims``, after the shared cell key) and its counts
(``measures``); :func:`procedure_families` and :func:`referral_families` build the SELECTs of
clinic x day rows from the work tables of a refresh (:mod:`data_access.summaries.refresh`),
which themselves come straight from the base tables. Definitions are the contract's "Derived
figures": the same window, ranking and bucketing as the base-table queries in
:mod:`data_access.queries.naive`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
)

from data_access.contract import ProcedureType
from data_access.queries._sql import FOLLOWUP_WINDOW_DAYS, days_between

# Buckets of days after the procedure (inclusive bounds), in the order of their columns.
from data_access.queries.naive.soreness import DAYS_AFTER_BUCKETS
from data_access.schema import SCORES, adverse_events, followups
from data_access.schema_summaries import (
    FIRST_SORENESS,
    FOLLOWUP_BUCKETS,
    FOLLOWUP_SORENESS,
    summary_events,
    summary_followup_soreness,
    summary_open_days,
    summary_procedures,
    summary_referral_conversion,
    summary_referrals,
)

#: Bit of each procedure type in ``summary_open_days.type_mask``.
TYPE_BITS: dict[str, int] = {t.value: 1 << i for i, t in enumerate(ProcedureType)}


@dataclass(frozen=True)
class Family:
    table: Table
    dims: tuple[str, ...]
    measures: tuple[str, ...]
    #: Keyed by procedure type (first of ``dims``), with ``*`` rows at months and years.
    typed: bool
    #: Region and network rows too (else clinic rows only).
    rolled_up: bool
    day_rows: Select[tuple[object, ...]]


@dataclass(frozen=True)
class ProcedureWork:
    """Work tables of the procedures on the days being refreshed."""

    facts: Table  # procedure_id, clinic_id, day, procedure_type, pain_before, pain_after
    first: Table  # procedure_id, soreness: each procedure's first follow-up 0-14 days after
    events: Table  # procedure_id, events


def type_mask(procedure_type: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((procedure_type == t, bit) for t, bit in TYPE_BITS.items()), else_=0)


def meaningful_relief(before: ColumnElement[int], after: ColumnElement[int]) -> ColumnElement[int]:
    """1 when pain fell by at least 2 points or 30 % (see :mod:`data_access.queries.relief`)."""
    drop = before - after
    return case((or_(drop >= 2, (before > 0) & (10 * drop >= 3 * before)), 1), else_=0)


assert len(DAYS_AFTER_BUCKETS) == FOLLOWUP_BUCKETS, "summary_followup_soreness has a column each"


def histogram(
    soreness: ColumnElement[int], where: ColumnElement[bool] | None = None
) -> list[ColumnElement[int]]:
    """The count of each score (of the rows ``where`` holds), in the order of the histogram
    columns (NULL counts nowhere)."""
    scored = [soreness == score for score in SCORES]
    if where is not None:
        scored = [and_(where, condition) for condition in scored]
    return [func.count(case((condition, 1))) for condition in scored]


def procedure_families(work: ProcedureWork) -> list[Family]:
    facts, first, events = work.facts, work.first, work.events
    key = (facts.c.clinic_id, facts.c.day, facts.c.procedure_type)
    before, after = facts.c.pain_before, facts.c.pain_after
    scored = and_(before.is_not(None), after.is_not(None))
    procedures_rows = (
        select(
            *key,
            func.count(),
            func.count(first.c.procedure_id),
            func.coalesce(func.sum(events.c.events), 0),
            func.count(case((scored, 1))),
            func.coalesce(func.sum(case((scored, before), else_=0)), 0),
            func.coalesce(func.sum(case((scored, after), else_=0)), 0),
            func.coalesce(func.sum(case((scored, meaningful_relief(before, after)), else_=0)), 0),
            *histogram(first.c.soreness),
        )
        .select_from(facts)
        .outerjoin(first, first.c.procedure_id == facts.c.procedure_id)
        .outerjoin(events, events.c.procedure_id == facts.c.procedure_id)
        .group_by(*key)
    )
    days = days_between(facts.c.day, followups.c.followup_on)
    followup_rows = (
        select(
            *key,
            *(
                count
                for _, low, high in DAYS_AFTER_BUCKETS
                for count in histogram(followups.c.soreness, days.between(low, high))
            ),
        )
        .join_from(facts, followups, followups.c.procedure_id == facts.c.procedure_id)
        .where(days.between(0, FOLLOWUP_WINDOW_DAYS))
        .group_by(*key)
    )
    event_rows = (
        select(*key, adverse_events.c.event_type, adverse_events.c.severity, func.count())
        .join_from(facts, adverse_events, adverse_events.c.procedure_id == facts.c.procedure_id)
        .group_by(*key, adverse_events.c.event_type, adverse_events.c.severity)
    )
    mask = cast(func.sum(distinct(type_mask(facts.c.procedure_type))), Integer)
    open_rows = select(facts.c.clinic_id, facts.c.day, mask, literal(1)).group_by(
        facts.c.clinic_id, facts.c.day
    )
    return [
        Family(
            summary_procedures,
            ("procedure_type",),
            (
                "procedures",
                "followed_up",
                "adverse_events",
                "pain_scored",
                "pain_before_sum",
                "pain_after_sum",
                "pain_improved",
                *FIRST_SORENESS,
            ),
            typed=True,
            rolled_up=True,
            day_rows=procedures_rows,
        ),
        Family(
            summary_followup_soreness,
            ("procedure_type",),
            tuple(name for bucket in FOLLOWUP_SORENESS for name in bucket),
            typed=True,
            rolled_up=True,
            day_rows=followup_rows,
        ),
        Family(
            summary_events,
            ("procedure_type", "event_type", "severity"),
            ("events",),
            typed=True,
            rolled_up=True,
            day_rows=event_rows,
        ),
        Family(
            summary_open_days,
            ("type_mask",),
            ("days",),
            typed=False,
            rolled_up=False,
            day_rows=open_rows,
        ),
    ]


def referral_families(work: Table) -> list[Family]:
    """``work``: referral_id, clinic_id, day, source, days_to_first (``NOT_CONVERTED``)."""
    by_source = select(work.c.clinic_id, work.c.day, work.c.source, func.count()).group_by(
        work.c.clinic_id, work.c.day, work.c.source
    )
    by_days = select(work.c.clinic_id, work.c.day, work.c.days_to_first, func.count()).group_by(
        work.c.clinic_id, work.c.day, work.c.days_to_first
    )
    return [
        Family(
            summary_referrals,
            ("source",),
            ("referrals",),
            typed=False,
            rolled_up=True,
            day_rows=by_source,
        ),
        Family(
            summary_referral_conversion,
            ("days_to_first",),
            ("referrals",),
            typed=False,
            rolled_up=True,
            day_rows=by_days,
        ),
    ]
