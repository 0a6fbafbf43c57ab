"""Primary and complementary cell suppression over a system of additive lines (pure logic).

Presentation layer, no I/O and no Dash. A table is described as *members* (its cells, margin
totals shown elsewhere on the view, and hidden remainders such as "procedures not followed
up") and *lines* (``sum(parts) == total``). :func:`protect` decides which members to hide:

* primary: every sensitive member, a count from 1 to ``threshold - 1``;
* complementary: further displayed cells, smallest first, until no sensitive member can be
  worked out exactly from what is shown, line by line and then jointly (a linear programme
  over all lines, with what a reader knows of each hidden member: a "<11" cell lies in
  1..10, a complementary "*" cell is any count from 0, a margin total is exact unless it is
  itself small).

A sensitive member that no displayable cell can protect (it is disclosed by margins outside
the table's control) is reported in :attr:`Protection.unprotectable` rather than looping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

EPSILON = 1e-7


class Kind(StrEnum):
    CELL = "cell"  # displayed in the table: may be suppressed
    TOTAL = "total"  # a margin shown elsewhere on the view: exact unless itself small
    HIDDEN = "hidden"  # never displayed, but derivable (e.g. a whole minus its part)


@dataclass(frozen=True)
class Line:
    """``sum(parts) == total``, member indices."""

    total: int
    parts: tuple[int, ...]


@dataclass
class Protection:
    primary: set[int] = field(default_factory=set)
    complementary: set[int] = field(default_factory=set)
    unprotectable: set[int] = field(default_factory=set)

    def hidden(self, index: int) -> bool:
        return index in self.primary or index in self.complementary


class _System:
    def __init__(
        self, values: Sequence[int], kinds: Sequence[Kind], lines: Sequence[Line], threshold: int
    ) -> None:
        self.values = [int(v) for v in values]
        self.kinds = list(kinds)
        self.lines = [line for line in lines if line.parts]
        self.threshold = threshold
        self.result = Protection()
        self.lines_of: dict[int, list[Line]] = {}
        for line in self.lines:
            for member in (line.total, *line.parts):
                self.lines_of.setdefault(member, []).append(line)
        for index in range(len(self.values)):
            if self.sensitive(index) and self.kinds[index] is not Kind.HIDDEN:
                self.result.primary.add(index)

    def sensitive(self, index: int) -> bool:
        return 1 <= self.values[index] < self.threshold

    def unknown(self, index: int) -> bool:
        return self.kinds[index] is Kind.HIDDEN or self.result.hidden(index)

    def bounds(self, index: int) -> tuple[float, float]:
        """What a reader knows of an unknown member."""
        if index in self.result.primary:
            return 1.0, float(self.threshold - 1)
        return 0.0, math.inf

    def _terms(self, line: Line) -> list[tuple[int, int]]:
        return [(line.total, -1)] + [(part, 1) for part in line.parts]

    def line_determined(self, line: Line) -> list[int]:
        """Sensitive unknown members of this line whose value the line alone pins down."""
        terms = self._terms(line)
        known = -sum(sign * self.values[m] for m, sign in terms if not self.unknown(m))
        unknowns = [(m, sign) for m, sign in terms if self.unknown(m)]
        found = []
        for member, sign in unknowns:
            if not self.sensitive(member):
                continue
            low_others = high_others = 0.0
            for other, other_sign in unknowns:
                if other == member:
                    continue
                lo, hi = self.bounds(other)
                low_others += lo if other_sign > 0 else -hi
                high_others += hi if other_sign > 0 else -lo
            if sign > 0:
                low, high = known - high_others, known - low_others
            else:
                low, high = low_others - known, high_others - known
            lo, hi = self.bounds(member)
            if _single_integer(max(low, lo), min(high, hi)):
                found.append(member)
        return found

    def candidates(self, lines: Sequence[Line]) -> list[int]:
        """Displayed, not yet hidden cells of these lines, preferring the smallest non-zero."""
        members = {m for line in lines for m in (line.total, *line.parts)}
        shown = [m for m in members if self.kinds[m] is Kind.CELL and not self.result.hidden(m)]
        return sorted(shown, key=lambda m: (self.values[m] == 0, self.values[m], m))

    def settle_lines(self) -> None:
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                pinned = [
                    m for m in self.line_determined(line) if m not in self.result.unprotectable
                ]
                if not pinned:
                    continue
                choice = self.candidates([line])
                if choice:
                    self.result.complementary.add(choice[0])
                    changed = True
                else:
                    self.result.unprotectable.update(pinned)

    def jointly_determined(self) -> int | None:
        """The first sensitive unknown member pinned down by all lines together (LP bounds),
        or None.

        Every solution a linear programme returns is a table a reader cannot rule out, so the
        range of values seen for each member across solutions is part of its feasible range:
        once that holds two integers the member is free, with no programme of its own. On a
        table of a few hundred small cells (a region's referrals by month and source) this
        takes a handful of programmes instead of two per cell."""
        from scipy.optimize import linprog

        unknown = sorted(
            {m for line in self.lines for m in (line.total, *line.parts) if self.unknown(m)}
        )
        targets = [m for m in unknown if self.sensitive(m) and m not in self.result.unprotectable]
        if not targets:
            return None
        column = {m: j for j, m in enumerate(unknown)}
        rows, rhs = [], []
        for line in self.lines:
            terms = self._terms(line)
            if not any(self.unknown(m) for m, _ in terms):
                continue
            row = np.zeros(len(unknown))
            known = 0.0
            for m, sign in terms:
                if self.unknown(m):
                    row[column[m]] += sign
                else:
                    known -= sign * self.values[m]
            rows.append(row)
            rhs.append(known)
        bounds = [
            (lo, None if math.isinf(hi) else hi) for lo, hi in (self.bounds(m) for m in unknown)
        ]
        seen_low = np.full(len(unknown), math.inf)
        seen_high = np.full(len(unknown), -math.inf)

        def solve(objective: np.ndarray) -> Any:
            solution = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
            if solution.status == 0:
                np.minimum(seen_low, solution.x, out=seen_low)
                np.maximum(seen_high, solution.x, out=seen_high)
            return solution

        # Two tables as far apart as can be on every sensitive member at once: most members
        # differ between them by whole counts, and need no programme of their own.
        everyone = np.zeros(len(unknown))
        everyone[[column[m] for m in targets]] = 1.0
        solve(everyone)
        solve(-everyone)
        for member in targets:
            j = column[member]
            if seen_low[j] <= seen_high[j] and not _single_integer(seen_low[j], seen_high[j]):
                continue  # two feasible tables already differ by a whole count here
            objective = np.zeros(len(unknown))
            objective[j] = 1.0
            low, high = solve(objective), solve(-objective)
            if low.status != 0 or high.status == 3:  # infeasible/failed; 3 = unbounded above
                continue
            if high.status == 0 and _single_integer(low.fun, -high.fun):
                return member
        return None

    def run(self) -> Protection:
        self.settle_lines()
        while (member := self.jointly_determined()) is not None:
            choice = self.candidates(self.lines_of.get(member, []))
            if choice:
                self.result.complementary.add(choice[0])
            else:
                self.result.unprotectable.add(member)
            self.settle_lines()
        return self.result


def _single_integer(low: float, high: float) -> bool:
    """Whether at most one integer lies in [low, high]: the reader knows the exact count."""
    if math.isinf(high):
        return False
    return math.floor(high + EPSILON) - math.ceil(low - EPSILON) < 1


def protect(
    values: Sequence[int], kinds: Sequence[Kind], lines: Sequence[Line], *, threshold: int
) -> Protection:
    """Members to hide so that no count from 1 to ``threshold - 1`` can be read or derived."""
    if len(values) != len(kinds):
        raise ValueError("values and kinds differ in length")
    return _System(values, kinds, lines, threshold).run()
