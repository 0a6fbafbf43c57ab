"""The KPI cards: procedures, patients, adverse-event rate, follow-up rate, median soreness
and referrals, each with its change against the previous period of the same length.

Presentation layer. The values are ``kpi_totals`` for the filters, the same function behind
``clinicops summary``, written in the fixed formats of :mod:`dashboard.components.kpi_card`.
Values and changes are two callbacks so that the previous period's query runs in parallel
with the current one instead of after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output

from dashboard.auth_context import cell_threshold
from dashboard.components.kpi_card import (
    EM_DASH,
    Kind,
    Tone,
    format_change,
    format_value,
    kpi_card,
    period_words,
)
from dashboard.panels import ids
from dashboard.panels.common import store_filters
from dashboard.panels.data import query
from dashboard.suppression_rules import kpi_texts
from data_access.filters import Filters
from data_access.queries.kpis import KpiTotals, kpi_totals


@dataclass(frozen=True)
class Kpi:
    element_id: str
    label: str
    caption: str
    field: str
    kind: Kind
    tone: Tone


KPIS: tuple[Kpi, ...] = (
    Kpi(
        ids.KPI_PROCEDURES,
        "Procedures",
        "performed in the period",
        "procedures",
        Kind.COUNT,
        Tone.UP_IS_GOOD,
    ),
    Kpi(
        ids.KPI_PATIENTS,
        "Patients",
        "distinct patients treated",
        "patients",
        Kind.COUNT,
        Tone.UP_IS_GOOD,
    ),
    Kpi(
        ids.KPI_AE_RATE,
        "Adverse events",
        "per 1,000 procedures",
        "ae_rate_per_1000",
        Kind.RATE_PER_1000,
        Tone.UP_IS_BAD,
    ),
    Kpi(
        ids.KPI_FOLLOWUP_RATE,
        "Follow-up rate",
        "followed up within 14 days",
        "followup_rate",
        Kind.SHARE,
        Tone.UP_IS_GOOD,
    ),
    Kpi(
        ids.KPI_MEDIAN_SORENESS,
        "Median soreness",
        "0–10, at the first follow-up",
        "median_soreness",
        Kind.SCORE,
        Tone.UP_IS_BAD,
    ),
    Kpi(
        ids.KPI_REFERRALS,
        "Referrals",
        "received in the period",
        "referrals",
        Kind.COUNT,
        Tone.UP_IS_GOOD,
    ),
)


def totals(filters: Filters) -> KpiTotals:
    return query("kpi_totals", kpi_totals, filters)


def layout() -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                kpi_card(
                    value_id=kpi.element_id,
                    change_id=ids.change_of(kpi.element_id),
                    label=kpi.label,
                    caption=kpi.caption,
                ),
                className="kpi-col",
            )
            for kpi in KPIS
        ],
        className="kpi-row g-2 g-md-3 row-cols-2 row-cols-md-3 row-cols-xl-6",
    )


def render_values(data: Mapping[str, Any] | None) -> list[str]:
    current = totals(store_filters(data))
    hidden = kpi_texts(current.as_dict(), cell_threshold())  # "<11" for small counts
    return [
        (hidden[kpi.field] or EM_DASH)
        if kpi.field in hidden
        else format_value(kpi.kind, getattr(current, kpi.field))
        for kpi in KPIS
    ]


def render_changes(data: Mapping[str, Any] | None) -> list[Any]:
    """Change texts, then their classes, then their tooltips (the periods compared)."""
    filters = store_filters(data)
    previous_filters = filters.previous_period()
    # The previous period first: the values callback is computing the current one meanwhile.
    previous = totals(previous_filters)
    current = totals(filters)
    # A change against a hidden small count would reveal it: no change for those.
    threshold = cell_threshold()
    hidden = set(kpi_texts(current.as_dict(), threshold))
    hidden |= set(kpi_texts(previous.as_dict(), threshold))
    changes = [
        format_change(
            kpi.kind,
            None if kpi.field in hidden else getattr(current, kpi.field),
            None if kpi.field in hidden else getattr(previous, kpi.field),
            days=filters.days,
            tone=kpi.tone,
        )
        for kpi in KPIS
    ]
    compared = (
        f"{filters.start:%-d %b %Y} – {filters.end:%-d %b %Y} against "
        f"{previous_filters.start:%-d %b %Y} – {previous_filters.end:%-d %b %Y} "
        f"(the {period_words(filters.days)})"
    )
    return (
        [change.text for change in changes]
        + [change.class_name for change in changes]
        + [compared] * len(changes)
    )


def register() -> None:
    dash.callback(
        [Output(kpi.element_id, "children") for kpi in KPIS],
        Input(ids.FILTERS, "data"),
        prevent_initial_call=True,
    )(render_values)
    dash.callback(
        [Output(ids.change_of(kpi.element_id), "children") for kpi in KPIS]
        + [Output(ids.change_of(kpi.element_id), "className") for kpi in KPIS]
        + [Output(ids.change_of(kpi.element_id), "title") for kpi in KPIS],
        Input(ids.FILTERS, "data"),
        prevent_initial_call=True,
    )(render_changes)
