"""Fuzzing the overview's URL parser (``dashboard.url_state.parse_search``): whatever a pasted
or hand-edited link holds, the page gets valid filters and a notice for each ignored value,
never an exception (a raising parser would be a 500 on the page's first callback)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.url_state import PARAMETERS, Catalogue, parse_search
from data_access.contract import ProcedureType
from data_access.filters import Filters

CATALOGUE = Catalogue(
    clinic_regions={"C017": "High Plains", "C018": "High Plains", "C020": "Delta", "c-x": "Delta"},
    earliest=date(2023, 11, 25),
    latest=date(2026, 11, 24),
    today=date(2026, 11, 30),
)
EMPTY_CATALOGUE = Catalogue(clinic_regions={}, today=date(2026, 11, 30))

#: Values near the valid ones (so both the kept and the dropped paths are exercised), dates
#: at and beyond the allowed bounds, and arbitrary text.
_plausible = st.sampled_from(
    [
        "C017",
        "c017",
        " C020 ",
        "c-x",
        "High Plains",
        "high plains",
        "Delta",
        "dry_needling",
        "DRY_NEEDLING",
        "other",
        "2025-01-01",
        "2025-02-29",
        "2024-02-29",
        "1899-12-31",
        "1900-01-01",
        "2199-12-31",
        "2200-01-01",
        "0001-01-01",
        "9999-12-31",
        "2025-1-1",
        "",
    ]
)
_dates = st.dates().map(date.isoformat)
_value = st.one_of(_plausible, _dates, st.text(max_size=20))
_name = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8))
_pairs = st.lists(st.tuples(_name, _value), max_size=12)


def _check(search: str, catalogue: Catalogue) -> None:
    state = parse_search(search, catalogue)
    filters = state.filters
    assert isinstance(filters, Filters)
    # Re-validate: the object must satisfy its own invariants when rebuilt from its fields.
    assert Filters(**vars(filters)) == filters
    assert filters.start <= filters.end
    assert set(filters.clinics) <= set(catalogue.clinic_regions)
    assert set(filters.regions) <= catalogue.regions
    assert all(isinstance(kind, ProcedureType) for kind in filters.procedure_types)
    for dropped in state.dropped:
        assert dropped.reason
        assert str(dropped)  # the notice line the page shows


@settings(derandomize=True, max_examples=400, deadline=None)
@given(pairs=_pairs)
def test_any_parameters_give_valid_filters_and_a_notice_per_dropped_value(
    pairs: list[tuple[str, str]],
) -> None:
    search = "?" + urlencode(pairs)
    state = parse_search(search, CATALOGUE)
    _check(search, CATALOGUE)
    # Every value given is either used or reported: count the reports against what was sent.
    parsed = parse_qsl(search.lstrip("?"), keep_blank_values=True)
    unknown = [(n, v) for n, v in parsed if n not in PARAMETERS]
    reported_unknown = [
        (d.parameter, d.value) for d in state.dropped if d.reason == "unknown parameter"
    ]
    assert reported_unknown == unknown
    for name in ("region", "clinic", "procedure"):
        sent = [v for n, v in parsed if n == name]
        dropped = [d for d in state.dropped if d.parameter == name]
        kept = {
            "region": state.filters.regions,
            "clinic": state.filters.clinics,
            "procedure": state.filters.procedure_types,
        }[name]
        # A value is kept (maybe folded to its canonical case, maybe as a repeat) or dropped.
        assert len(dropped) <= len(sent)
        assert len(kept) <= len(sent) - len(dropped)
        if sent and not kept:
            assert len(dropped) == len(sent)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(search=st.one_of(st.text(max_size=60), st.none()))
def test_raw_text_never_raises(search: str | None) -> None:
    parse_search(search, CATALOGUE)
    parse_search(search, EMPTY_CATALOGUE)
    if search is not None:
        _check(search, CATALOGUE)
        _check(search, EMPTY_CATALOGUE)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    pairs=_pairs,
    earliest=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    latest=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
)
def test_any_catalogue_dates_give_valid_filters(
    pairs: list[tuple[str, str]], earliest: date | None, latest: date | None, today: date
) -> None:
    catalogue = Catalogue(
        clinic_regions=CATALOGUE.clinic_regions, earliest=earliest, latest=latest, today=today
    )
    _check("?" + urlencode(pairs), catalogue)
