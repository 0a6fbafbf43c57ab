"""Histogram quantiles must equal numpy.quantile on the expanded sample, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.statistics import grouped_quantiles, quantiles_from_counts


def test_worked_examples() -> None:
    # Sample 1, 1, 1, 5, 5: h = 4q lands on whole indices 1, 2, 3.
    assert quantiles_from_counts({1: 3, 5: 2}) == (1.0, 1.0, 5.0)
    # Sample 0, 10: h = q, so the quartiles interpolate to 2.5, 5, 7.5.
    assert quantiles_from_counts({10: 1, 0: 1}) == (2.5, 5.0, 7.5)
    assert quantiles_from_counts({4: 7}, qs=(0.0, 0.3, 1.0)) == (4.0, 4.0, 4.0)
    assert quantiles_from_counts({-3: 1, 2: 0, 8: 1}, qs=(0.0, 1.0)) == (-3.0, 8.0)


def test_empty_histograms_give_nan() -> None:
    for counts in ({}, {3: 0, 4: 0}):
        result = quantiles_from_counts(counts)
        assert len(result) == 3 and all(math.isnan(v) for v in result)
    assert quantiles_from_counts({1: 2}, qs=()) == ()


def test_invalid_arguments_raise_like_numpy() -> None:
    with pytest.raises(ValueError, match="quantiles"):
        quantiles_from_counts({1: 1}, qs=(1.5,))
    with pytest.raises(ValueError, match="quantiles"):
        quantiles_from_counts({1: 1}, qs=(float("nan"),))
    with pytest.raises(ValueError, match="negative"):
        quantiles_from_counts({1: -1})


histograms = st.dictionaries(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=0, max_value=40),
    max_size=25,
)
quantile_lists = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=8)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(counts=histograms, qs=quantile_lists)
def test_matches_numpy_quantile_exactly(counts: dict[int, int], qs: list[float]) -> None:
    sample = np.repeat(list(counts.keys()), list(counts.values()))
    result = quantiles_from_counts(counts, qs)
    if sample.size == 0:
        assert all(math.isnan(v) for v in result)
        return
    # One call with the whole list and one per q: numpy takes slightly different paths.
    assert result == tuple(np.quantile(sample, qs).tolist())
    assert result == tuple(float(np.quantile(sample, q)) for q in qs)


@settings(max_examples=50, derandomize=True, database=None, deadline=None)
@given(counts=st.dictionaries(st.integers(0, 10), st.integers(0, 100_000), min_size=1, max_size=11))
def test_matches_numpy_on_large_counts(counts: dict[int, int]) -> None:
    sample = np.repeat(list(counts.keys()), list(counts.values()))
    qs = (0.1, 0.25, 0.5, 0.75, 0.9, 0.999)
    expected = tuple(np.quantile(sample, qs).tolist()) if sample.size else (math.nan,) * 6
    result = quantiles_from_counts(counts, qs)
    assert result == expected or (sample.size == 0 and all(math.isnan(v) for v in result))


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    groups=st.lists(histograms, min_size=1, max_size=8),
    q=st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(min_value=0.0, max_value=1.0)),
    seed=st.integers(0, 2**32 - 1),
)
def test_grouped_quantiles_equal_one_histogram_at_a_time(
    groups: list[dict[int, int]], q: float, seed: int
) -> None:
    rows = [(g, value, count) for g, counts in enumerate(groups) for value, count in counts.items()]
    np.random.default_rng(seed).shuffle(rows)  # any order of rows
    group, value, count = (np.array([row[i] for row in rows], dtype=np.int64) for i in range(3))
    size = len(groups) + 1  # and a group with no rows at all
    result = grouped_quantiles(group, value, count, q, size=size).tolist()
    expected = [quantiles_from_counts(counts, (q,))[0] for counts in groups] + [math.nan]
    assert len(result) == size
    for got, want in zip(result, expected, strict=True):
        assert got == want or (math.isnan(got) and math.isnan(want)), (got, want)


def test_grouped_quantiles_reject_what_one_histogram_rejects() -> None:
    one = np.array([0])
    with pytest.raises(ValueError, match="quantiles"):
        grouped_quantiles(one, one, one, 1.5, size=1)
    with pytest.raises(ValueError, match="negative"):
        grouped_quantiles(one, one, np.array([-1]), 0.5, size=1)
