"""The fixed script of filter changes the benchmark replays, and the figures each one asks for.

Benchmark support. Dates are fixed against the generated network (5 years ending on
``bench.dataset.END``); the region and clinic are picked from the network's manifest (the
largest region, and a clinic of median volume), so the script is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from data_access.filters import Filters, Grain, Scope
from data_access.queries import (
    adverse_events,
    clinics,
    event_trends,
    kpis,
    referrals,
    relief,
    soreness,
    volumes,
)
from data_access.queries.naive import adverse_events as naive_adverse_events
from data_access.queries.naive import clinics as naive_clinics
from data_access.queries.naive import event_trends as naive_event_trends
from data_access.queries.naive import kpis as naive_kpis
from data_access.queries.naive import referrals as naive_referrals
from data_access.queries.naive import relief as naive_relief
from data_access.queries.naive import soreness as naive_soreness
from data_access.queries.naive import volumes as naive_volumes


@dataclass(frozen=True)
class FilterChange:
    name: str
    start: date
    end: date
    regions: tuple[str, ...] = ()
    clinics: tuple[str, ...] = ()
    procedure_types: tuple[str, ...] = ()

    def filters(self) -> Filters:
        return Filters(
            start=self.start,
            end=self.end,
            regions=self.regions,
            clinics=self.clinics,
            procedure_types=self.procedure_types,
        )

    def search(self) -> str:
        """The overview's URL query string for these filters (``dashboard.url_state``)."""
        from urllib.parse import urlencode

        pairs = [("start", self.start.isoformat()), ("end", self.end.isoformat())]
        pairs += [("region", r) for r in self.regions]
        pairs += [("clinic", c) for c in self.clinics]
        pairs += [("procedure", t) for t in self.procedure_types]
        return "?" + urlencode(pairs)


def filter_changes(manifest: Mapping[str, Any]) -> list[FilterChange]:
    clinics_ = manifest["clinics"]
    by_region: dict[str, list[str]] = {}
    for row in clinics_:
        by_region.setdefault(row["region"], []).append(row["clinic_id"])
    largest = max(sorted(by_region), key=lambda r: len(by_region[r]))
    smallest = min(sorted(by_region), key=lambda r: len(by_region[r]))
    clinic = sorted(c["clinic_id"] for c in clinics_)[len(clinics_) // 2]
    first, last = (
        date.fromisoformat(manifest["first_day"]),
        date.fromisoformat(manifest["last_day"]),
    )
    return [
        FilterChange("network, 2025", date(2025, 1, 1), date(2025, 12, 31)),
        FilterChange("one region, 2025", date(2025, 1, 1), date(2025, 12, 31), regions=(largest,)),
        FilterChange("one clinic, 2025", date(2025, 1, 1), date(2025, 12, 31), clinics=(clinic,)),
        FilterChange(
            "one type, 2025",
            date(2025, 1, 1),
            date(2025, 12, 31),
            procedure_types=("dry_needling",),
        ),
        FilterChange("network, five years", first, last),
        FilterChange("network, 17 Mar 2024 - 9 Feb 2025", date(2024, 3, 17), date(2025, 2, 9)),
        FilterChange(
            "one region, 5 Jun - 27 Sep 2023",
            date(2023, 6, 5),
            date(2023, 9, 27),
            regions=(smallest,),
        ),
        FilterChange("network, last 90 days", date(2026, 8, 3), last),
    ]


Figure = tuple[str, Callable[..., Any], Callable[..., Any], Callable[[Filters], dict[str, Any]]]


def _grain(filters: Filters) -> dict[str, Any]:
    return {"grain": Grain.for_range(filters.start, filters.end)}


def _none(_: Filters) -> dict[str, Any]:
    return {}


#: The figure functions the overview asks for on a filter change: (name, fast, naive, options).
FIGURES: list[Figure] = [
    ("kpi_totals", kpis.kpi_totals, naive_kpis.kpi_totals, _none),
    ("clinic_figures", clinics.clinic_figures, naive_clinics.clinic_figures, _none),
    ("volume_trend", volumes.volume_trend, naive_volumes.volume_trend, _grain),
    (
        "soreness_by_days_after",
        soreness.soreness_by_days_after,
        naive_soreness.soreness_by_days_after,
        _none,
    ),
    ("soreness_by_clinic", soreness.soreness_by_clinic, naive_soreness.soreness_by_clinic, _none),
    ("immediate_relief", relief.immediate_relief, naive_relief.immediate_relief, _none),
    ("event_series", adverse_events.event_series, naive_adverse_events.event_series, _grain),
    (
        "events_by_type_and_severity",
        adverse_events.events_by_type_and_severity,
        naive_adverse_events.events_by_type_and_severity,
        _none,
    ),
    (
        "rates_by_procedure_type",
        adverse_events.rates_by_procedure_type,
        naive_adverse_events.rates_by_procedure_type,
        _none,
    ),
    (
        "event_series_by_clinic",
        event_trends.event_series_by_clinic,
        naive_event_trends.event_series_by_clinic,
        lambda f: {"grain": Grain.MONTH},
    ),
    (
        "referrals_by_clinic_and_source",
        referrals.referrals_by_clinic_and_source,
        naive_referrals.referrals_by_clinic_and_source,
        _none,
    ),
    ("referral_trend", referrals.referral_trend, naive_referrals.referral_trend, _grain),
    (
        "referral_conversion",
        referrals.referral_conversion,
        naive_referrals.referral_conversion,
        _none,
    ),
]

EVERYTHING = Scope.everything()
