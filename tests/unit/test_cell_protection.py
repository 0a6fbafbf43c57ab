"""Cell protection on a large table of small counts: still safe, and cheap enough to serve.

The load test found a regional manager's referral panels (a region's referrals by month and
source: hundreds of counts under 11) taking seconds of CPU each, two linear programmes per
small cell; they held every gunicorn thread while 50 people changed filters.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import scipy.optimize

from dashboard.cell_protection import Kind, Line, protect

THRESHOLD = 11


def trend_table(periods: int, sources: int, seed: int) -> tuple[list[int], list[Kind], list[Line]]:
    """Counts by period and source, with period totals, source totals and the grand total
    shown elsewhere on the view (as the referral trend's margins are)."""
    rng = random.Random(seed)
    cells = [
        [rng.choice([0, 1, 2, 3, 5, 8, 12, 20]) for _ in range(sources)] for _ in range(periods)
    ]
    values = [v for row in cells for v in row]
    kinds = [Kind.CELL] * len(values)
    lines = []
    for p in range(periods):
        values.append(sum(cells[p]))
        kinds.append(Kind.TOTAL)
        lines.append(Line(len(values) - 1, tuple(range(p * sources, (p + 1) * sources))))
    for s in range(sources):
        values.append(sum(cells[p][s] for p in range(periods)))
        kinds.append(Kind.TOTAL)
        lines.append(Line(len(values) - 1, tuple(p * sources + s for p in range(periods))))
    values.append(sum(values[: periods * sources]))
    kinds.append(Kind.TOTAL)
    lines.append(Line(len(values) - 1, tuple(range(periods * sources))))
    return values, kinds, lines


def derivable_range(values, kinds, lines, hidden, primary, member) -> tuple[float, float]:
    """What a reader can work out of ``member`` from everything shown (an independent LP)."""
    unknown = sorted(hidden | {i for i, k in enumerate(kinds) if k is Kind.HIDDEN})
    column = {m: j for j, m in enumerate(unknown)}
    rows, rhs = [], []
    for line in lines:
        row, known = np.zeros(len(unknown)), 0.0
        for m, sign in [(line.total, -1), *((p, 1) for p in line.parts)]:
            if m in column:
                row[column[m]] += sign
            else:
                known -= sign * values[m]
        rows.append(row)
        rhs.append(known)
    bounds = [(1, THRESHOLD - 1) if m in primary else (0, None) for m in unknown]
    objective = np.zeros(len(unknown))
    objective[column[member]] = 1.0
    low = scipy.optimize.linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds)
    high = scipy.optimize.linprog(-objective, A_eq=rows, b_eq=rhs, bounds=bounds)
    return low.fun, (math.inf if high.status == 3 else -high.fun)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_small_count_of_a_large_table_can_be_derived(seed: int) -> None:
    values, kinds, lines = trend_table(periods=24, sources=5, seed=seed)
    result = protect(values, kinds, lines, threshold=THRESHOLD)
    hidden = result.primary | result.complementary
    for member in result.primary - result.unprotectable:
        low, high = derivable_range(values, kinds, lines, hidden, result.primary, member)
        assert math.floor(high + 1e-7) - math.ceil(low - 1e-7) >= 1, member


def test_a_large_table_needs_far_fewer_programmes_than_two_per_small_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values, kinds, lines = trend_table(periods=36, sources=5, seed=7)
    solved = []
    real = scipy.optimize.linprog

    def counting(*args, **kwargs):
        solved.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "linprog", counting)
    result = protect(values, kinds, lines, threshold=THRESHOLD)
    assert len(result.primary) > 60
    assert len(solved) < len(result.primary)
