"""Splitting a date range into the summary periods that answer it.

Data-access layer (internal). A range is covered by the largest whole periods that fit in it
(years, then months, then ISO weeks, then days for what is left), so a calendar year is one
year row per unit, a year from mid-March is nine months, two weeks and a few days, and no
period ever crosses the range's ends. For a trend bucketed by week or month, the range is
first cut at the buckets' boundaries, so that every part lies within one bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from data_access.filters import Grain
from data_access.periods import LARGEST_FIRST, Period, first_start_on_or_after, next_start, start_of

#: Ranges are clamped to these so that period arithmetic never leaves ``datetime.date``.
EARLIEST = date(1, 1, 1)
LATEST = date(9998, 12, 31)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Part:
    """Rows of ``period`` whose ``period_start`` lies in [first, last]."""

    period: Period
    first: date
    last: date


def cover(start: date, end: date, periods: tuple[Period, ...] = LARGEST_FIRST) -> list[Part]:
    """Parts covering [start, end] exactly (inclusive), largest periods first."""
    start, end = max(start, EARLIEST), min(end, LATEST)
    if start > end:
        return []
    period, smaller = periods[0], periods[1:]
    if period is Period.DAY:
        return [Part(Period.DAY, start, end)]
    first = first_start_on_or_after(start, period)
    after = start_of(end + ONE_DAY, period)  # first day after the last whole period
    if first >= after:
        return cover(start, end, smaller)
    last = _previous_start(after, period)
    return [
        *cover(start, first - ONE_DAY, smaller),
        Part(period, first, last),
        *cover(after, end, smaller),
    ]


def _previous_start(after: date, period: Period) -> date:
    """Start of the period just before the one starting on ``after``."""
    return start_of(after - ONE_DAY, period)


_BUCKET_PERIODS = {
    Grain.DAY: (Period.DAY,),
    Grain.WEEK: (Period.WEEK, Period.DAY),
    Grain.MONTH: (Period.MONTH, Period.WEEK, Period.DAY),
}
_BUCKET = {Grain.DAY: Period.DAY, Grain.WEEK: Period.WEEK, Grain.MONTH: Period.MONTH}


def cover_buckets(start: date, end: date, grain: Grain) -> list[Part]:
    """Parts covering [start, end] such that each lies within one ``grain`` bucket."""
    start, end = max(start, EARLIEST), min(end, LATEST)
    bucket = _BUCKET[grain]
    parts: list[Part] = []
    piece = start
    while piece <= end:
        piece_end = min(next_start(start_of(piece, bucket), bucket) - ONE_DAY, end)
        parts += cover(piece, piece_end, _BUCKET_PERIODS[grain])
        piece = piece_end + ONE_DAY
    return merge(parts)


def merge(parts: list[Part]) -> list[Part]:
    """Consecutive parts of the same period joined (fewer conditions in the SQL)."""
    merged: list[Part] = []
    for part in sorted(parts, key=lambda p: (p.period, p.first)):
        if (
            merged
            and merged[-1].period is part.period
            and next_start(merged[-1].last, part.period) == part.first
        ):
            merged[-1] = Part(part.period, merged[-1].first, part.last)
        else:
            merged.append(part)
    return merged
