"""Calendar periods of the summary tables (day, ISO week, month, year), in SQL and in Python.

Data-access layer (internal). The SQL constructs compile to the right date arithmetic on
SQLite and PostgreSQL; the Python functions do the same on ``datetime.date`` so that range
splitting (:mod:`data_access.queries._ranges`) and the summaries agree on every boundary.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data_access.queries._sql import _month_start, _week_start


class Period(StrEnum):
    """Grain of a summary row; values are what the ``grain`` column holds."""

    DAY = "d"
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"


#: Largest first: a range is covered by the largest periods that fit, then smaller ones.
LARGEST_FIRST = (Period.YEAR, Period.MONTH, Period.WEEK, Period.DAY)


class _year_start(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "year_start"


@compiles(_year_start)
def _year_start_default(element: _year_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('year', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_year_start, "sqlite")
def _year_start_sqlite(element: _year_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of year')"


class _day_after(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "day_after"


class _week_after(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "week_after"


class _month_after(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "month_after"


class _year_after(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "year_after"


_STEPS = {
    _day_after: ("1 day", "+1 day"),
    _week_after: ("7 days", "+7 days"),
    _month_after: ("1 month", "+1 month"),
    _year_after: ("1 year", "+1 year"),
}


def _register(construct: type[FunctionElement[Any]], interval: str, modifier: str) -> None:
    def default(element: Any, compiler: Any, **kw: Any) -> str:
        value = compiler.process(element.clauses, **kw)
        return f"CAST({value} + INTERVAL '{interval}' AS DATE)"

    def sqlite(element: Any, compiler: Any, **kw: Any) -> str:
        return f"date({compiler.process(element.clauses, **kw)}, '{modifier}')"

    compiles(construct)(default)
    compiles(construct, "sqlite")(sqlite)


for _construct, (_interval, _modifier) in _STEPS.items():
    _register(_construct, _interval, _modifier)


def sql_start(value: ColumnElement[Any], period: Period) -> ColumnElement[Any]:
    """First day of the ``period`` holding the date ``value``."""
    if period is Period.DAY:
        return value
    if period is Period.WEEK:
        return _week_start(value)
    if period is Period.MONTH:
        return _month_start(value)
    return _year_start(value)


def sql_next(start: ColumnElement[Any], period: Period) -> ColumnElement[Any]:
    """First day of the period after the one starting on ``start``."""
    construct = {
        Period.DAY: _day_after,
        Period.WEEK: _week_after,
        Period.MONTH: _month_after,
        Period.YEAR: _year_after,
    }[period]
    return construct(start)


def start_of(day: date, period: Period) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(start: date, period: Period) -> date:
    """The first day of the period after the one starting on ``start``."""
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def first_start_on_or_after(day: date, period: Period) -> date:
    start = start_of(day, period)
    return start if start == day else next_start(start, period)
