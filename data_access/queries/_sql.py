"""SQL building blocks shared by the query modules: filter conditions, date arithmetic and
time buckets that compile to the right SQL on SQLite and on PostgreSQL.

Data-access layer (internal). The dialect differences live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    and_,
    false,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_access.filters import Filters, Grain, Scope
from data_access.schema import clinics, followups, procedures

#: A follow-up counts towards the follow-up rate and soreness if it is 0 to 14 days (inclusive)
#: after the procedure's clinic-local date (data contract, "Derived figures").
FOLLOWUP_WINDOW_DAYS = 14


class days_between(FunctionElement[int]):
    """Whole days from the first date to the second (``later - earlier``)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    earlier, later = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    earlier, later = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class _week_start(FunctionElement[Any]):
    """Monday of the ISO week holding a date."""

    type = Date()
    inherit_cache = True
    name = "week_start"


class _month_start(FunctionElement[Any]):
    """First day of the month holding a date."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(_week_start)
def _week_start_default(element: _week_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_week_start, "sqlite")
def _week_start_sqlite(element: _week_start, compiler: Any, **kw: Any) -> str:
    # 'weekday 0' moves forward to the next Sunday (or stays); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(_month_start)
def _month_start_default(element: _month_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_month_start, "sqlite")
def _month_start_sqlite(element: _month_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def period_start(value: ColumnElement[Any], grain: Grain) -> ColumnElement[Any]:
    """First day of the day / week (Monday) / month bucket holding a date. One SQL construct
    per grain, so that SQLAlchemy's statement cache never confuses two grains."""
    if grain is Grain.DAY:
        return value
    if grain is Grain.WEEK:
        return _week_start(value)
    return _month_start(value)


def scoped_clinic_ids(conn: Connection, *, filters: Filters, scope: Scope) -> list[str] | None:
    """The clinic ids that both the filters and the scope allow, or ``None`` when neither
    restricts clinics. Resolved to a literal list first: the clinics table is small, and a
    literal ``clinic_id IN (...)`` keeps the planner on the (clinic_id, date) indexes."""
    conditions: list[ColumnElement[bool]] = []
    if filters.regions:
        conditions.append(clinics.c.region.in_(filters.regions))
    if filters.clinics:
        conditions.append(clinics.c.clinic_id.in_(filters.clinics))
    if not scope.is_unrestricted:
        allowed: list[ColumnElement[bool]] = []
        if scope.regions is not None:
            allowed.append(clinics.c.region.in_(sorted(scope.regions)))
        if scope.clinics is not None:
            allowed.append(clinics.c.clinic_id.in_(sorted(scope.clinics)))
        conditions.append(or_(*allowed) if allowed else false())
    if not conditions:
        return None
    rows = conn.execute(
        select(clinics.c.clinic_id).where(and_(*conditions)).order_by(clinics.c.clinic_id)
    )
    return [row.clinic_id for row in rows]


def procedure_conditions(
    clinic_ids: Sequence[str] | None, filters: Filters, *, with_types: bool = True
) -> list[ColumnElement[bool]]:
    """WHERE conditions selecting the procedures of the filters (date range, clinics, types)."""
    conditions: list[ColumnElement[bool]] = [
        procedures.c.performed_on.between(filters.start, filters.end)
    ]
    if clinic_ids is not None:
        conditions.append(procedures.c.clinic_id.in_(clinic_ids))
    if with_types and filters.procedure_types:
        conditions.append(
            procedures.c.procedure_type.in_([t.value for t in filters.procedure_types])
        )
    return conditions


def followup_days_after() -> days_between:
    return days_between(procedures.c.performed_on, followups.c.followup_on)


def within_followup_window() -> ColumnElement[bool]:
    return followup_days_after().between(0, FOLLOWUP_WINDOW_DAYS)


def read_frame(conn: Connection, statement: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    """Run an aggregate query and return its rows as a DataFrame with the given columns (also
    when there are no rows)."""
    rows = conn.execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def as_timestamps(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """SQLite returns date buckets as text, PostgreSQL as dates: make both datetime64."""
    frame[column] = pd.to_datetime(frame[column])
    return frame
