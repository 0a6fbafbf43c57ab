"""Validated filters and the caller's data scope, the inputs of every query function.

Data-access layer. A :class:`Filters` is what a user asked to see; a :class:`Scope` is what
that user may see. Query functions take both and intersect them, so no page, callback or
export can widen a scope by crafting a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from data_access.contract import ProcedureType


class FilterError(ValueError):
    """A filter value is unusable; the message says which and why."""


class Grain(StrEnum):
    """Time bucket of a trend."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @classmethod
    def for_range(cls, start: date, end: date) -> Grain:
        """Day up to ~2 months, week up to ~9 months, month beyond: enough points to read a
        trend, never so many that bars become hairlines."""
        days = (end - start).days + 1
        if days <= 62:
            return cls.DAY
        if days <= 270:
            return cls.WEEK
        return cls.MONTH


def _items(values: object, what: str) -> Iterable[Any]:
    """The items of a filter list; a bare string (or bytes) is refused rather than iterated
    character by character, and a non-collection rather than failing with a TypeError."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise FilterError(f"{what}: expected a list of values, got {type(values).__name__}")
    return values


def _tuple_of_text(values: Iterable[str], what: str) -> tuple[str, ...]:
    cleaned: list[str] = []
    for value in _items(values, what):
        if not isinstance(value, str) or not value.strip():
            raise FilterError(f"{what}: empty value")
        if value not in cleaned:
            cleaned.append(value)
    return tuple(sorted(cleaned))


@dataclass(frozen=True)
class Filters:
    """Date range (inclusive, clinic-local dates) and optional region / clinic / type lists.

    An empty tuple means "no restriction". Values are sorted and de-duplicated, so equal
    filters hash equal (they key the result cache).
    """

    start: date
    end: date
    regions: tuple[str, ...] = ()
    clinics: tuple[str, ...] = ()
    procedure_types: tuple[ProcedureType, ...] = ()

    def __post_init__(self) -> None:
        # A datetime is a date too, but comparing it with a date raises TypeError.
        if not all(
            isinstance(d, date) and not isinstance(d, datetime) for d in (self.start, self.end)
        ):
            raise FilterError("start and end must be dates")
        if self.start > self.end:
            raise FilterError(f"start {self.start} is after end {self.end}")
        object.__setattr__(self, "regions", _tuple_of_text(self.regions, "region"))
        object.__setattr__(self, "clinics", _tuple_of_text(self.clinics, "clinic"))
        types: list[ProcedureType] = []
        for value in _items(self.procedure_types, "procedure type"):
            try:
                types.append(ProcedureType(value))
            except (ValueError, TypeError):
                raise FilterError(f"procedure type: unknown value {value!r}") from None
        object.__setattr__(self, "procedure_types", tuple(sorted(set(types))))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters:
        """The same filters over the equally long period just before this one."""
        length = timedelta(days=self.days)
        if self.start - date.min < length:
            raise FilterError(f"no period of {self.days} days before {self.start}")
        return Filters(
            start=self.start - length,
            end=self.end - length,
            regions=self.regions,
            clinics=self.clinics,
            procedure_types=self.procedure_types,
        )


@dataclass(frozen=True)
class Scope:
    """The clinics a caller may see: ``None`` for every clinic, otherwise only those in the
    given regions or with the given ids (a union)."""

    regions: frozenset[str] | None = None
    clinics: frozenset[str] | None = None
    #: Whether event descriptions, patient keys and other row-level detail may be returned.
    row_detail: bool = True
    label: str = field(default="everything", compare=False)
    #: Whether counts from 1 to threshold-1 must be shown as "<threshold" (small-cell
    #: suppression, ``dashboard/suppression.py``) for this caller.
    suppress_small_cells: bool = False

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @property
    def is_unrestricted(self) -> bool:
        return self.regions is None and self.clinics is None
