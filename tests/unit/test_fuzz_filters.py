"""Fuzzing :class:`data_access.filters.Filters`: any input either builds valid filters or raises
:class:`FilterError`, never another exception, so a caller needs to catch exactly one type."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.contract import ProcedureType
from data_access.filters import FilterError, Filters

_junk = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=10),
    st.binary(max_size=4),
    st.booleans(),
)
_bound = st.one_of(st.dates(), st.datetimes(), _junk)
_text_item = st.one_of(st.text(max_size=10), _junk)
_type_item = st.one_of(
    st.sampled_from(list(ProcedureType)),
    st.sampled_from([t.value for t in ProcedureType]),
    _text_item,
)


def _collection(items: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists, tuples, sets and generators of items, or a single bare value."""
    return st.one_of(
        st.lists(items, max_size=4),
        st.lists(items, max_size=4).map(tuple),
        st.lists(st.text(max_size=5), max_size=4).map(frozenset),
        _junk,
    )


@settings(derandomize=True, max_examples=600, deadline=None)
@given(
    start=_bound,
    end=_bound,
    regions=_collection(_text_item),
    clinics=_collection(_text_item),
    procedure_types=_collection(_type_item),
)
def test_filters_build_or_raise_filter_error(
    start: Any, end: Any, regions: Any, clinics: Any, procedure_types: Any
) -> None:
    try:
        filters = Filters(
            start=start,
            end=end,
            regions=regions,
            clinics=clinics,
            procedure_types=procedure_types,
        )
    except FilterError as error:
        assert str(error)
        return
    # Built: the invariants every query function relies on hold.
    assert type(filters.start) is date and type(filters.end) is date
    assert filters.start <= filters.end
    for values in (filters.regions, filters.clinics):
        assert isinstance(values, tuple)
        assert all(isinstance(v, str) and v.strip() for v in values)
        assert list(values) == sorted(set(values))
    assert all(isinstance(t, ProcedureType) for t in filters.procedure_types)
    assert hash(filters) == hash(Filters(**vars(filters)))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(start=st.dates(), end=st.dates())
def test_previous_period_of_valid_filters_builds_or_raises_filter_error(
    start: date, end: date
) -> None:
    start, end = min(start, end), max(start, end)
    filters = Filters(start=start, end=end)
    try:
        previous = filters.previous_period()
    except FilterError:
        return
    assert previous.days == filters.days


def test_a_datetime_bound_is_refused_not_compared() -> None:
    # Found by the fuzzer: datetime is a subclass of date, and comparing it with a date raised
    # TypeError instead of FilterError.
    with pytest.raises(FilterError, match="must be dates"):
        Filters(start=date(2025, 1, 1), end=datetime(2025, 1, 2))


@pytest.mark.parametrize("bare", ["C017", None, 7])
def test_a_bare_value_instead_of_a_list_is_refused(bare: Any) -> None:
    # Found by the fuzzer: None or 7 raised TypeError; a bare string was split into letters.
    with pytest.raises(FilterError, match="expected a list"):
        Filters(start=date(2025, 1, 1), end=date(2025, 1, 2), clinics=bare)


def test_previous_period_before_the_first_representable_date_is_refused() -> None:
    # Found by the fuzzer: this raised OverflowError.
    with pytest.raises(FilterError, match="no period"):
        Filters(start=date(1, 1, 5), end=date(1, 1, 10)).previous_period()
