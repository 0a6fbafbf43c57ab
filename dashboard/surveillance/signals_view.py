"""The signals list as components: one item per signal, newest first, each a link.

Presentation layer, pure: :func:`signals_list` turns the table of
``data_access.surveillance_signals`` into list items. Every text is passed to Dash as a
string child, so React escapes it: clinic names and descriptions are shown, never parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import dcc, html

from dashboard.surveillance.colors import HIGH, LOW, RUN
from data_access.surveillance_signals import SignalKind

#: Badge text and colour per kind of signal.
KIND_BADGES: dict[str, tuple[str, str]] = {
    SignalKind.CLINIC_HIGH: ("Clinic above funnel", HIGH),
    SignalKind.CLINIC_LOW: ("Clinic below funnel", LOW),
    SignalKind.PROCEDURE_TYPE_HIGH: ("Procedure type high", HIGH),
    SignalKind.PROCEDURE_TYPE_LOW: ("Procedure type low", LOW),
    SignalKind.CHART_ABOVE: ("Control chart: high", HIGH),
    SignalKind.CHART_BELOW: ("Control chart: low", LOW),
    SignalKind.CHART_RUNS: ("Run rules: shift", RUN),
    SignalKind.SERIOUS_EVENT: ("Serious event", "#7C2D12"),
}

EMPTY = (
    "No signals in this selection: every clinic and procedure type is within its 99.8% "
    "limits, no control chart shows special-cause variation, and there is no serious event."
)


def _item(signal: dict[str, Any], href: str) -> html.Li:
    label, color = KIND_BADGES.get(signal["kind"], (signal["kind"], "#6B7280"))
    when = pd.Timestamp(signal["signal_on"]).strftime("%-d %b %Y")
    return html.Li(
        [
            html.Div(
                [
                    html.Span(label, className="badge me-2", style={"backgroundColor": color}),
                    dcc.Link(signal["headline"], href=href, className="fw-semibold"),
                    html.Small(when, className="text-muted ms-auto ps-2 text-nowrap"),
                ],
                className="d-flex align-items-baseline flex-wrap",
            ),
            html.Div(signal["reason"], className="small text-body-secondary mt-1"),
        ],
        className="list-group-item py-2",
        **{"data-kind": signal["kind"], "data-clinic": signal.get("clinic_id") or ""},
    )


def signals_list(
    signals: pd.DataFrame, href: Callable[[dict[str, Any]], str], *, empty: str | None = None
) -> list[Any]:
    """Children of the ``ae-signals`` element: a count line and the list (or the empty
    state in words: ``empty``, or :data:`EMPTY`). ``href`` gives each signal's link."""
    if signals.empty:
        return [html.P(empty or EMPTY, className="mb-0 text-body-secondary")]
    records = signals.to_dict("records")
    counts = signals["kind"].value_counts()
    serious = int(counts.get(SignalKind.SERIOUS_EVENT, 0))
    others = len(signals) - serious
    summary = f"{others} statistical signal{'s' * (others != 1)}"
    summary += f" and {serious} serious event{'s' * (serious != 1)}"
    return [
        html.P(summary + ", newest first.", className="small text-body-secondary mb-2"),
        html.Ul(
            [_item(signal, href(signal)) for signal in records],
            className="list-group list-group-flush",
        ),
    ]
