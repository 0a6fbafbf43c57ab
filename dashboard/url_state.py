"""The overview's filter state in the URL query string, and the date-range presets.

Presentation layer, pure: no Dash, no database. ``parse_search`` turns a query string such as
``?start=2025-01-01&end=2025-03-31&region=High+Plains&clinic=C017&procedure=dry_needling``
into validated :class:`~data_access.filters.Filters`, dropping every unknown or malformed
value and saying why (the page shows those in a notice instead of failing); ``to_search``
writes filters back. Dates are inclusive; without dates the range is the last 90 days of data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

from data_access.contract import ProcedureType
from data_access.filters import Filters

DEFAULT_DAYS = 90
#: Dates outside these bounds are refused: they are typos, and the previous period of a range
#: starting near ``date.min`` cannot even be computed.
EARLIEST_ALLOWED = date(1900, 1, 1)
LATEST_ALLOWED = date(2199, 12, 31)
PARAMETERS = ("start", "end", "region", "clinic", "procedure")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Preset(StrEnum):
    """Date-range presets, each ending on the newest data date (not today: data arrive late)."""

    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"
    QUARTER_TO_DATE = "quarter_to_date"
    YEAR_TO_DATE = "year_to_date"
    LAST_12_MONTHS = "last_12_months"
    ALL_TIME = "all_time"


PRESET_LABELS: Mapping[str, str] = {
    Preset.LAST_30_DAYS: "Last 30 days",
    Preset.LAST_90_DAYS: "Last 90 days",
    Preset.QUARTER_TO_DATE: "Quarter to date",
    Preset.YEAR_TO_DATE: "Year to date",
    Preset.LAST_12_MONTHS: "Last 12 months",
    Preset.ALL_TIME: "All time",
}


@dataclass(frozen=True)
class Catalogue:
    """What a URL may name: the regions and clinics the user can see, and the data's dates."""

    clinic_regions: Mapping[str, str]
    earliest: date | None = None
    latest: date | None = None
    today: date = field(default_factory=date.today)

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(self.clinic_regions.values())

    @property
    def last_day(self) -> date:
        """The newest data date, or today for an empty database."""
        return self.latest or self.today

    @property
    def first_day(self) -> date:
        return self.earliest or self.last_day


@dataclass(frozen=True)
class Dropped:
    """One query-string value that was ignored, and why (shown to the user verbatim)."""

    parameter: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.parameter}={self.value!r}: {self.reason}"


@dataclass(frozen=True)
class UrlState:
    filters: Filters
    dropped: tuple[Dropped, ...] = ()


def preset_range(preset: Preset | str, catalogue: Catalogue) -> tuple[date, date]:
    """The inclusive range of a preset, ending on the newest data date."""
    end = catalogue.last_day
    match Preset(preset):
        case Preset.LAST_30_DAYS:
            start = end - timedelta(days=29)
        case Preset.LAST_90_DAYS:
            start = end - timedelta(days=DEFAULT_DAYS - 1)
        case Preset.QUARTER_TO_DATE:
            start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        case Preset.YEAR_TO_DATE:
            start = date(end.year, 1, 1)
        case Preset.LAST_12_MONTHS:
            start = _same_day_a_year_earlier(end) + timedelta(days=1)
        case Preset.ALL_TIME:
            start = min(catalogue.first_day, end)
    return start, end


def matching_preset(start: date, end: date, catalogue: Catalogue) -> Preset | None:
    """The preset whose range this is, if any (the default 90 days wins ties)."""
    ordered = [Preset.LAST_90_DAYS, *(p for p in Preset if p is not Preset.LAST_90_DAYS)]
    return next((p for p in ordered if preset_range(p, catalogue) == (start, end)), None)


def default_range(catalogue: Catalogue) -> tuple[date, date]:
    return preset_range(Preset.LAST_90_DAYS, catalogue)


def parse_search(search: str | None, catalogue: Catalogue) -> UrlState:
    """Filters from a query string; each unusable value is dropped and reported."""
    dropped: list[Dropped] = []
    values: dict[str, list[str]] = {name: [] for name in PARAMETERS}
    for name, value in parse_qsl((search or "").lstrip("?"), keep_blank_values=True):
        if name in values:
            values[name].append(value)
        else:
            dropped.append(Dropped(name, value, "unknown parameter"))

    start = _one_date("start", values["start"], dropped)
    end = _one_date("end", values["end"], dropped)
    if start is not None and end is not None and start > end:
        dropped.append(Dropped("start", start.isoformat(), f"after end {end.isoformat()}"))
        dropped.append(Dropped("end", end.isoformat(), f"before start {start.isoformat()}"))
        start = end = None
    start, end = _complete_range(start, end, catalogue)

    regions = _known("region", values["region"], catalogue.regions, dropped)
    clinics = []
    for clinic in _known("clinic", values["clinic"], frozenset(catalogue.clinic_regions), dropped):
        if regions and catalogue.clinic_regions[clinic] not in regions:
            dropped.append(Dropped("clinic", clinic, "not in the chosen regions"))
        else:
            clinics.append(clinic)
    types = _known("procedure", values["procedure"], frozenset(ProcedureType), dropped)
    filters = Filters(
        start=start,
        end=end,
        regions=tuple(regions),
        clinics=tuple(clinics),
        procedure_types=tuple(ProcedureType(t) for t in types),
    )
    return UrlState(filters=filters, dropped=tuple(dropped))


def to_search(filters: Filters, catalogue: Catalogue) -> str:
    """The canonical query string of filters ("" for the default view). The default range is
    left out, so that a bookmark without dates keeps showing the latest 90 days."""
    pairs: list[tuple[str, str]] = []
    if (filters.start, filters.end) != default_range(catalogue):
        pairs += [("start", filters.start.isoformat()), ("end", filters.end.isoformat())]
    pairs += [("region", region) for region in filters.regions]
    pairs += [("clinic", clinic) for clinic in filters.clinics]
    pairs += [("procedure", kind.value) for kind in filters.procedure_types]
    return f"?{urlencode(pairs)}" if pairs else ""


def _same_day_a_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _one_date(name: str, raw: list[str], dropped: list[Dropped]) -> date | None:
    found: date | None = None
    for value in raw:
        parsed = _parse_date(value)
        if parsed is None:
            dropped.append(Dropped(name, value, "not a date (YYYY-MM-DD)"))
        elif not EARLIEST_ALLOWED <= parsed <= LATEST_ALLOWED:
            dropped.append(Dropped(name, value, "out of range"))
        elif found is None:
            found = parsed
        elif parsed != found:
            dropped.append(Dropped(name, value, "given more than once"))
    return found


def _parse_date(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _complete_range(
    start: date | None, end: date | None, catalogue: Catalogue
) -> tuple[date, date]:
    """Fill a missing bound: no dates means the default range; a start alone runs to the
    newest data; an end alone gets the default length."""
    if start is None and end is None:
        return default_range(catalogue)
    if start is None:
        assert end is not None
        return end - timedelta(days=DEFAULT_DAYS - 1), end
    if end is None:
        return start, max(start, catalogue.last_day)
    return start, end


def _known(name: str, raw: list[str], allowed: frozenset[str], dropped: list[Dropped]) -> list[str]:
    """Values that name something known, matched exactly or else ignoring case."""
    by_folded = {value.casefold(): value for value in allowed}
    kept: list[str] = []
    for value in raw:
        match = value if value in allowed else by_folded.get(value.strip().casefold())
        if match is None:
            dropped.append(Dropped(name, value, f"unknown {name}"))
        elif match not in kept:
            kept.append(match)
    return kept
