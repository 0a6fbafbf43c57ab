"""Small-cell suppression: what is shown, and that no hidden small count can be recovered.

The recovery check is independent of the engine: an integer programme (scipy's ``milp``) plays
the reader, who knows every shown cell, every row/column/grand total the view shows (exactly,
unless itself small, then only 1..10), that a "<11" cell is 1..10 and a "*" cell is any count,
and asks for the smallest and largest value each small cell could have. They must differ.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from dashboard.cell_protection import Kind, Line, protect
from dashboard.suppression import (
    COMPLEMENTARY,
    apply_suppression,
    format_count,
    suppress_counts,
    suppress_kpis,
    suppression_note,
)

T = 11
BIG = 10_000


def reader_ranges(table: np.ndarray, shown: np.ndarray, primary: np.ndarray) -> dict:
    """For each small (1..10) cell: (min, max) over all integer tables consistent with what the
    reader sees: shown cells, the row totals, the column totals and the grand total."""
    rows, cols = table.shape
    n = rows * cols
    lo = np.where(shown, table, np.where(primary, 1, 0)).ravel().astype(float)
    hi = np.where(shown, table, np.where(primary, T - 1, BIG)).ravel().astype(float)
    a_rows, lows, highs = [], [], []

    def total(mask: np.ndarray, value: int) -> None:
        a_rows.append(mask.ravel().astype(float))
        small = 1 <= value < T
        lows.append(1 if small else value)
        highs.append(T - 1 if small else value)

    for r in range(rows):
        mask = np.zeros((rows, cols))
        mask[r, :] = 1
        total(mask, int(table[r].sum()))
    for c in range(cols):
        mask = np.zeros((rows, cols))
        mask[:, c] = 1
        total(mask, int(table[:, c].sum()))
    total(np.ones((rows, cols)), int(table.sum()))
    constraint = LinearConstraint(np.array(a_rows), lows, highs)
    ranges = {}
    for index in np.flatnonzero(((table >= 1) & (table < T)).ravel()):
        objective = np.zeros(n)
        objective[index] = 1
        found = []
        for sign in (1, -1):
            result = milp(
                sign * objective,
                constraints=constraint,
                integrality=np.ones(n),
                bounds=Bounds(lo, hi),
            )
            assert result.success, result.message
            found.append(round(sign * result.fun))
        ranges[divmod(int(index), cols)] = tuple(found)
    return ranges


def suppress_table(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Suppress a cross-tab in long form with row, column and grand totals known."""
    rows, cols = table.shape
    frame = pd.DataFrame(
        [{"row": r, "col": c, "n": int(table[r, c])} for r in range(rows) for c in range(cols)]
    )
    result = apply_suppression(frame, ["n"], threshold=T, margins=[(), ("row",), ("col",)])
    primary = result.primary["n"].to_numpy().reshape(rows, cols)
    hidden = result.hidden["n"].to_numpy().reshape(rows, cols)
    return primary, ~hidden


def test_counts_from_one_to_ten_show_as_less_than_eleven_and_zero_is_shown() -> None:
    frame = pd.DataFrame({"clinic": ["A", "B", "C"], "n": [0, 10, 11]})
    shown = suppress_counts(frame, ["n"], threshold=11, margins=[])
    assert shown["n"].tolist() == [0, "<11", 11]
    assert suppress_counts(frame, ["n"], threshold=None, margins=[])["n"].tolist() == [0, 10, 11]


def test_a_lone_small_cell_gets_a_complementary_partner_against_the_total() -> None:
    frame = pd.DataFrame({"clinic": list("ABCD"), "n": [120, 4, 40, 25]})
    result = apply_suppression(frame, ["n"], threshold=11)
    assert result.display["n"].tolist() == [120, "<11", 40, COMPLEMENTARY]
    assert np.isnan(result.numeric["n"].iloc[1]) and np.isnan(result.numeric["n"].iloc[3])


def test_rates_of_hidden_numerators_or_denominators_are_blanked() -> None:
    frame = pd.DataFrame(
        {"clinic": list("ABC"), "procedures": [200, 150, 300], "events": [3, 20, 30]}
    )
    frame["rate"] = 1000 * frame["events"] / frame["procedures"]
    result = apply_suppression(
        frame, ["procedures", "events"], {"rate": ("events", "procedures")}, threshold=11
    )
    assert result.display["events"].tolist() == ["<11", COMPLEMENTARY, 30]
    assert result.display["rate"].tolist()[:2] == [None, None]
    assert result.display["rate"].iloc[2] == pytest.approx(100.0)
    assert math.isnan(result.numeric["rate"].iloc[0])


