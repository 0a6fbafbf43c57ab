"""The shared URL <-> filter bar synchronisation (``dashboard.components.url_filters``),
called as plain functions: what the URL sets in the bar, store and notice, and which query
string a change of the bar writes (page parameters kept or dropped, echoes ignored)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
import pytest

from dashboard.components.filter_bar import FilterBarIds
from dashboard.components.url_filters import UrlFilters, bar_change, notice
from dashboard.url_state import Catalogue, Dropped, UrlState, parse_search
from data_access.contract import ProcedureType
from data_access.filters import FilterError, Filters
from tests.unit.test_surveillance_figures import texts

CATALOGUE = Catalogue(
    clinic_regions={"C017": "High Plains", "C018": "High Plains", "C020": "Delta"},
    earliest=date(2023, 11, 25),
    latest=date(2026, 11, 24),
    today=date(2026, 11, 30),
)
BAR = FilterBarIds.for_page("test")
CONTROLS = ("preset", "start", "end", "regions", "clinics", "procedures")


def clinic_options(regions: Sequence[str]) -> list[dict[str, str]]:
    chosen = [c for c, r in CATALOGUE.clinic_regions.items() if not regions or r in regions]
    return [{"label": f"Clinic {c}", "value": c} for c in chosen]


def page_parse(search: str | None, known: Catalogue) -> UrlState:
    """A page whose query string also holds ``chart``, ``rates`` and ``focus``."""
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    shared = [(k, v) for k, v in pairs if k not in {"chart", "rates", "focus"}]
    return parse_search(urlencode(shared), known)


PLAIN = UrlFilters(
    bar=BAR, location="test-url", catalogue=lambda: CATALOGUE, clinic_options=clinic_options
)
FULL = UrlFilters(
    bar=BAR,
    location="test-url",
    catalogue=lambda: CATALOGUE,
    clinic_options=clinic_options,
    store="test-store",
    to_store=lambda filters: {"start": filters.start.isoformat()},
    notice="test-notice",
)
WITH_PAGE_PARAMETERS = UrlFilters(
    bar=BAR,
    location="test-url",
    catalogue=lambda: CATALOGUE,
    clinic_options=clinic_options,
    parse=page_parse,
    kept_on_change=("chart", "rates"),
)


def values(**changed: object) -> dict[str, object]:
    return {**dict.fromkeys(CONTROLS), "click": None, **changed}


def test_no_dates_fill_the_bar_with_the_default_range() -> None:
    state = PLAIN.bar_state("")
    assert state == {
        "preset": "last_90_days",
        "start": "2026-08-27",
        "end": "2026-11-24",
        "min_date": "2023-11-25",
        "max_date": "2026-11-24",
        "region_options": [
            {"label": "Delta", "value": "Delta"},
            {"label": "High Plains", "value": "High Plains"},
        ],
        "regions": [],
        "clinic_options": clinic_options(()),
        "clinics": [],
        "procedures": [],
    }
    assert PLAIN.bar_state(None) == state


def test_the_url_sets_every_control_and_clinic_options_follow_the_regions() -> None:
    state = PLAIN.bar_state(
        "?start=2025-01-01&end=2025-03-31&region=Delta&clinic=C020&procedure=dry_needling"
    )
    assert state["preset"] is None  # a custom range
    assert (state["start"], state["end"]) == ("2025-01-01", "2025-03-31")
    assert state["regions"] == ["Delta"] and state["clinics"] == ["C020"]
    assert [o["value"] for o in state["clinic_options"]] == ["C020"]
    assert state["procedures"] == ["dry_needling"]


def test_a_linked_range_outside_the_data_stays_selectable() -> None:
    state = PLAIN.bar_state("?start=2001-01-01&end=2030-01-31")
    assert (state["min_date"], state["max_date"]) == ("2001-01-01", "2030-01-31")


def test_store_and_notice_only_where_the_page_has_them() -> None:
    assert "store" not in PLAIN.bar_state("?clinic=NOPE")
    assert "notice" not in PLAIN.bar_state("?clinic=NOPE")
    state = FULL.bar_state("?clinic=NOPE&start=2025-01-01")
    assert state["store"] == {"start": "2025-01-01"}
    assert "clinic='NOPE': unknown clinic" in texts(state["notice"])
    assert FULL.bar_state("?clinic=C017")["notice"] is None


def test_the_notice_names_each_dropped_value_and_can_be_dismissed() -> None:
    assert notice(()) is None
    alert = notice((Dropped("region", "<b>x</b>", "unknown region"),))
    assert isinstance(alert, dbc.Alert) and alert.dismissable
    assert "region='<b>x</b>': unknown region" in texts(alert)


def test_a_store_needs_its_writer() -> None:
    with pytest.raises(ValueError, match="store"):
        UrlFilters(bar=BAR, location="u", catalogue=lambda: CATALOGUE,
                   clinic_options=clinic_options, store="s")  # fmt: skip


def test_controls_echoing_the_url_leave_it_alone() -> None:
    search = "?start=2025-01-01&end=2025-03-31&region=Delta"
    assert PLAIN.search_after(search, BAR.regions, values(regions=["Delta"])) is None
    dates = values(start="2025-01-01", end="2025-03-31T00:00:00")
    assert PLAIN.search_after(search, BAR.dates, dates) is None
    assert PLAIN.search_after("", BAR.preset, values(preset="last_90_days")) is None
    assert PLAIN.search_after(search, "someone-else", values()) is None


def test_a_change_writes_the_canonical_query_string() -> None:
    assert PLAIN.search_after("", BAR.regions, values(regions=["Delta"])) == "?region=Delta"
    year = PLAIN.search_after("?region=Delta", BAR.preset, values(preset="year_to_date"))
    assert year == "?start=2026-01-01&end=2026-11-24&region=Delta"
    kinds = PLAIN.search_after("", BAR.procedures, values(procedures=["tpi_saline"]))
    assert kinds == "?procedure=tpi_saline"
    # Back to the default range: the dates leave the URL.
    assert PLAIN.search_after(year, BAR.preset, values(preset="last_90_days")) == "?region=Delta"


def test_unusable_control_values_leave_the_url_alone() -> None:
    for bad in (
        values(start="2025-02-01", end="2025-01-01"),
        values(start=None, end="2025-01-01"),
        values(start="2025-02-30", end="2025-03-01"),
    ):
        assert PLAIN.search_after("", BAR.dates, bad) is None
    assert PLAIN.search_after("", BAR.procedures, values(procedures=["laser"])) is None
    assert PLAIN.search_after("", BAR.preset, values(preset="fortnight")) is None


def test_choosing_regions_drops_clinics_outside_them() -> None:
    search = "?region=High+Plains&clinic=C017"
    assert PLAIN.search_after(search, BAR.regions, values(regions=["Delta"])) == "?region=Delta"
    both = PLAIN.search_after(search, BAR.regions, values(regions=["Delta", "High Plains"]))
    assert both == "?region=Delta&region=High+Plains&clinic=C017"


def test_reset_goes_back_to_the_default_view_even_from_it() -> None:
    assert PLAIN.search_after("?region=Delta&start=2025-01-01", BAR.reset, values()) == ""
    # Writing "" again makes the URL callback set the bar again, whatever it shows.
    assert PLAIN.search_after("", BAR.reset, values()) == ""
    assert WITH_PAGE_PARAMETERS.search_after("?chart=network&rates=severity", BAR.reset,
                                             values()) == ""  # fmt: skip


def test_page_parameters_survive_a_change_only_when_kept() -> None:
    current = "?chart=region%3ADelta&focus=C020&rates=severity&region=Delta"
    after = WITH_PAGE_PARAMETERS.search_after(current, BAR.preset, values(preset="last_30_days"))
    assert after is not None
    assert parse_qsl(after.lstrip("?")) == [
        ("start", "2026-10-26"),
        ("end", "2026-11-24"),
        ("region", "Delta"),
        ("chart", "region:Delta"),
        ("rates", "severity"),
    ]
    # The page's parameters are not filters: the bar echoing them changes nothing.
    echo = WITH_PAGE_PARAMETERS.search_after(current, BAR.regions, values(regions=["Delta"]))
    assert echo is None


def test_a_page_rule_handles_its_own_triggers() -> None:
    seen: list[tuple[Any, object]] = []

    def rule(current: Filters, trigger: Any, given: Mapping[str, Any], known: Catalogue):
        seen.append((trigger, given["click"]))
        if isinstance(trigger, Mapping):
            return Filters(current.start, current.end, procedure_types=(ProcedureType.OTHER,))
        return bar_change(BAR, current, trigger, given, known)

    clicking = UrlFilters(bar=BAR, location="u", catalogue=lambda: CATALOGUE,
                          clinic_options=clinic_options, change=rule)  # fmt: skip
    chart = {"type": "chart", "panel": "p"}
    assert clicking.search_after("", chart, values(click={"points": []})) == "?procedure=other"
    assert clicking.search_after("", BAR.clinics, values(clinics=["C018"])) == "?clinic=C018"
    assert seen == [(chart, {"points": []}), (BAR.clinics, None)]


def test_a_rule_refusing_the_change_leaves_the_url_alone() -> None:
    def refuse(*_: object) -> Filters:
        raise FilterError("no")

    refusing = UrlFilters(bar=BAR, location="u", catalogue=lambda: CATALOGUE,
                          clinic_options=clinic_options, change=refuse)  # fmt: skip
    assert refusing.search_after("", BAR.regions, values(regions=["Delta"])) is None
