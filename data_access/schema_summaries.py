"""Summary tables: the contract's derived figures pre-aggregated by clinic, period and type.

Data-access layer; part of :mod:`data_access.schema` (same ``metadata``). These tables hold
nothing the base tables do not: :mod:`data_access.summaries` recomputes the cells that
changed from the base tables inside the writer's transaction (the importer, the demo loader,
the migration that created them), and triggers on the base tables note every changed cell in
the ``summary_pending_*`` tables, so a write that bypasses the refresh is never read from a
stale summary: the queries fall back to the base tables until a refresh has run.

Every additive table has the same key prefix:

* ``grain``: ``d`` (day), ``w`` (ISO week from Monday), ``m`` (month), ``y`` (year), and
  ``period_start``, the first day of the period. A date range is answered from the largest
  periods that fit in it and the ragged edges from the smaller ones
  (:mod:`data_access.queries._ranges`).
* ``unit_kind``/``unit``: ``c``/clinic id, ``r``/region name, ``n``/"" (the whole
  network). Region and network rows are sums of clinic rows, so a network-wide figure reads a
  few hundred rows instead of a few hundred per clinic.
* ``procedure_type``: a type, or ``*`` for all types together (months and years only: days
  and weeks are summed over their five types when read).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    text,
)

from data_access.schema import SCORES, metadata

ALL_TYPES = "*"
NETWORK_UNIT = ""
#: ``summary_patients.k_month`` of procedures without a previous visit: first visits for every K.
FROM_THE_START = date(1, 1, 1)
#: Referrals that never led to a procedure, in ``summary_referral_conversion.days_to_first``.
NOT_CONVERTED = -1


def _cells(*columns: Column[Any]) -> list[Column[Any]]:
    return [
        Column("grain", String(1), nullable=False),
        Column("unit_kind", String(1), nullable=False),
        Column("period_start", Date, nullable=False),
        Column("unit", String(100), nullable=False),
        *columns,
    ]


def _key(table: str, *names: str) -> PrimaryKeyConstraint:
    # The unit before the period: a list of clinics then scans one short range per clinic
    # (PostgreSQL 15 repeats the whole period range for every element of ``unit = ANY(...)``
    # when the unit comes second).
    return PrimaryKeyConstraint(
        "grain", "unit_kind", "unit", "period_start", *names, name=f"pk_{table}"
    )


#: Tables read per clinic for every clinic at once (the map, the rankings): their second index.
CLINICS_BY_PERIOD = "ix_{}_clinics_by_period"


def _clinics_by_period(table: str, *columns: str) -> Index:
    """Every clinic's rows of a range of periods as one index range (PostgreSQL).

    A figure per clinic over the whole network read the key once per clinic and part of the
    range (``unit = ANY(<200 clinics>)``: 200 index descents a part, and milliseconds of
    planning the array), where this is one range per part. SQLite keeps reading by the key:
    its figures meet their target without it, and a second index is a cost on every import."""
    dialect = "postgresql"
    index = Index(CLINICS_BY_PERIOD.format(table), *columns, info={"dialects": (dialect,)})
    return index.ddl_if(dialect=dialect)


def _count(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False)


#: Columns of a soreness histogram: the count of each score, one column per score (a score is
#: one of eleven integers): a histogram is one row, not one row per score. Scores as rows made
#: the two histograms over half of all summary rows, and each row costs its primary-key
#: entry on every import.
def soreness_columns(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{score}" for score in SCORES)


FIRST_SORENESS = soreness_columns("first_soreness_")
#: Buckets of days after the procedure in ``summary_followup_soreness`` (the follow-up
#: panel's 0–1, 2–3, 4–7 and 8–14 days: ``queries.naive.soreness.DAYS_AFTER_BUCKETS``).
FOLLOWUP_BUCKETS = 4
#: Its histogram columns, per bucket: ``soreness_<bucket>_<score>``.
FOLLOWUP_SORENESS = tuple(soreness_columns(f"soreness_{b}_") for b in range(FOLLOWUP_BUCKETS))

#: Procedures, and per procedure: followed up (a follow-up 0-14 days after), its adverse
#: events, the immediate-relief sums (procedures with both pain scores), and the contract's
#: soreness sample: procedures by the soreness of their first follow-up 0-14 days after
#: (``first_soreness_<score>``).
summary_procedures = Table(
    "summary_procedures",
    metadata,
    *_cells(
        Column("procedure_type", String(32), nullable=False),
        _count("procedures"),
        _count("followed_up"),
        _count("adverse_events"),
        _count("pain_scored"),
        _count("pain_before_sum"),
        _count("pain_after_sum"),
        _count("pain_improved"),
        *(_count(name) for name in FIRST_SORENESS),
    ),
    _key("summary_procedures", "procedure_type"),
    _clinics_by_period(
        "summary_procedures", "grain", "unit_kind", "period_start", "procedure_type"
    ),
)

#: Every follow-up 0-14 days after its procedure: the histogram of its soreness for each
#: bucket of days after (``soreness_<bucket>_<score>``), one row per cell and type.
summary_followup_soreness = Table(
    "summary_followup_soreness",
    metadata,
    *_cells(
        Column("procedure_type", String(32), nullable=False),
        *(_count(name) for bucket in FOLLOWUP_SORENESS for name in bucket),
    ),
    _key("summary_followup_soreness", "procedure_type"),
)

#: Adverse events by the procedure's period, clinic and type.
summary_events = Table(
    "summary_events",
    metadata,
    *_cells(
        Column("procedure_type", String(32), nullable=False),
        Column("event_type", String(32), nullable=False),
        Column("severity", String(16), nullable=False),
        _count("events"),
    ),
    _key("summary_events", "procedure_type", "event_type", "severity"),
)

#: Referrals by the referral's period, clinic and source.
summary_referrals = Table(
    "summary_referrals",
    metadata,
    *_cells(Column("source", String(32), nullable=False), _count("referrals")),
    _key("summary_referrals", "source"),
    _clinics_by_period("summary_referrals", "grain", "unit_kind", "period_start"),
)

#: Referrals by days from referral to the patient's first procedure at that clinic on or
#: after it (``NOT_CONVERTED`` when none): exact medians come from these histograms.
summary_referral_conversion = Table(
    "summary_referral_conversion",
    metadata,
    *_cells(Column("days_to_first", Integer, nullable=False), _count("referrals")),
    _key("summary_referral_conversion", "days_to_first"),
    _clinics_by_period("summary_referral_conversion", "grain", "unit_kind", "period_start"),
)

#: Clinic days by the set of procedure types done that day (a bit mask in ``ProcedureType``
#: order): open days for any type filter are ``SUM(days) WHERE type_mask & wanted <> 0``.
#: Clinic units only; a day row is one open day.
summary_open_days = Table(
    "summary_open_days",
    metadata,
    *_cells(Column("type_mask", SmallInteger, nullable=False), _count("days")),
    _key("summary_open_days", "type_mask"),
    _clinics_by_period("summary_open_days", "grain", "unit_kind", "period_start"),
)

#: Distinct patients, exactly (see :mod:`data_access.queries.patients`). A row counts the
#: procedures of month M (``first_visits``) that are first visits for every bound K from
#: ``k_month`` on: their previous procedure of the same patient (at the same clinic for clinic
#: units, anywhere for the network unit; of the same type unless ``procedure_type`` is ``*``)
#: is in the month before ``k_month`` (``FROM_THE_START`` when there is none). So the
#: procedures of M whose previous visit is before month K are ``SUM(first_visits) WHERE
#: k_month <= K``, and for a range of whole months [K, L] the distinct patients are that sum
#: over M in [K, L]. A procedure whose previous visit is in its own month is never a first
#: visit and has no row. ``shared`` splits patients seen at several clinics.
summary_patients = Table(
    "summary_patients",
    metadata,
    Column("unit_kind", String(1), nullable=False),
    Column("procedure_type", String(32), nullable=False),
    Column("k_month", Date, nullable=False),
    Column("month", Date, nullable=False),
    Column("unit", String(100), nullable=False),
    Column("shared", Boolean(create_constraint=False), nullable=False),
    _count("first_visits"),
    # A range of months of one unit is one index range (K is a filter within it).
    PrimaryKeyConstraint(
        "unit_kind",
        "procedure_type",
        "unit",
        "month",
        "shared",
        "k_month",
        name="pk_summary_patients",
    ),
    _clinics_by_period("summary_patients", "unit_kind", "procedure_type", "month", "k_month"),
)

#: The columns ``ix_procedure_visits_on_clinic`` carries besides its key (PostgreSQL).
VISIT_INDEX_INCLUDES = [
    "shared",
    "procedure_type",
    *(
        f"{level}{suffix}_{side}_on"
        for level in ("clinic", "network")
        for suffix in ("", "_type")
        for side in ("prev", "next")
    ),
]

#: One row per procedure: the dates of the same patient's previous and next procedures at
#: the same clinic and anywhere (of any type, and of the same type). The ragged days of a
#: distinct-patient count are read from here; ``shared`` marks patients seen at several clinics.
procedure_visits = Table(
    "procedure_visits",
    metadata,
    Column("procedure_id", String(128), primary_key=True),
    Column("patient_id", String(128), nullable=False),
    Column("clinic_id", String(64), nullable=False),
    Column("performed_on", Date, nullable=False),
    Column("procedure_type", String(32), nullable=False),
    Column("shared", Boolean(create_constraint=False), nullable=False),
    Column("clinic_prev_on", Date),
    Column("clinic_next_on", Date),
    Column("clinic_type_prev_on", Date),
    Column("clinic_type_next_on", Date),
    Column("network_prev_on", Date),
    Column("network_next_on", Date),
    Column("network_type_prev_on", Date),
    Column("network_type_next_on", Date),
    # The ragged days of a distinct-patient count are counted from this index alone on
    # PostgreSQL (an index-only range scan), so it includes every column those counts read.
    Index(
        "ix_procedure_visits_on_clinic",
        "performed_on",
        "clinic_id",
        postgresql_include=VISIT_INDEX_INCLUDES,
    ),
    Index("ix_procedure_visits_patient", "patient_id"),
    Index(
        "ix_procedure_visits_shared_on",
        "performed_on",
        "clinic_id",
        "procedure_type",
        "patient_id",
        postgresql_where=text("shared"),
        sqlite_where=text("shared"),
    ),
)

# Cells written since the last refresh (filled by triggers on the base tables).
summary_pending_days = Table(
    "summary_pending_days",
    metadata,
    Column("clinic_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
)
summary_pending_referral_days = Table(
    "summary_pending_referral_days",
    metadata,
    Column("clinic_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
)
summary_pending_patients = Table(
    "summary_pending_patients",
    metadata,
    Column("patient_id", String(128), primary_key=True),
)
summary_pending_regions = Table(
    "summary_pending_regions",
    metadata,
    Column("region", String(100), primary_key=True),
)

PENDING_TABLES = (
    summary_pending_days,
    summary_pending_referral_days,
    summary_pending_patients,
    summary_pending_regions,
)
