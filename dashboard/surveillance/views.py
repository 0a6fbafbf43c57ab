"""From an analysed selection to what each part of the adverse-event page shows.

Presentation layer, pure: each function takes the :class:`~dashboard.surveillance.analysis.
Analysis` (and view options) and returns figures, sentences or components, with the empty
state in words when the selection holds nothing to show.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.figures.common import Figure, figure
from dashboard.surveillance import explain
from dashboard.surveillance.analysis import Analysis
from dashboard.surveillance.chart_figure import control_chart_figure
from dashboard.surveillance.funnel_figure import funnel_figure
from dashboard.surveillance.rate_figures import rate_interval_figure, rate_table
from dashboard.url_state import Dropped
from data_access.contract import EVENT_TYPE_LABELS, PROCEDURE_TYPE_LABELS, Severity
from data_access.filters import Filters
from data_access.statistics import rate_per_1000
from data_access.surveillance import ChartMethod, funnel_curves

NO_PROCEDURES = "No procedures match these filters, so there is no rate to show."
SEVERITY_LABELS = {s.value: s.value.capitalize() for s in Severity}


def empty_figure(message: str, height: int = 260) -> Figure:
    """A blank chart that says, in words, why it is blank."""
    note = {"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
            "yref": "paper", "font": {"size": 14, "color": "#4B5563"}}  # fmt: skip
    layout = {"xaxis": {"visible": False}, "yaxis": {"visible": False}, "annotations": [note]}
    return figure([], layout, height=height, legend=False)


def summary(filters: Filters, analysis: Analysis) -> str:
    """The selection in one line: range, volume, events and the rate with its interval."""
    period = f"{filters.start:%-d %b %Y} – {filters.end:%-d %b %Y}"
    procedures, events = analysis.frames.procedures, analysis.frames.events
    if procedures == 0:
        return f"{period}: no procedures in this selection."
    rate = rate_per_1000(events, procedures)
    return (
        f"{period}: {procedures:,} procedures, {events:,} adverse events, "
        f"{rate.rate:.1f} per 1,000 (95% CI {rate.low:.1f}–{rate.high:.1f})."
    )


def notice(dropped: tuple[Dropped, ...]) -> Any:
    if not dropped:
        return None
    items = "; ".join(str(item) for item in dropped)
    return html.P(f"Ignored in the address: {items}.", className="small text-warning-emphasis")


def funnel_view(analysis: Analysis, focus: str | None) -> tuple[Figure, str, bool]:
    """The funnel figure, the overdispersion sentence, and whether the switch is disabled
    (it is, unless the clinics are overdispersed)."""
    funnel = analysis.funnel
    if analysis.frames.procedures == 0:
        return empty_figure(NO_PROCEDURES, 420), "", True
    with_volume = funnel.table[funnel.table["procedures"] > 0]
    if len(with_volume) < 2:
        message = "A funnel compares clinics: choose at least two clinics with procedures."
        return empty_figure(message, 420), "", True
    curves = funnel_curves(funnel.p0, float(with_volume["procedures"].max()) * 1.06, funnel.phi)
    note = explain.overdispersion(funnel.overdispersion, funnel.adjusted)
    return funnel_figure(funnel, curves, focus=focus), note, not funnel.overdispersion.overdispersed


def rates_view(analysis: Analysis, tab: str) -> Any:
    """The chosen tab's interval chart and table."""
    if analysis.frames.procedures == 0:
        return html.P(NO_PROCEDURES, className="text-body-secondary mb-0")
    reference = 1000 * analysis.funnel.p0
    if tab == "procedure_type":
        rows, key, labels, heading = (analysis.procedure_types, "procedure_type",
                                      PROCEDURE_TYPE_LABELS, "Procedure type")  # fmt: skip
    elif tab == "event_type":
        rows, key, labels, heading = (analysis.event_types, "event_type", EVENT_TYPE_LABELS,
                                      "Event type")  # fmt: skip
    elif tab == "severity":
        order = {s.value: i for i, s in enumerate(Severity)}
        rows = analysis.severities.sort_values("severity", key=lambda s: s.map(order))
        key, labels, heading = "severity", SEVERITY_LABELS, "Severity"
    else:
        table = analysis.funnel.table[analysis.funnel.table["procedures"] > 0]
        rows = table.sort_values(["rate", "name"], ascending=[False, True])
        names = dict(zip(rows["clinic_id"], rows["name"], strict=True))
        rows, key, labels, heading = rows, "clinic_id", names, "Clinic"
    if rows.empty:
        return html.P("No adverse events in this selection.", className="text-body-secondary")
    compared = "zone" in rows
    figure_ = rate_interval_figure(rows, key=key, labels=labels,
                                   reference=reference if compared else None)  # fmt: skip
    return html.Div(
        [
            dcc.Graph(figure=figure_, config={"displaylogo": False},
                      style={"height": f"{figure_['layout']['height']}px"}),
            html.Div(rate_table(rows, key=key, labels=labels, heading=heading),
                     style={"maxHeight": "24rem", "overflowY": "auto"}),
        ]
    )  # fmt: skip


def chart_view(
    analysis: Analysis, token: str | None, method: str | None
) -> tuple[Figure, list[Any]]:
    """The control chart of the chosen subject and its sentences (method, run rules, and a
    caution for sparse charts)."""
    if analysis.frames.procedures == 0:
        return empty_figure(NO_PROCEDURES, 340), []
    subject = analysis.subject(token)
    chart = analysis.chart(subject, ChartMethod(method or "auto"))
    if len(chart.table) < 2:
        message = f"{subject.name}: fewer than two periods with procedures; widen the dates."
        return empty_figure(message, 340), []
    sentences = [explain.chart_method(chart), explain.run_rules(chart)]
    caution = explain.sparse_chart(chart)
    notes: list[Any] = [html.P(text, className="mb-1") for text in sentences]
    if caution:
        notes.append(html.P(caution, className="mb-1 text-warning-emphasis"))
    return control_chart_figure(chart, analysis.frames.grain), notes
