"""The overview's URL <-> filters round trip, dropped values, presets, and the filter changes
that controls and chart clicks make (``dashboard.url_state``, ``dashboard.panels.filters``)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.panels import ids
from dashboard.panels.filters import next_filters
from dashboard.url_state import (
    Catalogue,
    Dropped,
    Preset,
    default_range,
    matching_preset,
    parse_search,
    preset_range,
    to_search,
)
from data_access.contract import ProcedureType
from data_access.filters import Filters

CATALOGUE = Catalogue(
    clinic_regions={"C017": "High Plains", "C018": "High Plains", "C020": "Delta", "c-x": "Delta"},
    earliest=date(2023, 11, 25),
    latest=date(2026, 11, 24),
    today=date(2026, 11, 30),
)
BAR = ids.FILTER_BAR


def test_the_issue_example_round_trips() -> None:
    search = (
        "?start=2025-01-01&end=2025-03-31&region=High+Plains&clinic=C017&procedure=dry_needling"
    )
    state = parse_search(search, CATALOGUE)
    assert state.dropped == ()
    assert state.filters == Filters(
        start=date(2025, 1, 1),
        end=date(2025, 3, 31),
        regions=("High Plains",),
        clinics=("C017",),
        procedure_types=(ProcedureType.DRY_NEEDLING,),
    )
    assert to_search(state.filters, CATALOGUE) == search


def test_no_dates_means_the_last_90_days_of_data_not_of_today() -> None:
    state = parse_search("", CATALOGUE)
    assert (state.filters.start, state.filters.end) == (date(2026, 8, 27), date(2026, 11, 24))
    assert state.filters.days == 90
    assert to_search(state.filters, CATALOGUE) == ""
    assert parse_search(None, CATALOGUE).filters == state.filters


def test_the_default_range_is_left_out_of_the_url_but_other_filters_stay() -> None:
    start, end = default_range(CATALOGUE)
    filters = Filters(start=start, end=end, regions=("Delta",))
    assert to_search(filters, CATALOGUE) == "?region=Delta"


def test_repeated_values_and_several_of_each() -> None:
    state = parse_search(
        "?region=Delta&region=High+Plains&clinic=C017&clinic=C020&procedure=other"
        "&procedure=tpi_saline&procedure=other",
        CATALOGUE,
    )
    assert state.dropped == ()
    assert state.filters.regions == ("Delta", "High Plains")
    assert state.filters.clinics == ("C017", "C020")
    assert state.filters.procedure_types == (ProcedureType.OTHER, ProcedureType.TPI_SALINE)


@pytest.mark.parametrize(
    ("search", "dropped"),
    [
        ("?start=2025-13-01", [Dropped("start", "2025-13-01", "not a date (YYYY-MM-DD)")]),
        ("?end=20250101", [Dropped("end", "20250101", "not a date (YYYY-MM-DD)")]),
        ("?start=0001-01-01", [Dropped("start", "0001-01-01", "out of range")]),
        ("?region=Atlantis", [Dropped("region", "Atlantis", "unknown region")]),
        ("?clinic=C999", [Dropped("clinic", "C999", "unknown clinic")]),
        ("?procedure=acupuncture", [Dropped("procedure", "acupuncture", "unknown procedure")]),
        ("?colour=red", [Dropped("colour", "red", "unknown parameter")]),
        ("?clinic=", [Dropped("clinic", "", "unknown clinic")]),
        (
            "?start=2025-03-01&end=2025-02-01",
            [
                Dropped("start", "2025-03-01", "after end 2025-02-01"),
                Dropped("end", "2025-02-01", "before start 2025-03-01"),
            ],
        ),
        (
            "?region=Delta&clinic=C017",
            [Dropped("clinic", "C017", "not in the chosen regions")],
        ),
        (
            "?start=2025-01-01&start=2025-02-01",
            [Dropped("start", "2025-02-01", "given more than once")],
        ),
    ],
)
def test_unusable_values_are_dropped_and_named(search: str, dropped: list[Dropped]) -> None:
    assert list(parse_search(search, CATALOGUE).dropped) == dropped


def test_valid_values_survive_beside_dropped_ones() -> None:
    state = parse_search(
        "?start=xx&end=2025-06-30&region=Atlantis&region=Delta&clinic=C020&procedure=bad"
        "&procedure=tpi_corticosteroid",
        CATALOGUE,
    )
    assert [d.value for d in state.dropped] == ["xx", "Atlantis", "bad"]
    assert state.filters.end == date(2025, 6, 30)
    assert state.filters.days == 90  # an end alone gets the default length
    assert state.filters.regions == ("Delta",)
    assert state.filters.clinics == ("C020",)
    assert state.filters.procedure_types == (ProcedureType.TPI_CORTICOSTEROID,)


def test_a_start_alone_runs_to_the_newest_data() -> None:
    state = parse_search("?start=2026-01-01", CATALOGUE)
    assert (state.filters.start, state.filters.end) == (date(2026, 1, 1), date(2026, 11, 24))
    later = parse_search("?start=2027-01-05", CATALOGUE)
    assert (later.filters.start, later.filters.end) == (date(2027, 1, 5), date(2027, 1, 5))


def test_names_match_ignoring_case_and_markup_is_only_text() -> None:
    state = parse_search("?region=delta&clinic=C-X&clinic=%3Cscript%3E", CATALOGUE)
    assert state.filters.regions == ("Delta",)
    assert state.filters.clinics == ("c-x",)
    assert state.dropped == (Dropped("clinic", "<script>", "unknown clinic"),)
    assert "clinic='<script>'" in str(state.dropped[0])


def test_query_strings_are_encoded() -> None:
    filters = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31), regions=("High Plains",))
    assert to_search(filters, CATALOGUE) == "?start=2025-01-01&end=2025-01-31&region=High+Plains"
    catalogue = Catalogue(clinic_regions={"A&B=1": "R/ö"}, latest=date(2025, 1, 31))
    odd = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31), clinics=("A&B=1",))
    assert parse_search(to_search(odd, catalogue), catalogue).filters == odd


@pytest.mark.parametrize(
    ("preset", "start"),
    [
        (Preset.LAST_30_DAYS, date(2026, 10, 26)),
        (Preset.LAST_90_DAYS, date(2026, 8, 27)),
        (Preset.QUARTER_TO_DATE, date(2026, 10, 1)),
        (Preset.YEAR_TO_DATE, date(2026, 1, 1)),
        (Preset.LAST_12_MONTHS, date(2025, 11, 25)),
        (Preset.ALL_TIME, date(2023, 11, 25)),
    ],
)
def test_presets_end_on_the_newest_data(preset: Preset, start: date) -> None:
    assert preset_range(preset, CATALOGUE) == (start, date(2026, 11, 24))
    assert matching_preset(start, date(2026, 11, 24), CATALOGUE) is preset


def test_presets_on_29_february_and_an_empty_database() -> None:
    leap = Catalogue(clinic_regions={}, latest=date(2024, 2, 29))
    assert preset_range(Preset.LAST_12_MONTHS, leap) == (date(2023, 3, 1), date(2024, 2, 29))
    empty = Catalogue(clinic_regions={}, today=date(2026, 5, 1))
    assert preset_range(Preset.ALL_TIME, empty) == (date(2026, 5, 1), date(2026, 5, 1))
    assert parse_search("", empty).filters.end == date(2026, 5, 1)
    assert matching_preset(date(2026, 4, 1), date(2026, 4, 2), empty) is None


CURRENT = Filters(
    start=date(2026, 8, 27), end=date(2026, 11, 24), regions=("High Plains",), clinics=("C017",)
)


def click(code: str) -> dict[str, object]:
    return {"points": [{"customdata": [code, "a name", 12]}]}


def change(trigger: object, **values: object) -> Filters:
    defaults = {key: None for key in ("preset", "start", "end", "regions", "clinics", "procedures")}
    return next_filters(CURRENT, trigger, {**defaults, "click": None, **values}, CATALOGUE)


def test_controls_change_one_thing_each() -> None:
    assert change(BAR.preset, preset="last_30_days").start == date(2026, 10, 26)
    assert change(BAR.preset, preset=None) == CURRENT
    dated = change(BAR.dates, start="2026-01-01", end="2026-01-31T00:00:00")
    assert (dated.start, dated.end, dated.clinics) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
        ("C017",),
    )
    assert change(BAR.dates, start="2026-02-01", end="2026-01-01") == CURRENT
    assert change(BAR.dates, start=None, end="2026-01-01") == CURRENT
    assert change(BAR.procedures, procedures=["tpi_saline"]).procedure_types == (
        ProcedureType.TPI_SALINE,
    )
    assert change(BAR.clinics, clinics=[]).clinics == ()
    reset = change(BAR.reset)
    assert reset == Filters(start=date(2026, 8, 27), end=date(2026, 11, 24))


def test_choosing_regions_drops_clinics_outside_them() -> None:
    assert change(BAR.regions, regions=["Delta"]).clinics == ()
    assert change(BAR.regions, regions=["Delta", "High Plains"]).clinics == ("C017",)
    assert change(BAR.regions, regions=[]).clinics == ("C017",)


def test_clicking_a_clinic_selects_it_and_clicking_it_again_clears_it() -> None:
    clinic_chart = ids.clinic_chart("volume-by-clinic")
    other = change(clinic_chart, click=click("C018"))
    assert other.clinics == ("C018",)
    assert change(clinic_chart, click=click("C017")).clinics == ()
    assert change(clinic_chart, click=click("nope")) == CURRENT
    assert change(clinic_chart, click={"points": []}) == CURRENT
    assert change(clinic_chart, click=None) == CURRENT


def test_clicking_a_procedure_type_toggles_it() -> None:
    type_chart = ids.type_chart("volume-trend")
    chosen = change(type_chart, click={"points": [{"customdata": "dry_needling"}]})
    assert chosen.procedure_types == (ProcedureType.DRY_NEEDLING,)
    again = next_filters(
        chosen,
        type_chart,
        {"click": {"points": [{"customdata": "dry_needling"}]}},
        CATALOGUE,
    )
    assert again.procedure_types == ()
    assert change(type_chart, click=click("C017")) == CURRENT
