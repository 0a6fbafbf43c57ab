"""Which columns of each overview query are counts, rates and margins, for small-cell
suppression at the one place the overview reads its data (``panels.data.query``).

Presentation layer, pure. For a caller with a threshold (regional managers by default) a
query's frame comes back with every hidden count and every rate, mean or quantile resting on
one as NaN (so no chart, hover, table or CSV can show it), using the same deterministic
suppression for every panel built on that query; event-level rows come back empty (that role
sees aggregates only). :func:`kpi_texts` gives the KPI cards' "<11" texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.suppression import RateColumns, apply_suppression, small_label, suppress_kpis

DISTRIBUTION = ("minimum", "q1", "median", "q3", "maximum", "mean")


@dataclass(frozen=True)
class Rule:
    counts: tuple[str, ...]
    rates: RateColumns = field(default_factory=dict)
    margins: Sequence[Sequence[str]] = ((),)
    subsets: Mapping[str, str] = field(default_factory=dict)


RULES: Mapping[str, Rule] = {
    "clinic_figures": Rule(
        ("procedures", "patients", "followed_up", "adverse_events"),
        subsets={"followed_up": "procedures"},
    ),
    "volume_trend": Rule(("procedures",), margins=((), ("period",), ("procedure_type",))),
    "volume_by_clinic_and_type": Rule(
        ("procedures",), margins=((), ("clinic_id",), ("procedure_type",))
    ),
    "event_series": Rule(("procedures", "events")),
    "event_series_by_clinic": Rule(
        ("procedures", "events"), margins=((), ("clinic_id",), ("period",))
    ),
    "events_by_type_and_severity": Rule(("events",), margins=((), ("event_type",), ("severity",))),
    "rates_by_procedure_type": Rule(("procedures", "events")),
    "soreness_by_days_after": Rule(
        ("followups",),
        {name: "followups" for name in DISTRIBUTION},
        margins=((), ("procedure_type",), ("days_after",)),
    ),
    "soreness_by_clinic": Rule(("followups",), {name: "followups" for name in DISTRIBUTION}),
    "immediate_relief": Rule(
        ("scored", "improved"),
        {"mean_before": "scored", "mean_after": "scored"},
        subsets={"improved": "scored"},
    ),
    "referrals_by_clinic_and_source": Rule(
        ("referrals",), margins=((), ("clinic_id",), ("source",))
    ),
    "referral_trend": Rule(("referrals",), margins=((), ("period",), ("source",))),
    "referral_conversion": Rule(
        ("referrals", "converted"),
        {"median_days_to_first": "converted"},
        subsets={"converted": "referrals"},
    ),
}

#: Queries returning one row per event: none for a suppressed caller.
EVENT_LEVEL = frozenset({"serious_event_rows", "event_rows", "events_with_reviews"})


def suppress_query_result(name: str, result: Any, threshold: int | None) -> Any:
    """The query's result as a suppressed caller may see it (unchanged without a threshold,
    or for results that are not frames)."""
    if threshold is None or not isinstance(result, pd.DataFrame):
        return result
    if name in EVENT_LEVEL:
        return result.head(0)
    rule = RULES.get(name)
    if rule is None:
        raise LookupError(f"no suppression rule for query {name!r}: add one to RULES")
    present = [c for c in rule.counts if c in result.columns]
    rates = {r: n for r, n in rule.rates.items() if r in result.columns}
    margins = [m for m in rule.margins if all(c in result.columns for c in m)]
    return apply_suppression(
        result,
        present,
        rates,
        threshold=threshold,
        margins=margins,
        subsets={p: w for p, w in rule.subsets.items() if p in present and w in present},
    ).numeric


def kpi_texts(kpis: Mapping[str, Any], threshold: int | None) -> dict[str, str | None]:
    """For each KPI field hidden from this caller, its text ("<11", "*" or ``None`` for a
    blanked rate); fields shown as usual are absent."""
    if threshold is None:
        return {}
    shown = suppress_kpis(kpis, threshold)
    return {
        name: value if isinstance(value, str) else None
        for name, value in shown.items()
        if name != "referrals_by_source"
        and (isinstance(value, str) or (value is None and kpis.get(name) is not None))
    }


#: Set while an export works out which label a hidden cell gets (never for display).
_LABELLING: ContextVar[bool] = ContextVar("clinicops_suppression_labelling", default=False)
COUNT_COLUMNS = frozenset(c for rule in RULES.values() for c in rule.counts)


def effective_threshold(threshold: int | None) -> int | None:
    """The threshold ``panels.data.query`` applies (none while labelling an export)."""
    return None if _LABELLING.get() else threshold


def export_frame(table: Callable[[], pd.DataFrame], threshold: int | None) -> pd.DataFrame:
    """A panel's CSV table for this caller: ``table()`` built from suppressed queries, with
    each hidden count written as "<11" (1..threshold-1) or "*" (complementary) and each
    hidden rate left blank. The unsuppressed table is built only to choose those labels."""
    shown = table()
    if threshold is None or shown.empty:
        return shown
    token = _LABELLING.set(True)
    try:
        raw = table()
    finally:
        _LABELLING.reset(token)
    return label_hidden(shown, raw, threshold)


def label_hidden(shown: pd.DataFrame, raw: pd.DataFrame, threshold: int) -> pd.DataFrame:
    shown = shown.reset_index(drop=True)
    numeric = [
        c
        for c in shown.columns
        if c in raw.columns and pd.api.types.is_numeric_dtype(shown[c].dtype)
    ]
    keys = [c for c in shown.columns if c in raw.columns and c not in numeric]
    result = shown.astype({c: "object" for c in numeric})
    if not keys or raw.duplicated(keys).any():
        aligned = None  # cannot tell the cells apart: hidden counts get the neutral label
    else:
        aligned = shown[keys].merge(raw[keys + numeric], on=keys, how="left")
    for column in numeric:
        hidden = shown[column].isna()
        if aligned is not None:
            hidden &= aligned[column].notna()
        for row in hidden[hidden].index:
            if column not in COUNT_COLUMNS:
                result.at[row, column] = None
            elif aligned is None:
                result.at[row, column] = "suppressed"
            else:
                value = aligned.at[row, column]
                result.at[row, column] = small_label(threshold) if 1 <= value < threshold else "*"
    return result
