"""Small-cell suppression of the figures a user sees (CMS cell-size policy), as pure functions.

Presentation layer, no I/O. For callers whose scope says ``suppress_small_cells`` (by default
regional managers), every count from 1 to ``threshold - 1`` is shown as ``"<11"`` (0 is shown),
a rate or median whose numerator (or denominator) is hidden is blanked, and further cells are
hidden as ``"*"`` (complementary suppression) until no small count can be recovered by
subtraction from the totals on the same view or export: column totals (KPI cards), the
``margins`` named by the caller (e.g. per-clinic and per-type totals of a cross-tab), row totals
and part/whole pairs (followed-up ⊂ procedures). The engine is :mod:`dashboard.cell_protection`.

A threshold of ``None`` means "no suppression" (staff, medical directors, admins by default):
pages call these functions unconditionally with ``auth_context.cell_threshold()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.cell_protection import Kind, Line, protect

COMPLEMENTARY = "*"
SUPPRESSION_NOTE = (
    'Counts from 1 to {largest} are shown as "<{threshold}"; "*" hides a further figure so that '
    "a small count cannot be worked out from the totals. Rates of hidden counts are left blank."
)

#: ``{rate column: numerator column}`` or ``{rate column: (numerator, denominator)}``.
RateColumns = Mapping[str, str | tuple[str, str]]


def small_label(threshold: int) -> str:
    return f"<{threshold}"


def suppression_note(threshold: int) -> str:
    return SUPPRESSION_NOTE.format(largest=threshold - 1, threshold=threshold)


def format_count(n: int | None, suppress: bool, threshold: int = 11) -> str:
    """One count on its own (no totals beside it): ``"<11"`` for 1..10 when suppressing."""
    if n is None:
        return "—"
    if suppress and 1 <= n < threshold:
        return small_label(threshold)
    return f"{n:,}"


@dataclass(frozen=True)
class Suppressed:
    """``display``: counts as int, ``"<11"`` or ``"*"``, blanked rates as ``None`` (tables,
    CSV, KPI text, hover text). ``numeric``: hidden counts and rates as NaN (bar heights,
    marker positions: a hidden count must not be drawn at its true height). ``primary`` and
    ``complementary``: boolean masks over the count columns."""

    display: pd.DataFrame
    numeric: pd.DataFrame
    primary: pd.DataFrame
    complementary: pd.DataFrame

    @property
    def hidden(self) -> pd.DataFrame:
        return self.primary | self.complementary


def apply_suppression(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    rate_columns: RateColumns | None = None,
    *,
    threshold: int | None,
    margins: Sequence[Sequence[str]] = ((),),
    row_total: bool = False,
    subsets: Mapping[str, str] | None = None,
) -> Suppressed:
    """Suppress ``frame`` for display.

    ``margins``: groupings whose per-column totals the reader may know (``()`` is the grand
    total of each count column; add ``("clinic_id",)`` for a long clinic × type frame whose
    per-clinic totals show elsewhere). ``row_total``: the count columns add up to a row total
    the reader may know. ``subsets``: ``{part: whole}`` columns, where ``whole - part`` is
    itself a count that must not be recoverable when small. Pass every numerator a rate uses
    as a count column, even one the page does not display (drop it afterwards)."""
    count_columns = list(count_columns)
    rates = {
        rate: (n, None) if isinstance(n, str) else n for rate, n in (rate_columns or {}).items()
    }
    frame = frame.reset_index(drop=True)
    no_mask = pd.DataFrame(False, index=frame.index, columns=count_columns)
    if threshold is None or frame.empty:
        return Suppressed(frame.copy(), frame.copy(), no_mask, no_mask.copy())

    counts = frame[count_columns].fillna(0).astype("int64")
    values: list[int] = []
    kinds: list[Kind] = []

    def member(value: int, kind: Kind) -> int:
        values.append(int(value))
        kinds.append(kind)
        return len(values) - 1

    cell = {(r, c): member(counts.at[r, c], Kind.CELL) for r in frame.index for c in count_columns}
    lines: list[Line] = []
    columns: dict[str, dict[int, int]] = {
        c: {r: cell[r, c] for r in frame.index} for c in count_columns
    }
    if row_total:
        columns["__row_total__"] = {}
        for r in frame.index:
            total = member(int(counts.loc[r].sum()), Kind.TOTAL)
            columns["__row_total__"][r] = total
            lines.append(Line(total, tuple(cell[r, c] for c in count_columns)))
    for part, whole in (subsets or {}).items():
        for r in frame.index:
            rest = member(int(counts.at[r, whole] - counts.at[r, part]), Kind.HIDDEN)
            lines.append(Line(cell[r, whole], (cell[r, part], rest)))
    for grouping in margins:
        groups: dict[tuple[Any, ...], list[int]] = {}
        keys = zip(*(frame[c] for c in grouping), strict=True) if grouping else iter([])
        for r, key in zip(frame.index, keys, strict=False):
            groups.setdefault(key, []).append(r)
        for rows in groups.values() if grouping else [list(frame.index)]:
            for members in columns.values():
                parts = tuple(members[r] for r in rows)
                lines.append(Line(member(sum(values[m] for m in parts), Kind.TOTAL), parts))

    result = protect(values, kinds, lines, threshold=threshold)
    primary = pd.DataFrame(
        {c: [cell[r, c] in result.primary for r in frame.index] for c in count_columns}
    )
    complementary = pd.DataFrame(
        {c: [cell[r, c] in result.complementary for r in frame.index] for c in count_columns}
    )
    display, numeric = frame.copy(), frame.copy()
    for c in count_columns:
        shown: list[Any] = [
            small_label(threshold)
            if primary.at[r, c]
            else COMPLEMENTARY
            if complementary.at[r, c]
            else int(counts.at[r, c])
            for r in frame.index
        ]
        display[c] = pd.Series(shown, index=frame.index, dtype="object")
        numeric[c] = counts[c].astype("float64").where(~(primary[c] | complementary[c]))
    hidden = primary | complementary
    for rate, (numerator, denominator) in rates.items():
        blank = hidden[numerator] | (hidden[denominator] if denominator else False)
        display[rate] = frame[rate].astype("object").where(~blank, None)
        numeric[rate] = frame[rate].astype("float64").where(~blank)
    return Suppressed(display, numeric, primary, complementary)


def suppress_counts(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    rate_columns: RateColumns | None = None,
    threshold: int | None = 11,
    **options: Any,
) -> pd.DataFrame:
    """The display frame of :func:`apply_suppression`."""
    return apply_suppression(
        frame, count_columns, rate_columns, threshold=threshold, **options
    ).display


KPI_COUNTS = ("procedures", "patients", "adverse_events", "followed_up", "referrals")


def suppress_kpis(kpis: Mapping[str, Any], threshold: int | None) -> dict[str, Any]:
    """The KPI cards' figures (``KpiTotals.as_dict()``) for display.

    Counts become ``"<11"``/``"*"`` where hidden; the AE rate is blanked with its events, the
    follow-up rate and the median soreness with the follow-ups they rest on (derived from the
    rate), and the referral sources are protected against the referral total."""
    shown = dict(kpis)
    if threshold is None:
        return shown
    procedures = int(kpis.get("procedures") or 0)
    followup_rate = kpis.get("followup_rate")
    followed_up = round(followup_rate * procedures) if followup_rate is not None else 0
    sources = dict(kpis.get("referrals_by_source") or {})
    row = {
        "procedures": procedures,
        "patients": int(kpis.get("patients") or 0),
        "adverse_events": int(kpis.get("adverse_events") or 0),
        "followed_up": followed_up,
        "referrals": int(kpis.get("referrals") or sum(sources.values())),
        **{f"source:{name}": int(n) for name, n in sources.items()},
    }
    source_columns = [f"source:{name}" for name in sources]
    one_row = pd.DataFrame([row])
    # The source cells add up to the referral total, which is itself a displayed cell: model it
    # as a part/whole line (sources ⊂ referrals) by a single-row frame and explicit lines.
    result = _suppress_kpi_row(one_row, source_columns, threshold)
    shown_row = result.display.iloc[0]
    hidden = result.hidden.iloc[0]
    for name in ("procedures", "patients", "adverse_events", "referrals"):
        if name in kpis:
            shown[name] = shown_row[name]
    if "ae_rate_per_1000" in kpis and (hidden["adverse_events"] or hidden["procedures"]):
        shown["ae_rate_per_1000"] = None
    if hidden["followed_up"] or hidden["procedures"]:
        for name in ("followup_rate", "median_soreness"):
            if name in kpis:
                shown[name] = None
    if "referrals_by_source" in kpis:
        shown["referrals_by_source"] = {name: shown_row[f"source:{name}"] for name in sources}
    return shown


def _suppress_kpi_row(row: pd.DataFrame, source_columns: list[str], threshold: int) -> Suppressed:
    counts = [*KPI_COUNTS, *source_columns]
    values = [int(row.at[0, c]) for c in counts]
    kinds = [Kind.CELL] * len(counts)
    index = {c: i for i, c in enumerate(counts)}
    lines = []
    if source_columns:
        lines.append(Line(index["referrals"], tuple(index[c] for c in source_columns)))
    values.append(values[index["procedures"]] - values[index["followed_up"]])
    kinds.append(Kind.HIDDEN)
    lines.append(Line(index["procedures"], (index["followed_up"], len(values) - 1)))
    result = protect(values, kinds, lines, threshold=threshold)
    primary = pd.DataFrame([{c: index[c] in result.primary for c in counts}])
    complementary = pd.DataFrame([{c: index[c] in result.complementary for c in counts}])
    display = row.astype("object").copy()
    for c in counts:
        if primary.at[0, c]:
            display.at[0, c] = small_label(threshold)
        elif complementary.at[0, c]:
            display.at[0, c] = COMPLEMENTARY
    numeric = row.astype("float64").where(~(primary | complementary))
    return Suppressed(display, numeric, primary, complementary)