def test_a_small_remainder_of_a_part_and_whole_pair_is_protected() -> None:
    # 95 of 100 followed up: 5 were not, which 100 - 95 would reveal.
    frame = pd.DataFrame({"clinic": ["A", "B"], "procedures": [100, 300], "followed": [95, 200]})
    frame["rate"] = frame["followed"] / frame["procedures"]
    result = apply_suppression(
        frame,
        ["procedures", "followed"],
        {"rate": ("followed", "procedures")},
        threshold=11,
        subsets={"followed": "procedures"},
    )
    row = result.display.iloc[0]
    assert COMPLEMENTARY in (row["procedures"], row["followed"])
    assert row["rate"] is None


def test_all_ones_in_a_line_is_not_left_recoverable() -> None:
    # Two hidden cells adding to 2 with each at least 1: both are 1 unless a third is hidden.
    values = [1, 1, 50, 52]
    lines = [Line(total=3, parts=(0, 1, 2))]
    result = protect(values, [Kind.CELL] * 3 + [Kind.TOTAL], lines, threshold=T)
    assert result.primary == {0, 1} and result.complementary == {2}


def test_no_threshold_means_no_change() -> None:
    frame = pd.DataFrame({"n": [1, 2]})
    result = apply_suppression(frame, ["n"], threshold=None)
    assert result.display["n"].tolist() == [1, 2] and not result.hidden.any().any()


def test_kpis() -> None:
    kpis = {
        "procedures": 165,
        "patients": 7,
        "adverse_events": 4,
        "ae_rate_per_1000": 24.2,
        "followup_rate": 160 / 165,  # 5 procedures not followed up
        "median_soreness": 3.0,
        "referrals": 30,
        "referrals_by_source": {"self": 3, "primary_care": 27},
    }
    shown = suppress_kpis(kpis, 11)
    assert shown["patients"] == "<11" and shown["adverse_events"] == "<11"
    assert shown["ae_rate_per_1000"] is None
    assert shown["followup_rate"] is None and shown["median_soreness"] is None
    assert shown["referrals_by_source"] == {"self": "<11", "primary_care": COMPLEMENTARY}
    assert shown["procedures"] == 165 and shown["referrals"] == 30
    assert suppress_kpis(kpis, None) == kpis
    empty = dict(kpis, procedures=0, patients=0, adverse_events=0, ae_rate_per_1000=None)
    empty.update(followup_rate=None, median_soreness=None, referrals=0, referrals_by_source={})
    assert suppress_kpis(empty, 11)["procedures"] == 0


def test_format_count_and_note() -> None:
    assert format_count(0, True) == "0"
    assert format_count(7, True) == "<11"
    assert format_count(7, False) == "7"
    assert format_count(1234, True) == "1,234"
    assert format_count(None, True) == "—"
    assert format_count(12, True, threshold=20) == "<20"
    assert '"<11"' in suppression_note(11) and "1 to 10" in suppression_note(11)


@pytest.mark.parametrize(
    "table",
    [
        [[5, 30], [40, 50]],  # one small cell: its row, column and a partner cell go
        [[1, 1, 50], [20, 30, 40]],
        [[3, 0, 0], [0, 0, 0], [12, 15, 0]],
        [[10, 10], [10, 10]],  # disclosed by the margins alone (20 = 10 + 10, each <= 10)
        [[0, 0], [1, 11]],  # likewise: 12 - (11 - 0) = 1
        [[2, 9, 14], [7, 0, 3], [11, 11, 1]],
    ],
)
def test_hand_picked_tables_cannot_be_recovered(table: list[list[int]]) -> None:
    check_table(np.array(table))


def check_table(table: np.ndarray) -> None:
    """Every small cell the reader could pin down is pinned down by the margins alone (even
    with every cell hidden): the table itself gives nothing away."""
    primary, shown = suppress_table(table)
    small = (table >= 1) & (table < T)
    assert (primary == small).all()
    nothing_shown = None
    for cell, (low, high) in reader_ranges(table, shown, primary).items():
        if low < high:
            continue
        if nothing_shown is None:
            nothing_shown = reader_ranges(table, np.zeros_like(shown), primary)
        assert nothing_shown[cell][0] == nothing_shown[cell][1], (
            f"cell {cell} = {table[cell]} recoverable from\n{table}\n{shown}"
        )


small_heavy = st.one_of(st.just(0), st.integers(1, 10), st.integers(11, 60))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    st.integers(2, 4).flatmap(
        lambda rows: st.integers(2, 4).flatmap(
            lambda cols: st.lists(
                st.lists(small_heavy, min_size=cols, max_size=cols), min_size=rows, max_size=rows
            )
        )
    )
)
def test_no_small_cell_of_a_random_table_can_be_recovered_from_its_totals(
    table: list[list[int]],
) -> None:
    check_table(np.array(table))
